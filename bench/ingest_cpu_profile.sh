#!/usr/bin/env bash
# ingest_cpu_profile: user-space instructions per single-record produce, counted by callgrind,
# for `pinpipe up` and for the floor server (bench/floor_server.c) under the same wrk load as
# ingest_bench.sh (one ~600-byte pin record per POST). Instruction counts do not depend on
# how busy the machine or the disk is (the timed benches swing by 10-20% between runs here),
# so this is the bench to tell whether a change to the request path made it cheaper.
#
# It prints, per server: requests answered under callgrind, instructions per request (all
# threads, from the first request to the last), and for pinpipe the share of the main parts of
# the path (inclusive: a part counts what it calls); then pinpipe/floor, the ratio of instructions per request. Kernel time (recv,
# send, fdatasync: about half of the server's CPU in ingest_bench) is not counted, so the
# ratio measures only what the server's own code costs.
# fsync/fdatasync are replaced by a fixed 200 us sleep (build/release/bench/libfsync_noop.so),
# so group sizes do not depend on the disk.
#
#   bench/ingest_cpu_profile.sh
# Env: PINPIPE_BINARY (default build/release/pinpipe), DURATION (15s of wrk under callgrind),
#      CONNECTIONS (16), BENCH_KEEP=1 (keep the callgrind files, in the printed directory),
#      PINPIPE_PRELOAD (a library preloaded into pinpipe too, e.g. another malloc:
#      /usr/lib/x86_64-linux-gnu/libjemalloc.so.2).
set -euo pipefail
source "$(dirname "$0")/common.sh"
export PINPIPE_SINK_ENABLED=false PINPIPE_SCHEDULER_ENABLED=false

pinpipe_bin=${PINPIPE_BINARY:-$bench_root/build/release/pinpipe}
floor_bin=$(dirname "$pinpipe_bin")/bench/floor_server
preload=$(dirname "$pinpipe_bin")/bench/libfsync_noop.so
for f in "$pinpipe_bin" "$floor_bin" "$preload"; do
  [[ -e $f ]] || { echo "ingest_cpu_profile: build $f first (make build)" >&2; exit 2; }
done
for tool in valgrind callgrind_control callgrind_annotate; do
  command -v "$tool" >/dev/null || { echo "ingest_cpu_profile: need $tool (valgrind)" >&2; exit 2; }
done
user=${PINPIPE_USER_ID:-0a1b2c3d4e5f}
bench_duration=${DURATION:-15s}
bench_connections=${CONNECTIONS:-16}

bench_init ingest-cpu
bench_machine
bench_post_lua "$bench_work/post.lua"

# Runs "$@" (a server listening on $port) under callgrind, zeroes the counts once it answers,
# puts the load on it, dumps. -> $profile_requests, $profile_file.
profile() {  # name health_url url command...
  local name=$1 health=$2 url=$3 pid preloads=$preload
  shift 3
  [[ $name == pinpipe && -n ${PINPIPE_PRELOAD:-} ]] && preloads="$preload $PINPIPE_PRELOAD"
  LD_PRELOAD=$preloads FSYNC_NOOP_SLEEP_US=200 valgrind --tool=callgrind \
    --callgrind-out-file="$bench_work/$name.cg" "$@" >"$bench_work/$name.log" 2>&1 &
  pid=$!
  bench_pids+=($pid)
  bench_wait_http "$health"
  callgrind_control -z "$pid" >/dev/null 2>&1
  bench_wrk "$url" "$bench_work/post.lua"
  callgrind_control -d "$pid" >/dev/null 2>&1
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  profile_requests=$wrk_requests
  # The dump taken after the load (callgrind numbers its dumps: .1 is the first).
  profile_file=$bench_work/$name.cg.1
}

total_ir() {  # callgrind file
  callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
}

# Inclusive instructions of the first function whose name matches each pattern, per request.
parts() {  # callgrind file requests
  local file=$1 n=$2 all
  all=$(callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$file" 2>/dev/null)
  while IFS='|' read -r label pattern; do
    awk -v n="$n" -v label="$label" -v pat="$pattern" '
      index($0, pat) && !done {gsub(",", "", $1); printf "  %-54s %7.0f\n", label, $1 / n; done = 1}' \
      <<<"$all"
  done <<'PARTS'
http: reading and routing a request (Session::OnHead)|Session::OnHead(
api: produce handler (ProduceRoutes::ProduceV2)|ProduceRoutes::ProduceV2(
api: decode + validate the body (DecodeProduceV2)|DecodeProduceV2(
json: simdjson parse|dom::parser::parse_into_document
json: minified value (AppendMinified)|AppendMinified(
http: answering (Loop::Run)|Loop::Run()
http: writing the answer (WriteResponse)|Session::WriteResponse(
log: commit threads (CommitPool::Run)|CommitPool::Run()
malloc|malloc.c:malloc [
free|malloc.c:free [
PARTS
}

port=$(bench_free_port)
mkdir -p "$bench_work/data"
profile pinpipe "http://127.0.0.1:$port/healthz" "http://127.0.0.1:$port/topics/$user.pin" \
  "$pinpipe_bin" up --data-dir "$bench_work/data" --listen "127.0.0.1:$port"
pinpipe_requests=$profile_requests
pinpipe_ir=$(total_ir "$profile_file")
echo "pinpipe: $pinpipe_requests requests; $(python3 -c "print(round($pinpipe_ir / $pinpipe_requests))") instructions per request (user space, all threads); inclusive parts, nested (OnHead runs the produce handler, which decodes):"
parts "$profile_file" "$pinpipe_requests"

port=$(bench_free_port)
profile floor "http://127.0.0.1:$port/" "http://127.0.0.1:$port/topics/$user.pin" \
  "$floor_bin" "$port" "$bench_work/floor.log"
floor_requests=$profile_requests
floor_ir=$(total_ir "$profile_file")
echo "floor server: $floor_requests requests; $(python3 -c "print(round($floor_ir / $floor_requests))") instructions per request"
echo "---"
printf 'pinpipe/floor instructions per request = %s  (no target: the cost of the request path above the least a durable server does)\n' \
  "$(python3 -c "print(f'{($pinpipe_ir / $pinpipe_requests) / ($floor_ir / $floor_requests):.1f}')")"
[[ -n ${BENCH_KEEP:-} ]] && echo "callgrind files: $bench_work"
exit 0
