#!/usr/bin/env bash
# ingest_bench: durable single-record produce through `pinpipe up` against nginx `return 200`,
# both measured in this invocation with the same wrk load: wrk -t2 -c64 -d10s POSTing one
# ~600-byte valid pin record per request (Kafka REST v2 JSON) to /topics/<user>.pin.
# pinpipe answers 200 only after the record is fdatasynced (group commit); nginx reads the
# body and answers. Prints req/s of both, pinpipe/nginx (target >= 0.8), pinpipe's peak RSS
# (target <= 150 MB), and checks that every 200 is a stored record. Also the CPU per request
# of the server and of wrk (they share the machine's cores) and pinpipe's fsyncs; then, if
# build/release/bench/libfsync_noop.so is built, a ceiling run: pinpipe with fsync and
# fdatasync made no-ops by LD_PRELOAD (not durable), which shows how far the durable path
# could go if durability were free, and so how much of the gap to nginx is the request path.
# And, if build/release/bench/floor_server is built, the floor server (bench/floor_server.c):
# a C server that only writes each body, fdatasyncs (group commit) and answers, durable and
# then without fdatasync. Its durable ratio is what answering after fdatasync leaves of
# nginx's rate on this machine, whatever the request path costs.
#
#   bench/ingest_bench.sh [--sweep]
# Env: PINPIPE_BINARY (default build/release/pinpipe), DURATION (10s), CONNECTIONS (64),
#      THREADS (2), BENCH_DIR (/tmp), BENCH_VERBOSE=1 (print wrk's output),
#      PINPIPE_API_IO_THREADS / PINPIPE_API_HANDLER_THREADS (the server's knobs; default its own),
#      SWEEP="io:handlers ..." (the settings --sweep tries; default below),
#      BENCH_SERVICES=1 (keep the sink and scheduler of `pinpipe up` running),
#      CEILING=0 (skip the run without fdatasync), FLOOR=0 (skip the floor server).
# --sweep runs pinpipe once per setting (fresh data dir each) between two nginx runs.
set -euo pipefail
source "$(dirname "$0")/common.sh"
# The produce path alone: `pinpipe up` also runs the S3 sink (flush_size 1: one object per
# record) and the scheduler, which would share the two cores with it. BENCH_SERVICES=1 keeps
# them (the numbers then measure the whole pipeline).
if [[ -z ${BENCH_SERVICES:-} ]]; then
  export PINPIPE_SINK_ENABLED=false PINPIPE_SCHEDULER_ENABLED=false
fi

pinpipe_bin=${PINPIPE_BINARY:-$bench_root/build/release/pinpipe}
[[ -x $pinpipe_bin ]] || { echo "ingest_bench: build $pinpipe_bin first (make build)" >&2; exit 2; }
user=${PINPIPE_USER_ID:-0a1b2c3d4e5f}
sweep=${SWEEP:-"1:1 1:4 1:16 1:64 2:16 2:64"}
[[ ${1:-} == --sweep ]] || sweep=""

bench_init ingest-bench
bench_machine

bench_post_lua "$bench_work/post.lua"

bench_start_nginx
nginx_url="http://127.0.0.1:$nginx_port/topics/$user.pin"
# "server_us wrk_us": CPU microseconds per request of the server (from its CPU seconds before
# and after the last bench_wrk) and of wrk.
cpu_per_request() {  # cpu0 cpu1
  python3 -c 'import sys; c0, c1, w, n = map(float, sys.argv[1:]); print(f"{1e6*(c1-c0)/n:.1f} {1e6*w/n:.1f}")' \
    "$1" "$2" "$wrk_cpu_seconds" "$wrk_requests"
}

run_nginx() {
  local cpu0 cpu
  cpu0=$(bench_cpu_seconds "$nginx_pid")
  bench_wrk "$nginx_url" "$bench_work/post.lua"
  cpu=$(cpu_per_request "$cpu0" "$(bench_cpu_seconds "$nginx_pid")")
  echo "nginx return 200          : $(printf '%8.0f' "$wrk_rps") req/s  p50 $wrk_p50 p99 $wrk_p99  non-2xx $wrk_non2xx ${wrk_errors}; CPU per request: nginx ${cpu% *} us, wrk ${cpu#* } us"
  nginx_runs+=("$wrk_rps")
}

