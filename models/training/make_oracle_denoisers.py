"""Oracle denoisers: tiny ONNX "diffusion models" whose noise prediction is exact, for end-to-end /generate tests.

A trained network can only be judged statistically, so a bug in the Java sampler (a wrong alpha_bar, an off-by-one
timestep, a swapped coefficient, a wrong pixel mapping) might still produce plausible-looking images. These graphs
compute the EXACT epsilon of a known data distribution in closed form, so a correct deterministic DDIM sampler has a
known answer:

  point     data = one fixed 8x8 image x0. eps = (x_t - sqrt(ab_t) x0) / sqrt(1 - ab_t). DDIM (eta = 0) returns
            x0 exactly (up to float32 rounding) for any seed and step count; x0 = k/127.5 - 1 for integer pixel
            values k, so a correct service returns a PNG with exactly the pixels in expected-pixels.json.
  gaussian  data = independent N(mu, s^2) per pixel (mu = 0.2, s = 0.25). E[x0|x_t] = mu + sqrt(ab) s^2 /
            (ab s^2 + 1 - ab) (x_t - sqrt(ab) mu); eps = (x_t - sqrt(ab) E[x0|x_t]) / sqrt(1 - ab). Sample moments
            must match expected-moments.json. NOTE: deterministic DDIM is exact for the point oracle but not here:
            with the data's small std the whole transition from noise to data happens in the last few of 50
            linspace steps, and the discretisation shrinks the std to 0.2251 (1000 steps: 0.2485). The exact value
            per step count is computed in closed form below and written to the JSON as well.

Each graph has the real denoiser interface (sample float32 [N,1,8,8], timestep int64 [N], class_label int64 [N]
-> noise_pred float32 [N,1,8,8], dynamic batch, opset 17) and gathers alpha_bar_t from a float32 constant of the
1000 alphas_cumprod of the linear schedule (1e-4..0.02, computed in float64 like train_ddpm.py, then cast).
class_label does not change the answer, but it is kept as a real graph input (0 * class_label is added) so the
service feeds it exactly as it does for the trained model.

There is no onnxruntime for Python here, so besides onnx.checker the script runs each exported graph with a small
numpy interpreter of the handful of ops it contains (and fails on any other op) and compares it with the torch
module, then runs a 50-step DDIM loop both on the torch module and on the ONNX graph.

Run from the repository root:  /usr/bin/python3 models/training/make_oracle_denoisers.py
"""
import inspect
import json
import math
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

OUT = os.path.join("src", "test", "resources", "oracle-denoisers")
SIZE = 8
T = 1000
BETA_START, BETA_END = 1e-4, 0.02
MU, S = 0.2, 0.25
STEPS = 50

YAML = """\
# Oracle denoiser for end-to-end tests (models/training/make_oracle_denoisers.py): {what}
kind: denoiser
inputs: {{sample: sample, timestep: timestep, classLabel: class_label}}
outputs: {{prediction: noise_pred}}
diffusion:
  width: 8
  height: 8
  channels: 1
  pixelRange: [-1.0, 1.0]
  numClasses: 2
  nullClass: 2
  numTrainTimesteps: 1000
  betaSchedule: linear
  betaStart: 0.0001
  betaEnd: 0.02
  predictionType: epsilon
  # The oracle's data lie inside [-1, 1] anyway; no clipping keeps the sampler's arithmetic exact.
  clipSample: false
  timestepSpacing: linspace
  defaultSampler: ddim
  defaultSteps: 50
  defaultGuidanceScale: 1.0
labels: labels.txt
batching: {{maxBatchSize: 64, queueCapacity: 64, timeout: 120s}}
devices: [cpu]
instancesPerDevice: 1
"""


def alphas_cumprod_f64():
    betas = np.linspace(BETA_START, BETA_END, T, dtype=np.float64)
    return np.cumprod(1.0 - betas)


