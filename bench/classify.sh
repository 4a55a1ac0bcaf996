#!/usr/bin/env bash
# /classify against raw ONNX Runtime on the same classifier file, interleaved for --rounds rounds (medians):
# raw = bench/RawOnnxRuntime.java (the service's ORT jar and session options) over sessions x threads x batch;
# service = bench/HttpLoad.java on loopback at concurrency 1/8/32/64 with single-image requests, 8-image requests at
# concurrency 8, and single-image requests at concurrency 32 against a second instance whose model has
# maxBatchSize 1 (what batching buys). Last line: key=value pairs. bench/classify.sh [--quick] [--rounds N]
# Still missing: the bench-time ResNet-50 (224x224 RGB) model.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3 seconds=8
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) rounds=3 seconds=2; shift ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
model=models/fashion-resnet/model.onnx
images=(src/test/resources/fashion-mnist/*.png); image=${images[0]}
source bench/lib.sh
jar=$(bench_jar)
ort_jar=$(bench_ort_jar "$jar")
# The same model with batching off, in a repository of its own.
rm -rf target/bench-models && mkdir -p target/bench-models && cp -r models/fashion-resnet target/bench-models/
sed -i 's/^  maxBatchSize: .*/  maxBatchSize: 1/' target/bench-models/fashion-resnet/model.yaml

batched=$(bench_free_port); bench_start "$jar" "$batched" --visionserve.default-denoiser=
unbatched=$(bench_free_port)
bench_start "$jar" "$unbatched" --visionserve.default-denoiser= --visionserve.model-repository=target/bench-models

results=$(mktemp)
load() { java bench/HttpLoad.java "http://127.0.0.1:$1/classify" "$image" "$2" "$3" "$seconds"; }
for round in $(seq "$rounds"); do
  echo "round $round" >&2
  java -cp "$ort_jar" bench/RawOnnxRuntime.java "$model" "$seconds" \
    1x1x1,1x2x1,2x1x1,1x1x8,1x2x8,2x1x8,1x1x32,1x2x32,2x1x32 | sed "s/^/raw /" >>"$results"
  for c in 1 8 32 64; do echo "http c=$c n=1 $(load "$batched" "$c" 1)" >>"$results"; done
  echo "http c=8 n=8 $(load "$batched" 8 8)" >>"$results"
  echo "unbatched c=32 n=1 $(load "$unbatched" 32 1)" >>"$results"
done
/usr/bin/python3 - "$results" <<'PY'
import statistics, sys
series = {}
for line in open(sys.argv[1]):
    kind, *parts = line.split()
    fields = dict(p.split("=", 1) for p in parts)
    key = (kind, fields.get("layout") or f"c={fields['c']} n={fields['n']}")
    series.setdefault(key, []).append(fields)
def med(key, field):
    return statistics.median(float(f[field]) for f in series[key])
print("| raw layout (sessions x threads x batch) | img/s (median) |")
print("|---|---|")
raw = {k[1]: med(k, "rows_per_s") for k in series if k[0] == "raw"}
for layout, value in raw.items():
    print(f"| {layout} | {value:.1f} |")
print()
print("| service | img/s (median) | p50 ms | p99 ms | client CPU s |")
print("|---|---|---|---|---|")
http = {}
for key in series:
    if key[0] != "raw":
        http[key] = med(key, "images_per_s")
        print(f"| {key[0]} {key[1]} | {http[key]:.1f} | {med(key, 'p50_ms'):.1f} | {med(key, 'p99_ms'):.1f} | "
              f"{med(key, 'client_cpu_s'):.1f} |")
raw_ips = max(raw.values())
http_ips = max(v for k, v in http.items() if k[0] == "http")
c32 = http[("http", "c=32 n=1")]
print()
print(f"raw_ips={raw_ips:.1f} http_ips={http_ips:.1f} http_vs_raw_ratio={http_ips / raw_ips:.2f} "
      f"batching_gain_c32={c32 / http[('unbatched', 'c=32 n=1')]:.2f} p99_ms_c32={med(('http', 'c=32 n=1'), 'p99_ms'):.1f}")
PY