# One pinpipe run with settings io:handlers ("" = the server's defaults) and, as $2, a label
# suffix; appends to results. With bench_preload set, pinpipe runs with that LD_PRELOAD.
run_pinpipe() {
  local setting=$1 label data stored rss cpu0 cpu syncs
  data=$bench_work/data.$RANDOM
  if [[ -n $setting ]]; then
    export PINPIPE_API_IO_THREADS=${setting%%:*} PINPIPE_API_HANDLER_THREADS=${setting##*:}
  fi
  label="io ${PINPIPE_API_IO_THREADS:-default}, handlers ${PINPIPE_API_HANDLER_THREADS:-default}${2:-}"
  bench_start_pinpipe "$data"
  bench_rss_start "$pinpipe_pid"
  cpu0=$(bench_cpu_seconds "$pinpipe_pid")
  bench_wrk "http://127.0.0.1:$pinpipe_port/topics/$user.pin" "$bench_work/post.lua"
  cpu=$(cpu_per_request "$cpu0" "$(bench_cpu_seconds "$pinpipe_pid")")
  stored=$(curl -s "http://127.0.0.1:$pinpipe_port/topics/$user.pin/partitions/0/offsets" |
           python3 -c 'import json,sys; print(json.load(sys.stdin)["end_offset"])')
  # fsyncs: how many, their mean wall time, and the appends (requests) each one covered.
  syncs=$(curl -s "http://127.0.0.1:$pinpipe_port/metrics" | awk '
    /^pinpipe_log_fsyncs_total / {n = $2} /^pinpipe_log_fsync_seconds_sum / {s = $2}
    /^pinpipe_log_group_commit_size_sum / {g = $2}
    END {printf "%d fdatasyncs, mean %.0f us, %.1f appends each", n, n ? 1e6 * s / n : 0, n ? g / n : 0}')
  rss=$(bench_rss_read "$pinpipe_pid")
  bench_stop_pinpipe
  rm -rf "$data"
  printf 'pinpipe (%-22s): %8.0f req/s  p50 %s p99 %s  non-2xx %s %s; %s records stored for %s responses; peak RSS %s MB (VmHWM), %s MB (sampled VmRSS); CPU per request: pinpipe %s us, wrk %s us; %s\n' \
    "$label" "$wrk_rps" "$wrk_p50" "$wrk_p99" "$wrk_non2xx" "$wrk_errors" "$stored" \
    "$wrk_requests" "${rss%% *}" "${rss##* }" "${cpu% *}" "${cpu#* }" "$syncs"
  if (( stored < wrk_requests - wrk_non2xx )); then
    echo "ingest_bench: ERROR: fewer records stored ($stored) than 200s ($((wrk_requests - wrk_non2xx)))" >&2
    exit 1
  fi
  results+=("$wrk_rps ${rss%% *} $label")
}

run_floor() {  # [--no-sync]
  local label="floor server, durable" cpu0 cpu
  [[ ${1:-} == --no-sync ]] && label="floor server, no fdatasync"
  bench_start_floor "$bench_work/floor.log" "$@"
  cpu0=$(bench_cpu_seconds "$floor_pid")
  bench_wrk "http://127.0.0.1:$floor_port/topics/$user.pin" "$bench_work/post.lua"
  cpu=$(cpu_per_request "$cpu0" "$(bench_cpu_seconds "$floor_pid")")
  bench_stop_floor
  printf '%-26s: %8.0f req/s  p50 %s p99 %s  non-2xx %s %s; CPU per request: server %s us, wrk %s us\n' \
    "$label" "$wrk_rps" "$wrk_p50" "$wrk_p99" "$wrk_non2xx" "$wrk_errors" "${cpu% *}" "${cpu#* }"
  floors+=("$wrk_rps $label")
}

nginx_runs=()
results=()
floors=()
run_nginx
if [[ -z $sweep ]]; then
  run_pinpipe ""
  floor_bin=$(dirname "$pinpipe_bin")/bench/floor_server
  [[ ${FLOOR:-1} != 0 && -x $floor_bin ]] && run_floor
  preload=$(dirname "$pinpipe_bin")/bench/libfsync_noop.so
  if [[ ${CEILING:-1} != 0 && -f $preload ]]; then
    bench_preload=$preload run_pinpipe "" "; no fdatasync: NOT durable, the ceiling"
    [[ ${FLOOR:-1} != 0 && -x $floor_bin ]] && run_floor --no-sync
    run_nginx  # nginx before and after: the mean is the baseline of both runs
  fi
else
  for s in $sweep; do run_pinpipe "$s"; done
  run_nginx
fi

nginx_mean=$(python3 -c 'import sys; v=[float(x) for x in sys.argv[1:]]; print(sum(v)/len(v))' "${nginx_runs[@]}")
echo "---"
for r in "${results[@]}"; do
  read -r rps hwm label <<<"$r"
  if [[ $label == *ceiling* ]]; then
    printf 'pinpipe/nginx = %s  (%s: %.0f vs %.0f req/s; no target: it bounds what the durable run can reach)\n' \
      "$(bench_ratio "$rps" "$nginx_mean")" "$label" "$rps" "$nginx_mean"
    continue
  fi
  printf 'pinpipe/nginx = %s  (%s: %.0f vs %.0f req/s; target >= 0.8)   peak RSS %s MB (target <= 150)\n' \
    "$(bench_ratio "$rps" "$nginx_mean")" "$label" "$rps" "$nginx_mean" "$hwm"
done
for f in "${floors[@]}"; do
  read -r rps label <<<"$f"
  printf 'floor/nginx   = %s  (%s: %.0f vs %.0f req/s; no target: what a server doing nothing but %s reaches here)\n' \
    "$(bench_ratio "$rps" "$nginx_mean")" "$label" "$rps" "$nginx_mean" \
    "$([[ $label == *durable ]] && echo "write + fdatasync + answer" || echo "write + answer")"
done
# pinpipe against the floor of its own kind (durable with durable, ceiling with no fdatasync):
# steadier than either against nginx, since both runs meet the same disk minutes apart.
for r in "${results[@]}"; do
  read -r rps _ label <<<"$r"
  for f in "${floors[@]}"; do
    read -r floor_rps floor_label <<<"$f"
    if [[ ($label == *ceiling* && $floor_label == *"no fdatasync") ||
          ($label != *ceiling* && $floor_label == *durable) ]]; then
      printf 'pinpipe/floor = %s  (%s: %.0f vs %.0f req/s)\n' \
        "$(bench_ratio "$rps" "$floor_rps")" "$label" "$rps" "$floor_rps"
    fi
  done
done
