"""Quality and cost of the editing endpoints (issue 8) of a running VisionServe, beside classical baselines.

Every service figure comes from the service itself over HTTP (POST /inpaint, /super-resolution, /denoise, /img2img,
and /classify to judge the results), so the numbers are what a client gets. The baselines are computed here on the
same images and judged by the same /classify:

  inpaint (centre 14x14 hole, bottom half): accuracy, PSNR inside the hole, changed known pixels (must be 0)
      vs OpenCV Navier-Stokes, OpenCV Telea (radius 3) and black fill
  super-resolution x2 (14->28) and x4 (7->28), input = 2x2 / 4x4 box mean rounded to 8 bit:
      PSNR, SSIM, accuracy, consistency (box-downsampled output vs input, grey levels)
      vs bicubic and bicubic + iterative back-projection
  denoise, Gaussian noise sigma 25 / 50 / 100 on 0..255 (clipped, rounded, seeded), sigma given and sigma omitted:
      PSNR, accuracy (and the service's estimated sigma) vs Gaussian blur, OpenCV non-local means, TV (Chambolle),
      wavelet (BayesShrink); each with one parameter tuned per sigma on training images (--tune-baselines); the
      omitted-sigma rows against blind wavelet
  img2img towards label (y+1) mod 10 at strengths 0, 0.3, 0.6, 0.9: share classified as the target, mean abs change

Also seconds per image (wall time of a mode's requests / images, at --concurrency requests in flight, so the
service's step-level batching is used) and model calls per image (the answers' modelCalls).

Images: the Fashion-MNIST test set, --images balanced over classes (default 1,000 = 100 per class; --quick 100)
chosen with a fixed seed; --split train measures on training images instead (for tuning the service's defaults).
Every request carries a fixed per-image seed, so runs reproduce. No mode parameter is sent unless given on the
command line (--inpaint-steps, --resample-count, ... or --param MODE.KEY=VALUE): the service's defaults are measured.

Start the service first (or use bench/editing.sh, which builds, starts and stops it), then from the repository root:

    /usr/bin/python3 models/training/evaluate_editing.py [--url http://localhost:8080] [--quick]
        [--modes inpaint,super-resolution,denoise,img2img] [--pictures docs/images]
    /usr/bin/python3 models/training/evaluate_editing.py --baselines-only --images 200   # no editing endpoints needed
    /usr/bin/python3 models/training/evaluate_editing.py --tune-baselines                # no service at all

Writes the full results to target/editing-eval.json, markdown tables to stdout and, as the last line, key=value
pairs of the headline figures. Needs Debian's python3-opencv, python3-skimage, python3-scipy, python3-numpy and
dataset-fashion-mnist.
"""
import argparse
import base64
import io
import json
import math
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
from skimage.metrics import structural_similarity
from skimage.restoration import denoise_tv_chambolle, denoise_wavelet

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fashion_mnist  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODES = ["inpaint", "super-resolution", "denoise", "img2img"]
SIGMAS = [25, 50, 100]
STRENGTHS = [0.0, 0.3, 0.6, 0.9]
SELECTION_SEED = 20260801  # which images are measured
REQUEST_SEED = 1000  # per-image sampler seed = REQUEST_SEED + position in the selection
NOISE_SEED = 77  # per-image noise = rng((NOISE_SEED, sigma, position))
PSNR_CAP_DB = 100.0  # a region reproduced exactly has infinite PSNR; capped so means stay finite

# Baseline parameters, tuned per sigma by --tune-baselines on 200 training images (best mean PSNR over the grids in
# TUNING_GRIDS); rerun it after changing a baseline. Gaussian: blur sigma in pixels; NLM: OpenCV h; TV: Chambolle
# weight on 0..1 images; wavelet: the sigma passed to BayesShrink, as a multiple of the true sigma.
TUNED = {
    25: {"gaussian": 0.5, "nlm": 26, "tv": 0.04, "wavelet": 0.8},
    50: {"gaussian": 0.6, "nlm": 38, "tv": 0.09, "wavelet": 0.75},
    100: {"gaussian": 0.85, "nlm": 52, "tv": 0.18, "wavelet": 0.6},
}
TUNING_GRIDS = {
    "gaussian": [0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 1.0, 1.2, 1.5, 2.0],
    "nlm": [10, 15, 20, 22, 24, 26, 28, 30, 35, 38, 40, 42, 45, 48, 50, 52, 55, 60, 70, 80, 100],
    "tv": [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.25, 0.3],
    "wavelet": [0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1.0, 1.25, 1.5, 2.0],
}
INPAINT_RADIUS = 3  # OpenCV's neighbourhood radius for NS and Telea: a fixed choice (the usual one)
BACK_PROJECTION_ITERATIONS = 20  # Irani-Peleg iterations: a fixed choice; consistency has converged by then

