#!/usr/bin/env bash
# sink_bench: the S3 sink's throughput (`pinpipe sink --once`), issue 4 Done-when 4.
#
# Load: `pinpipe up` (its sink service off) takes RECORDS pin-like JSON records (~500 B) in
# topic <user>.pin and SMALL records in bench.small, posted in batches of 500; then it stops.
# Local store, each in this invocation:
#   - flush_size 1000 over <user>.pin, and flush_size 1 over bench.small: records/s,
#     objects/s, MB/s of object bytes, timed by the sink's own clock (its "drained ... in X s":
#     from listing the topics to the last commit; process start and log open excluded, as
#     the baseline excludes python's start and its reading of the files);
#   - baseline: the same object bytes written sequentially into one file, one fdatasync at
#     the end (python). Prints baseline time over sink time (target >= 0.5 for flush 1000);
#     the whole `pinpipe sink --once` process time is printed too;
#   - for reference, the floor of the object layout itself: the same objects put by a plain
#     python program the way the local store puts them (temp file, write, fdatasync, rename,
#     directory fsync; 16 at a time, as sink.max_in_flight_puts), with no log read, JSON
#     check or copy: what the layout itself costs (a sink can come near it,
#     or pass it when its puts overlap better).
# Each timed phase starts after a `sync`, so none pays for the previous one's writeback.
# RECORDS defaults to 300,000 (176 MB, 300 objects): at 100,000 the drain lasts ~0.12 s, and
# its one-time costs (threads, mapping in 18 object buffers, the last puts' syncs, the
# commit) are a fifth of it; throughput is measured past them.
# s3rver (tests/testutil/s3rver.js, skipped with a message when not installed), warmed up
# first with 500 PUTs (a cold Node server is slower for whoever goes first): the same two
# drains with --store s3://bench/pinpipe, against `aws s3 cp --recursive` of the same objects
# (the files of the local lakes above: same keys, same bytes). Both are whole processes,
# start included. Prints aws time over pinpipe time (target >= 5), and the CPU time s3rver
# itself spent serving each: s3rver is one Node process, and when what it spends on
# pinpipe's puts is close to pinpipe's whole time, the server is the bound, not the client.
#
#   bench/sink_bench.sh
# Env: PINPIPE_BINARY (default build/release/pinpipe), RECORDS (300000), SMALL (3000),
#      BENCH_DIR (/tmp), BENCH_KEEP=1 (keep the work dir).
set -euo pipefail
source "$(dirname "$0")/common.sh"

pinpipe_bin=${PINPIPE_BINARY:-$bench_root/build/release/pinpipe}
[[ -x $pinpipe_bin ]] || { echo "sink_bench: build $pinpipe_bin first (make build)" >&2; exit 2; }
user=${PINPIPE_USER_ID:-0a1b2c3d4e5f}
records=${RECORDS:-300000}
small=${SMALL:-3000}

bench_init sink-bench
bench_machine
data=$bench_work/data

# --- load ------------------------------------------------------------------------------------
PINPIPE_SINK_ENABLED=false PINPIPE_API_AUTO_CREATE_TOPICS=true bench_start_pinpipe "$data"
python3 - "http://127.0.0.1:$pinpipe_port" "$user" "$records" "$small" <<'PY'
import json, random, sys, urllib.request
url, user, records, small = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(1)
words = ("fashion travel quotes diy tattoos beauty art vehicles education christmas home decor "
         "event planning finance mens womens kids garden food drinks").split()
def text(lo, hi): return " ".join(rng.choice(words) for _ in range(rng.randint(lo, hi)))
def pin(i): return {"index": i, "unique_id": f"{rng.getrandbits(128):032x}", "title": text(3, 12),
                    "description": text(10, 40), "poster_name": text(1, 3),
                    "follower_count": f"{rng.randint(1, 999)}k",
                    "tag_list": ",".join(rng.sample(words, 5)),
                    "is_image_or_video": rng.choice(["image", "video"]),
                    "image_src": f"https://i.pinimg.com/originals/{rng.getrandbits(64):016x}.jpg",
                    "downloaded": 1, "save_location": "Local save in /data/" + rng.choice(words),
                    "category": rng.choice(words)}
