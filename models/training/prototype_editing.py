"""Prototype of the four editing modes (inpaint, super-resolution, denoise, img2img) and of the blind noise-level
estimator, on Fashion-MNIST TRAINING images, to choose the methods' defaults before the Java engine implements them.

Everything mirrors what the Java side does: DDIM steps on timesteps round(linspace(T-1, 0, steps)) with the x0
estimate clipped to [-1, 1] and epsilon recomputed from the clipped (or projected) x0; RePaint's jump schedule over
grid positions (dev.visionserve.generate.scheduler.RePaint.schedule); DDNM's box projection (LinearProjection);
Tweedie's one-step estimate at the timestep whose noise matches sigma (ForwardDiffusion.timestepForSigma); SDEdit's
start index (SdEdit.startIndex). Outputs are quantised to 8 bit before they are measured, as a PNG would be.

Measures: PSNR per image (0..255 scale; inside the hole for inpainting), averaged over images; SSIM
(skimage.metrics.structural_similarity, data_range 255, its default 7x7 window), averaged; accuracy of the shipped
classifier models/fashion-resnet. There is no torch checkpoint of the classifier in the repository, so its ONNX
graph (Conv with BatchNorm folded in, Relu, Add, GlobalAveragePool, Flatten, Gemm) is executed here by a tiny
torch interpreter of those ops, with the input normalised as model.yaml says ((p/255 - 0.2860)/0.3530).

What it found on 100-200 training images (details: each sub-command's output):
  super-resolution: DDNM projection every step, DDIM eta 1.0, 10 steps (more steps lower PSNR), then the exact
    clipped projection (clipped_projection) before quantising: x2 21.9 dB / SSIM 0.84 / acc 0.93, x4 17.4 / 0.64 /
    0.80, box-downsampled output within 0.05 (mean) / 0.31 (max) grey levels of the input; 10 calls.
  denoise: Tweedie at the matching timestep after "unclipping" the 8-bit input (unclip mode "mean": 0 -> -sigma
    sqrt(2/pi), 255 -> 255 + sigma sqrt(2/pi)): 28.7 / 25.0 / 21.5 dB at sigma 25 / 50 / 100; 1 call.
  inpaint: RePaint with DDIM eta 1.0 (eta 0 is 1-1.6 dB worse), 25 steps, jump 5; resample 5 (105 calls) for the
    centre hole (16.3 dB, acc 0.92), resample 10 (205 calls) for the bottom half (13.5 dB, acc 0.79).
  img2img: SDEdit with DDIM eta 0 and guidance 3 towards the label: target share 0.92 at strength 0.6, 1.00 at 0.9,
    change 20 grey levels at 0.3.

Usage (repository root), one experiment per sub-command; each prints one line per setting:
    /usr/bin/python3 models/training/prototype_editing.py sr --per-class 10
    /usr/bin/python3 models/training/prototype_editing.py denoise
    /usr/bin/python3 models/training/prototype_editing.py inpaint
    /usr/bin/python3 models/training/prototype_editing.py img2img
    /usr/bin/python3 models/training/prototype_editing.py estimator
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fashion_mnist  # noqa: E402
from checkpoint_io import load_checkpoint  # noqa: E402
from nets import DiffusionUNet  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
T = 1000
NULL = 10
ALPHA_BAR = np.cumprod(1.0 - np.linspace(1e-4, 0.02, T, dtype=np.float64))
CHUNK = 200


# ----------------------------------------------------------------------------------------------------------------
# Models and data
# ----------------------------------------------------------------------------------------------------------------

class Denoiser:
    """The EMA DiffusionUNet; counts network evaluations per image (a guided step costs two)."""

    def __init__(self):
        ckpt = load_checkpoint(os.path.join(HERE, "checkpoints", "fashion-ddpm-ema.pt"))
        self.net = DiffusionUNet(**ckpt["config"]["model"])
        self.net.load_state_dict(ckpt["ema"] if "ema" in ckpt else ckpt["state_dict"])
        self.net.eval()
        self.calls = 0

    @torch.no_grad()
    def eps(self, x, t, labels=None, guidance=1.0):
        """x [N,1,28,28]; t an int or an int64 tensor [N]; labels None (unconditional) or int64 [N]."""
        n = x.shape[0]
        t = torch.full((n,), int(t), dtype=torch.int64) if not torch.is_tensor(t) else t
        if labels is None or guidance == 0.0:
            self.calls += 1
            return self._run(x, t, torch.full((n,), NULL, dtype=torch.int64))
        if guidance == 1.0:
            self.calls += 1
            return self._run(x, t, labels)
        self.calls += 2
        out = self._run(torch.cat([x, x]), torch.cat([t, t]),
                        torch.cat([labels, torch.full((n,), NULL, dtype=torch.int64)]))
        cond, null = out.chunk(2)
        return null + guidance * (cond - null)

    def _run(self, x, t, c):
        return torch.cat([self.net(x[i:i + CHUNK], t[i:i + CHUNK], c[i:i + CHUNK])
                          for i in range(0, x.shape[0], CHUNK)])


class OnnxClassifier:
    """Executes models/fashion-resnet/model.onnx (BatchNorm folded into Conv at export) with torch ops."""

    def __init__(self):
        model = onnx.load(os.path.join(REPO, "models", "fashion-resnet", "model.onnx"))
        self.graph = model.graph
        self.weights = {i.name: torch.from_numpy(onnx.numpy_helper.to_array(i).copy())
                        for i in model.graph.initializer}

    @torch.no_grad()
    def predict(self, pixels):
        """pixels uint8 [N,28,28] -> predicted class ids [N]."""
        x = torch.from_numpy(pixels.astype(np.float32) / 255.0)[:, None]
        x = (x - 0.2860) / 0.3530
        return torch.cat([self._forward(x[i:i + 500]).argmax(1) for i in range(0, x.shape[0], 500)]).numpy()

    def _forward(self, x):
        values = dict(self.weights)
        values[self.graph.input[0].name] = x
        for node in self.graph.node:
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
            ins = [values[name] for name in node.input if name]
            if node.op_type == "Conv":
                pads = attrs.get("pads", [0, 0, 0, 0])
                out = F.conv2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None, stride=attrs.get("strides", [1, 1]),
                               padding=(pads[0], pads[1]), groups=attrs.get("group", 1))
            elif node.op_type == "Relu":
                out = F.relu(ins[0])
            elif node.op_type == "Add":
                out = ins[0] + ins[1]
            elif node.op_type == "GlobalAveragePool":
                out = ins[0].mean(dim=(2, 3), keepdim=True)
            elif node.op_type == "Flatten":
                out = torch.flatten(ins[0], attrs.get("axis", 1))
            elif node.op_type == "Gemm":
                b = ins[1].t() if attrs.get("transB", 0) else ins[1]
                out = ins[0] @ b + ins[2]
            else:
                raise ValueError(f"op {node.op_type} not handled")
            values[node.output[0]] = out
        return values[self.graph.output[0].name]


def train_images(per_class, seed=0):
    """per_class TRAINING images of each class, picked with a fixed seed, in class order."""
    images, labels = fashion_mnist.load(fashion_mnist.DEFAULT_DATA_DIR, "train")
    rng = np.random.default_rng(seed)
    idx = np.concatenate([rng.choice(np.flatnonzero(labels == c), per_class, replace=False) for c in range(10)])
    return images[idx], labels[idx]


def to_model(pixels):
    return torch.from_numpy(pixels.astype(np.float32) / 127.5 - 1.0)[:, None]


def to_pixels(x):
    return ((x[:, 0].numpy().astype(np.float64) + 1.0) * 127.5).round().clip(0, 255).astype(np.uint8)


# ----------------------------------------------------------------------------------------------------------------
# Measures
# ----------------------------------------------------------------------------------------------------------------

def psnr(out, ref, region=None):
    """Mean over images of the per-image PSNR (0..255), over the pixels where region is true."""
    d = out.astype(np.float64) - ref.astype(np.float64)
    if region is None:
        region = np.ones(ref.shape[1:], bool)
    mse = (d[:, region] ** 2).mean(axis=1)
    return float(np.mean(10 * np.log10(255.0 ** 2 / np.maximum(mse, 1e-10))))


def ssim(out, ref):
    from skimage.metrics import structural_similarity
    return float(np.mean([structural_similarity(o, r, data_range=255) for o, r in zip(out, ref)]))


# ----------------------------------------------------------------------------------------------------------------
# Sampler pieces (the Java ones)
# ----------------------------------------------------------------------------------------------------------------

def grid(steps):
    return np.linspace(T - 1, 0, steps).round().astype(np.int64)


def ab_of(t):
    return 1.0 if t < 0 else float(ALPHA_BAR[t])


def ddim_step(x, eps, t, t_prev, eta, gen, project=None):
    """One DDIM step t -> t_prev (t_prev -1 = the clean end); x0 clipped, optionally projected, eps recomputed."""
    ab, abp = ab_of(t), ab_of(t_prev)
    x0 = ((x - math.sqrt(1 - ab) * eps) / math.sqrt(ab)).clamp(-1, 1)
    if project is not None:
        x0 = project(x0)
    eps = (x - math.sqrt(ab) * x0) / math.sqrt(1 - ab)
    sigma = eta * math.sqrt((1 - abp) / (1 - ab)) * math.sqrt(1 - ab / abp)
    x = math.sqrt(abp) * x0 + math.sqrt(max(0.0, 1 - abp - sigma * sigma)) * eps
    if sigma > 0:
        x = x + sigma * torch.randn(x.shape, generator=gen)
    return x, x0


def noise_to(x0, t, gen):
    ab = ab_of(t)
    return math.sqrt(ab) * x0 + math.sqrt(1 - ab) * torch.randn(x0.shape, generator=gen)


def repaint_schedule(steps, jump, resample):
    """Same walk as RePaint.schedule in Java: positions from the clean end, steps-1 (noisiest) ... -1 (clean)."""
    jumps_left = {p: resample - 1 for p in range(0, steps - jump, jump)}
    positions, position = [], steps
    while position >= 1:
        position -= 1
        positions.append(position)
        if jumps_left.get(position, 0) > 0:
            jumps_left[position] -= 1
            for _ in range(jump):
                position += 1
                positions.append(position)
    positions.append(-1)
    return positions


def box_down(x, f):
    return F.avg_pool2d(x, f)


def box_up(y, f):
    return y.repeat_interleave(f, dim=2).repeat_interleave(f, dim=3)


# ----------------------------------------------------------------------------------------------------------------
# Super-resolution (DDNM)
# ----------------------------------------------------------------------------------------------------------------

def low_res(pixels, f):
    """The issue's input: f x f box mean, quantised to 8 bit."""
    x = torch.from_numpy(pixels.astype(np.float64))[:, None]
    return F.avg_pool2d(x, f)[:, 0].round().clamp(0, 255).numpy().astype(np.uint8)