# The targets, printed beside the measured figures (">=" unless marked).
TARGETS = {
    "inpaint-centre": {"accuracy": 0.85, "psnr_hole": 15.5},
    "inpaint-bottom": {"accuracy": 0.70, "psnr_hole": 12.5},
    "sr-x2": {"psnr": 21.0, "ssim": 0.81, "accuracy": 0.85},
    "sr-x4": {"psnr": 16.5, "ssim": 0.60, "accuracy": 0.65},
    "denoise-25": {"psnr": 27.5, "accuracy": 0.88},
    "denoise-50": {"psnr": 23.5, "accuracy": 0.75},
    "denoise-100": {"psnr": 18.0, "accuracy": 0.50},
    "denoise-est-25": {"psnr": 27.0},
    "denoise-est-50": {"psnr": 23.0},
    "denoise-est-100": {"psnr": 17.5},
    "img2img-0.6": {"target_share": 0.85},
    "img2img-0.9": {"target_share": 0.95},
}


# ---------------------------------------------------------------------------------------------------------------
# Images and measures


def select(images, labels, per_class, seed):
    """per_class images of every class, the same for every run; interleaved by class so any prefix stays balanced."""
    rng = np.random.default_rng(seed)
    chosen = []
    for c in range(10):
        candidates = np.flatnonzero(labels == c)
        chosen.append(rng.permutation(candidates)[:per_class])
    order = np.stack(chosen, axis=1).reshape(-1)  # round-robin over the classes
    return images[order], labels[order]


def png(pixels):
    ok, data = cv2.imencode(".png", np.ascontiguousarray(pixels, dtype=np.uint8))
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return data.tobytes()


def unpng(data):
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if pixels is None:
        raise RuntimeError("the service answered an image OpenCV cannot decode")
    if pixels.ndim == 3:
        if pixels.shape[2] == 4:
            pixels = pixels[:, :, :3]
        pixels = cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)
    if pixels.dtype != np.uint8:
        raise RuntimeError(f"expected an 8-bit image, got {pixels.dtype}")
    return pixels


def psnr(a, b, region=None):
    """PSNR in dB over the whole image or the boolean region, on the 0..255 scale."""
    diff = a.astype(np.float64) - b.astype(np.float64)
    if region is not None:
        diff = diff[region]
    mse = float(np.mean(diff * diff))
    return PSNR_CAP_DB if mse == 0 else min(PSNR_CAP_DB, 10 * math.log10(255.0 ** 2 / mse))


def ssim(a, b):
    return float(structural_similarity(a, b, data_range=255))


def box_down(pixels, factor):
    """The mean of every factor x factor block, unrounded (float64)."""
    h, w = pixels.shape
    return pixels.astype(np.float64).reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))


def low_resolution(image, factor):
    return np.clip(np.rint(box_down(image, factor)), 0, 255).astype(np.uint8)


def masks():
    centre = np.zeros((28, 28), bool)
    centre[7:21, 7:21] = True
    bottom = np.zeros((28, 28), bool)
    bottom[14:, :] = True
    return {"centre": centre, "bottom": bottom}


def noisy(image, sigma, position):
    rng = np.random.default_rng((NOISE_SEED, sigma, position))
    return np.clip(np.rint(image.astype(np.float64) + rng.normal(0.0, sigma, image.shape)), 0, 255).astype(np.uint8)


def to_u8(x):
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------------------------------------------------------
# Baselines


def inpaint_baselines(holed, hole):
    mask = hole.astype(np.uint8) * 255
    return {
        "navier-stokes": cv2.inpaint(holed, mask, INPAINT_RADIUS, cv2.INPAINT_NS),
        "telea": cv2.inpaint(holed, mask, INPAINT_RADIUS, cv2.INPAINT_TELEA),
        "black-fill": np.where(hole, 0, holed).astype(np.uint8),
    }


def bicubic(low, size=28):
    return cv2.resize(low.astype(np.float64), (size, size), interpolation=cv2.INTER_CUBIC)


def back_projection(low, iterations=BACK_PROJECTION_ITERATIONS):
    """Irani & Peleg (1991): push the bicubic estimate towards agreeing with the input under the box downsampling."""
    factor = 28 // low.shape[0]
    x = bicubic(low)
    target = low.astype(np.float64)
    for _ in range(iterations):
        x = np.clip(x + bicubic(target - box_down(x, factor)), 0, 255)
    return x


def sr_baselines(low):
    return {"bicubic": to_u8(bicubic(low)), "back-projection": to_u8(back_projection(low))}


