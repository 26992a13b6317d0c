#!/usr/bin/env bash
# batch_ingest_bench: durable batched produce through `pinpipe up`, 100 records per request,
# pin/geo/user records to the three topics <user>.pin|geo|user in turn, driven by wrk -t2 -c64
# -d10s with a Lua script cycling through 60 pre-generated bodies (20 per topic, every record
# different). Reports records/s and MB/s of record bytes (the JSON values as stored).
# Baseline, measured in this invocation in the same directory: the disk's sequential write
# bandwidth with an fdatasync after every 1 MiB (a fresh file, like a fresh log segment),
# before and after the pinpipe run, with a sync and a pause (BENCH_SETTLE_SECONDS, 3) between
# the phases. Prints pinpipe MB/s over the baseline (target >= 0.6). Then, if
# build/release/bench/decode_bench is built, the CPU of decoding the same bodies on one thread
# against simdjson's parse alone (no HTTP, no disk: the part of the work that is not noise).
# Also the CPU per record of pinpipe and of wrk, and pinpipe's fsyncs; then, after the second
# baseline and if build/release/bench/libfsync_noop.so is built, a ceiling run: the same load
# with fsync and fdatasync made no-ops by LD_PRELOAD (not durable), the most the durable run
# could reach if durability were free (so the part of the gap to the disk that is CPU, not the
# disk), compared with the same baselines. Between the durable run and the second baseline,
# if build/release/bench/floor_server is built, the floor server (bench/floor_server.c) under
# the same load: a C server that only writes each body, fdatasyncs (group commit) and answers,
# no JSON: what answering after fdatasync leaves of the disk's bandwidth on this machine
# (its MB/s counts the record bytes of the bodies it stored). The decode comparison comes last.
#
#   bench/batch_ingest_bench.sh
# Env: PINPIPE_BINARY (default build/release/pinpipe), DURATION (10s), CONNECTIONS (64),
#      THREADS (2), BENCH_DIR (/tmp), BENCH_VERBOSE=1, BASELINE_MB (512, per baseline run),
#      PINPIPE_API_IO_THREADS / PINPIPE_API_HANDLER_THREADS (the server's knobs),
#      BENCH_SERVICES=1 (keep the sink and scheduler of `pinpipe up` running),
#      CEILING=0 (skip the run without fdatasync), FLOOR=0 (skip the floor server).
set -euo pipefail
source "$(dirname "$0")/common.sh"
# The produce path alone: `pinpipe up` also runs the S3 sink (flush_size 1: one object per
# record) and the scheduler, which would share the two cores with it. BENCH_SERVICES=1 keeps
# them (the numbers then measure the whole pipeline).
if [[ -z ${BENCH_SERVICES:-} ]]; then
  export PINPIPE_SINK_ENABLED=false PINPIPE_SCHEDULER_ENABLED=false
fi

pinpipe_bin=${PINPIPE_BINARY:-$bench_root/build/release/pinpipe}
[[ -x $pinpipe_bin ]] || { echo "batch_ingest_bench: build $pinpipe_bin first (make build)" >&2; exit 2; }
user=${PINPIPE_USER_ID:-0a1b2c3d4e5f}

bench_init batch-ingest-bench
bench_machine

# Bodies, and the mean value size per topic (wrk cycles through them uniformly).
python3 - "$bench_work/batch.lua" "$bench_work/sizes" "$user" <<'PY'
import json, random, sys
lua_path, sizes_path, user = sys.argv[1:]
rng = random.Random(1)
words = ("fashion travel quotes diy tattoos beauty art vehicles education christmas home decor "
         "event planning finance mens womens kids garden food drinks").split()
countries = ["Albania", "Bermuda", "Chile", "Denmark", "Egypt", "France", "Ghana", "Iceland"]
names = ["Abigail", "Alexander", "Andrea", "Brian", "Chloe", "Daniel", "Emma", "Liam", "Zoe"]
def text(lo, hi): return " ".join(rng.choice(words) for _ in range(rng.randint(lo, hi)))
def stamp(): return (f"{rng.randint(2015, 2022)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} "
                     f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}")
def pin(i): return {"index": i, "unique_id": f"{rng.getrandbits(128):032x}", "title": text(3, 12),
                    "description": text(10, 40), "poster_name": text(1, 3),
                    "follower_count": f"{rng.randint(1, 999)}k", "tag_list": ",".join(rng.sample(words, 5)),
                    "is_image_or_video": rng.choice(["image", "video"]),
                    "image_src": f"https://i.pinimg.com/originals/{rng.getrandbits(64):016x}.jpg",
                    "downloaded": rng.randint(0, 1), "save_location": "Local save in /data/" + rng.choice(words),
                    "category": rng.choice(words)}
def geo(i): return {"ind": i, "timestamp": stamp(), "latitude": round(rng.uniform(-90, 90), 4),
                    "longitude": round(rng.uniform(-180, 180), 4), "country": rng.choice(countries)}
def usr(i): return {"ind": i, "first_name": rng.choice(names), "last_name": rng.choice(names),
                    "age": rng.randint(18, 80), "date_joined": stamp()}
