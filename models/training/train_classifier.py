"""Train FashionResNet on Fashion-MNIST.

The whole data set lives on the device as uint8 tensors and is augmented there
per batch (random 28x28 crop from the image zero-padded by 2, random
horizontal flip), so no DataLoader workers are needed and a fast GPU is not
starved by the CPU.

Imports only torch, numpy and the stdlib (runs on torch 1.13 and 2.x).
"""
import argparse
import contextlib
import math
import os
import platform
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import fashion_mnist
from checkpoint_io import cpu_state_dict, save_atomic
from nets import FashionResNet, count_parameters

# Training-set pixel statistics after scaling to [0, 1]; the script recomputes
# and prints them as a check. The exported model expects inputs normalised
# with exactly these values.
MEAN = 0.2860
STD = 0.3530
PAD = 2

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checkpoints", "fashion-resnet.pt")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=fashion_mnist.DEFAULT_DATA_DIR)
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=None, help="peak lr; default 0.1 * batch_size / 128")
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--widths", default="64,128,256", help="stage widths, comma separated")
    p.add_argument("--stem-width", type=int, default=64)
    p.add_argument("--eval-every", type=int, default=5, help="evaluate on the test set every N epochs (and at the end)")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--deterministic", action="store_true",
                   help="also make cuDNN deterministic (slower); --seed alone fixes init, order and augmentation")
    p.add_argument("--limit", type=int, default=0,
                   help="use only the first N training and test images (smoke tests); 0 = all")
    p.add_argument("--out", default=DEFAULT_OUT)
    return p.parse_args()


def augment(images_u8):
    """Random crop (2-px zero padding) + random horizontal flip, done as one gather.

    images_u8: [B, 28, 28] uint8 on the device -> float [B, 28, 28] in [0, 255].
    """
    b, h, w = images_u8.shape
    dev = images_u8.device
    padded = F.pad(images_u8.float(), (PAD, PAD, PAD, PAD))  # zeros = black background
    top = torch.randint(0, 2 * PAD + 1, (b, 1), device=dev)
    left = torch.randint(0, 2 * PAD + 1, (b, 1), device=dev)
    rows = top + torch.arange(h, device=dev)
    cols_fwd = torch.arange(w, device=dev)
    flip = torch.rand(b, 1, device=dev) < 0.5
    # A flipped crop reads the same window right-to-left.
    cols = left + torch.where(flip, (w - 1) - cols_fwd, cols_fwd)
    batch_idx = torch.arange(b, device=dev)[:, None, None]
    return padded[batch_idx, rows[:, :, None], cols[:, None, :]]


def normalise(pixels):
    """[B, 28, 28] float in [0, 255] -> [B, 1, 28, 28] normalised network input."""
    return ((pixels / 255.0 - MEAN) / STD).unsqueeze(1)


