#!/usr/bin/env bash
# Train both models on the GPU machine, in parallel on its one GPU.
# Run from the repository root; needs no network. Results go to $OUT:
#   fashion-resnet.pt       classifier checkpoint (~11 MB)
#   fashion-ddpm-ema.pt     denoiser EMA weights (~12 MB), what export_onnx.py needs
#   fashion-ddpm.pt         full denoiser checkpoint for --resume (~46 MB with the
#                           optimizer state; too big to be fetched back, by design)
#   classifier.log, ddpm.log
# The whole call has a hard limit of ~480 s, so the DDPM run is time-boxed
# (DDPM_SECONDS, default 330 s of training) and saves every 30 s, and the
# logs are written unbuffered so a killed run still leaves useful output.
set -uo pipefail

OUT=${OUT:-$PWD/out}
DATA=${DATA:-.data/fashion-mnist}
DDPM_SECONDS=${DDPM_SECONDS:-330}
SCRIPTS=models/training
export PYTHONUNBUFFERED=1
mkdir -p "$OUT"

nvidia-smi -L
python3 -c 'import torch;print(torch.__version__, torch.cuda.is_available())'

python3 "$SCRIPTS/train_classifier.py" --data "$DATA" --epochs 30 \
    --out "$OUT/fashion-resnet.pt" >"$OUT/classifier.log" 2>&1 &
classifier_pid=$!
python3 "$SCRIPTS/train_ddpm.py" --data "$DATA" --max-seconds "$DDPM_SECONDS" --save-every-seconds 30 \
    --out "$OUT/fashion-ddpm.pt" >"$OUT/ddpm.log" 2>&1 &
ddpm_pid=$!

wait "$classifier_pid"; classifier_rc=$?
wait "$ddpm_pid"; ddpm_rc=$?

echo "== classifier (exit $classifier_rc) =="
tail -n 50 "$OUT/classifier.log"
echo "== ddpm (exit $ddpm_rc) =="
tail -n 40 "$OUT/ddpm.log"
ls -l "$OUT"
[ "$classifier_rc" -eq 0 ] && [ "$ddpm_rc" -eq 0 ]
