"""Draw a 10x10 grid (one row per class, in LABELS order) from the DDPM EMA
weights with a deterministic DDIM sampler (eta = 0) and classifier-free
guidance, to eyeball training quality. Not used by the serving side.

  eps = eps(x, t, NULL) + scale * (eps(x, t, class) - eps(x, t, NULL))
"""
import argparse
import os

import numpy as np
import torch
from PIL import Image

from checkpoint_io import load_checkpoint
from nets import DiffusionUNet

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", default=os.path.join(HERE, "checkpoints", "fashion-ddpm-ema.pt"),
                   help="the -ema.pt file or the full training checkpoint")
    p.add_argument("--out", default=os.path.join(HERE, "checkpoints", "fashion-ddpm-samples.png"))
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--guidance", type=float, default=2.0)
    p.add_argument("--per-class", type=int, default=10)
    p.add_argument("--scale", type=int, default=2, help="integer upscaling of the PNG")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    return p.parse_args()


@torch.no_grad()
def ddim_sample(model, labels, diffusion, steps, guidance, generator, device):
    T = diffusion["num_train_timesteps"]
    betas = np.linspace(diffusion["beta_start"], diffusion["beta_end"], T, dtype=np.float64)
    alphas_cumprod = np.cumprod(1.0 - betas)
    # Evenly spaced timesteps from T-1 down to 0 (starting at T-1 means starting from ~pure noise).
    timesteps = np.linspace(T - 1, 0, steps).round().astype(np.int64)
    n = labels.shape[0]
    null = torch.full_like(labels, diffusion["null_class"])
    x = torch.randn(n, 1, 28, 28, generator=generator).to(device)
    for i, t in enumerate(timesteps):
        ab = float(alphas_cumprod[t])
        ab_prev = float(alphas_cumprod[timesteps[i + 1]]) if i + 1 < len(timesteps) else 1.0
        t_batch = torch.full((2 * n,), int(t), dtype=torch.int64, device=device)
        eps_cond, eps_null = model(torch.cat([x, x]), t_batch, torch.cat([labels, null])).float().chunk(2)
        eps = eps_null + guidance * (eps_cond - eps_null)
        x0 = ((x - (1.0 - ab) ** 0.5 * eps) / ab ** 0.5).clamp(-1.0, 1.0)
        # Recompute eps from the clipped x0 so the DDIM step stays consistent.
        eps = (x - ab ** 0.5 * x0) / (1.0 - ab) ** 0.5
        x = ab_prev ** 0.5 * x0 + (1.0 - ab_prev) ** 0.5 * eps
    return x


def main():
    args = parse_args()
    device = torch.device(args.device)
    if device.type == "cpu":
        torch.set_num_threads(2)
    ckpt = load_checkpoint(args.checkpoint)
    config = ckpt["config"]
    model = DiffusionUNet(**config["model"])
    model.load_state_dict(ckpt["ema"] if "ema" in ckpt else ckpt["state_dict"])
    model.to(device).eval()
    num_classes = len(config["labels"])
    labels = torch.arange(num_classes).repeat_interleave(args.per_class).to(device)
    generator = torch.Generator().manual_seed(args.seed)
    x = ddim_sample(model, labels, config["diffusion"], args.steps, args.guidance, generator, device)

    pixels = ((x.cpu().numpy()[:, 0] + 1.0) * 127.5).round().clip(0, 255).astype(np.uint8)
    grid = pixels.reshape(num_classes, args.per_class, 28, 28).transpose(0, 2, 1, 3).reshape(
        num_classes * 28, args.per_class * 28)
    image = Image.fromarray(grid)  # 2-D uint8 -> 8-bit grayscale ("L")
    if args.scale > 1:
        image = image.resize((image.width * args.scale, image.height * args.scale), Image.NEAREST)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    image.save(args.out)
    print(f"wrote {args.out}: step {ckpt['step']} EMA weights, DDIM {args.steps} steps, guidance {args.guidance}; "
          f"rows: {', '.join(config['labels'])}")


if __name__ == "__main__":
    main()