for topic, n in ((f"{user}.pin", records), ("bench.small", small)):
    for start in range(0, n, 500):
        body = json.dumps({"records": [{"value": pin(i)} for i in range(start, min(n, start + 500))]})
        req = urllib.request.Request(f"{url}/topics/{topic}", data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/vnd.kafka.json.v2+json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            assert r.status == 200, r.status
PY
bench_stop_pinpipe
echo "load: $records records in $user.pin, $small in bench.small"

# --- helpers ---------------------------------------------------------------------------------
now() { date +%s.%N; }
# sink_once NAME FLUSH REGEX [--store URL] -> $sink_secs, $sink_records, $sink_objects, $sink_bytes
sink_once() {
  local name=$1 flush=$2 regex=$3 out t0 t1
  shift 3
  out=$bench_work/sink-$name.out
  sync  # the load's (or the last run's) dirty pages are written back before the clock starts
  t0=$(now)
  PINPIPE_SINK_NAME=$name PINPIPE_SINK_FLUSH_SIZE=$flush PINPIPE_SINK_TOPICS_REGEX=$regex \
    "$pinpipe_bin" sink --once --data-dir "$data" "$@" >"$out" 2>&1 || { cat "$out" >&2; return 1; }
  t1=$(now)
  [[ -n ${BENCH_VERBOSE:-} ]] && cat "$out" >&2
  sink_secs=$(python3 -c "print(f'{$t1 - $t0:.3f}')")
  read -r sink_records sink_objects sink_bytes drain_secs < <(
    sed -n 's/^pinpipe sink: drained \([0-9]*\) records into \([0-9]*\) objects (\([0-9]*\) bytes) in .* in \([0-9.]*\) s$/\1 \2 \3 \4/p' "$out")
}
# write_same MODE DIR -> prints seconds: the object files under DIR (read first, untimed)
# written again, either sequentially into one file with one fdatasync at the end (MODE
# one-file: the baseline), or put as the local store puts objects, 16 at once: temp file,
# write, fdatasync, rename, directory fsync (MODE puts: the floor of the layout).
write_same() {
  sync
  python3 - "$1" "$2" "$bench_work/rewrite" <<'PY'
import os, sys, time
from concurrent.futures import ThreadPoolExecutor
mode, root, dst = sys.argv[1], sys.argv[2], sys.argv[3]
blobs = []
for d, _, files in sorted(os.walk(root)):
    for f in sorted(files):
        with open(os.path.join(d, f), "rb") as fh:
            blobs.append((os.path.relpath(os.path.join(d, f), root), fh.read()))
os.makedirs(os.path.join(dst, "_tmp"))
for d in {os.path.dirname(k) for k, _ in blobs}:
    os.makedirs(os.path.join(dst, d), exist_ok=True)
def put(i):
    key, data = blobs[i]
    tmp = os.path.join(dst, "_tmp", str(i))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fdatasync(f.fileno())
    os.rename(tmp, os.path.join(dst, key))
    dfd = os.open(os.path.dirname(os.path.join(dst, key)), os.O_RDONLY)
    os.fsync(dfd)
    os.close(dfd)
t0 = time.perf_counter()
if mode == "one-file":
    with open(os.path.join(dst, "_tmp", "all"), "wb") as out:
        for _, b in blobs:
            out.write(b)
        out.flush()
        os.fdatasync(out.fileno())
else:
    with ThreadPoolExecutor(16) as ex:
        list(ex.map(put, range(len(blobs))))
print(f"{time.perf_counter() - t0:.3f}")
PY
  rm -rf "$bench_work/rewrite"
}
rate() { python3 -c "import sys; n, s = float(sys.argv[1]), float(sys.argv[2]); print(f'{n / s:,.0f}')" "$1" "$2"; }
mbs() { python3 -c "import sys; n, s = float(sys.argv[1]), float(sys.argv[2]); print(f'{n / s / 1e6:.1f}')" "$1" "$2"; }

# --- local store -----------------------------------------------------------------------------
declare -A lake_dir
for run in "1000 ${user//./\\.}\\.pin" "1 bench\\.small"; do
  read -r flush regex <<<"$run"
  lake_dir[$flush]=$bench_work/lake-$flush
  sink_once "local$flush" "$flush" "$regex" --store "${lake_dir[$flush]}"
  base_secs=$(write_same one-file "${lake_dir[$flush]}/topics")
  floor_secs=$(write_same puts "${lake_dir[$flush]}/topics")
  echo "local flush_size $flush: $sink_records records, $sink_objects objects, $sink_bytes bytes drained in ${drain_secs} s:" \
    "$(rate "$sink_records" "$drain_secs") records/s, $(rate "$sink_objects" "$drain_secs") objects/s," \
    "$(mbs "$sink_bytes" "$drain_secs") MB/s (whole process ${sink_secs} s); sequential write of the same bytes" \
    "${base_secs} s, $(mbs "$sink_bytes" "$base_secs") MB/s;" \
    "ratio $(bench_ratio "$base_secs" "$drain_secs")x$([[ $flush == 1000 ]] && echo ' (target >= 0.5)');" \
    "floor of one durable file per object (python, 16 at once, nothing else) ${floor_secs} s, ratio $(bench_ratio "$base_secs" "$floor_secs")x"
done

# --- s3rver ----------------------------------------------------------------------------------
if [[ ! -f $bench_root/tests/peers/node_modules/s3rver/package.json ]]; then
  echo "s3rver: skipped (not installed: scripts/bootstrap --test)"
  exit 0
fi
mkdir -p "$bench_work/s3rver"
node "$bench_root/tests/testutil/s3rver.js" --dir "$bench_work/s3rver" --port 0 --bucket bench \
  >"$bench_work/s3rver.out" 2>"$bench_work/s3rver.log" &
bench_pids+=($!)
s3rver_pid=$!
# s3rver_cpu -> CPU seconds (user + system) the s3rver process has used so far.
s3rver_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f\n", ($14 + $15) / hz}' "/proc/$s3rver_pid/stat"
}
for _ in $(seq 100); do grep -q '^READY' "$bench_work/s3rver.out" 2>/dev/null && break; sleep 0.1; done
s3_port=$(awk '/^READY/ {print $2}' "$bench_work/s3rver.out")
[[ -n $s3_port ]] || { echo "s3rver did not start: $(cat "$bench_work/s3rver.log")" >&2; exit 1; }
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1 \
  AWS_REGION=us-east-1 PINPIPE_S3_ENDPOINT=http://127.0.0.1:$s3_port PINPIPE_S3_PATH_STYLE=true
