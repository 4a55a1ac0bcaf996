#!/usr/bin/env bash
# Where the service's CPU time goes under load: starts the jar with Java Flight Recorder, drives /classify
# (bench/HttpLoad.java, --images per request at --concurrency) or /generate (8 guided jobs at once, repeatedly) for
# --seconds, and prints bench/jfr_hot.py's summary: CPU samples by layer (ONNX Runtime, our code, Tomcat/Spring,
# JSON, JDK, ...) and the hottest methods. The recording stays in target/bench/profile-WORKLOAD.jfr.
#   bench/profile.sh [--workload classify|generate] [--seconds N] [--concurrency C] [--images N]
set -euo pipefail
cd "$(dirname "$0")/.."
workload=classify seconds=20 concurrency=32 images=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --workload) workload="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --images) images="$2"; shift 2 ;;
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
    java bench/HttpLoad.java "$url/classify" "${image[0]}" "$concurrency" "$images" "$1"
  else
    /usr/bin/python3 bench/generate_bench.py --url "$url" --steps 50 --jobs 8 --repeats 1 --json >/dev/null
  fi
}
# User and kernel CPU seconds of a process (clock ticks of /proc/PID/stat), and of the whole machine.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f %.2f", $14 / hz, $15 / hz}' "/proc/$1/stat"; }
machine() { awk -v hz="$(getconf CLK_TCK)" '/^cpu /{printf "%.2f %.2f %.2f", ($2 + $3) / hz, $4 / hz, $5 / hz}' /proc/stat; }
drive 3 >/dev/null
jcmd "$BENCH_PID" JFR.start name=profile settings=profile filename="$PWD/$recording" >/dev/null
read -r user0 sys0 <<<"$(cpu_of "$BENCH_PID")"; read -r muser0 msys0 idle0 <<<"$(machine)"; start=$(date +%s.%N)
drive "$seconds"
read -r user1 sys1 <<<"$(cpu_of "$BENCH_PID")"; read -r muser1 msys1 idle1 <<<"$(machine)"; end=$(date +%s.%N)
jcmd "$BENCH_PID" JFR.stop name=profile >/dev/null
/usr/bin/python3 bench/jfr_hot.py "$recording"
echo
awk -v w0="$start" -v w1="$end" -v u0="$user0" -v u1="$user1" -v s0="$sys0" -v s1="$sys1" -v mu0="$muser0" \
  -v mu1="$muser1" -v ms0="$msys0" -v ms1="$msys1" -v mi0="$idle0" -v mi1="$idle1" 'BEGIN { w = w1 - w0
  printf "window_s=%.1f service_user_cores=%.2f service_kernel_cores=%.2f machine_user_cores=%.2f machine_kernel_cores=%.2f machine_idle_cores=%.2f\n",
    w, (u1 - u0) / w, (s1 - s0) / w, (mu1 - mu0) / w, (ms1 - ms0) / w, (mi1 - mi0) / w }'
