#!/usr/bin/env bash
# Soak test: starts the built jar, drives mixed /classify + /generate load for N minutes with bench/soak_client.py,
# samples the server's RSS every 10 s and prints a table and a last line
#   rss_start_mb=... rss_end_mb=... rss_slope_mb_per_hour=...
# Build first (mvn package), then from the repository root:
#   bench/soak.sh [--minutes N] [--port P] [--jar target/visionserve-*.jar] [-- extra soak_client.py options]
set -euo pipefail

minutes=5
port=18080
jar=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --jar) jar="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
if [[ -z "$jar" ]]; then
  jar=$(ls target/visionserve-*.jar 2>/dev/null | grep -v -- '-plain\|sources\|javadoc' | head -1 || true)
fi
[[ -n "$jar" && -f "$jar" ]] || { echo "no jar: build with mvn package first, or pass --jar" >&2; exit 1; }

log=$(mktemp -t visionserve-soak.XXXXXX.log)
java ${SOAK_JAVA_OPTS:-} -jar "$jar" --server.port="$port" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
echo "server pid $pid, log $log, jar $jar"

deadline=$((SECONDS + 180))
until curl -fsS "http://localhost:$port/actuator/health/readiness" >/dev/null 2>&1; do
  if ! kill -0 "$pid" 2>/dev/null; then echo "the server exited; see $log" >&2; exit 1; fi
  if (( SECONDS > deadline )); then echo "not ready after 180 s; see $log" >&2; exit 1; fi
  sleep 1
done
echo "ready; soaking for $minutes min"
/usr/bin/python3 bench/soak_client.py --url "http://localhost:$port" --pid "$pid" --minutes "$minutes" "$@"