entries, sizes = [], {}
for table, make in (("pin", pin), ("geo", geo), ("user", usr)):
    total = 0
    for b in range(20):
        values = [make(b * 100 + k) for k in range(100)]
        total += sum(len(json.dumps(v, separators=(",", ":"))) for v in values)  # as stored
        body = json.dumps({"records": [{"value": v} for v in values]})
        assert "]==]" not in body
        entries.append((f"/topics/{user}.{table}", body))
    sizes[table] = total / 2000
with open(lua_path, "w") as f:
    f.write("local bodies = {\n")
    for path, body in entries:
        f.write(f'  {{"{path}", [==[{body}]==]}},\n')
    f.write("}\n")
    f.write("""
local reqs = {}
local next_index = 0
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("first", threads * 29)
end
init = function(args)
  for i, b in ipairs(bodies) do
    reqs[i] = wrk.format("POST", b[1], {["Content-Type"] = "application/vnd.kafka.json.v2+json"}, b[2])
  end
  next_index = (first or 0) % #reqs
end
request = function()
  next_index = next_index % #reqs + 1
  return reqs[next_index]
end
""")
with open(lua_path.replace("batch.lua", "bodies.jsonl"), "w") as f:
    f.write("".join(body + "\n" for _, body in entries))
with open(sizes_path, "w") as f:
    f.write(" ".join(f"{t}={s:.1f}" for t, s in sizes.items()) + "\n")
mean_body = sum(len(b) for _, b in entries) / len(entries)
print("records: mean JSON value bytes " + ", ".join(f"{t} {s:.0f}" for t, s in sizes.items())
      + f"; mean request body {mean_body / 1024:.1f} KiB (100 records)")
PY

# Sequential write, fdatasync every 1 MiB, fresh file in the bench dir: MB/s (1e6 bytes).
disk_baseline() {
  python3 - "$bench_work/disk.bin" "${BASELINE_MB:-512}" <<'PY'
import os, sys, time
path, mb = sys.argv[1], int(sys.argv[2])
block = os.urandom(1 << 20)
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
start = time.monotonic()
n = 0
while n < mb and time.monotonic() - start < 20:
    os.write(fd, block)
    os.fdatasync(fd)
    n += 1
secs = time.monotonic() - start
os.close(fd)
os.unlink(path)
print(f"{n * (1 << 20) / secs / 1e6:.1f} {n} {secs:.2f}")
PY
}

read -r disk1 n1 s1 <<<"$(disk_baseline)"
echo "disk baseline (1 MiB write + fdatasync, fresh file): $disk1 MB/s ($n1 MiB in $s1 s)"
bench_settle