def point_pixels():
    """Distinct values 26..215 in row-major order (catches transposes and flips), all inside [-0.8, 0.8]."""
    k = 26 + 3 * np.arange(SIZE * SIZE)
    assert k.min() >= 25.5 and k.max() <= 229.5  # |k/127.5 - 1| <= 0.8
    return k.astype(np.uint8).reshape(SIZE, SIZE)


class OracleDenoiser(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("alphas_cumprod", torch.tensor(alphas_cumprod_f64(), dtype=torch.float32))

    def x0_estimate(self, sample, ab):
        raise NotImplementedError

    def forward(self, sample, timestep, class_label):
        # Gather, then Unsqueeze (not reshape(-1, ...), whose unknown dims would leave the output shape symbolic).
        ab = self.alphas_cumprod[timestep][:, None, None, None]
        eps = (sample - torch.sqrt(ab) * self.x0_estimate(sample, ab)) / torch.sqrt(1.0 - ab)
        # Keeps class_label a used graph input; the exporter cannot fold a product with a graph input away.
        return eps + 0.0 * class_label.to(torch.float32)[:, None, None, None]


class PointOracle(OracleDenoiser):
    def __init__(self, pixels):
        super().__init__()
        x0 = pixels.astype(np.float64) / 127.5 - 1.0
        self.register_buffer("x0", torch.tensor(x0, dtype=torch.float32).reshape(1, 1, SIZE, SIZE))

    def x0_estimate(self, sample, ab):
        return self.x0


class GaussianOracle(OracleDenoiser):
    def x0_estimate(self, sample, ab):
        return MU + torch.sqrt(ab) * (S * S) / (ab * (S * S) + 1.0 - ab) * (sample - torch.sqrt(ab) * MU)


# ----------------------------------------------------------------------------------------------------------------
# Export and a numpy interpreter for the exported graph
# ----------------------------------------------------------------------------------------------------------------


def export(model, path):
    names_in = ["sample", "timestep", "class_label"]
    kwargs = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    example = (torch.randn(2, 1, SIZE, SIZE), torch.tensor([5, 900]), torch.tensor([0, 1]))
    with torch.no_grad():
        torch.onnx.export(model, example, path, opset_version=17, input_names=names_in, output_names=["noise_pred"],
                          dynamic_axes={n: {0: "batch"} for n in names_in + ["noise_pred"]}, **kwargs)
    graph = onnx.load(path)
    onnx.checker.check_model(graph)
    got = [(v.name, v.type.tensor_type.elem_type,
            [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim])
           for v in list(graph.graph.input) + list(graph.graph.output)]
    F, I = onnx.TensorProto.FLOAT, onnx.TensorProto.INT64
    expected = [("sample", F, ["batch", 1, SIZE, SIZE]), ("timestep", I, ["batch"]),
                ("class_label", I, ["batch"]), ("noise_pred", F, ["batch", 1, SIZE, SIZE])]
    if got != expected:
        raise SystemExit(f"{path}: graph signature {got}, expected {expected}")
    return graph


_NP_TYPES = {onnx.TensorProto.FLOAT: np.float32, onnx.TensorProto.DOUBLE: np.float64,
             onnx.TensorProto.INT64: np.int64, onnx.TensorProto.INT32: np.int32}


def run_onnx(graph, feeds):
    """Evaluate the graph with numpy, float32 throughout like ONNX Runtime; unknown ops are an error."""
    env = {init.name: numpy_helper.to_array(init) for init in graph.graph.initializer}
    env.update(feeds)
    for node in graph.graph.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in node.attribute}
        x = [env[n] if n else None for n in node.input]
        op = node.op_type
        if op == "Constant":
            y = numpy_helper.to_array(a["value"])
        elif op in ("Add", "Sub", "Mul", "Div", "Pow"):
            f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide, "Pow": np.power}[op]
            y = f(x[0], x[1])
            if x[0].dtype != x[1].dtype:
                raise SystemExit(f"{op} on {x[0].dtype} and {x[1].dtype}: not valid ONNX")
            y = y.astype(x[0].dtype)
        elif op == "Sqrt":
            y = np.sqrt(x[0])
        elif op == "Neg":
            y = -x[0]
        elif op == "Cast":
            y = x[0].astype(_NP_TYPES[a["to"]])
        elif op == "Gather":
            y = np.take(x[0], x[1], axis=a.get("axis", 0))
        elif op == "Reshape":
            shape = [d if d != 0 else x[0].shape[i] for i, d in enumerate(x[1].tolist())]
            y = x[0].reshape(shape)
        elif op == "Unsqueeze":
            y = x[0]
            for axis in sorted(int(v) for v in x[1]):
                y = np.expand_dims(y, axis)
        elif op == "Shape":
            y = np.array(x[0].shape, dtype=np.int64)
        elif op == "Concat":
            y = np.concatenate(x, axis=a["axis"])
        elif op == "Identity":
            y = x[0]
        else:
            raise SystemExit(f"numpy interpreter: op {op} not supported")
        env[node.output[0]] = np.asarray(y)
    return env[graph.graph.output[0].name]


