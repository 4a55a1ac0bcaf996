#!/usr/bin/env bash
# Memory and start-up of the service with the default models: ready_ms = the JVM process's start (/proc/PID/stat)
# to the first readiness UP (polled every 25 ms); then RSS (/proc/PID/status VmRSS) and heap (jvm_memory_* area=heap
# from /actuator/prometheus) after a warm-up, after N /classify requests (bench/HttpLoad.java, concurrency 16) and
# after M /generate requests (default parameters but a label, 8 at once). Full run: 10,000 and 200; --quick: 2,000
# and 40. --nmt adds -XX:NativeMemoryTracking=summary and prints `jcmd VM.native_memory summary.diff` against the
# warm-up baseline. Extra JVM options: BENCH_JAVA_OPTS. Writes target/bench/memory.json; the last line is key=value
# pairs. From the repository root: bench/memory.sh [--quick] [--nmt]
set -euo pipefail
cd "$(dirname "$0")/.."
classify_requests=10000 generations=200 nmt=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) classify_requests=2000 generations=40; shift ;;
    --nmt) nmt=true; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
images=(src/test/resources/fashion-mnist/*.png); image=${images[0]}
source bench/lib.sh
jar=$(bench_jar)
port=$(bench_free_port)
url="http://127.0.0.1:$port"
opts=${BENCH_JAVA_OPTS:-}
[[ $nmt == true ]] && opts="$opts -XX:NativeMemoryTracking=summary"
mkdir -p target/bench
log="target/bench-$port.log"
# Started here rather than by bench_start: its 0.2 s polling is too coarse for ready_ms.
java $opts -jar "$jar" --server.port="$port" >"$log" 2>&1 &
pid=$!
BENCH_PIDS+=("$pid")
# Both ends in the kernel's clock since boot (10 ms ticks), so no wall-clock step can skew the difference.
ready_ms=$(/usr/bin/python3 - "$pid" "$url/actuator/health/readiness" <<'PY'
import os, sys, time, urllib.request
pid, url = sys.argv[1], sys.argv[2]
started = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
deadline = time.monotonic() + 180
while True:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200 and b'"UP"' in response.read():
                break
    except OSError:
        pass
    if not os.path.exists(f"/proc/{pid}") or time.monotonic() > deadline:
        sys.exit("the server exited or was not ready after 180 s")
    time.sleep(0.025)
print(round((float(open("/proc/uptime").read().split()[0]) - started) * 1000))
PY
) || { echo "see $log" >&2; exit 1; }
echo "ready after $ready_ms ms ($(grep -o 'Model repository loaded.*' "$log" || true))" >&2

# point NAME: one line "NAME rss_mb heap_used_mb heap_committed_mb" appended to $points.
points=$(mktemp)
point() {
  local rss heap
  rss=$(awk '/^VmRSS:/ { print $2 / 1024 }' "/proc/$pid/status")
  heap=$(curl -fsS "$url/actuator/prometheus" | awk '
    /^jvm_memory_used_bytes\{.*area="heap"/ { used += $NF }
    /^jvm_memory_committed_bytes\{.*area="heap"/ { committed += $NF }
    END { printf "%.1f %.1f", used / 1048576, committed / 1048576 }')
  echo "$1 $rss $heap" >>"$points"
  echo "$1: rss_mb=$rss heap_used_mb/committed_mb=$heap" >&2
}
classify() { java bench/HttpLoad.java "$url/classify" "$image" 16 1 "requests=$1" >&2; }
generate() {
  /usr/bin/python3 - "$url" "$1" <<'PY' >&2
import json, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
url, count = sys.argv[1], int(sys.argv[2])
def generate(i):
    # The model's default steps, sampler and guidance; a label, so guidance runs (2 rows per step).
    body = json.dumps({"label": i % 10, "seed": i}).encode()
    request = urllib.request.Request(f"{url}/generate", data=body, headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        json.load(response)
    return time.perf_counter() - start
with ThreadPoolExecutor(8) as pool:
    seconds = list(pool.map(generate, range(count)))
print(f"{count} generations, median {sorted(seconds)[len(seconds) // 2]:.2f} s each")
PY
}

echo "warm-up: 500 /classify, 16 /generate" >&2
classify 500
generate 16
point warm
[[ $nmt == true ]] && jcmd "$pid" VM.native_memory baseline >/dev/null
echo "$classify_requests /classify" >&2
classify "$classify_requests"
point after_classify
echo "$generations /generate" >&2
generate "$generations"
point after_generate
nmt_diff=""
if [[ $nmt == true ]]; then
  nmt_diff=target/bench/memory-nmt.txt
  jcmd "$pid" VM.native_memory summary.diff >"$nmt_diff"
  sed -n '1,/^-  *Java Heap/p' "$nmt_diff" | head -20 >&2
fi

/usr/bin/python3 - "$points" "$ready_ms" "$classify_requests" "$generations" "${BENCH_JAVA_OPTS:-}" <<'PY'
import json, sys
points = {}
for line in open(sys.argv[1]):
    name, rss, used, committed = line.split()
    points[name] = {"rss_mb": float(rss), "heap_used_mb": float(used), "heap_committed_mb": float(committed)}
ready_ms, requests, generations, opts = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
print("| after | RSS MB | heap used MB | heap committed MB |")
print("|---|---|---|---|")
labels = {"warm": "warm-up (500 /classify, 16 /generate)", "after_classify": f"+ {requests} /classify",
          "after_generate": f"+ {generations} /generate"}
for name, p in points.items():
    print(f"| {labels[name]} | {p['rss_mb']:.1f} | {p['heap_used_mb']:.1f} | {p['heap_committed_mb']:.1f} |")
start, end = points["warm"], points["after_generate"]
result = {"ready_ms": ready_ms, "classify_requests": requests, "generations": generations, "java_opts": opts,
          "points": points, "rss_start_mb": start["rss_mb"], "rss_end_mb": end["rss_mb"],
          "rss_growth_pct": round(100 * (end["rss_mb"] - start["rss_mb"]) / start["rss_mb"], 1)}
json.dump(result, open("target/bench/memory.json", "w"), indent=2)
print()
print(f"heap_start_mb={start['heap_used_mb']:.1f} heap_end_mb={end['heap_used_mb']:.1f} "
      f"rss_start_mb={start['rss_mb']:.1f} rss_end_mb={end['rss_mb']:.1f} "
      f"rss_growth_pct={result['rss_growth_pct']:.1f} ready_ms={ready_ms}")
PY
