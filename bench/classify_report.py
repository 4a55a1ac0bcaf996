"""Turns bench/classify.sh's raw result lines into medians: markdown tables on stdout, the whole result as JSON
(read by bench/plots.py) and, as the last line, the key=value pairs of issue 9.

Input lines: `MODEL raw layout=SxTxB rows_per_s=…` and `MODEL http|unbatched c=C n=N requests=… images_per_s=…
p50_ms=… p99_ms=… errors=… client_cpu_s=… elapsed_s=…`, several rounds of each.

    python3 bench/classify_report.py RESULTS OUT.json --quick false --rounds 3 --cores 2 \
        --seconds fashion-resnet=8,resnet50=10 --duration 900
"""
import argparse
import datetime
import json
import statistics

# Prefix of each model's keys in the last line; the shipped model keeps the unprefixed names.
PREFIX = {"fashion-resnet": "", "resnet50": "resnet50_"}
SERVICE_FIELDS = ("images_per_s", "p50_ms", "p99_ms", "client_cpu_s", "elapsed_s", "errors")


def parse(path):
    models = {}
    for line in open(path):
        if not line.strip():
            continue
        model, kind, *parts = line.split()
        fields = dict(p.split("=", 1) for p in parts)
        entry = models.setdefault(model, {"raw": {}, "service": {}})
        if kind == "raw":
            entry["raw"].setdefault(fields["layout"], []).append(float(fields["rows_per_s"]))
        else:
            key = (kind, int(fields["c"]), int(fields["n"]))
            entry["service"].setdefault(key, []).append({f: float(fields[f]) for f in SERVICE_FIELDS})
    return models


def summarise(name, data, cores):
    raw = []
    for layout, values in data["raw"].items():
        sessions, threads, batch = (int(x) for x in layout.split("x"))
        raw.append(dict(layout=layout, sessions=sessions, threads=threads, batch=batch,
                        images_per_s=statistics.median(values), rounds=values))
    service = []
    for (variant, c, n), rounds in data["service"].items():
        row = dict(variant=variant, concurrency=c, images_per_request=n, rounds=rounds)
        for f in SERVICE_FIELDS:
            row[f] = statistics.median(r[f] for r in rounds)
        # The load generator shares the cores with the server: the share of the machine it took.
        row["client_cpu_share"] = statistics.median(r["client_cpu_s"] / (r["elapsed_s"] * cores) for r in rounds)
        service.append(row)

    def find(variant, c, n):
        return next(r for r in service if (r["variant"], r["concurrency"], r["images_per_request"]) == (variant, c, n))

    best_raw = max(raw, key=lambda r: r["images_per_s"])
    best_http = max((r for r in service if r["variant"] == "http"), key=lambda r: r["images_per_s"])
    c32 = find("http", 32, 1)
    summary = dict(raw_ips=best_raw["images_per_s"], best_raw_layout=best_raw["layout"],
                   http_ips=best_http["images_per_s"],
                   best_http=f"c={best_http['concurrency']} n={best_http['images_per_request']}",
                   http_vs_raw_ratio=best_http["images_per_s"] / best_raw["images_per_s"],
                   batching_gain_c32=c32["images_per_s"] / find("unbatched", 32, 1)["images_per_s"],
                   p99_ms_c32=c32["p99_ms"])
    return dict(raw=raw, service=service, summary=summary)


def print_tables(name, result):
    print(f"### {name}")
    print()
    print("| raw layout (sessions x threads x batch) | img/s (median) | rounds |")
    print("|---|---|---|")
    for r in result["raw"]:
        print(f"| {r['layout']} | {r['images_per_s']:.1f} | {' / '.join(f'{v:.1f}' for v in r['rounds'])} |")
    print()
    print("| service | concurrency | images/request | img/s (median) | p50 ms | p99 ms | errors | client CPU s | client share of the cores |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in result["service"]:
        variant = "as configured" if r["variant"] == "http" else "maxBatchSize 1"
        print(f"| {variant} | {r['concurrency']} | {r['images_per_request']} | {r['images_per_s']:.1f} | "
              f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']:.0f} | {r['client_cpu_s']:.1f} | "
              f"{100 * r['client_cpu_share']:.0f}% |")
    s = result["summary"]
    print()
    print(f"best raw layout {s['best_raw_layout']} ({s['raw_ips']:.1f} img/s); "
          f"best service {s['best_http']} ({s['http_ips']:.1f} img/s)")
    print()


def last_line(results):
    pairs = []
    for name, prefix in PREFIX.items():
        if name not in results:
            continue
        s = results[name]["summary"]
        pairs += [f"{prefix}raw_ips={s['raw_ips']:.1f}", f"{prefix}http_ips={s['http_ips']:.1f}",
                  f"{prefix}http_vs_raw_ratio={s['http_vs_raw_ratio']:.2f}",
                  f"{prefix}batching_gain_c32={s['batching_gain_c32']:.2f}",
                  f"{prefix}p99_ms_c32={s['p99_ms_c32']:.1f}"]
    return " ".join(pairs)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results")
    p.add_argument("json")
    p.add_argument("--quick", default="false")
    p.add_argument("--rounds", type=int, required=True)
    p.add_argument("--cores", type=int, required=True)
    p.add_argument("--seconds", required=True, help="window per model, NAME=S,...")
    p.add_argument("--duration", type=float, required=True)
    args = p.parse_args()
    results = {name: summarise(name, data, args.cores) for name, data in parse(args.results).items()}
    for name, result in results.items():
        print_tables(name, result)
    line = last_line(results)
    document = dict(
        command="bench/classify.sh" + (" --quick" if args.quick == "true" else ""),
        finished=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        quick=args.quick == "true", rounds=args.rounds, cores=args.cores, duration_s=args.duration,
        window_s={k: float(v) for k, v in (kv.split("=") for kv in args.seconds.split(","))},
        models=results, last_line=line)
    with open(args.json, "w") as f:
        json.dump(document, f, indent=2)
    print(line)


if __name__ == "__main__":
    main()
