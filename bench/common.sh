# Shared helpers of the bench/*.sh scripts (sourced, not run). Every process started here is
# remembered in bench_pids and killed by bench_cleanup, which the caller traps on EXIT:
#
#   source "$(dirname "$0")/common.sh"
#   bench_init my-bench          # creates $bench_work, traps cleanup
#   bench_start_nginx            # -> $nginx_port, $nginx_pid (the master; workers are its children)
#   bench_start_pinpipe DIR      # -> $pinpipe_port, $pinpipe_pid (extra env: PINPIPE_* vars)
#   bench_post_lua FILE          # the single-record POST load (wrk script)
#   bench_wrk URL LUA            # -> $wrk_rps, $wrk_requests, $wrk_non2xx, $wrk_errors,
#                                #    $wrk_cpu_seconds (wrk's own CPU, user + system)
#   bench_cpu_seconds PID        # CPU a process and its children have used so far
#   bench_start_floor FILE [--no-sync]  # -> $floor_port, $floor_pid ($floor_bin: its path)
# Only 127.0.0.1 is ever used.

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_pids=()
bench_duration=${DURATION:-10s}
bench_connections=${CONNECTIONS:-64}
bench_threads=${THREADS:-2}

bench_cleanup() {
  local pid
  for pid in "${bench_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${bench_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -n ${bench_work:-} && -z ${BENCH_KEEP:-} ]] && rm -rf "$bench_work"
  return 0
}

bench_init() {  # name
  for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "$1: need $tool" >&2; exit 2; }
  done
  bench_work=$(mktemp -d "${BENCH_DIR:-/tmp}/pinpipe-$1.XXXXXX")
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_machine() {  # one line: cores, CPU, load (the machine is shared: say how busy it was)
  local cpu
  cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
  echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, kernel $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

bench_wait_http() {  # url: up to 30 s for any HTTP answer
  local i
  for i in $(seq 300); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "no answer from $1" >&2
  return 1
}

# nginx answering `return 200` to everything, one worker (like pinpipe's one io thread),
# private prefix, foreground (so it is our child and bench_cleanup stops it).
bench_start_nginx() {
  local nginx_bin dir
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
  [[ -x $nginx_bin ]] || { echo "need nginx (apt-get install nginx-light)" >&2; exit 2; }
  dir=$bench_work/nginx
  nginx_port=$(bench_free_port)
  mkdir -p "$dir/logs"
  cat >"$dir/nginx.conf" <<CONF
worker_processes ${NGINX_WORKERS:-1};
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  client_body_buffer_size 64k;
  client_max_body_size 8m;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { return 200 '{"offsets":[{"partition":0,"offset":0,"error_code":null,"error":null}],"key_schema_id":null,"value_schema_id":null}'; }
  }
}
CONF
  "$nginx_bin" -p "$dir" -c "$dir/nginx.conf" 2>"$dir/logs/stderr" &
  nginx_pid=$!
  bench_pids+=($nginx_pid)
  bench_wait_http "http://127.0.0.1:$nginx_port/"
}

# FILE: a wrk script POSTing one ~600-byte pin record (valid for schema validation, in the
# original emulator's shape) as Kafka REST v2 JSON: the single-record load of the ingest benches.
bench_post_lua() {  # file
  python3 - "$1" <<'PY'
import json, sys
pin = {"index": 7528, "unique_id": "fbe53c66-3442-4773-b19e-d3ec6f54dddf",
       "title": "Ultimate Mens Fashion Guide: 50 Outfits for Every Season and Every Budget",
       "description": "A complete guide to a capsule wardrobe: jackets, shirts, trousers "
                      "and shoes that go together.",
       "poster_name": "Style Guide Weekly", "follower_count": "211k",
       "tag_list": "Mens Fashion,Capsule Wardrobe,Outfit Ideas,Style Tips,Menswear",
       "is_image_or_video": "image",
       "image_src": "https://i.pinimg.com/originals/d5/3b/ab/d53bab0b7d2dc4ef1b2f3a6a1c2e9f3b.jpg",
       "downloaded": 1, "save_location": "Local save in /data/mens-fashion",
       "category": "mens-fashion"}
value = json.dumps(pin, separators=(",", ":"))  # as stored
body = json.dumps({"records": [{"value": pin}]})
assert "]]" not in body
with open(sys.argv[1], "w") as f:
    f.write('wrk.method = "POST"\n'
            'wrk.headers["Content-Type"] = "application/vnd.kafka.json.v2+json"\n'
            f'wrk.body = [[{body}]]\n')
print(f"record: {len(value)} bytes of JSON value, request body {len(body)} bytes")
PY
}