# One run of the batched load against a fresh pinpipe (with bench_preload set, under that
# LD_PRELOAD); prints its lines; $1 labels them. Fails if fewer records are stored than the
# 200s promised.
run_pinpipe() {
  local label=$1 data=$bench_work/data cpu0 cpu1 syncs secs disk_bytes rss
  declare -A stored
  bench_start_pinpipe "$data"
  bench_rss_start "$pinpipe_pid"
  cpu0=$(bench_cpu_seconds "$pinpipe_pid")
  bench_wrk "http://127.0.0.1:$pinpipe_port/" "$bench_work/batch.lua"
  cpu1=$(bench_cpu_seconds "$pinpipe_pid")
  secs=$(awk '/requests in/ {sub(/s,$/, "", $4); print $4}' "$bench_work/wrk.out")
  for t in pin geo user; do
    stored[$t]=$(curl -s "http://127.0.0.1:$pinpipe_port/topics/$user.$t/partitions/0/offsets" |
                 python3 -c 'import json,sys; print(json.load(sys.stdin)["end_offset"])')
  done
  syncs=$(curl -s "http://127.0.0.1:$pinpipe_port/metrics" | awk '
    /^pinpipe_log_fsyncs_total / {n = $2} /^pinpipe_log_fsync_seconds_sum / {s = $2}
    /^pinpipe_log_bytes_total / {b = $2}
    END {printf "%d fdatasyncs, mean %.0f us, %.0f KB each", n, n ? 1e6 * s / n : 0, n ? b / n / 1e3 : 0}')
  rss=$(bench_rss_read "$pinpipe_pid")
  bench_stop_pinpipe
  disk_bytes=$(du -sb "$data" | cut -f1)
  rm -rf "$data"
  python3 - "$label" "$(cat "$bench_work/sizes")" "$secs" "${stored[pin]}" "${stored[geo]}" \
    "${stored[user]}" "$wrk_requests" "$wrk_non2xx" "$wrk_rps" "$disk_bytes" "${rss%% *}" \
    "$wrk_p50" "$wrk_p99" "$cpu0" "$cpu1" "$wrk_cpu_seconds" "$syncs" "$bench_work/summary" <<'PY'
import sys
label = sys.argv[1]
sizes = dict(kv.split("=") for kv in sys.argv[2].split())
secs = float(sys.argv[3])
stored = dict(zip(("pin", "geo", "user"), map(int, sys.argv[4:7])))
requests, non2xx, rps, disk_bytes, hwm = (float(x) for x in sys.argv[7:12])
p50, p99 = sys.argv[12:14]
cpu0, cpu1, wrk_cpu = (float(x) for x in sys.argv[14:17])
syncs, summary = sys.argv[17:19]
records = sum(stored.values())
value_bytes = sum(stored[t] * float(sizes[t]) for t in stored)
rec_s, mb_s = records / secs, value_bytes / secs / 1e6
print(f"{label}: {rps:.0f} req/s x 100 records (p50 {p50}, p99 {p99}, non-2xx {non2xx:.0f}); stored "
      + ", ".join(f"{t} {n}" for t, n in stored.items()) + f" in {secs:.2f} s")
print(f"{label}: {rec_s:,.0f} records/s, {mb_s:.1f} MB/s of record bytes "
      f"({disk_bytes / secs / 1e6:.1f} MB/s written to the log files); peak RSS {hwm:.0f} MB")
served = max(1.0, requests * 100)
print(f"{label}: CPU per record: pinpipe {1e6 * (cpu1 - cpu0) / served:.2f} us, wrk "
      f"{1e6 * wrk_cpu / served:.2f} us; {syncs}")
if records < (requests - non2xx) * 100:
    sys.exit(f"batch_ingest_bench: ERROR: {records} records stored for {requests - non2xx:.0f} 200s")
with open(summary, "a") as f:
    f.write(f"{label} {mb_s:.1f}\n")
PY
}

: >"$bench_work/summary"
run_pinpipe pinpipe
bench_settle

floor_bin=$(dirname "$pinpipe_bin")/bench/floor_server
if [[ ${FLOOR:-1} != 0 && -x $floor_bin ]]; then
  bench_start_floor "$bench_work/floor.log"
  bench_wrk "http://127.0.0.1:$floor_port/" "$bench_work/batch.lua"
  bench_stop_floor
  secs=$(awk '/requests in/ {sub(/s,$/, "", $4); print $4}' "$bench_work/wrk.out")
  python3 - "$(cat "$bench_work/sizes")" "$secs" "$wrk_requests" "$wrk_non2xx" "$bench_work/summary" <<'PY'
import sys
sizes = [float(kv.split("=")[1]) for kv in sys.argv[1].split()]
secs, requests, non2xx = (float(x) for x in sys.argv[2:5])
# wrk cycles through the bodies, as many of each table: a request stores 100 mean records.
mb_s = (requests - non2xx) * 100 * sum(sizes) / len(sizes) / secs / 1e6
label = "floor server (write + fdatasync + answer, no JSON)"
print(f"{label}: {requests / secs:.0f} req/s x 100 records, {mb_s:.1f} MB/s of record bytes")
with open(sys.argv[5], "a") as f:
    f.write(f"{label} {mb_s:.1f}\n")
PY
  bench_settle
fi

read -r disk2 n2 s2 <<<"$(disk_baseline)"
echo "disk baseline again after the run                   : $disk2 MB/s ($n2 MiB in $s2 s)"

# After the second baseline: the gigabytes it writes must not slow the disk under that one.
preload=$(dirname "$pinpipe_bin")/bench/libfsync_noop.so
if [[ ${CEILING:-1} != 0 && -f $preload ]]; then
  bench_settle
  bench_preload=$preload run_pinpipe "pinpipe without fdatasync (NOT durable, the ceiling)"
fi

python3 - "$disk1" "$disk2" "$bench_work/summary" <<'PY'
import sys
disk = (float(sys.argv[1]) + float(sys.argv[2])) / 2
rates = {}
for line in open(sys.argv[3]):
    label, mb_s = line.rsplit(" ", 1)
    rates[label] = float(mb_s)
for label, mb_s in rates.items():
    if label == "pinpipe":
        print(f"pinpipe/disk = {mb_s / disk:.2f}  ({mb_s:.1f} vs {disk:.1f} MB/s sequential write+fdatasync; target >= 0.6)")
    elif label.startswith("floor"):
        print(f"floor/disk   = {mb_s / disk:.2f}  ({label}: {mb_s:.1f} vs {disk:.1f} MB/s; no target: what answering after fdatasync leaves here)")
    else:
        print(f"{label}/disk = {mb_s / disk:.2f}  ({mb_s:.1f} vs {disk:.1f} MB/s, the baselines around the durable run; no target: it bounds the durable run)")
floor = next((v for k, v in rates.items() if k.startswith("floor")), None)
if floor and "pinpipe" in rates:
    print(f"pinpipe/floor = {rates['pinpipe'] / floor:.2f}  (durable, both: {rates['pinpipe']:.1f} vs {floor:.1f} MB/s)")
PY

decode_bin=$(dirname "$pinpipe_bin")/bench/decode_bench
if [[ -x $decode_bin ]]; then
  echo "--- decoding the same bodies on one thread (bench/decode_bench.cc):"
  "$decode_bin" "$bench_work/bodies.jsonl" 2
fi