# ----------------------------------------------------------------------------------------------------------------
# DDIM (eta = 0), linspace spacing: the sampler the service implements
# ----------------------------------------------------------------------------------------------------------------


def ddim(denoise, x, steps=STEPS):
    """denoise(x float32 [N,1,8,8], t int) -> eps. Coefficients in float64, state in float32."""
    ab_all = alphas_cumprod_f64()
    timesteps = np.linspace(T - 1, 0, steps).round().astype(np.int64)
    for i, t in enumerate(timesteps):
        ab = ab_all[t]
        ab_prev = ab_all[timesteps[i + 1]] if i + 1 < steps else 1.0
        eps = denoise(x, int(t))
        x0 = (x - np.float32(math.sqrt(1.0 - ab)) * eps) / np.float32(math.sqrt(ab))
        x = np.float32(math.sqrt(ab_prev)) * x0 + np.float32(math.sqrt(1.0 - ab_prev)) * eps
    return x


def torch_denoiser(model, label=0):
    def denoise(x, t):
        n = x.shape[0]
        with torch.no_grad():
            return model(torch.from_numpy(x), torch.full((n,), t, dtype=torch.int64),
                         torch.full((n,), label, dtype=torch.int64)).numpy()
    return denoise


def onnx_denoiser(graph, label=1):
    def denoise(x, t):
        n = x.shape[0]
        return run_onnx(graph, {"sample": x, "timestep": np.full((n,), t, np.int64),
                                "class_label": np.full((n,), label, np.int64)})
    return denoise


def ddim_gaussian_std(steps=STEPS):
    """The std that 50-step DDIM gives exactly for N(mu, s^2) data: every step is affine, x_t = sqrt(ab) mu + c z.

    Starting from z ~ N(0, 1) (c = 1, the sampler ignores the tiny sqrt(ab_T) mu offset), one step maps
    c -> (sqrt(ab' ab) s^2 + sqrt((1 - ab')(1 - ab))) c / (ab s^2 + 1 - ab): a little below the exact marginal
    std sqrt(ab' s^2 + 1 - ab') (Cauchy-Schwarz), i.e. the discretisation shrinks the std slightly.
    The mean offset is carried exactly: the start x_T = z lacks sqrt(ab_T) mu, and that deficit is scaled by the
    same affine factors, so mean = mu - sqrt(ab_T) mu * prod(factors) (negligible)."""
    ab_all = alphas_cumprod_f64()
    timesteps = np.linspace(T - 1, 0, steps).round().astype(np.int64)
    c, m = 1.0, 0.0  # x_t = m + c z
    for i, t in enumerate(timesteps):
        ab = ab_all[t]
        ab_prev = ab_all[timesteps[i + 1]] if i + 1 < steps else 1.0
        var = ab * S * S + 1.0 - ab
        gain = math.sqrt(ab) * S * S / var  # d x0hat / d x_t
        x0_m = MU + gain * (m - math.sqrt(ab) * MU)
        eps_m = (m - math.sqrt(ab) * x0_m) / math.sqrt(1.0 - ab)
        x0_c, eps_c = gain * c, (c - math.sqrt(ab) * gain * c) / math.sqrt(1.0 - ab)
        m = math.sqrt(ab_prev) * x0_m + math.sqrt(1.0 - ab_prev) * eps_m
        c = math.sqrt(ab_prev) * x0_c + math.sqrt(1.0 - ab_prev) * eps_c
    return m, c


