#!/usr/bin/env bash
# Quality and cost of the editing endpoints (issue 8) beside classical baselines: builds the jar if there is none,
# starts it on a free port with the shipped models, runs models/training/evaluate_editing.py against it, stops it.
# Prints markdown tables and, as the last line, key=value pairs of the headline figures; the full results go to
# target/editing-eval.json. From the repository root:
#   bench/editing.sh [--quick] [--split train|test] [--build] [--jar target/visionserve-*.jar] [other evaluate_editing.py options]
# e.g. bench/editing.sh --quick --pictures docs/images, or bench/editing.sh --resample-count 5 --split train.
# --build rebuilds the jar first (otherwise an existing one is used as it is); MVN is the Maven command (default: mvn).
set -euo pipefail

jar=""
build=false
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --jar) jar="$2"; shift 2 ;;
    --build) build=true; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
cd "$(dirname "$0")/.."
find_jar() { ls target/visionserve-*.jar 2>/dev/null | grep -v -- '-plain\|sources\|javadoc' | head -1 || true; }
if [[ -z "$jar" ]]; then
  jar=$(find_jar)
  if [[ -z "$jar" || "$build" == true ]]; then
    echo "building the jar (${MVN:-mvn} -DskipTests package)" >&2
    ${MVN:-mvn} -q -DskipTests package >&2
    jar=$(find_jar)
  fi
fi
[[ -n "$jar" && -f "$jar" ]] || { echo "no jar at ${jar:-target/visionserve-*.jar}" >&2; exit 1; }

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp -t visionserve-editing.XXXXXX.log)
java ${EDITING_JAVA_OPTS:-} -jar "$jar" --server.port="$port" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
echo "server pid $pid on port $port, log $log, jar $jar" >&2

deadline=$((SECONDS + 180))
until curl -fsS "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1; do
  if ! kill -0 "$pid" 2>/dev/null; then echo "the server exited; see $log" >&2; exit 1; fi
  if (( SECONDS > deadline )); then echo "not ready after 180 s; see $log" >&2; exit 1; fi
  sleep 1
done
echo "ready; evaluating" >&2
/usr/bin/python3 models/training/evaluate_editing.py --url "http://127.0.0.1:$port" ${args[@]+"${args[@]}"}