def super_resolve(den, low, f, steps, eta, gen, start_fraction=1.0, start_from="noise", final_rounds=0,
                  labels=None, guidance=1.0):
    y = to_model(low).double().float()
    project = lambda x0: x0 - box_up(box_down(x0, f) - y, f)  # noqa: E731 (DDNM eq. 8)
    ts = grid(steps)
    start = steps - int(round(start_fraction * steps))
    if start_from == "noise":
        x = torch.randn((low.shape[0], 1, 28, 28), generator=gen)
    else:
        up = box_up(y, f) if start_from == "nearest" else F.interpolate(y, scale_factor=f, mode="bicubic",
                                                                            align_corners=False).clamp(-1, 1)
        x = noise_to(up, int(ts[start]), gen)
    x0 = None
    for i in range(start, steps):
        t, t_prev = int(ts[i]), (int(ts[i + 1]) if i + 1 < steps else -1)
        x, x0 = ddim_step(x, den.eps(x, t, labels, guidance), t, t_prev, eta, gen, project)
    out = x0
    for _ in range(final_rounds):
        out = project(out.clamp(-1, 1))
    if final_rounds < 0:
        out = clipped_projection(out, y, f)
    return out


def clipped_projection(x, y, f, iterations=50):
    """The Euclidean projection onto {block means = y} intersected with [-1, 1]: per block, clip(x + c) with the
    offset c that makes the clipped block's mean y (KKT; the mean is monotone in c, so bisection finds it)."""
    n, _, h, w = x.shape
    blocks = x.reshape(n, h // f, f, w // f, f).permute(0, 1, 3, 2, 4).reshape(n, h // f, w // f, f * f).double()
    target = y[:, 0].double().clamp(-1, 1)[..., None]
    lo = torch.full(target.shape, -4.0, dtype=torch.float64)
    hi = torch.full(target.shape, 4.0, dtype=torch.float64)
    for _ in range(iterations):
        mid = (lo + hi) / 2
        below = (blocks + mid).clamp(-1, 1).mean(-1, keepdim=True) < target
        lo, hi = torch.where(below, mid, lo), torch.where(below, hi, mid)
    out = (blocks + (lo + hi) / 2).clamp(-1, 1)
    return out.reshape(n, h // f, w // f, f, f).permute(0, 1, 3, 2, 4).reshape(n, 1, h, w).float()


def consistency(out_pixels, low, f):
    back = low_res(out_pixels, f).astype(np.float64)  # rounds the block mean like the input was
    exact = F.avg_pool2d(torch.from_numpy(out_pixels.astype(np.float64))[:, None], f)[:, 0].numpy()
    d = np.abs(exact - low)
    return float(d.mean()), float(d.max()), float(np.abs(back - low).max())


def cmd_sr(args, den, clf):
    images, labels = train_images(args.per_class)
    settings = []
    if args.sr_settings:
        settings = [eval(s) for s in args.sr_settings]  # noqa: S307 (dict literals from the command line)
    for f in (2, 4) if not settings else ():
        for steps in (10, 20, 50):
            for eta in (0.0, 0.85):
                settings.append(dict(f=f, steps=steps, eta=eta))
        settings.append(dict(f=f, steps=20, eta=0.85, final_rounds=3))
        settings.append(dict(f=f, steps=20, eta=0.0, start_fraction=0.5, start_from="bicubic"))
    if args.only:
        settings = [s for s in settings if s["f"] == args.only]
    for s in settings:
        f = s["f"]
        low = low_res(images, f)
        gen = torch.Generator().manual_seed(0)
        den.calls = 0
        t0 = time.time()
        out = super_resolve(den, low, f, s["steps"], s["eta"], gen, s.get("start_fraction", 1.0),
                            s.get("start_from", "noise"), s.get("final_rounds", 0))
        px = to_pixels(out)
        cm, cmax, _ = consistency(px, low, f)
        acc = float((clf.predict(px) == labels).mean())
        report("sr", s, den.calls, time.time() - t0, len(images), psnr=psnr(px, images), ssim=ssim(px, images),
               acc=acc, cons_mean=cm, cons_max=cmax)
    for f in (2, 4):
        low = low_res(images, f)
        up = F.interpolate(to_model(low), scale_factor=f, mode="bicubic", align_corners=False)
        px = to_pixels(up)
        report("sr-baseline", dict(f=f, method="bicubic"), 0, 0, len(images), psnr=psnr(px, images),
               ssim=ssim(px, images), acc=float((clf.predict(px) == labels).mean()))


# ----------------------------------------------------------------------------------------------------------------
# Denoise (Tweedie)
# ----------------------------------------------------------------------------------------------------------------

def add_noise(pixels, sigma, seed):
    """The issue's noisy PNG: Gaussian noise on 0..255, clipped and rounded to 8 bit."""
    rng = np.random.default_rng(seed)
    return (pixels.astype(np.float64) + sigma * rng.standard_normal(pixels.shape)).round().clip(0, 255).astype(
        np.uint8)


def timestep_for_sigma(s):
    return int(np.argmin(np.abs(np.sqrt((1 - ALPHA_BAR) / ALPHA_BAR) - s)))


def unclip(noisy, sigma, gen, mode):
    """Model-unit y from the 8-bit noisy image. 'none': as is. 'draw': a pixel clipped at 0 (255) is replaced by a
    draw of the noise's lower (upper) tail, -|n| sigma (255 + |n| sigma), which gives a true-black pixel exactly the
    N(0, sigma^2) noise the model expects."""
    y = noisy.astype(np.float64)
    if mode == "draw":
        half = np.abs(torch.randn(noisy.shape, generator=gen, dtype=torch.float64).numpy()) * sigma
        y = np.where(noisy == 0, -half, np.where(noisy == 255, 255 + half, y))
    elif mode == "mean":
        y = np.where(noisy == 0, -sigma * math.sqrt(2 / math.pi), np.where(noisy == 255,
                                                                           255 + sigma * math.sqrt(2 / math.pi), y))
    return torch.from_numpy((y / 127.5 - 1.0).astype(np.float32))[:, None]


def denoise(den, noisy, sigma, gen, method="tweedie", sigma_scale=1.0, unclip_mode="none", refine_steps=0,
            labels=None, guidance=1.0, eta=0.0):
    s = sigma * sigma_scale / 127.5
    t = timestep_for_sigma(s)
    y = unclip(noisy, sigma, gen, unclip_mode)
    ab = ab_of(t)
    x = math.sqrt(ab) * y
    if method == "tweedie" and refine_steps == 0:
        eps = den.eps(x, t, labels, guidance)
        return ((x - math.sqrt(1 - ab) * eps) / math.sqrt(ab)).clamp(-1, 1)
    n = refine_steps if method == "tweedie" else refine_steps
    ts = np.linspace(t, 0, n).round().astype(np.int64)
    x0 = None
    for i in range(n):
        tp = int(ts[i + 1]) if i + 1 < n else -1
        x, x0 = ddim_step(x, den.eps(x, int(ts[i]), labels, guidance), int(ts[i]), tp, eta, gen)
    return x0


def denoise_per_image(den, noisy, sigmas, unclip_mode="mean"):
    """Tweedie at each image's own level (the blind path: sigmas estimated per image)."""
    y = torch.cat([unclip(noisy[i:i + 1], sigmas[i], None, unclip_mode) for i in range(len(noisy))])
    ts = torch.tensor([timestep_for_sigma(s / 127.5) for s in sigmas], dtype=torch.int64)
    ab = torch.from_numpy(ALPHA_BAR[ts.numpy()]).float()[:, None, None, None]
    x = ab.sqrt() * y
    eps = den.eps(x, ts)
    return ((x - (1 - ab).sqrt() * eps) / ab.sqrt()).clamp(-1, 1)


def cmd_denoise_blind(args, den, clf):
    images, labels = train_images(args.per_class)
    for sigma in args.sigmas:
        noisy = add_noise(images, sigma, seed=1000 + sigma)
        est = np.array([estimate_sigma(i) for i in noisy])
        for mode in ("none", "mean"):
            den.calls = 0
            t0 = time.time()
            px = to_pixels(denoise_per_image(den, noisy, est, mode))
            report("denoise-blind", dict(sigma=sigma, unclip_mode=mode, estimated_mean=round(float(est.mean()), 2)),
                   den.calls, time.time() - t0, len(images), psnr=psnr(px, images), ssim=ssim(px, images),
                   acc=float((clf.predict(px) == labels).mean()))


def cmd_denoise(args, den, clf):
    if args.blind:
        return cmd_denoise_blind(args, den, clf)
    images, labels = train_images(args.per_class)
    lab = torch.from_numpy(labels)
    settings = []
    for sigma in args.sigmas:
        settings += [dict(sigma=sigma), dict(sigma=sigma, unclip_mode="mean"), dict(sigma=sigma, unclip_mode="draw")]
        for scale in (0.9, 1.1, 1.2):
            settings.append(dict(sigma=sigma, unclip_mode="draw", sigma_scale=scale))
        settings.append(dict(sigma=sigma, unclip_mode="draw", method="tweedie", refine_steps=3))
        settings.append(dict(sigma=sigma, unclip_mode="draw", guided="label"))
        settings.append(dict(sigma=sigma, unclip_mode="draw", method="sample", refine_steps=10))
    for s in settings:
        noisy = add_noise(images, s["sigma"], seed=1000 + s["sigma"])
        gen = torch.Generator().manual_seed(0)
        den.calls = 0
        t0 = time.time()
        out = denoise(den, noisy, s["sigma"], gen, s.get("method", "tweedie"), s.get("sigma_scale", 1.0),
                      s.get("unclip_mode", "none"), s.get("refine_steps", 0),
                      lab if s.get("guided") else None, 1.0)
        px = to_pixels(out)
        report("denoise", s, den.calls, time.time() - t0, len(images), psnr=psnr(px, images), ssim=ssim(px, images),
               acc=float((clf.predict(px) == labels).mean()), noisy_psnr=psnr(noisy, images))


# ----------------------------------------------------------------------------------------------------------------
# Inpaint (RePaint on the DDIM grid)
# ----------------------------------------------------------------------------------------------------------------

def hole(kind):
    m = np.zeros((28, 28), bool)
    if kind == "centre":
        m[7:21, 7:21] = True
    else:
        m[14:, :] = True
    return m


def inpaint(den, pixels, fill, steps, jump, resample, eta, gen, project_x0=False, labels=None, guidance=1.0,
            stop=0):
    """stop > 0: the first denoising move that would land below grid position stop goes straight to the clean end,
    so the output is the posterior-mean estimate x0_hat at timestep t(stop) (smoother: higher PSNR than a sample)."""
    x_known = to_model(pixels)
    keep = torch.from_numpy(~fill)[None, None].float()
    ts = grid(steps)
    t_at = lambda p: -1 if p < 0 else int(ts[steps - 1 - p])  # noqa: E731 position -> timestep
    positions = repaint_schedule(steps, jump, resample)
    x = torch.randn(x_known.shape, generator=gen)
    x = keep * noise_to(x_known, t_at(positions[0]), gen) + (1 - keep) * x
    project = (lambda x0: keep * x_known + (1 - keep) * x0) if project_x0 else None
    for p, q in zip(positions[:-1], positions[1:]):
        if q < p:
            t, tp = t_at(p), (t_at(q) if q >= stop else -1)
            x, _ = ddim_step(x, den.eps(x, t, labels, guidance), t, tp, eta, gen, project)
            if project is None:
                # RePaint eq. 8-9: the known region is the original noised afresh to the landing level. With the
                # x0 projection (DDNM-style) the step itself puts the original there, with the trajectory's own
                # noise: a fresh replacement would undo exactly that difference (the projection is per pixel).
                known = x_known if tp < 0 else noise_to(x_known, tp, gen)
                x = keep * known + (1 - keep) * x
            if tp < 0:
                break
        else:
            abs_, abt = ab_of(t_at(p)), ab_of(t_at(q))
            x = math.sqrt(abt / abs_) * x + math.sqrt(1 - abt / abs_) * torch.randn(x.shape, generator=gen)
    return x


def cmd_inpaint(args, den, clf):
    images, labels = train_images(args.per_class)
    settings = []
    for kind in args.holes:
        for triple in args.grid:
            steps, jump, resample = triple[:3]
            for eta in args.etas:
                for proj in args.projects:
                    settings.append(dict(hole=kind, steps=steps, jump=jump, r=resample, eta=eta, proj=proj,
                                         stop=triple[3] if len(triple) > 3 else 0))
    for s in settings:
        fill = hole(s["hole"])
        gen = torch.Generator().manual_seed(0)
        den.calls = 0
        t0 = time.time()
        out = inpaint(den, images, fill, s["steps"], s["jump"], s["r"], s["eta"], gen, s["proj"], stop=s["stop"])
        px = to_pixels(out)
        px[:, ~fill] = images[:, ~fill]  # the service returns the given pixels there (already equal up to rounding)
        changed = int((to_pixels(out)[:, ~fill] != images[:, ~fill]).sum())
        report("inpaint", s, den.calls, time.time() - t0, len(images), psnr_hole=psnr(px, images, fill),
               acc=float((clf.predict(px) == labels).mean()), changed_known=changed)


# ----------------------------------------------------------------------------------------------------------------
# img2img (SDEdit)
# ----------------------------------------------------------------------------------------------------------------

def img2img(den, pixels, target, strength, steps, guidance, eta, gen):
    ts = grid(steps)
    start = steps - int(round(strength * steps))
    x0 = to_model(pixels)
    if start == steps:
        return x0
    x = noise_to(x0, int(ts[start]), gen)
    for i in range(start, steps):
        t, tp = int(ts[i]), (int(ts[i + 1]) if i + 1 < steps else -1)
        x, x0 = ddim_step(x, den.eps(x, t, target, guidance), t, tp, eta, gen)
    return x0


def cmd_img2img(args, den, clf):
    images, labels = train_images(args.per_class)
    target = torch.from_numpy((labels + 1) % 10)
    for steps in args.steps:
        for guidance in args.guidances:
            for strength in args.strengths:
                gen = torch.Generator().manual_seed(0)
                den.calls = 0
                t0 = time.time()
                out = img2img(den, images, target, strength, steps, guidance, args.eta, gen)
                px = to_pixels(out)
                report("img2img", dict(steps=steps, guidance=guidance, strength=strength, eta=args.eta), den.calls,
                       time.time() - t0, len(images), share_target=float((clf.predict(px) == target.numpy()).mean()),
                       change=float(np.abs(px.astype(np.float64) - images).mean()))


# ----------------------------------------------------------------------------------------------------------------
# Blind noise-level estimator
# ----------------------------------------------------------------------------------------------------------------

def mad_wavelet(img, unclipped_only=False):
    """Textbook (Donoho) estimate: median |HH| / 0.6745 of the finest Haar diagonal band (non-overlapping 2x2
    blocks); unclipped_only: over the blocks without a pixel at 0 or 255 when there are at least 16."""
    a = img.astype(np.float64)
    h, w = (a.shape[0] // 2) * 2, (a.shape[1] // 2) * 2
    blocks = [a[0:h:2, 0:w:2], a[0:h:2, 1:w:2], a[1:h:2, 0:w:2], a[1:h:2, 1:w:2]]
    hh = np.abs(blocks[0] - blocks[1] - blocks[2] + blocks[3]) / 2
    if unclipped_only:
        ok = (np.minimum.reduce(blocks) >= 0.5) & (np.maximum.reduce(blocks) <= 254.5)
        if ok.sum() >= 16:
            hh = hh[ok]
    return float(np.median(hh) / 0.6744897501960817)


def parity_image():
    """A deterministic 28x28 image that NoiseLevelEstimatorTests rebuilds in Java to check both give one number."""
    r, c = np.meshgrid(np.arange(28), np.arange(28), indexing="ij")
    u = (((r * 28 + c) * 2654435761) & 0xFFFFFFFF) >> 24
    img = np.where(u < 128, 0, u - 128)
    inside = (r >= 8) & (r < 20) & (c >= 8) & (c < 20)
    return np.where(inside, 100 + u % 50, img).astype(np.float64)


# The trimmed mean of a half-normal |N(0, 1)| below its 90 % quantile z (Phi(z) = 0.95): E[X | X <= z]
# = sqrt(2/pi) (1 - exp(-z^2/2)) / 0.9.
Z90 = 1.6448536269514722
TRIMMED_HALF_NORMAL_MEAN = math.sqrt(2 / math.pi) * (1 - math.exp(-Z90 ** 2 / 2)) / 0.9
# Fitted by cmd_estimator below (mean of raw/true over sigma 25, 50, 75, 100 on 200 training images).
CALIBRATION = 1.0483


def raw_background_sigma(img):
    """The blind estimate before calibration; None when the image has too little black background to use.

    On Fashion-MNIST the background is black, and the noisy PNG clips its noise at 0: a black pixel reads 0 with
    probability ~1/2, otherwise |sigma n|. Background pixels are those with at least 4 of their 8 neighbours at 0
    (the neighbours only, so the pixel's own value stays unbiased); the positive ones among them are half-normal
    with scale sigma, estimated by a 90 %-trimmed mean (robust to garment-edge pixels that pass the test)."""
    a = img.astype(np.float64)
    h, w = a.shape
    zero = np.pad((a < 0.5).astype(np.int64), 1)
    count = sum(zero[1 + dy:1 + dy + h, 1 + dx:1 + dx + w] for dy in (-1, 0, 1) for dx in (-1, 0, 1)
                if (dy, dx) != (0, 0))
    selected = a[count >= 4]
    if selected.size < 32:
        return None
    positive = np.sort(selected[selected >= 0.5])
    if positive.size < max(10, 0.25 * selected.size):
        return 0.0  # a noisy black pixel is positive half the time: this background is clean
    cut = np.quantile(positive, 0.9)
    return float(positive[positive <= cut].mean() / TRIMMED_HALF_NORMAL_MEAN)


def estimate_sigma(img, calibration=None):
    """The estimator of NoiseLevelEstimator.java: the calibrated background estimate, or the textbook wavelet MAD
    when there is no black background (then the noise is not clipped and the textbook estimate is right)."""
    raw = raw_background_sigma(img)
    if raw is None:
        return mad_wavelet(img, unclipped_only=True)
    return raw / (CALIBRATION if calibration is None else calibration)


def cmd_estimator(args, den, clf):
    images, labels = train_images(args.per_class)
    sigmas = (0, 5, 10, 25, 50, 75, 100)
    raw = {}
    for sigma in sigmas:
        noisy = add_noise(images, sigma, seed=2000 + sigma)
        raw[sigma] = np.array([estimate_sigma(i, calibration=1.0) for i in noisy])
        textbook = np.array([mad_wavelet(i) for i in noisy])
        print(f"estimator sigma={sigma}: textbook wavelet MAD mean {textbook.mean():.1f} sd {textbook.std():.1f}; "
              f"uncalibrated background estimate mean {raw[sigma].mean():.2f} sd {raw[sigma].std():.2f}", flush=True)
    calibration = float(np.mean([raw[s].mean() / s for s in (25, 50, 75, 100)]))
    print(f"calibration (mean of raw/true over 25, 50, 75, 100) = {calibration:.4f}", flush=True)
    for sigma in sigmas:
        est = raw[sigma] / calibration
        err = est - sigma
        print(f"estimator sigma={sigma}: calibrated mean {est.mean():.2f} sd {est.std():.2f} bias {err.mean():+.2f} "
              f"mean|err| {np.abs(err).mean():.2f} 90% of |err| <= {np.quantile(np.abs(err), 0.9):.2f}", flush=True)
    print(f"parity image (NoiseLevelEstimatorTests): {estimate_sigma(parity_image()):.10f}; flat grey 128 + "
          f"noise 10 (textbook fallback): {estimate_sigma(add_noise(np.full((1, 28, 28), 128, np.uint8), 10, 7)[0]):.2f}")
    fallback = sum(raw_background_sigma(i) is None for i in images)
    print(f"images without enough black background (textbook fallback): {fallback}/{len(images)}", flush=True)


# ----------------------------------------------------------------------------------------------------------------

def report(mode, setting, calls, seconds, n, **measures):
    text = " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in measures.items())
    print(f"{mode} {setting} calls/image={calls} {seconds / n:.2f}s/image(2 threads, batched) {text}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["sr", "denoise", "inpaint", "img2img", "estimator"])
    p.add_argument("--per-class", type=int, default=10, help="training images per class")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--only", type=int, default=0, help="sr: only this factor")
    p.add_argument("--sr-settings", nargs="*", default=[],
                   help="sr: settings as dict literals, e.g. \"dict(f=2, steps=10, eta=0.85, final_rounds=-1)\" "
                        "(final_rounds -1 = the exact clipped projection)")
    p.add_argument("--blind", action="store_true", help="denoise: sigma estimated per image (estimate_sigma)")
    p.add_argument("--sigmas", type=int, nargs="+", default=[25, 50, 100])
    p.add_argument("--holes", nargs="+", default=["centre", "bottom"])
    p.add_argument("--grid", type=lambda s: tuple(int(v) for v in s.split(",")), nargs="+",
                   default=[(25, 5, 1), (25, 5, 2), (25, 5, 5), (50, 10, 1), (50, 10, 2)],
                   help="inpaint: steps,jump,resample triples")
    p.add_argument("--etas", type=float, nargs="+", default=[0.0, 1.0])
    p.add_argument("--projects", type=int, nargs="+", default=[0])
    p.add_argument("--steps", type=int, nargs="+", default=[50])
    p.add_argument("--guidances", type=float, nargs="+", default=[2.0])
    p.add_argument("--strengths", type=float, nargs="+", default=[0.3, 0.6, 0.9])
    p.add_argument("--eta", type=float, default=0.0)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    den = Denoiser() if args.mode != "estimator" else None
    clf = OnnxClassifier()
    if args.mode in ("inpaint",):
        args.projects = [bool(v) for v in args.projects]
    images, labels = train_images(args.per_class)
    acc = float((clf.predict(images) == labels).mean())
    print(f"# {args.mode}: {len(images)} training images ({args.per_class}/class, seed 0); classifier accuracy on "
          f"the clean images {acc:.3f}", flush=True)
    {"sr": cmd_sr, "denoise": cmd_denoise, "inpaint": cmd_inpaint, "img2img": cmd_img2img,
     "estimator": cmd_estimator}[args.mode](args, den, clf)


if __name__ == "__main__":
    main()