def pixel_moments(mean, std):
    """Moments of the 8-bit PNG values round(clip((x + 1) * 127.5, 0, 255)) for x ~ N(mean, std^2), exactly."""
    k = np.arange(256, dtype=np.float64)
    edges = (np.concatenate([[-np.inf], k[:-1] + 0.5, [np.inf]]) / 127.5 - 1.0 - mean) / std
    cdf = np.array([0.5 * math.erfc(-e / math.sqrt(2.0)) for e in edges])
    p = np.diff(cdf)
    values = k / 127.5 - 1.0  # back in model space
    m = float((p * values).sum())
    return m, float(math.sqrt((p * (values - m) ** 2).sum()))


# ----------------------------------------------------------------------------------------------------------------


def write_common(folder, what):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "labels.txt"), "w") as f:
        f.write("a\nb\n")
    with open(os.path.join(folder, "model.yaml"), "w") as f:
        f.write(YAML.format(what=what))


def compare_with_torch(model, graph, name):
    """Random batches, all timesteps' extremes, both labels and the NULL class: ONNX (numpy) vs torch."""
    g = torch.Generator().manual_seed(1)
    worst = 0.0
    for n in (1, 3, 17):
        x = torch.randn(n, 1, SIZE, SIZE, generator=g) * 1.5
        t = torch.randint(0, T, (n,), generator=g)
        t[0] = T - 1 if n > 1 else 0
        c = torch.randint(0, 3, (n,), generator=g)
        with torch.no_grad():
            want = model(x, t, c).numpy()
        got = run_onnx(graph, {"sample": x.numpy(), "timestep": t.numpy(), "class_label": c.numpy()})
        if got.shape != want.shape or got.dtype != np.float32:
            raise SystemExit(f"{name}: ONNX output {got.shape} {got.dtype}, torch {want.shape}")
        worst = max(worst, float(np.abs(got - want).max()))
    if worst > 1e-5:
        raise SystemExit(f"{name}: ONNX graph differs from torch by {worst}")
    ops = sorted({n.op_type for n in graph.graph.node})
    print(f"  {name}: onnx.checker ok, 3 inputs, ops {ops}; ONNX vs torch max |diff| {worst:.2e}")