def denoise_baseline(name, noisy_pixels, sigma, parameter):
    x = noisy_pixels
    if name == "gaussian":
        return to_u8(cv2.GaussianBlur(x.astype(np.float64), (0, 0), parameter, borderType=cv2.BORDER_REFLECT))
    if name == "nlm":
        return cv2.fastNlMeansDenoising(x, None, h=float(parameter), templateWindowSize=7, searchWindowSize=21)
    if name == "tv":
        return to_u8(255 * denoise_tv_chambolle(x / 255.0, weight=parameter))
    if name == "wavelet":
        return to_u8(255 * denoise_wavelet(x / 255.0, sigma=parameter * sigma / 255.0, method="BayesShrink",
                                           mode="soft", rescale_sigma=True))
    if name == "wavelet-blind":
        return to_u8(255 * denoise_wavelet(x / 255.0, method="BayesShrink", mode="soft", rescale_sigma=True))
    raise ValueError(name)


DENOISE_BASELINES = ["gaussian", "nlm", "tv", "wavelet"]


def tune_baselines(args):
    images, labels = fashion_mnist.load(args.data, "train")
    images, _ = select(images, labels, 20, SELECTION_SEED + 1)
    print(f"tuning the denoising baselines on {len(images)} training images (mean PSNR, dB)")
    best = {}
    for sigma in SIGMAS:
        noisy_images = [noisy(image, sigma, i) for i, image in enumerate(images)]
        best[sigma] = {}
        for name in DENOISE_BASELINES:
            scores = []
            for parameter in TUNING_GRIDS[name]:
                score = np.mean([psnr(denoise_baseline(name, n, sigma, parameter), image)
                                 for n, image in zip(noisy_images, images)])
                scores.append((score, parameter))
            score, parameter = max(scores)
            best[sigma][name] = parameter
            print(f"sigma {sigma:3d} {name:8s} best {parameter:g} ({score:.2f} dB); grid: "
                  + ", ".join(f"{p:g}={s:.2f}" for s, p in scores))
    print("TUNED = " + json.dumps(best))


# ---------------------------------------------------------------------------------------------------------------
# The service


