#!/usr/bin/env bash
# Memory and start-up of the service with the default models: ready_ms = the JVM process's start (/proc/PID/stat)
# to the first readiness UP (polled every 25 ms), the median of --starts starts (3; --quick: 1); then RSS
# (/proc/PID/status VmRSS), heap (jvm_memory_* area=heap from /actuator/prometheus) and the heap's resident pages
# after a warm-up, after each quarter of N /classify requests (bench/HttpLoad.java, concurrency 16) and of M /generate
# requests (default parameters but a label, 8 at once). Full run: 10,000 and 200; --quick: 2,000 and 40.
# --ready-only stops after the starts. --nmt adds -XX:NativeMemoryTracking=summary and writes
# `jcmd VM.native_memory summary.diff` against the warm-up baseline to target/bench/memory-nmt.txt. BENCH_JAR: another
# jar; BENCH_JAVA_OPTS: JVM options. Writes target/bench/memory.json; the last line is key=value pairs.
# From the repository root: bench/memory.sh [--quick] [--starts N] [--ready-only] [--nmt]
set -euo pipefail
cd "$(dirname "$0")/.."
classify_requests=10000 generations=200 starts=3 nmt=false ready_only=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) classify_requests=2000 generations=40 starts=1; shift ;;
    --starts) starts="$2"; shift 2 ;;
    --ready-only) ready_only=true; shift ;;
    --nmt) nmt=true; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
