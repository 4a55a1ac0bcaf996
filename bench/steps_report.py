"""Results of bench/steps.sh: appends one configuration to the JSON-lines log, and builds the table, the key=value
line and the plot from every logged configuration of the same models, image count and guidance.

    steps_report.py record --log L.jsonl --result JSON --generated G.npy --test T.npy --key k=v ...
    steps_report.py report --log L.jsonl --test T.npy --train TR.npy --train-labels LABELS.gz --key k=v ...
                           [--real-cache FILE.json] [--plot FILE.png]

Keys (classifier_sha, denoiser, denoiser_sha, images, guidance) say which results belong together, so a long run
can be done in pieces and a changed model never mixes with old figures.
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fd  # noqa: E402

# The bar: a configuration is "as good as DDIM-50" within this factor of its distance.
TOLERANCE = 1.2


def keys(pairs):
    out = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        out[name] = int(value) if name == "images" else value
    return out


def record(args):
    result = json.loads(args.result)
    result.update(keys(args.key))
    result["fd"] = round(fd.distance(np.load(args.generated), np.load(args.test)), 4)
    result["time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with open(args.log, "a") as log:
        log.write(json.dumps(result, sort_keys=True) + "\n")
    print(f"{result['sampler']} {result['steps']} steps: fd={result['fd']:.3f} agreement={result['agreement']:.3f} "
          f"seconds_per_image={result['seconds_per_image']:.4f}", file=sys.stderr)


def balanced_subset(labels, per_class):
    chosen = []
    for c in range(int(labels.max()) + 1):
        chosen.extend(np.flatnonzero(labels == c)[:per_class])
    return np.sort(np.array(chosen))


def read_labels(path, count):
    with gzip.open(path, "rb") as f:
        data = f.read()
    assert int.from_bytes(data[:4], "big") == 2049, f"{path} is not an idx1-ubyte label file"
    return np.frombuffer(data, dtype=np.uint8, offset=8)[:count]


def floors(args, images):
    """fd_real (all training images against the test set; cached by file names, which carry the model's sha) and the
    floor at the generated sample size (a class-balanced subset of training images, as many as were generated)."""
    train, test = np.load(args.train), np.load(args.test)
    cached = {}
    if args.real_cache and os.path.exists(args.real_cache):
        cached = json.load(open(args.real_cache))
    if cached.get("train_images") != len(train):
        cached = {"train_images": len(train), "fd_real": round(fd.distance(train, test), 4)}
        if args.real_cache:
            json.dump(cached, open(args.real_cache, "w"))
    labels = read_labels(args.train_labels, len(train))
    subset = balanced_subset(labels, images // 10)
    return cached["fd_real"], len(train), round(fd.distance(train[subset], test), 4)


def report(args):
    wanted = keys(args.key)
    latest = {}
    for line in open(args.log):
        entry = json.loads(line)
        if all(entry.get(name) == value for name, value in wanted.items()):
            latest[(entry["sampler"], entry["steps"])] = entry  # later lines replace earlier ones
    if not latest:
        sys.exit(f"no results in {args.log} for {wanted}")
    fd_real, train_images, fd_floor_n = floors(args, wanted["images"])
    ddim_50 = latest.get(("ddim", 50), {}).get("fd", math.nan)
    threshold = TOLERANCE * ddim_50
    good = [e for e in latest.values() if e["fd"] <= threshold]
    best = min(good, key=lambda e: (e["steps"], e["fd"])) if good else None

    print(f"Frechet distance in the classifier's penultimate features (dim {np.load(args.test).shape[1]}) against the "
          f"{len(np.load(args.test)):,} test images; {wanted['images']:,} images per configuration, 1 per request, "
          f"{next(iter(latest.values()))['concurrency']} requests in flight; guidance {wanted['guidance']}.")
    print(f"Floors: {train_images:,} training images vs test = {fd_real:.3f} (fd_real); "
          f"{wanted['images']:,} class-balanced training images vs test = {fd_floor_n:.3f} (the floor at this sample "
          f"size).")
    print()
    print("| sampler | steps | FD | FD / FD(DDIM-50) | FD / floor at N | label agreement | s per image (c=16) |")
    print("|---|---|---|---|---|---|---|")
    for (sampler, steps), e in sorted(latest.items()):
        print(f"| {sampler} | {steps} | {e['fd']:.3f} | {e['fd'] / ddim_50:.2f} | {e['fd'] / fd_floor_n:.2f} | "
              f"{e['agreement'] * 100:.1f}% | {e['seconds_per_image']:.4f} |")
    print()
    if args.plot:
        plot(args.plot, latest, fd_real, train_images, fd_floor_n, threshold, wanted)
        print(f"plot: {args.plot}")
    print(f"fd_real={fd_real:.3f} fd_ddim_50={ddim_50:.3f} "
          f"min_steps_fd={best['steps'] if best else 'none'} sampler_fd={best['sampler'] if best else 'none'} "
          f"fd_at_min={best['fd'] if best else math.nan:.3f} "
          f"seconds_per_image_at_min={best['seconds_per_image'] if best else math.nan:.4f}")


def plot(path, latest, fd_real, train_images, fd_floor_n, threshold, wanted):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (distance_axes, agreement_axes) = plt.subplots(1, 2, figsize=(11, 4.2))
    for sampler in sorted({s for s, _ in latest}):
        entries = sorted((e for (s, _), e in latest.items() if s == sampler), key=lambda e: e["steps"])
        steps = [e["steps"] for e in entries]
        distance_axes.plot(steps, [e["fd"] for e in entries], marker="o", label=sampler)
        agreement_axes.plot(steps, [100 * e["agreement"] for e in entries], marker="o", label=sampler)
    if math.isfinite(threshold):
        distance_axes.axhline(threshold, color="gray", linestyle="--", label=f"{TOLERANCE} x DDIM-50")
    distance_axes.axhline(fd_floor_n, color="black", linestyle=":", label=f"real vs real, {wanted['images']} images")
    distance_axes.axhline(fd_real, color="black", linestyle="-.", label=f"real vs real, {train_images:,} vs 10,000")
    for axes in (distance_axes, agreement_axes):
        axes.set_xscale("log")
        axes.set_xticks([5, 8, 10, 15, 20, 30, 50])
        axes.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
        axes.set_xlabel("sampler steps (guided: 2 denoiser rows per step)")
        axes.grid(alpha=0.3)
    distance_axes.set_ylabel("Frechet distance (classifier features)")
    distance_axes.set_ylim(bottom=0)
    agreement_axes.set_ylabel("label agreement (%)")
    agreement_axes.set_ylim(top=100.5)
    distance_axes.legend(fontsize=8)
    figure.suptitle(f"Quality per model call: {wanted['denoiser']}, {wanted['images']} images per point, "
                    f"guidance {wanted['guidance']}")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["record", "report"])
    parser.add_argument("--log", required=True)
    parser.add_argument("--key", action="append", default=[])
    parser.add_argument("--result")
    parser.add_argument("--generated")
    parser.add_argument("--test")
    parser.add_argument("--train")
    parser.add_argument("--train-labels")
    parser.add_argument("--real-cache")
    parser.add_argument("--plot")
    args = parser.parse_args()
    (record if args.command == "record" else report)(args)


if __name__ == "__main__":
    main()
