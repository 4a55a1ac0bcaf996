# Shared by the bench/*.sh harnesses (source it from the repository root). The jar, the ONNX Runtime jar the service
# ships with, free ports, and servers started and stopped with the harness.

# The service jar: an existing target/visionserve-*.jar unless BENCH_BUILD=true; otherwise `${MVN:-mvn} package`.
bench_jar() {
  local jar
  jar=$(ls target/visionserve-*.jar 2>/dev/null | grep -v -- '-plain\|sources\|javadoc' | head -1 || true)
  if [[ -z "$jar" || "${BENCH_BUILD:-false}" == true ]]; then
    echo "building the jar (${MVN:-mvn} -DskipTests package)" >&2
    ${MVN:-mvn} -q -DskipTests package >&2
    jar=$(ls target/visionserve-*.jar | grep -v -- '-plain\|sources\|javadoc' | head -1)
  fi
  echo "$jar"
}

# The ONNX Runtime jar inside the service jar, so raw loops run the very same runtime.
bench_ort_jar() {
  mkdir -p target/bench-lib
  unzip -q -o -j "$1" 'BOOT-INF/lib/onnxruntime-*.jar' -d target/bench-lib
  ls target/bench-lib/onnxruntime-*.jar | head -1
}

bench_free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

BENCH_PIDS=()
bench_stop_all() {
  local p
  for p in ${BENCH_PIDS[@]+"${BENCH_PIDS[@]}"}; do kill "$p" 2>/dev/null || true; done
  for p in ${BENCH_PIDS[@]+"${BENCH_PIDS[@]}"}; do wait "$p" 2>/dev/null || true; done
}
trap bench_stop_all EXIT

# bench_start JAR PORT [service arguments...]: starts the service with BENCH_JAVA_OPTS, waits for readiness (at most
# 180 s); its pid is appended to BENCH_PIDS and stored in BENCH_PID, its log is target/bench-PORT.log.
bench_start() {
  local jar=$1 port=$2 deadline=$((SECONDS + 180))
  mkdir -p target
  java ${BENCH_JAVA_OPTS:-} -jar "$jar" --server.port="$port" "${@:3}" >"target/bench-$port.log" 2>&1 &
  BENCH_PID=$!
  BENCH_PIDS+=("$BENCH_PID")
  until curl -fsS "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1; do
    kill -0 "$BENCH_PID" 2>/dev/null || { echo "the server exited; see target/bench-$port.log" >&2; exit 1; }
    (( SECONDS < deadline )) || { echo "not ready after 180 s; see target/bench-$port.log" >&2; exit 1; }
    sleep 0.2
  done
}
