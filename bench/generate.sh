#!/usr/bin/env bash
# /generate against raw ONNX Runtime on the same denoiser file, interleaved (raw, service, raw, service, ...) for
# --rounds rounds, medians reported. Raw: bench/RawOnnxRuntime.java with the service's session options, one job's
# 2 rows (a chain of calls: 1 session, 1 or 2 threads) and 8 jobs' 16 rows (every sessions x threads layout).
# Service: bench/generate_bench.py (one guided job alone; 8 at once against the same 8 one after another).
# Last line: key=value pairs; everything also goes to target/bench/generate.json. From the repository root:
#   bench/generate.sh [--quick] [--rounds N]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3 seconds=5 steps=50
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) rounds=3 seconds=2 steps=20; shift ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
model=models/fashion-ddpm/model.onnx
source bench/lib.sh
jar=$(bench_jar)
ort_jar=$(bench_ort_jar "$jar")
port=$(bench_free_port)
bench_start "$jar" "$port" --visionserve.default-classifier=

results=$(mktemp)
for round in $(seq "$rounds"); do
  echo "round $round: raw" >&2
  java -cp "$ort_jar" bench/RawOnnxRuntime.java "$model" "$seconds" 1x1x2,1x2x2,1x1x16,1x2x16,2x1x8 \
    | sed "s/^/raw round=$round /" >>"$results"
  echo "round $round: service" >&2
  echo "service round=$round $(/usr/bin/python3 bench/generate_bench.py --url "http://127.0.0.1:$port" \
    --steps "$steps" --json)" >>"$results"
done
mkdir -p target/bench
/usr/bin/python3 - "$results" <<'PY'
import json, statistics, sys
raw, service = {}, []
for line in open(sys.argv[1]):
    kind, _, rest = line.strip().partition(" ")
    if kind == "raw":
        fields = dict(part.split("=") for part in rest.split())
        raw.setdefault(fields["layout"], []).append(float(fields["rows_per_s"]))
    else:
        service.append(json.loads(rest.split(" ", 1)[1]))
med = {layout: statistics.median(values) for layout, values in raw.items()}
print("| raw layout (sessions x threads x batch) | rows/s (median) | runs |")
print("|---|---|---|")
for layout, values in raw.items():
    print(f"| {layout} | {med[layout]:.1f} | {', '.join(f'{v:.1f}' for v in values)} |")
solo_layouts = [l for l in med if l.startswith("1x") and l.endswith("x2")]
batched_layouts = [l for l in med if int(l.split("x")[0]) * int(l.split("x")[2]) == 16]
raw_solo = max(med[l] for l in solo_layouts)
raw_batched = max(med[l] for l in batched_layouts)
service_solo = statistics.median(s["rows_solo"] for s in service)
service_8 = statistics.median(s["rows_concurrent"] for s in service)
gain = statistics.median(s["sequential_s"] / s["concurrent_s"] for s in service)
print()
print("| service (guided, %d steps) | rows/s (median) | runs |" % service[0]["steps"])
print("|---|---|---|")
solo_runs = ", ".join(f"{s['rows_solo']:.1f}" for s in service)
batched_runs = ", ".join(f"{s['rows_concurrent']:.1f}" for s in service)
print(f"| 1 job alone | {service_solo:.1f} | {solo_runs} |")
print(f"| 8 jobs at once | {service_8:.1f} | {batched_runs} |")
summary = {"raw_rows_solo": raw_solo, "raw_rows_batched": raw_batched, "raw_batching_ceiling": raw_batched / raw_solo,
           "service_rows_solo": service_solo, "service_rows_8": service_8,
           "service_vs_raw_ratio": service_8 / raw_batched, "solo_vs_raw_ratio": service_solo / raw_solo,
           "step_batching_gain_8": gain}
with open("target/bench/generate.json", "w") as out:
    json.dump({"raw": raw, "raw_median": med, "service": service, "summary": summary}, out, indent=1)
print()
print(f"raw_rows_solo={raw_solo:.1f} raw_rows_batched={raw_batched:.1f} raw_batching_ceiling={raw_batched / raw_solo:.2f} "
      f"service_rows_solo={service_solo:.1f} service_rows_8={service_8:.1f} "
      f"service_vs_raw_ratio={service_8 / raw_batched:.2f} solo_vs_raw_ratio={service_solo / raw_solo:.2f} "
      f"step_batching_gain_8={gain:.2f}")
PY