class Service:
    """HTTP client of one VisionServe; thread-safe (one urllib request per call)."""

    def __init__(self, url, concurrency, timeout, classifier):
        self.url = url.rstrip("/")
        self.concurrency = concurrency
        self.timeout = timeout
        self.classifier = classifier

    def _send(self, request):
        # Refusals that say when to come back (QUEUE_FULL) are retried then; anything else fails the run.
        for attempt in range(20):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.load(response)
            except urllib.error.HTTPError as e:
                body = e.read().decode("utf-8", "replace")
                if e.code in (429, 503) and e.headers.get("Retry-After") and attempt < 19:
                    time.sleep(float(e.headers.get("Retry-After") or 1))
                    continue
                raise RuntimeError(f"{request.full_url}: HTTP {e.code}: {body[:500]}") from None

    def edit(self, mode, fields):
        """One editing request (JSON body, count 1); returns (pixels, answer without the image)."""
        body = dict(fields)
        for key in ("image", "mask"):
            if key in body:
                body[key] = base64.b64encode(png(body[key])).decode("ascii")
        request = urllib.request.Request(f"{self.url}/{mode}", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json", "Accept": "application/json"})
        answer = self._send(request)
        pixels = unpng(base64.b64decode(answer["images"][0]["png"]))
        answer.pop("images")
        return pixels, answer

    def edit_all(self, mode, field_list):
        """All requests with --concurrency in flight; returns (outputs, answers, wall seconds)."""
        start = time.perf_counter()
        with ThreadPoolExecutor(self.concurrency) as pool:
            results = list(pool.map(lambda fields: self.edit(mode, fields), field_list))
        wall = time.perf_counter() - start
        return [r[0] for r in results], [r[1] for r in results], wall

    def _classify_chunk(self, images):
        boundary = uuid.uuid4().hex
        body = io.BytesIO()
        for i, pixels in enumerate(images):
            body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="{i}.png"\r\n'
                       f"Content-Type: image/png\r\n\r\n".encode())
            body.write(png(pixels))
            body.write(b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())
        query = "topK=1" + (f"&model={self.classifier}" if self.classifier else "")
        request = urllib.request.Request(f"{self.url}/classify?{query}", data=body.getvalue(),
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        return [r["predictions"][0]["index"] for r in self._send(request)["results"]]

    def classify(self, images, per_request=32):
        chunks = [images[i:i + per_request] for i in range(0, len(images), per_request)]
        with ThreadPoolExecutor(4) as pool:
            return np.array([p for chunk in pool.map(self._classify_chunk, chunks) for p in chunk])


class NoClassifier:
    """Stands in for the service when only PSNR/SSIM of the baselines are wanted (--no-classify)."""

    def classify(self, images):
        return None


def accuracy(classifier, outputs, labels):
    predicted = classifier.classify(outputs)
    return None if predicted is None else float(np.mean(predicted == labels))


# ---------------------------------------------------------------------------------------------------------------
# The modes


def mode_parameters(args, mode):
    """The overrides given on the command line for one mode; empty by default (the service's defaults)."""
    shared = {"steps": args.steps, "sampler": args.sampler, "guidanceScale": args.guidance_scale, "eta": args.eta}
    specific = {
        "inpaint": {"steps": args.inpaint_steps, "sampler": args.inpaint_sampler,
                    "resampleCount": args.resample_count, "jumpLength": args.jump_length},
        "super-resolution": {"steps": args.sr_steps, "sampler": args.sr_sampler},
        "denoise": {"steps": args.denoise_steps, "method": args.denoise_method},
        "img2img": {"steps": args.img2img_steps, "sampler": args.img2img_sampler,
                    "guidanceScale": args.img2img_guidance},
    }[mode]
    parameters = {k: v for k, v in shared.items() if v is not None}
    parameters.update({k: v for k, v in specific.items() if v is not None})
    for item in args.param:
        key, _, value = item.partition("=")
        target, _, name = key.partition(".")
        if target == mode:
            try:
                parameters[name] = json.loads(value)  # numbers and booleans as such
            except ValueError:
                parameters[name] = value
    return parameters


def cost(answers, wall, count, concurrency):
    calls = [a.get("modelCalls") for a in answers if a.get("modelCalls") is not None]
    return {"seconds_per_image": wall / count, "wall_seconds": wall, "concurrency": concurrency,
            "model_calls_per_image": float(np.mean(calls)) if calls else None,
            "steps": answers[0].get("steps"), "sampler": answers[0].get("sampler")}


def run_inpaint(args, service, classifier, images, labels, seeds, pictures):
    rows = {}
    for name, hole in masks().items():
        holed = np.where(hole, 0, images).astype(np.uint8)  # the hole's content is not sent
        known = ~hole
        methods = {}
        if service is not None:
            parameters = mode_parameters(args, "inpaint")
            mask_png = hole.astype(np.uint8) * 255
            fields = [dict(parameters, image=h, mask=mask_png, seed=s) for h, s in zip(holed, seeds)]
            outputs, answers, wall = service.edit_all("inpaint", fields)
            methods["service"] = (outputs, cost(answers, wall, len(images), service.concurrency))
            methods["service"][1]["parameters"] = parameters
        baseline_outputs = [inpaint_baselines(h, hole) for h in holed]
        for method in baseline_outputs[0]:
            methods[method] = ([b[method] for b in baseline_outputs], None)
        row = {}
        for method, (outputs, timing) in methods.items():
            row[method] = {
                "accuracy": accuracy(classifier, outputs, labels),
                "psnr_hole": float(np.mean([psnr(o, i, hole) for o, i in zip(outputs, images)])),
                "changed_known_pixels": int(sum(np.count_nonzero(o[known] != h[known]) for o, h in zip(outputs, holed))),
            }
            if timing:
                row[method].update(timing)
        rows[name] = row
        pictures[f"inpaint-{name}"] = {"input": holed, "mask": np.broadcast_to(hole.astype(np.uint8) * 255, images.shape),
                                       "methods": {m: o for m, (o, _) in methods.items()}, "row": row}
    return rows


def run_super_resolution(args, service, classifier, images, labels, seeds, pictures):
    rows = {}
    for factor in (2, 4):
        lows = [low_resolution(image, factor) for image in images]
        methods = {}
        if service is not None:
            parameters = mode_parameters(args, "super-resolution")
            fields = [dict(parameters, image=low, seed=s) for low, s in zip(lows, seeds)]
            outputs, answers, wall = service.edit_all("super-resolution", fields)
            methods["service"] = (outputs, cost(answers, wall, len(images), service.concurrency))
            methods["service"][1]["parameters"] = parameters
        baseline_outputs = [sr_baselines(low) for low in lows]
        for method in baseline_outputs[0]:
            methods[method] = ([b[method] for b in baseline_outputs], None)
        row = {}
        for method, (outputs, timing) in methods.items():
            differences = np.stack([np.abs(box_down(o, factor) - low) for o, low in zip(outputs, lows)])
            row[method] = {
                "psnr": float(np.mean([psnr(o, i) for o, i in zip(outputs, images)])),
                "ssim": float(np.mean([ssim(o, i) for o, i in zip(outputs, images)])),
                "accuracy": accuracy(classifier, outputs, labels),
                "consistency_mean": float(differences.mean()),
                "consistency_max": float(differences.max()),
            }
            if timing:
                row[method].update(timing)
        rows[f"x{factor}"] = row
        pictures[f"super-resolution-x{factor}"] = {
            "input": [cv2.resize(low, (28, 28), interpolation=cv2.INTER_NEAREST) for low in lows],
            "methods": {m: o for m, (o, _) in methods.items()}, "row": row}
    return rows


def run_denoise(args, service, classifier, images, labels, seeds, pictures):
    rows = {}
    for sigma in SIGMAS:
        noisy_images = [noisy(image, sigma, i) for i, image in enumerate(images)]
        for estimated in (False, True):
            methods = {}
            if service is not None:
                parameters = mode_parameters(args, "denoise")
                if not estimated:
                    parameters["noiseLevel"] = sigma
                fields = [dict(parameters, image=n, seed=s) for n, s in zip(noisy_images, seeds)]
                outputs, answers, wall = service.edit_all("denoise", fields)
                timing = cost(answers, wall, len(images), service.concurrency)
                timing["parameters"] = parameters
                levels = [a.get("noiseLevel") for a in answers if a.get("noiseLevel") is not None]
                if levels:
                    timing["noise_level_mean"] = float(np.mean(levels))
                    timing["noise_level_median"] = float(np.median(levels))
                    timing["noise_level_estimated"] = bool(answers[0].get("noiseLevelEstimated"))
                methods["service"] = (outputs, timing)
            if estimated:
                methods["wavelet-blind"] = ([denoise_baseline("wavelet-blind", n, sigma, None)
                                             for n in noisy_images], None)
            else:
                for name in DENOISE_BASELINES:
                    parameter = TUNED[sigma][name]
                    methods[name] = ([denoise_baseline(name, n, sigma, parameter) for n in noisy_images],
                                     {"parameter": parameter})
            methods["noisy"] = (noisy_images, None)
            row = {}
            for method, (outputs, extra) in methods.items():
                row[method] = {"psnr": float(np.mean([psnr(o, i) for o, i in zip(outputs, images)])),
                               "accuracy": accuracy(classifier, outputs, labels)}
                if extra:
                    row[method].update(extra)
            key = f"{'est-' if estimated else ''}{sigma}"
            rows[key] = row
            pictures[f"denoise-{key}"] = {"input": noisy_images, "methods": {m: o for m, (o, _) in methods.items()},
                                          "row": row}
    return rows


def run_img2img(args, service, classifier, images, labels, seeds, pictures):
    rows = {}
    targets = (labels + 1) % 10
    parameters = mode_parameters(args, "img2img")
    for strength in STRENGTHS:
        fields = [dict(parameters, image=image, label=str(t), strength=strength, seed=s)
                  for image, t, s in zip(images, targets, seeds)]
        outputs, answers, wall = service.edit_all("img2img", fields)
        predicted = classifier.classify(outputs)
        changes = np.stack([np.abs(o.astype(np.float64) - i) for o, i in zip(outputs, images)])
        row = {
            "target_share": None if predicted is None else float(np.mean(predicted == targets)),
            "source_share": None if predicted is None else float(np.mean(predicted == labels)),
            "mean_abs_change": float(changes.mean()),
            "changed_images": int(sum(np.any(o != i) for o, i in zip(outputs, images))),
        }
        row.update(cost(answers, wall, len(images), service.concurrency))
        row["parameters"] = parameters
        rows[f"{strength:g}"] = row
        pictures[f"img2img-{strength:g}"] = outputs
    return rows


# ---------------------------------------------------------------------------------------------------------------
# Output


def fmt(value, digits=2):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def best_baseline(row, key="psnr", exclude=("service", "noisy", "black-fill")):
    candidates = [(v[key], m) for m, v in row.items() if m not in exclude and v.get(key) is not None]
    return max(candidates)[1] if candidates else None


def markdown(results):
    lines = []
    config = results["config"]
    lines.append(f"Images: {config['images']} ({config['split']} split, balanced), service {config['url']}, "
                 f"{config['concurrency']} requests in flight; s/image = wall time / images at that concurrency.")
    lines.append("")
    if "inpaint" in results["modes"]:
        lines.append("| inpaint | method | accuracy | PSNR hole (dB) | changed known px | s/image | model calls/image | target |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for name, row in results["modes"]["inpaint"].items():
            target = TARGETS[f"inpaint-{name}"]
            for method, v in row.items():
                lines.append(f"| {name} | {method} | {fmt(v['accuracy'])} | {fmt(v['psnr_hole'], 1)} | "
                             f"{v['changed_known_pixels']} | {fmt(v.get('seconds_per_image'), 3)} | "
                             f"{fmt(v.get('model_calls_per_image'), 1)} | "
                             + (f"≥ {target['accuracy']} / ≥ {target['psnr_hole']} dB / 0" if method == "service" else "")
                             + " |")
        lines.append("")
    if "super-resolution" in results["modes"]:
        lines.append("| super-resolution | method | PSNR (dB) | SSIM | accuracy | consistency mean / max | s/image | "
                     "model calls/image | target |")
        lines.append("|---|---|---|---|---|---|---|---|---|")
        for name, row in results["modes"]["super-resolution"].items():
            target = TARGETS[f"sr-{name}"]
            for method, v in row.items():
                lines.append(f"| {name} | {method} | {fmt(v['psnr'], 1)} | {fmt(v['ssim'])} | {fmt(v['accuracy'])} | "
                             f"{fmt(v['consistency_mean'], 3)} / {fmt(v['consistency_max'], 2)} | "
                             f"{fmt(v.get('seconds_per_image'), 3)} | {fmt(v.get('model_calls_per_image'), 1)} | "
                             + (f"≥ {target['psnr']} dB, ≥ {target['ssim']}, ≥ {target['accuracy']}; ≤ 0.25 / ≤ 1"
                                if method == "service" else "") + " |")
        lines.append("")
    if "denoise" in results["modes"]:
        lines.append("| denoise σ | method | PSNR (dB) | accuracy | parameter / σ read | s/image | model calls/image | target |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for name, row in results["modes"]["denoise"].items():
            target = TARGETS[f"denoise-{name}"]
            best_psnr, best_accuracy = best_baseline(row), best_baseline(row, "accuracy")
            for method, v in row.items():
                extra = v.get("parameter")
                if method == "service" and v.get("noise_level_estimated"):
                    extra = f"σ̂ mean {v['noise_level_mean']:.1f}, median {v['noise_level_median']:.1f}"
                marks = [m for m, b in (("best PSNR", best_psnr), ("best accuracy", best_accuracy)) if method == b]
                label = f"{method} ({', '.join(marks)})" if marks and len(row) > 3 else method
                lines.append(f"| {name} | {label} | {fmt(v['psnr'], 1)} | {fmt(v['accuracy'])} | {fmt(extra)} | "
                             f"{fmt(v.get('seconds_per_image'), 3)} | {fmt(v.get('model_calls_per_image'), 1)} | "
                             + (" / ".join(f"≥ {t}" for t in target.values()) if method == "service" else "")
                             + " |")
        lines.append("")
    if "img2img" in results["modes"]:
        lines.append("| img2img strength | share classified as target | share still the source | mean abs change | "
                     "changed images | s/image | model calls/image | target |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for name, v in results["modes"]["img2img"].items():
            target = TARGETS.get(f"img2img-{name}")
            note = {"0": "identity (0 changed)", "0.3": "change ≤ 30"}.get(name, "")
            if target:
                note = f"≥ {target['target_share']}"
            lines.append(f"| {name} | {fmt(v['target_share'])} | {fmt(v['source_share'])} | "
                         f"{fmt(v['mean_abs_change'], 1)} | {v['changed_images']} | {fmt(v['seconds_per_image'], 3)} | "
                         f"{fmt(v['model_calls_per_image'], 1)} | {note} |")
        lines.append("")
    return "\n".join(lines)


def headline(results):
    pairs = []
    modes = results["modes"]
    for name, row in modes.get("inpaint", {}).items():
        v = row.get("service")
        if v:
            pairs += [(f"inpaint_{name}_acc", fmt(v["accuracy"])), (f"inpaint_{name}_psnr", fmt(v["psnr_hole"], 1)),
                      (f"inpaint_{name}_changed_known", v["changed_known_pixels"]),
                      (f"inpaint_{name}_s_per_image", fmt(v["seconds_per_image"], 3))]
    for name, row in modes.get("super-resolution", {}).items():
        v = row.get("service")
        if v:
            pairs += [(f"sr_{name}_psnr", fmt(v["psnr"], 1)), (f"sr_{name}_ssim", fmt(v["ssim"])),
                      (f"sr_{name}_acc", fmt(v["accuracy"])),
                      (f"sr_{name}_consistency_mean", fmt(v["consistency_mean"], 3)),
                      (f"sr_{name}_consistency_max", fmt(v["consistency_max"])),
                      (f"sr_{name}_s_per_image", fmt(v["seconds_per_image"], 3))]
    for name, row in modes.get("denoise", {}).items():
        v = row.get("service")
        key = name.replace("-", "_")
        if v:
            pairs += [(f"denoise_{key}_psnr", fmt(v["psnr"], 1)), (f"denoise_{key}_acc", fmt(v["accuracy"]))]
            if v.get("noise_level_estimated"):
                pairs.append((f"denoise_{key}_sigma_read", fmt(v["noise_level_mean"], 1)))
    for name, v in modes.get("img2img", {}).items():
        pairs += [(f"img2img_{name}_target", fmt(v["target_share"])),
                  (f"img2img_{name}_change", fmt(v["mean_abs_change"], 1))]
        if name == "0":
            pairs.append(("img2img_0_changed_images", v["changed_images"]))
    if not pairs:  # baselines only
        for name, row in modes.get("inpaint", {}).items():
            pairs += [(f"ns_{name}_acc", fmt(row["navier-stokes"]["accuracy"])),
                      (f"ns_{name}_psnr", fmt(row["navier-stokes"]["psnr_hole"], 1))]
        for name, row in modes.get("super-resolution", {}).items():
            pairs += [(f"bp_{name}_psnr", fmt(row["back-projection"]["psnr"], 1))]
        for name, row in modes.get("denoise", {}).items():
            best = best_baseline(row)
            pairs += [(f"denoise_{name.replace('-', '_')}_best_baseline_psnr", fmt(row[best]["psnr"], 1))]
    return " ".join(f"{k}={v}" for k, v in pairs)


def write_pictures(directory, pictures, images, labels, rows_wanted=6):
    """One PNG per mode: example rows of different classes, columns input / (mask) / service / best baseline /
    original, scaled 4x with nearest neighbour, a one-line header per column."""
    os.makedirs(directory, exist_ok=True)
    # Six classes that look different from each other, one image each.
    picks = []
    for c in (0, 1, 3, 5, 7, 9, 2, 4, 6, 8):
        index = int(np.flatnonzero(labels == c)[0])
        picks.append(index)
    picks = picks[:rows_wanted]
    half = rows_wanted // 2

    def column(title, cells):
        return title, cells

    sheets = {}
    if "inpaint-centre" in pictures:
        rows, names = [], []
        for k, index in enumerate(picks):
            names.append("centre" if k < half else "bottom")
            p = pictures[f"inpaint-{names[-1]}"]
            best = "navier-stokes" if p["row"]["navier-stokes"]["psnr_hole"] >= p["row"]["telea"]["psnr_hole"] else "telea"
            rows.append([p["input"][index], p["mask"][index]]
                        + ([p["methods"]["service"][index]] if "service" in p["methods"] else [])
                        + [p["methods"][best][index], images[index]])
        titles = ["input", "mask"] + (["service"] if "service" in pictures["inpaint-centre"]["methods"] else []) \
            + ["baseline", "original"]
        sheets["inpaint"] = (titles, rows, names)
    if "super-resolution-x2" in pictures:
        rows, names = [], []
        for k, index in enumerate(picks):
            names.append("x2" if k < half else "x4")
            p = pictures[f"super-resolution-{names[-1]}"]
            rows.append([p["input"][index]] + ([p["methods"]["service"][index]] if "service" in p["methods"] else [])
                        + [p["methods"]["back-projection"][index], images[index]])
        titles = ["input"] + (["service"] if "service" in pictures["super-resolution-x2"]["methods"] else []) \
            + ["back-proj.", "original"]
        sheets["super-resolution"] = (titles, rows, names)
    if "denoise-25" in pictures:
        rows, names = [], []
        for k, index in enumerate(picks):
            sigma = SIGMAS[k * len(SIGMAS) // len(picks)]
            names.append(f"sd {sigma}")
            p = pictures[f"denoise-{sigma}"]
            best = best_baseline(p["row"])
            rows.append([p["input"][index]] + ([p["methods"]["service"][index]] if "service" in p["methods"] else [])
                        + [p["methods"][best][index], images[index]])
        titles = ["input"] + (["service"] if "service" in pictures["denoise-25"]["methods"] else []) \
            + ["baseline", "original"]
        sheets["denoise"] = (titles, rows, names)
    if "img2img-0" in pictures:
        rows = [[images[index]] + [pictures[f"img2img-{s:g}"][index] for s in STRENGTHS[1:]] for index in picks]
        names = [f"to\n{fashion_mnist.LABELS[(labels[index] + 1) % 10].split('/')[0].lower()}" for index in picks]
        sheets["img2img"] = (["input"] + [f"strength {s:g}" for s in STRENGTHS[1:]], rows, names)

    scale, gap, header = 4, 4, 14
    cell = 28 * scale
    text = dict(fontFace=cv2.FONT_HERSHEY_SIMPLEX, fontScale=0.4, thickness=1)
    written = []
    for mode, (titles, rows, names) in sheets.items():
        margin = 8 + max(cv2.getTextSize(line, **text)[0][0] for name in names for line in name.split("\n"))
        width = margin + len(titles) * cell + (len(titles) + 1) * gap
        height = header + len(rows) * cell + (len(rows) + 1) * gap
        sheet = np.full((height, width), 128, np.uint8)
        for c, title in enumerate(titles):
            cv2.putText(sheet, title, (margin + gap + c * (cell + gap) + 2, header - 2), color=255,
                        lineType=cv2.LINE_AA, **text)
        for r, cells in enumerate(rows):
            y = header + gap + r * (cell + gap)
            for k, line in enumerate(names[r].split("\n")):
                cv2.putText(sheet, line, (4, y + cell // 2 + 4 + 14 * k), color=255, lineType=cv2.LINE_AA, **text)
            for c, pixels in enumerate(cells):
                x = margin + gap + c * (cell + gap)
                sheet[y:y + cell, x:x + cell] = cv2.resize(np.asarray(pixels, np.uint8), (cell, cell),
                                                           interpolation=cv2.INTER_NEAREST)
        path = os.path.join(directory, f"editing-{mode}.png")
        cv2.imwrite(path, sheet, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        written.append(path)
    return written


# ---------------------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://localhost:8080")
    parser.add_argument("--data", default=fashion_mnist.DEFAULT_DATA_DIR)
    parser.add_argument("--split", choices=["test", "train"], default="test")
    parser.add_argument("--images", type=int, default=1000, help="a multiple of 10 (balanced over the classes)")
    parser.add_argument("--quick", action="store_true", help="100 images (10 per class)")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--concurrency", type=int, default=8, help="editing requests in flight")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per HTTP request")
    parser.add_argument("--classifier", default=None, help="model for /classify (default: the service's)")
    parser.add_argument("--baselines-only", action="store_true",
                        help="no editing endpoint is called (img2img is skipped); /classify is still used")
    parser.add_argument("--no-classify", action="store_true", help="with --baselines-only: no service at all, no accuracy")
    parser.add_argument("--tune-baselines", action="store_true",
                        help="grid-search the denoising baselines' parameter per sigma on training images and exit")
    parser.add_argument("--pictures", metavar="DIR", help="write editing-<mode>.png example sheets into DIR")
    parser.add_argument("--json-out", default=os.path.join(REPO, "target", "editing-eval.json"))
    overrides = parser.add_argument_group("mode parameters (default: none sent, the service's defaults)")
    overrides.add_argument("--steps", type=int)
    overrides.add_argument("--sampler")
    overrides.add_argument("--eta", type=float)
    overrides.add_argument("--guidance-scale", type=float)
    overrides.add_argument("--inpaint-steps", type=int)
    overrides.add_argument("--inpaint-sampler")
    overrides.add_argument("--resample-count", type=int)
    overrides.add_argument("--jump-length", type=int)
    overrides.add_argument("--sr-steps", type=int)
    overrides.add_argument("--sr-sampler")
    overrides.add_argument("--denoise-steps", type=int)
    overrides.add_argument("--denoise-method")
    overrides.add_argument("--img2img-steps", type=int)
    overrides.add_argument("--img2img-sampler")
    overrides.add_argument("--img2img-guidance", type=float)
    overrides.add_argument("--param", action="append", default=[], metavar="MODE.KEY=VALUE",
                           help="any other field, e.g. --param denoise.method=sample (repeatable)")
    args = parser.parse_args()

    if args.tune_baselines:
        tune_baselines(args)
        return 0
    count = 100 if args.quick else args.images
    if count % 10 or count <= 0:
        parser.error("--images must be a positive multiple of 10")
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    for mode in modes:
        if mode not in MODES:
            parser.error(f"unknown mode {mode}; one of {', '.join(MODES)}")
    if args.baselines_only and "img2img" in modes:
        modes.remove("img2img")  # no classical baseline to measure
    if args.no_classify and not args.baselines_only:
        parser.error("--no-classify needs --baselines-only")

    all_images, all_labels = fashion_mnist.load(args.data, args.split)
    images, labels = select(all_images, all_labels, count // 10, SELECTION_SEED)
    seeds = [REQUEST_SEED + i for i in range(count)]
    service = None if args.baselines_only else Service(args.url, args.concurrency, args.timeout, args.classifier)
    classifier = NoClassifier() if args.no_classify else Service(args.url, 4, args.timeout, args.classifier)

    results = {"config": {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "images": count, "split": args.split, "selection_seed": SELECTION_SEED,
                          "request_seed": REQUEST_SEED, "noise_seed": NOISE_SEED,
                          "url": None if args.no_classify else args.url,
                          "concurrency": args.concurrency, "baselines_only": args.baselines_only,
                          "tuned_baselines": TUNED, "inpaint_radius": INPAINT_RADIUS,
                          "back_projection_iterations": BACK_PROJECTION_ITERATIONS,
                          "psnr": f"mean over images of per-image PSNR (capped at {PSNR_CAP_DB:g} dB)"},
               "targets": TARGETS, "modes": {}}
    pictures = {}
    runners = {"inpaint": run_inpaint, "super-resolution": run_super_resolution, "denoise": run_denoise,
               "img2img": run_img2img}
    for mode in modes:
        start = time.perf_counter()
        results["modes"][mode] = runners[mode](args, service, classifier, images, labels, seeds, pictures)
        print(f"{mode}: {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)

    os.makedirs(os.path.dirname(os.path.abspath(args.json_out)), exist_ok=True)
    with open(args.json_out, "w") as f:
        json.dump(results, f, indent=2)
    if args.pictures:
        for path in write_pictures(args.pictures, pictures, images, labels):
            print(f"wrote {path}", file=sys.stderr)
    print(markdown(results))
    print(f"full results: {os.path.relpath(args.json_out)}")
    print(headline(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