unset AWS_PROFILE AWS_SESSION_TOKEN
# Warm-up: 500 small PUTs through awscli, so neither measured client meets a cold server.
python3 - "$bench_work/warmup" <<'PY'
import os, sys
for i in range(500):
    d = os.path.join(sys.argv[1], f"w{i // 100}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"{i}.json"), "w") as f:
        f.write('{"warm":%d}\n' % i)
PY
/usr/bin/aws --endpoint-url "$PINPIPE_S3_ENDPOINT" s3 cp --recursive --quiet "$bench_work/warmup" s3://bench/warmup
for run in "1000 ${user//./\\.}\\.pin" "1 bench\\.small"; do
  read -r flush regex <<<"$run"
  c0=$(s3rver_cpu)
  sink_once "s3$flush" "$flush" "$regex" --store "s3://bench/pinpipe$flush"
  c1=$(s3rver_cpu)
  sync
  t0=$(now)
  /usr/bin/aws --endpoint-url "$PINPIPE_S3_ENDPOINT" s3 cp --recursive --quiet \
    "${lake_dir[$flush]}/topics" "s3://bench/awscli$flush/topics"
  t1=$(now)
  c2=$(s3rver_cpu)
  aws_secs=$(python3 -c "print(f'{$t1 - $t0:.3f}')")
  echo "s3rver flush_size $flush: pinpipe $sink_objects objects ($sink_bytes bytes) in ${sink_secs} s (drain ${drain_secs} s)" \
    "($(rate "$sink_objects" "$sink_secs") objects/s); aws s3 cp --recursive of the same objects ${aws_secs} s;" \
    "ratio $(bench_ratio "$aws_secs" "$sink_secs")x (target >= 5);" \
    "s3rver's own CPU: $(python3 -c "print(f'{$c1 - $c0:.2f}')") s serving pinpipe," \
    "$(python3 -c "print(f'{$c2 - $c1:.2f}')") s serving awscli"
done