def lr_at(step, peak, warmup_steps, total_steps):
    """Linear warm-up to peak, then cosine decay to 0 at total_steps."""
    if step < warmup_steps:
        return peak * (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return peak * 0.5 * (1.0 + math.cos(math.pi * progress))


@torch.no_grad()
def evaluate(model, inputs, labels, autocast, batch_size=1000):
    model.eval()
    correct = 0
    for i in range(0, inputs.shape[0], batch_size):
        with autocast():
            logits = model(inputs[i:i + batch_size])
        correct += (logits.argmax(1) == labels[i:i + batch_size]).sum()
    model.train()
    return correct.item() / inputs.shape[0]


def main():
    args = parse_args()
    device = torch.device(args.device)
    torch.manual_seed(args.seed)
    on_cuda = device.type == "cuda"
    if on_cuda:
        torch.backends.cudnn.benchmark = not args.deterministic
        torch.backends.cudnn.deterministic = args.deterministic
        device_name = torch.cuda.get_device_name(device)
        autocast = lambda: torch.autocast(device_type="cuda", dtype=torch.bfloat16)  # noqa: E731
    else:
        torch.set_num_threads(2)
        device_name = platform.processor() or platform.machine() or "cpu"
        autocast = contextlib.nullcontext
    # NHWC lets cuDNN use its fastest bf16 convolution kernels.
    memory_format = torch.channels_last if on_cuda else torch.contiguous_format

    train_x, train_y = fashion_mnist.load(args.data, "train")
    test_x, test_y = fashion_mnist.load(args.data, "test")
    if args.limit:
        train_x, train_y = train_x[:args.limit], train_y[:args.limit]
        test_x, test_y = test_x[:args.limit], test_y[:args.limit]
    print(f"train {train_x.shape[0]} / test {test_x.shape[0]} images; "
          f"computed mean {train_x.mean(dtype=np.float64) / 255:.4f} "
          f"std {train_x.std(dtype=np.float64) / 255:.4f} (using {MEAN} / {STD})")

    train_x = torch.from_numpy(train_x).to(device)
    train_y = torch.from_numpy(train_y).to(device)
    test_inputs = normalise(torch.from_numpy(test_x).to(device).float()).contiguous(memory_format=memory_format)
    test_y = torch.from_numpy(test_y).to(device)

    widths = tuple(int(w) for w in args.widths.split(","))
    model_config = dict(widths=widths, strides=(1, 2, 2), blocks_per_stage=2,
                        stem_width=args.stem_width, num_classes=len(fashion_mnist.LABELS))
    model = FashionResNet(**model_config).to(device, memory_format=memory_format)
    print(f"FashionResNet {widths}: {count_parameters(model):,} parameters; "
          f"device {device_name}; torch {torch.__version__}")

    batch_size = args.batch_size
    peak_lr = args.lr if args.lr is not None else 0.1 * batch_size / 128
    optimizer = torch.optim.SGD(model.parameters(), lr=peak_lr, momentum=0.9, nesterov=True,
                                weight_decay=args.weight_decay)
    criterion = nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)
    # Drop the last partial batch: every step has the same batch size, which
    # keeps BatchNorm statistics and the lr schedule simple.
    steps_per_epoch = max(1, train_x.shape[0] // batch_size)
    total_steps = steps_per_epoch * args.epochs
    print(f"batch {batch_size}, {steps_per_epoch} steps/epoch, peak lr {peak_lr:.4f}, "
          f"warm-up {steps_per_epoch} steps then cosine to 0")

    step = 0
    train_seconds = 0.0
    test_acc = float("nan")
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        order = torch.randperm(train_x.shape[0], device=device)
        loss_sum = torch.zeros((), device=device)
        for i in range(steps_per_epoch):
            idx = order[i * batch_size:(i + 1) * batch_size]
            inputs = normalise(augment(train_x[idx])).contiguous(memory_format=memory_format)
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step, peak_lr, steps_per_epoch, total_steps)
            with autocast():
                loss = criterion(model(inputs).float(), train_y[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach()
            step += 1
        mean_loss = loss_sum.item() / steps_per_epoch  # .item() also waits for the GPU
        epoch_seconds = time.time() - t0
        train_seconds += epoch_seconds
        line = f"epoch {epoch:3d}/{args.epochs}  {epoch_seconds:6.2f}s  loss {mean_loss:.4f}"
        if epoch % args.eval_every == 0 or epoch == args.epochs:
            test_acc = evaluate(model, test_inputs, test_y, autocast)
            line += f"  test acc {test_acc:.4f}"
        print(line, flush=True)

    print(f"final test accuracy {test_acc:.4f}; {train_seconds:.1f}s training on {device_name}")
    save_atomic({
        "kind": "classifier",
        "state_dict": cpu_state_dict(model),
        "config": {
            "model": model_config,
            "mean": MEAN,
            "std": STD,
            "labels": list(fashion_mnist.LABELS),
        },
        "test_accuracy": test_acc,
        "train_seconds": train_seconds,
        "device_name": device_name,
        "torch_version": str(torch.__version__),  # a plain str keeps the pickle weights_only-loadable
        "epochs": args.epochs,
        "args": vars(args),
    }, args.out)
    print(f"saved {args.out} ({os.path.getsize(args.out) / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