# A fresh `pinpipe up` on data dir $1; PINPIPE_* settings come from the environment. With
# bench_preload set (a library path), pinpipe alone runs with it as LD_PRELOAD.
bench_start_pinpipe() {
  local data=$1
  pinpipe_port=$(bench_free_port)
  mkdir -p "$data"
  env ${bench_preload:+LD_PRELOAD="$bench_preload"} \
    "$pinpipe_bin" up --data-dir "$data" --listen "127.0.0.1:$pinpipe_port" >"$data.log" 2>&1 &
  pinpipe_pid=$!
  bench_pids+=($pinpipe_pid)
  bench_wait_http "http://127.0.0.1:$pinpipe_port/healthz"
}

# The floor server (bench/floor_server.c) on a fresh log file; extra args go to it
# (--no-sync). Expects $floor_bin. -> $floor_port, $floor_pid.
bench_start_floor() {  # log_file [--no-sync]
  floor_port=$(bench_free_port)
  floor_log=$1
  "$floor_bin" "$floor_port" "$@" 2>"$1.stderr" &
  floor_pid=$!
  bench_pids+=($floor_pid)
  bench_wait_http "http://127.0.0.1:$floor_port/"
}

bench_stop_floor() {
  kill "$floor_pid" 2>/dev/null || true
  wait "$floor_pid" 2>/dev/null || true
  rm -f "$floor_log"
}

# Between two timed phases that write: lets the disk finish what the first one left, so a
# phase does not pay for the writeback of the one before it (as sink_bench.sh does).
bench_settle() {
  sync
  sleep "${BENCH_SETTLE_SECONDS:-3}"
}

bench_stop_pinpipe() {  # graceful, so its data dir can be removed
  kill -TERM "$pinpipe_pid" 2>/dev/null || true
  wait "$pinpipe_pid" 2>/dev/null || true
}

# Peak resident memory of a process: VmHWM (kernel high-water mark) and the largest VmRSS
# sampled every 0.2 s, in MB. Start with bench_rss_start PID, read with bench_rss_read.
bench_rss_start() {
  local pid=$1 out=$bench_work/rss.$1
  echo 0 >"$out"
  (
    peak=0
    for _ in $(seq 3000); do  # at most 10 minutes
      rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || break
      [[ -z $rss ]] && break
      ((rss > peak)) && peak=$rss && echo "$peak" >"$out"
      sleep 0.2
    done
  ) &
  bench_rss_sampler=$!
  bench_pids+=($bench_rss_sampler)
}

bench_rss_read() {  # pid -> "hwm_mb sampled_mb"
  local hwm
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0)
  kill "$bench_rss_sampler" 2>/dev/null || true
  wait "$bench_rss_sampler" 2>/dev/null || true
  echo "$(( ${hwm:-0} / 1024 )) $(( $(cat "$bench_work/rss.$1") / 1024 ))"
}

# -> $bench_children_cpu: the CPU seconds (user + system) of this shell's reaped children so
# far, from `times`. Call it directly, never in a pipe or $(...): `times` would then run in a
# subshell, whose children are others.
bench_children_cpu() {
  times >"$bench_work/times"
  bench_children_cpu=$(awk 'NR == 2 {
    t = 0
    for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
    print t
  }' "$bench_work/times")
}

bench_cpu_seconds() {  # pid: CPU used so far (utime + stime) by it and its children, seconds
  local p stats=()
  for p in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    [[ -r /proc/$p/stat ]] && stats+=("/proc/$p/stat")
  done
  awk -v hz="$(getconf CLK_TCK)" '{t += $14 + $15} END {print t / hz}' "${stats[@]}"
}

bench_wrk() {  # url lua
  local out=$bench_work/wrk.out cpu0
  bench_children_cpu
  cpu0=$bench_children_cpu
  wrk -t"$bench_threads" -c"$bench_connections" -d"$bench_duration" --latency -s "$2" "$1" \
    >"$out" 2>&1 || { cat "$out" >&2; return 1; }
  bench_children_cpu
  wrk_cpu_seconds=$(python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' \
                    "$cpu0" "$bench_children_cpu")
  [[ -n ${BENCH_VERBOSE:-} ]] && cat "$out" >&2
  wrk_rps=$(awk '/^Requests\/sec/ {print $2}' "$out")
  wrk_requests=$(awk '/requests in/ {print $1}' "$out")
  wrk_non2xx=$(awk '/Non-2xx/ {print $NF}' "$out")
  wrk_non2xx=${wrk_non2xx:-0}
  wrk_errors=$(awk '/Socket errors/ {print}' "$out")
  wrk_p50=$(awk '$1 == "50%" {print $2}' "$out")
  wrk_p99=$(awk '$1 == "99%" {print $2}' "$out")
}

bench_ratio() { python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'{a / b:.2f}' if b else 'n/a')" "$1" "$2"; }
