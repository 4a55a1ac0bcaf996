"""Train the class-conditional DDPM denoiser (DiffusionUNet) on Fashion-MNIST.

DDPM (Ho et al. 2020) epsilon-prediction with T = 1000 steps and the paper's
LINEAR beta schedule, beta_t = linspace(1e-4, 0.02, T). The schedule is
computed in float64 (the cumulative product of 1000 factors loses precision
in float32) and only then cast to float32. Pixels are scaled to [-1, 1]
(x / 127.5 - 1). For classifier-free guidance the class label is replaced by
the NULL class 10 with probability --label-dropout.

Training stops at --max-steps (total, counting resumed steps) or after
--max-seconds of wall time in this invocation, whichever comes first. The
full checkpoint (model, EMA, optimizer, step, seconds, config) is written
atomically to --out every --save-every-seconds and at the end, together with
an EMA-only float32 file <out without .pt>-ema.pt used for export/sampling.

Imports only torch, numpy and the stdlib (runs on torch 1.13 and 2.x).
"""
import argparse
import contextlib
import copy
import os
import platform
import time

import numpy as np
import torch
import torch.nn.functional as F

import fashion_mnist
from checkpoint_io import cpu_state_dict, load_checkpoint, save_atomic
from nets import DiffusionUNet, count_parameters

NUM_TRAIN_TIMESTEPS = 1000
BETA_START = 1e-4
BETA_END = 0.02
NULL_CLASS = len(fashion_mnist.LABELS)  # 10

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checkpoints", "fashion-ddpm.pt")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=fashion_mnist.DEFAULT_DATA_DIR)
    p.add_argument("--max-steps", type=int, default=None)
    p.add_argument("--max-seconds", type=float, default=None)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--warmup-steps", type=int, default=500)
    p.add_argument("--weight-decay", type=float, default=0.0,
                   help="AdamW decoupled weight decay (diffusion models are usually trained without)")
    p.add_argument("--grad-clip", type=float, default=1.0)
    p.add_argument("--ema-decay", type=float, default=0.9995)
    p.add_argument("--label-dropout", type=float, default=0.1)
    p.add_argument("--base-channels", type=int, default=48)
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--save-every-seconds", type=float, default=60.0)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resume", action="store_true", help="continue from --out if it exists")
    p.add_argument("--out", default=DEFAULT_OUT)
    args = p.parse_args()
    if args.max_steps is None and args.max_seconds is None:
        p.error("give --max-steps and/or --max-seconds")
    return args


def ema_path_for(out):
    root = out[:-3] if out.endswith(".pt") else out
    return root + "-ema.pt"


def noise_schedule(device):
    """sqrt(alpha_bar_t) and sqrt(1 - alpha_bar_t) for t = 0..T-1, as float32 on device."""
    betas = np.linspace(BETA_START, BETA_END, NUM_TRAIN_TIMESTEPS, dtype=np.float64)
    alphas_cumprod = np.cumprod(1.0 - betas)
    return (torch.tensor(np.sqrt(alphas_cumprod), dtype=torch.float32, device=device),
            torch.tensor(np.sqrt(1.0 - alphas_cumprod), dtype=torch.float32, device=device))


@torch.no_grad()
def update_ema(ema_model, model, decay, step):
    """Bias-corrected EMA: at update number `step` (1-based) the effective decay is
    (d - d^step) / (1 - d^step), which makes the EMA the normalised weighted
    average of all iterates seen so far. Without it a short run (a few thousand
    steps at d = 0.9995) would keep a sizeable share of the random init."""
    d = (decay - decay ** step) / (1.0 - decay ** step)
    for e, p in zip(ema_model.parameters(), model.parameters()):
        e.lerp_(p.detach().float(), 1.0 - d)


