#!/usr/bin/env bash
# seed_bench: `pinpipe seed` of ROWS rows (default 10,000,000) into a fresh SQLite file, against
# a baseline run in the same invocation: the sqlite3 CLI importing exactly the same rows from
# CSV (.import, one transaction per table, same schema, WAL + synchronous=OFF + same cache,
# then an fsync, as pinpipe seed ends with its data durable). The CSV export that prepares
# the baseline is not timed.
#
#   bench/seed_bench.sh [ROWS]
#   env: PINPIPE_BINARY (default build/release/pinpipe), BENCH_DIR (default /tmp)
#
# Needs ~2.5 KB of disk per row (two databases and the CSV files), 25 GB for 10M rows. Not a
# unit test: numbers depend on the machine and its load.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
rows=${1:-10000000}
target=200000
bin=${PINPIPE_BINARY:-$root/build/release/pinpipe}
if [ ! -x "$bin" ]; then
  echo "seed_bench: $bin not found; build it: cmake --preset release && cmake --build --preset release" >&2
  exit 2
fi
if ! command -v sqlite3 >/dev/null; then
  echo "seed_bench: sqlite3 CLI not found; run scripts/bootstrap --test" >&2
  exit 2
fi

dir=$(mktemp -d "${BENCH_DIR:-/tmp}/pinpipe-seed-bench-XXXXXX")
trap 'rm -rf "$dir"' EXIT
now() { date +%s.%N; }

echo "seed_bench: $rows rows into $dir ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
t0=$(now)
"$bin" seed --rows "$rows" --source "$dir/seed.db"
t1=$(now)

echo "seed_bench: preparing the baseline (CSV export, untimed)"
for t in pinterest_data geolocation_data user_data; do
  sqlite3 -csv "$dir/seed.db" "SELECT * FROM $t" > "$dir/$t.csv"
done
sqlite3 "$dir/seed.db" .schema > "$dir/schema.sql"

echo "seed_bench: baseline: sqlite3 .import of the same rows"
t2=$(now)
sqlite3 "$dir/base.db" >/dev/null <<SQL
PRAGMA page_size=65536;
PRAGMA journal_mode=WAL; -- prints "wal"
PRAGMA synchronous=OFF;
PRAGMA cache_size=-262144;
.read $dir/schema.sql
.import --csv $dir/pinterest_data.csv pinterest_data
.import --csv $dir/geolocation_data.csv geolocation_data
.import --csv $dir/user_data.csv user_data
SQL
# pinpipe seed ends with its data durable (fsync); so does the baseline.
sync "$dir"/base.db*
t3=$(now)

base_rows=$(sqlite3 "$dir/base.db" "SELECT COUNT(*) FROM pinterest_data")
seed_rows=$(sqlite3 "$dir/seed.db" "SELECT COUNT(*) FROM pinterest_data")
if [ "$base_rows" != "$rows" ] || [ "$seed_rows" != "$rows" ]; then
  echo "seed_bench: row counts differ: pinpipe $seed_rows, baseline $base_rows, wanted $rows" >&2
  exit 1
fi

awk -v rows="$rows" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v target="$target" 'BEGIN {
  s = t1 - t0; b = t3 - t2; rs = rows / s; rb = rows / b
  printf "pinpipe seed:     %d rows in %.2f s = %.0f rows/s (target %d rows/s: %s)\n", rows, s, rs, target, rs >= target ? "met" : "NOT met"
  printf "sqlite3 .import:  %d rows in %.2f s = %.0f rows/s\n", rows, b, rb
  printf "ratio: %.2f× baseline\n", rs / rb
}'
