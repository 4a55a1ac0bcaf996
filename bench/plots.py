"""Draws the benchmark figures for docs/benchmarks.md from the harnesses' JSON results.

    python3 bench/plots.py OUTPUT_FOLDER [--classify target/bench/classify.json] [--generate target/bench/generate.json]

From bench/classify.sh's JSON, per model:
  classify-throughput-<model>.png  service img/s vs concurrency (single-image requests, batching as configured and
                                   with maxBatchSize 1, and 8-image requests), the best raw ONNX Runtime layout drawn
                                   as a horizontal ceiling;
  classify-raw-<model>.png         raw img/s per sessions x threads x batch layout;
and for both models together:
  classify-batching.png            batching on/off at concurrency 32: throughput and p99 latency, relative to raw.
From bench/generate.sh's JSON, when the file exists: generate-rows.png, raw and service rows/s for one job alone and
for eight at once (the issue's key names, found wherever they are in the file). A missing file is skipped.
"""
import argparse
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)


def service_rows(model, variant, n):
    rows = [r for r in model["service"] if r["variant"] == variant and r["images_per_request"] == n]
    return sorted(rows, key=lambda r: r["concurrency"])


def throughput_plot(name, model, out):
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for variant, n, style, label in (("http", 1, "o-", "single-image requests"),
                                      ("http", 8, "s", "8-image requests"),
                                      ("unbatched", 1, "x--", "single-image, maxBatchSize 1")):
        rows = service_rows(model, variant, n)
        if rows:
            ax.plot([r["concurrency"] for r in rows], [r["images_per_s"] for r in rows], style, label=label,
                    markersize=7)
    summary = model["summary"]
    ax.axhline(summary["raw_ips"], color="grey", linestyle=":",
               label=f"raw ONNX Runtime, best layout {summary['best_raw_layout']}")
    ax.set_xscale("log", base=2)
    concurrencies = sorted({r["concurrency"] for r in model["service"]})
    ax.set_xticks(concurrencies, [str(c) for c in concurrencies])
    ax.set_ylim(bottom=0, top=summary["raw_ips"] * 1.15)
    ax.set_xlabel("concurrent clients")
    ax.set_ylabel("images / s")
    ax.set_title(f"/classify, {name}: service vs raw runtime")
    ax.legend(loc="lower right", fontsize="small")
    ax.grid(alpha=0.3)
    save(fig, out, f"classify-throughput-{name}.png")


def raw_plot(name, model, out):
    rows = sorted(model["raw"], key=lambda r: (r["batch"], r["sessions"], r["threads"]))
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.bar([r["layout"] for r in rows], [r["images_per_s"] for r in rows], color="tab:grey")
    ax.set_xlabel("sessions x intra-op threads x batch")
    ax.set_ylabel("images / s")
    ax.set_title(f"raw ONNX Runtime, {name}")
    ax.tick_params(axis="x", labelrotation=45)
    ax.grid(axis="y", alpha=0.3)
    save(fig, out, f"classify-raw-{name}.png")


def batching_plot(models, out):
    names = [n for n, m in models.items() if service_rows(m, "unbatched", 1) and service_rows(m, "http", 1)]
    if not names:
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.8))
    width = 0.38
    for i, name in enumerate(names):
        model = models[name]
        on = next(r for r in service_rows(model, "http", 1) if r["concurrency"] == 32)
        off = next(r for r in service_rows(model, "unbatched", 1) if r["concurrency"] == 32)
        raw = model["summary"]["raw_ips"]
        left.bar(i - width / 2, on["images_per_s"] / raw, width, color="tab:blue",
                 label="batching as configured" if i == 0 else None)
        left.bar(i + width / 2, off["images_per_s"] / raw, width, color="tab:orange",
                 label="maxBatchSize 1" if i == 0 else None)
        right.bar(i - width / 2, on["p99_ms"], width, color="tab:blue")
        right.bar(i + width / 2, off["p99_ms"], width, color="tab:orange")
    for ax in (left, right):
        ax.set_xticks(range(len(names)), names)
        ax.grid(axis="y", alpha=0.3)
    left.axhline(1.0, color="grey", linestyle=":")
    left.set_ylabel("throughput / best raw layout")
    left.set_title("throughput at c=32")
    left.set_ylim(0, 1.4)
    left.legend(fontsize="small", loc="upper left")
    right.set_yscale("log")
    right.set_ylabel("p99 latency, ms (log)")
    right.set_title("p99 at c=32")
    save(fig, out, "classify-batching.png")


GENERATE_KEYS = ("raw_rows_solo", "service_rows_solo", "raw_rows_batched", "service_rows_8")


def find_keys(node, found):
    """The issue's generate.sh keys wherever they are: top level, nested, or in a key=value last line."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in GENERATE_KEYS and isinstance(value, (int, float)) and key not in found:
                found[key] = float(value)
            find_keys(value, found)
    elif isinstance(node, list):
        for value in node:
            find_keys(value, found)
    elif isinstance(node, str) and "=" in node:
        for pair in node.split():
            key, _, value = pair.partition("=")
            if key in GENERATE_KEYS and key not in found:
                try:
                    found[key] = float(value)
                except ValueError:
                    pass
    return found


def generate_plot(document, out):
    found = find_keys(document, {})
    if not found:
        print("generate.json has none of the keys " + ", ".join(GENERATE_KEYS) + "; no generate plot")
        return
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    groups = (("one job alone", "raw_rows_solo", "service_rows_solo"),
              ("8 jobs at once", "raw_rows_batched", "service_rows_8"))
    width = 0.38
    for i, (label, raw_key, service_key) in enumerate(groups):
        for offset, key, color, name in ((-width / 2, raw_key, "tab:grey", "raw ONNX Runtime"),
                                         (width / 2, service_key, "tab:blue", "service")):
            if key in found:
                ax.bar(i + offset, found[key], width, color=color, label=name if i == 0 else None)
    ax.set_xticks(range(len(groups)), [g[0] for g in groups])
    ax.set_ylabel("denoiser rows / s")
    ax.set_title("/generate: service vs raw runtime")
    ax.legend(fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    save(fig, out, "generate-rows.png")


def save(fig, out, name):
    fig.tight_layout()
    path = os.path.join(out, name)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(path)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", help="folder for the PNG files")
    p.add_argument("--classify", default="target/bench/classify.json")
    p.add_argument("--generate", default="target/bench/generate.json")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if os.path.exists(args.classify):
        with open(args.classify) as f:
            models = json.load(f)["models"]
        for name, model in models.items():
            throughput_plot(name, model, args.out)
            raw_plot(name, model, args.out)
        batching_plot(models, args.out)
    else:
        print(f"{args.classify} not found (run bench/classify.sh); no classify plots")
    if os.path.exists(args.generate):
        with open(args.generate) as f:
            generate_plot(json.load(f), args.out)
    else:
        print(f"{args.generate} not found; no generate plot")


if __name__ == "__main__":
    main()