def main():
    args = parse_args()
    device = torch.device(args.device)
    on_cuda = device.type == "cuda"
    if on_cuda:
        torch.backends.cudnn.benchmark = True
        device_name = torch.cuda.get_device_name(device)
        autocast = lambda: torch.autocast(device_type="cuda", dtype=torch.bfloat16)  # noqa: E731
    else:
        torch.set_num_threads(2)
        device_name = platform.processor() or platform.machine() or "cpu"
        autocast = contextlib.nullcontext

    config = {
        "model": dict(base_channels=args.base_channels, channel_mults=(1, 2, 2), num_res_blocks=2,
                      attention_resolutions=(7,), dropout=0.1, norm_groups=8,
                      num_classes=len(fashion_mnist.LABELS), image_size=28),
        "diffusion": dict(num_train_timesteps=NUM_TRAIN_TIMESTEPS, beta_schedule="linear",
                          beta_start=BETA_START, beta_end=BETA_END, prediction_type="epsilon",
                          pixel_scaling="x / 127.5 - 1", null_class=NULL_CLASS),
        "labels": list(fashion_mnist.LABELS),
        "train": dict(batch_size=args.batch_size, lr=args.lr, warmup_steps=args.warmup_steps,
                      weight_decay=args.weight_decay, grad_clip=args.grad_clip,
                      ema_decay=args.ema_decay, label_dropout=args.label_dropout),
    }

    resume = load_checkpoint(args.out) if args.resume and os.path.exists(args.out) else None
    if resume is not None:
        # The architecture must match the weights; keep the saved one.
        config["model"] = resume["config"]["model"]
    model = DiffusionUNet(**config["model"]).to(device)
    ema_model = copy.deepcopy(model).eval()
    for p in ema_model.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    step, seconds_before = 0, 0.0
    if resume is not None:
        model.load_state_dict(resume["model"])
        ema_model.load_state_dict(resume["ema"])
        optimizer.load_state_dict(resume["optimizer"])
        step, seconds_before = resume["step"], resume["seconds"]
        print(f"resumed {args.out} at step {step} ({seconds_before:.0f}s trained)")
        del resume
    # Offset by step so a resumed run does not replay the noise of the first run.
    torch.manual_seed(args.seed + step)
    print(f"DiffusionUNet: {count_parameters(model):,} parameters "
          f"({count_parameters(model) * 4 / 2**20:.1f} MiB float32); device {device_name}; "
          f"torch {torch.__version__}")

    images, labels = fashion_mnist.load(args.data, "train")
    images = torch.from_numpy(images).to(device)
    labels = torch.from_numpy(labels).to(device)
    sqrt_ab, sqrt_one_minus_ab = noise_schedule(device)
    batch_size = args.batch_size
    ema_out = ema_path_for(args.out)

    def save():
        seconds = seconds_before + time.time() - t_start
        # Plain types only (str(torch.__version__), not TorchVersion) so the
        # files also load under torch 2.x's weights_only unpickler.
        meta = {"step": step, "seconds": seconds, "config": config,
                "device_name": device_name, "torch_version": str(torch.__version__)}
        ema_state = cpu_state_dict(ema_model)
        save_atomic(dict(kind="ddpm", model=cpu_state_dict(model), ema=ema_state,
                         optimizer=optimizer.state_dict(), **meta), args.out)
        save_atomic(dict(kind="ddpm-ema", state_dict=ema_state, **meta), ema_out)
        return seconds

    def out_of_time():
        return args.max_seconds is not None and time.time() - t_start >= args.max_seconds

    model.train()
    t_start = time.time()
    last_save = last_log = t_start
    last_log_step = step
    loss_sum = torch.zeros((), device=device)
    while (args.max_steps is None or step < args.max_steps) and not out_of_time():
        idx = torch.randint(0, images.shape[0], (batch_size,), device=device)
        x0 = images[idx].float() / 127.5 - 1.0
        x0 = torch.where(torch.rand(batch_size, 1, 1, device=device) < 0.5, x0.flip(-1), x0).unsqueeze(1)
        y = labels[idx].masked_fill(torch.rand(batch_size, device=device) < args.label_dropout, NULL_CLASS)
        t = torch.randint(0, NUM_TRAIN_TIMESTEPS, (batch_size,), device=device)
        noise = torch.randn_like(x0)
        xt = sqrt_ab[t].view(-1, 1, 1, 1) * x0 + sqrt_one_minus_ab[t].view(-1, 1, 1, 1) * noise

        for group in optimizer.param_groups:
            group["lr"] = args.lr * min(1.0, (step + 1) / max(1, args.warmup_steps))
        with autocast():
            pred = model(xt, t, y)
        loss = F.mse_loss(pred.float(), noise)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        optimizer.step()
        step += 1
        update_ema(ema_model, model, args.ema_decay, step)
        loss_sum += loss.detach()

        if step % args.log_every == 0:
            mean_loss = loss_sum.item() / (step - last_log_step)  # .item() waits for the GPU
            now = time.time()
            print(f"step {step:6d}  loss {mean_loss:.4f}  {(step - last_log_step) / (now - last_log):6.2f} steps/s  "
                  f"elapsed {now - t_start:6.1f}s", flush=True)
            loss_sum.zero_()
            last_log, last_log_step = now, step
        if time.time() - last_save >= args.save_every_seconds:
            seconds = save()
            last_save = time.time()
            print(f"checkpoint at step {step} ({seconds:.0f}s trained)", flush=True)

    seconds = save()
    print(f"done: step {step}, {seconds:.0f}s trained in total on {device_name}; "
          f"saved {args.out} ({os.path.getsize(args.out) / 2**20:.1f} MiB) and "
          f"{ema_out} ({os.path.getsize(ema_out) / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
