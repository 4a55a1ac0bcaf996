#!/usr/bin/env bash
# /classify against raw ONNX Runtime on the same classifier files, for the shipped fashion-resnet and an ImageNet
# ResNet-50 (torchvision resnet50(weights=None), exported at bench time by bench/export_resnet50.py into target/),
# interleaved for --rounds rounds (medians):
# raw = bench/RawOnnxRuntime.java (the service's ORT jar and session options) over sessions x threads x batch;
# service = bench/HttpLoad.java on loopback at concurrency 1/8/32/64 with single-image requests, 8-image requests at
# concurrency 8, and single-image requests at concurrency 32 against a second instance whose models have
# maxBatchSize 1 (what batching buys). Both models are served with their model.yaml as shipped/exported: ResNet-50's
# sets no sessions, threads or batching, so it measures the service's defaults.
# Prints markdown tables, writes target/bench/classify.json (read by bench/plots.py), and ends with a key=value line.
# bench/classify.sh [--quick] [--rounds N]: --quick takes about 170 s on 2 cores, the full run about 15 min.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3 quick=false
# Windows per model: ResNet-50 runs at tens of images per second on 2 cores, so a batch of 32 takes about a second.
fashion_s=8 resnet_s=10
fashion_layouts=1x1x1,1x2x1,2x1x1,1x1x8,1x2x8,2x1x8,1x1x32,1x2x32,2x1x32
# A single 1-thread session leaves a core idle; the ResNet-50 sweep skips it to fit the time.
resnet_layouts=1x2x1,2x1x1,1x2x8,2x1x8,1x2x32,2x1x32
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick)
      quick=true fashion_s=1 resnet_s=2
      fashion_layouts=1x2x1,2x1x1,2x1x8,1x2x32 resnet_layouts=1x2x1,2x1x1,1x2x8
      shift ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
began=$SECONDS
source bench/lib.sh
jar=$(bench_jar)
ort_jar=$(bench_ort_jar "$jar")
mkdir -p target/bench/classes target/bench/images
javac -d target/bench/classes -cp "$ort_jar" bench/RawOnnxRuntime.java bench/HttpLoad.java

/usr/bin/python3 bench/export_resnet50.py target/bench/models/resnet50
# A photo-sized RGB test image for ResNet-50 (resized to 256, then cropped to 224 by the service): a Fashion-MNIST
# image upscaled to 320x320 and tinted, as JPEG.
fashion_images=(src/test/resources/fashion-mnist/*.png)
fashion_image=${fashion_images[0]}
resnet_image=target/bench/images/resnet50.jpg
/usr/bin/python3 - "$fashion_image" "$resnet_image" <<'PY'
import sys
from PIL import Image, ImageOps
gray = Image.open(sys.argv[1]).convert("L").resize((320, 320), Image.BILINEAR)
ImageOps.colorize(gray, black="#203040", white="#f0c080").save(sys.argv[2], quality=90)
PY

# Two repositories with both models: as configured, and with maxBatchSize 1 (the model files are links).
make_repo() {
  local repo=$1 name from
  rm -rf "$repo" && mkdir -p "$repo"
  for from in models/fashion-resnet target/bench/models/resnet50; do
    name=$(basename "$from")
    mkdir -p "$repo/$name"
    cp "$from/model.yaml" "$from/labels.txt" "$repo/$name/"
    ln -s "$(realpath "$from/model.onnx")" "$repo/$name/model.onnx"
  done
}
make_repo target/bench/repo-batched
make_repo target/bench/repo-unbatched
for yaml in target/bench/repo-unbatched/*/model.yaml; do
  if grep -q '^  maxBatchSize:' "$yaml"; then
    sed -i 's/^  maxBatchSize: .*/  maxBatchSize: 1/' "$yaml"
  elif grep -q '^batching:' "$yaml"; then
    sed -i 's/^batching:.*/batching:\n  maxBatchSize: 1/' "$yaml"
  else
    printf 'batching:\n  maxBatchSize: 1\n' >>"$yaml"
  fi
done

batched=$(bench_free_port)
bench_start "$jar" "$batched" --visionserve.default-denoiser= --visionserve.model-repository=target/bench/repo-batched
unbatched=$(bench_free_port)
bench_start "$jar" "$unbatched" --visionserve.default-denoiser= --visionserve.model-repository=target/bench/repo-unbatched

results=target/bench/classify-results.txt
: >"$results"
cp="$ort_jar:target/bench/classes"
# bench_model NAME MODEL_FILE IMAGE SECONDS LAYOUTS: one round of one model, raw then service.
bench_model() {
  local name=$1 model=$2 image=$3 seconds=$4 layouts=$5 c
  load() { java -cp "$cp" HttpLoad "http://127.0.0.1:$1/classify?model=$name" "$image" "$2" "$3" "$seconds"; }
  java -cp "$cp" RawOnnxRuntime "$model" "$seconds" "$layouts" | sed "s/^/$name raw /" >>"$results"
  for c in 1 8 32 64; do echo "$name http c=$c n=1 $(load "$batched" "$c" 1)" >>"$results"; done
  echo "$name http c=8 n=8 $(load "$batched" 8 8)" >>"$results"
  echo "$name unbatched c=32 n=1 $(load "$unbatched" 32 1)" >>"$results"
}
for round in $(seq "$rounds"); do
  echo "round $round ($((SECONDS - began)) s)" >&2
  bench_model fashion-resnet models/fashion-resnet/model.onnx "$fashion_image" "$fashion_s" "$fashion_layouts"
  bench_model resnet50 target/bench/models/resnet50/model.onnx "$resnet_image" "$resnet_s" "$resnet_layouts"
done
bench_stop_all
/usr/bin/python3 bench/classify_report.py "$results" target/bench/classify.json \
  --quick "$quick" --rounds "$rounds" --cores "$(nproc)" --seconds "fashion-resnet=$fashion_s,resnet50=$resnet_s" \
  --duration "$((SECONDS - began))"