def main():
    torch.set_num_threads(2)

    # --- point ---------------------------------------------------------------------------------------------
    folder = os.path.join(OUT, "point")
    write_common(folder, "exact epsilon for a single data point x0 (expected-pixels.json)")
    pixels = point_pixels()
    model = PointOracle(pixels).eval()
    path = os.path.join(folder, "model.onnx")
    graph = export(model, path)
    compare_with_torch(model, graph, "point")
    x0 = (pixels.astype(np.float64) / 127.5 - 1.0)[None, None]
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((64, 1, SIZE, SIZE)).astype(np.float32)
    out_torch = ddim(torch_denoiser(model), noise)
    out_onnx = ddim(onnx_denoiser(graph), noise[:8])
    err_torch, err_onnx = float(np.abs(out_torch - x0).max()), float(np.abs(out_onnx - x0).max())
    for steps in (1, 10, 1000):  # any step count lands on x0
        err_torch = max(err_torch, float(np.abs(ddim(torch_denoiser(model), noise[:8], steps) - x0).max()))
    png = np.clip(np.round((out_torch[:, 0] + 1.0) * 127.5), 0, 255).astype(np.uint8)
    if err_torch >= 1e-4 or err_onnx >= 1e-4 or not (png == pixels).all():
        raise SystemExit(f"point: DDIM misses x0 (torch {err_torch}, onnx {err_onnx})")
    print(f"  point: DDIM {STEPS} steps (also 1/10/1000) max |x - x0| torch {err_torch:.2e} (64 seeds), "
          f"ONNX graph {err_onnx:.2e} (8 seeds); PNG pixels exact")
    with open(os.path.join(folder, "expected-pixels.json"), "w") as f:
        json.dump({"width": SIZE, "height": SIZE, "pixels": [int(v) for v in pixels.reshape(-1)]}, f)
        f.write("\n")
    print(f"wrote {folder} (model.onnx {os.path.getsize(path)} bytes)")

    # --- gaussian ------------------------------------------------------------------------------------------
    folder = os.path.join(OUT, "gaussian")
    write_common(folder, f"exact epsilon for i.i.d. N({MU}, {S}^2) pixels (expected-moments.json)")
    model = GaussianOracle().eval()
    path = os.path.join(folder, "model.onnx")
    graph = export(model, path)
    compare_with_torch(model, graph, "gaussian")
    noise = rng.standard_normal((2000, 1, SIZE, SIZE)).astype(np.float32)
    table = {}
    for steps in (STEPS, 1000):
        out = ddim(torch_denoiser(model), noise, steps)
        exact_mean, exact_std = ddim_gaussian_std(steps)
        table[steps] = (exact_mean, exact_std)
        print(f"  gaussian: DDIM {steps} steps, 2000 samples x 64 pixels: mean {out.mean():.4f} std {out.std():.4f} "
              f"(exact for this sampler {exact_mean:.4f} / {exact_std:.4f}; data {MU} / {S})")
        # Sampling error of the moments over 128,000 values is ~7e-4 (mean) and ~5e-4 (std).
        if abs(out.mean() - exact_mean) > 0.003 or abs(out.std() - exact_std) > 0.003:
            raise SystemExit(f"gaussian: moments off for {steps} steps")
        if steps == STEPS:
            out50 = out
    out_onnx = ddim(onnx_denoiser(graph), noise[:200])
    diff = float(np.abs(out_onnx - out50[:200]).max())
    print(f"  gaussian: ONNX graph vs torch, DDIM {STEPS} steps on 200 samples: max |diff| {diff:.2e}")
    if diff > 1e-4:
        raise SystemExit("gaussian: ONNX graph differs from torch")
    for steps in (10, 20, 100, 200, 250, 500):
        table[steps] = ddim_gaussian_std(steps)
    png = np.clip(np.round((out50 + 1.0) * 127.5), 0, 255) / 127.5 - 1.0
    pix_mean, pix_std = pixel_moments(*table[STEPS])
    print(f"  gaussian: PNG values (x = pixel / 127.5 - 1) after DDIM {STEPS}: mean {png.mean():.4f} "
          f"std {png.std():.4f} (exact {pix_mean:.4f} / {pix_std:.4f})")
    with open(os.path.join(folder, "expected-moments.json"), "w") as f:
        json.dump({
            "mean": MU, "std": S,
            "note": "mean/std: the data distribution in model space [-1, 1] (pixel = (x + 1) * 127.5). A few-step "
                    "deterministic DDIM sampler does not reproduce the std exactly: it shrinks it (50 steps give "
                    "0.225, not 0.25). ddimExact: the exact moments of DDIM (eta = 0, linspace spacing, start "
                    "N(0, 1)) with this oracle, per step count, before PNG quantisation. png50: the exact moments "
                    "of x = pixel / 127.5 - 1 of the 8-bit PNG after 50 steps (rounding and clipping included).",
            "ddimExact": {str(k): {"mean": round(v[0], 6), "std": round(v[1], 6)} for k, v in sorted(table.items())},
            "png50": {"mean": round(pix_mean, 6), "std": round(pix_std, 6)},
        }, f, indent=2)
        f.write("\n")
    print(f"wrote {folder} (model.onnx {os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
