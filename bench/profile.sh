#!/usr/bin/env bash
# Where the service's CPU time goes under load: starts the jar with Java Flight Recorder, drives /classify
# (bench/HttpLoad.java, single-image requests at --concurrency) or /generate (8 guided jobs at once, repeatedly) for
# --seconds, and prints bench/jfr_hot.py's summary: CPU samples by layer (ONNX Runtime, our code, Tomcat/Spring,
# JSON, JDK, ...) and the hottest methods. The recording stays in target/bench/profile-WORKLOAD.jfr.
#   bench/profile.sh [--workload classify|generate] [--seconds N] [--concurrency C]
set -euo pipefail
cd "$(dirname "$0")/.."
workload=classify seconds=20 concurrency=32
while [[ $# -gt 0 ]]; do
  case "$1" in
    --workload) workload="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
source bench/lib.sh
jar=$(bench_jar)
mkdir -p target/bench
recording="target/bench/profile-$workload.jfr"
port=$(bench_free_port)
# 10 ms sampling of Java and native frames (the "profile" settings); started after warm-up below.
bench_start "$jar" "$port"
url="http://127.0.0.1:$port"
image=(src/test/resources/fashion-mnist/*.png)
drive() {
  if [[ "$workload" == classify ]]; then
    java bench/HttpLoad.java "$url/classify" "${image[0]}" "$concurrency" 1 "$1"
  else
    /usr/bin/python3 bench/generate_bench.py --url "$url" --steps 50 --jobs 8 --repeats 1 --json >/dev/null
  fi
}
drive 3 >/dev/null
jcmd "$BENCH_PID" JFR.start name=profile settings=profile filename="$PWD/$recording" >/dev/null
drive "$seconds"
jcmd "$BENCH_PID" JFR.stop name=profile >/dev/null
/usr/bin/python3 bench/jfr_hot.py "$recording"
