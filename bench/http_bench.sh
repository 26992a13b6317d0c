#!/usr/bin/env bash
# Compares pinpipe's HTTP server with nginx `return 200` on the same machine, in one run:
# wrk -t2 -c64 -d10s POSTing a 600-byte body to each, then prints req/s and pinpipe/nginx.
#
#   bench/http_bench.sh [build-dir]    (default build/h-http-rel; needs http_echo_server built)
# Env: DURATION (10s), CONNECTIONS (64), THREADS (2), IO_THREADS (1, pinpipe io threads).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/h-http-rel}
server_bin=$build/bench/http_echo_server
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
io_threads=${IO_THREADS:-1}

for tool in wrk nginx; do
  command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || { echo "need $tool" >&2; exit 1; }
done
[[ -x $server_bin ]] || { echo "build $server_bin first (target http_echo_server)" >&2; exit 1; }
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d /tmp/pinpipe-http-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wrk script: POST a 600-byte JSON body.
body=$(python3 -c 'import json; print(json.dumps({"records":[{"value":{"index":1,"title":"x"*540}}]}))')
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/vnd.kafka.json.v2+json"
wrk.body = '${body}'
LUA

# nginx: one worker (like one io thread), return 200, in a private prefix.
nginx_port=$(free_port)
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_buffer_size 16k;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { return 200 "ok"; }
  }
}
CONF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)

# pinpipe: reads the port it bound from stdout; stops when its stdin closes.
mkfifo "$work/stdin"
"$server_bin" 0 "$io_threads" <"$work/stdin" >"$work/port" &
pids+=($!)
exec 9>"$work/stdin"
for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.05; done
pinpipe_port=$(head -1 "$work/port")
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$nginx_port/" && break; sleep 0.05; done

run() {  # url -> req/s
  wrk -t"$threads" -c"$connections" -d"$duration" -s "$work/post.lua" "$1" | tee "$work/last" >&2
  awk '/Requests\/sec/ {print $2}' "$work/last"
}

echo "== nginx return 200 (127.0.0.1:$nginx_port)" >&2
nginx_rps=$(run "http://127.0.0.1:$nginx_port/echo")
echo "== pinpipe http_echo_server, $io_threads io thread(s) (127.0.0.1:$pinpipe_port)" >&2
pinpipe_rps=$(run "http://127.0.0.1:$pinpipe_port/echo")

printf 'nginx    %10.0f req/s\npinpipe  %10.0f req/s\npinpipe/nginx %.2f\n' \
  "$nginx_rps" "$pinpipe_rps" "$(echo "$pinpipe_rps / $nginx_rps" | bc -l)"