images=(src/test/resources/fashion-mnist/*.png); image=${images[0]}
source bench/lib.sh
jar=${BENCH_JAR:-$(bench_jar)}
opts=${BENCH_JAVA_OPTS:-}
[[ $nmt == true ]] && opts="$opts -XX:NativeMemoryTracking=summary"
mkdir -p target/bench

# start_server: a server on a free port (pid, url, log); its ready_ms is appended to $ready_runs. Started here rather
# than by bench_start: its 0.2 s polling is too coarse for ready_ms.
ready_runs=()
start_server() {
  local port ms
  port=$(bench_free_port)
  url="http://127.0.0.1:$port"
  log="target/bench-$port.log"
  java $opts -jar "$jar" --server.port="$port" >"$log" 2>&1 &
  pid=$!
  BENCH_PIDS+=("$pid")
  # Both ends in the kernel's clock since boot (10 ms ticks), so no wall-clock step can skew the difference.
  ms=$(/usr/bin/python3 - "$pid" "$url/actuator/health/readiness" <<'PY'
import os, sys, time, urllib.request
pid, url = sys.argv[1], sys.argv[2]
stat = lambda: open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
started = int(stat()[19]) / os.sysconf("SC_CLK_TCK")
deadline = time.monotonic() + 180
while True:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200 and b'"UP"' in response.read():
                break
    except OSError:
        pass
    if stat()[0] == "Z" or time.monotonic() > deadline:
        sys.exit("the server exited or was not ready after 180 s")
    time.sleep(0.025)
print(round((float(open("/proc/uptime").read().split()[0]) - started) * 1000))
PY
  ) || { echo "see $log" >&2; exit 1; }
  ready_runs+=("$ms")
  echo "ready after $ms ms ($(grep -o 'Started .*' "$log" || true); $(grep -o 'Model repository loaded.*' "$log" || true))" >&2
}
# Start-up varies run to run: the extra starts are stopped at once, the last one is measured under load.
for _ in $(seq $((starts - 1))); do
  start_server
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
start_server
ready_ms=$(printf '%s\n' "${ready_runs[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
if [[ $ready_only == true ]]; then
  echo "ready_ms=$ready_ms ready_runs=$(IFS=,; echo "${ready_runs[*]}")"
  exit 0
fi

# point NAME: one line "NAME rss_mb heap_used_mb heap_committed_mb heap_resident_mb rss_file_mb" appended to $points.
# heap_resident_mb: the resident part of the Java heap's address range (jcmd GC.heap_info, /proc/PID/smaps), so the
# rest of RssAnon is native memory (ONNX Runtime, malloc, metaspace, code cache, thread stacks).
points=$(mktemp)
point() {
  local rss heap resident
  rss=$(awk '/^VmRSS:/ { rss = $2 } /^RssFile:/ { file = $2 } END { printf "%.1f %.1f", rss / 1024, file / 1024 }' \
    "/proc/$pid/status")
  heap=$(curl -fsS "$url/actuator/prometheus" | awk '
    /^jvm_memory_used_bytes\{.*area="heap"/ { used += $NF }
    /^jvm_memory_committed_bytes\{.*area="heap"/ { committed += $NF }
    END { printf "%.1f %.1f", used / 1048576, committed / 1048576 }')
  resident=$(jcmd "$pid" GC.heap_info | grep -o '\[0x[0-9a-f]*, 0x[0-9a-f]*)' | head -1 \
    | /usr/bin/python3 -c '
import re, sys
lo, hi = (int(x, 16) for x in re.findall("0x[0-9a-f]+", sys.stdin.read()))
kb, inside = 0, False
for line in open(f"/proc/{sys.argv[1]}/smaps"):
    if re.match("^[0-9a-f]+-[0-9a-f]+ ", line):
        start = int(line.split("-")[0], 16)
        inside = lo <= start < hi
    elif inside and line.startswith("Rss:"):
        kb += int(line.split()[1])
print(f"{kb / 1024:.1f}")' "$pid")
  echo "$1 ${rss% *} $heap $resident ${rss#* }" >>"$points"
  echo "$1: rss_mb rss_file_mb=$rss heap_used_mb heap_committed_mb=$heap heap_resident_mb=$resident" >&2
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
# In quarters, so the table shows whether memory levels off or keeps growing.
for quarter in 1 2 3 4; do
  echo "/classify, quarter $quarter of $classify_requests" >&2
  classify $((classify_requests / 4))
  point "classify_q$quarter"
done
for quarter in 1 2 3 4; do
  echo "/generate, quarter $quarter of $generations" >&2
  generate $((generations / 4))
  point "generate_q$quarter"
done
nmt_diff=""
if [[ $nmt == true ]]; then
  nmt_diff=target/bench/memory-nmt.txt
  jcmd "$pid" VM.native_memory summary.diff >"$nmt_diff"
  sed -n '1,/^-  *Java Heap/p' "$nmt_diff" | head -20 >&2
fi

/usr/bin/python3 - "$points" "$ready_ms" "$classify_requests" "$generations" "${BENCH_JAVA_OPTS:-}" \
  "$(IFS=,; echo "${ready_runs[*]}")" <<'PY'
import json, sys
points = {}
for line in open(sys.argv[1]):
    name, *values = line.split()
    keys = ["rss_mb", "heap_used_mb", "heap_committed_mb", "heap_resident_mb", "rss_file_mb"]
    points[name] = dict(zip(keys, map(float, values)))
ready_ms, requests, generations, opts = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
# Native: what is neither the heap's resident pages nor mapped files (jar, libraries, the model files).
for p in points.values():
    p["native_mb"] = round(p["rss_mb"] - p["heap_resident_mb"] - p["rss_file_mb"], 1)
print("| after | RSS MB | heap used MB | heap committed MB | heap resident MB | files MB | native MB |")
print("|---|---|---|---|---|---|---|")
labels = {"warm": "warm-up (500 /classify, 16 /generate)"}
labels.update({f"classify_q{q}": f"+ {q * requests // 4} /classify" for q in range(1, 5)})
labels.update({f"generate_q{q}": f"+ {requests} /classify + {q * generations // 4} /generate" for q in range(1, 5)})
for name, p in points.items():
    print(f"| {labels[name]} | {p['rss_mb']:.1f} | {p['heap_used_mb']:.1f} | {p['heap_committed_mb']:.1f} "
          f"| {p['heap_resident_mb']:.1f} | {p['rss_file_mb']:.1f} | {p['native_mb']:.1f} |")
start, end = points["warm"], points["generate_q4"]
result = {"ready_ms": ready_ms, "ready_runs_ms": [int(v) for v in sys.argv[6].split(",")],
          "classify_requests": requests, "generations": generations, "java_opts": opts,
          "points": points, "rss_start_mb": start["rss_mb"], "rss_end_mb": end["rss_mb"],
          "rss_growth_pct": round(100 * (end["rss_mb"] - start["rss_mb"]) / start["rss_mb"], 1)}
json.dump(result, open("target/bench/memory.json", "w"), indent=2)
print()
print(f"heap_start_mb={start['heap_used_mb']:.1f} heap_end_mb={end['heap_used_mb']:.1f} "
      f"rss_start_mb={start['rss_mb']:.1f} rss_end_mb={end['rss_mb']:.1f} "
      f"rss_growth_pct={result['rss_growth_pct']:.1f} ready_ms={ready_ms}")
PY
