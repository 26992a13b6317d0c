#!/usr/bin/env bash
# batch_bench: `pinpipe batch` end to end (raw objects -> cleaned Delta tables -> the nine
# analyses as CSV) against its two peers on the same files, in one invocation (issue 5):
#   (a) pandas_batch.py, the same cleaning and analyses in pandas  — target: pinpipe >= 10x faster
#   (b) duckdb_batch.sh, the same work as pure DuckDB SQL (read_json + SQL cleaning + the
#       sql/analysis files) run by the same libduckdb       — target: pinpipe at least as fast
# and checks that the nine CSVs of all three are byte-identical (exit 1 when they are not).
#
#   bench/batch/batch_bench.sh [CASE...]
#     original   11,153 posts, flush_size 1: one object per record, 33,459 objects (the
#                original's size and sink setting)
#     large      1,000,000 posts = 3M raw records, flush_size 1000: 3,000 objects
#     N:F        N posts with flush_size F
#   Default: original large (~5-10 minutes on the shared 2-core machine, most of it pandas;
#   large needs ~1 GB of disk and ~11 GB of RAM: pandas peaks at 10 GB RSS).
#
# Input: generate.py (`pinpipe seed --rows N` source rows, N posts drawn with replacement as the
# emulator does, written directly in the sink layout, 1 partition, user id 0a1b2c3d4e5f). The
# page cache is warmed before the timed runs, so all three read from memory. Each tool runs
# once, with its defaults (pinpipe: DuckDB threads = cores, 8 fetch threads; DuckDB SQL: threads
# = cores; pandas: one thread); wall, CPU (user + sys, children included) and peak RSS come
# from /usr/bin/time.
# Env: PINPIPE_BINARY (default build/release/pinpipe), DUCKDB_SQL (default: duckdb_sql beside
#      the binary's build, else compiled once, untimed), BENCH_DIR (default /tmp), BENCH_KEEP=1
#      (keep the work dir), BENCH_CACHE=DIR (keep generated layouts in DIR and reuse them),
#      SEED (default 1).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/bench/common.sh"  # bench_machine, bench_ratio

bin=$(realpath -m "${PINPIPE_BINARY:-$root/build/release/pinpipe}")
[[ -x $bin ]] || { echo "batch_bench: $bin not found; build the release binary first" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "batch_bench: need /usr/bin/time (apt-get install time)" >&2; exit 2; }
/usr/bin/python3 -c 'import pandas' 2>/dev/null ||
  { echo "batch_bench: need pandas for /usr/bin/python3 (scripts/bootstrap --test)" >&2; exit 2; }
user_id=0a1b2c3d4e5f
seed=${SEED:-1}

work=$(realpath "$(mktemp -d "${BENCH_DIR:-/tmp}/pinpipe-batch-bench.XXXXXX")")
if [[ -n ${BENCH_KEEP:-} ]]; then echo "batch_bench: keeping $work"; else trap 'rm -rf "$work"' EXIT; fi
trap 'exit 130' INT TERM
[[ -z ${BENCH_CACHE:-} ]] || BENCH_CACHE=$(realpath -m "$BENCH_CACHE")
cd "$work"

runner=${DUCKDB_SQL:-$(dirname "$bin")/bench/duckdb_sql}
if [[ ! -x $runner ]]; then
  runner=$work/duckdb_sql
  echo "batch_bench: compiling bench/batch/duckdb_sql.cc (untimed)"
  c++ -std=c++20 -O2 -o "$runner" "$here/duckdb_sql.cc" -I "$root/third_party/duckdb/include" \
    -L "$root/third_party/duckdb/lib" -lduckdb -Wl,-rpath,"$root/third_party/duckdb/lib"
fi
analyses=()
for f in "$root"/sql/analysis/*.sql; do analyses+=("$(basename "$f" .sql)"); done

# timed NAME command...: runs it under /usr/bin/time; sets wall_NAME cpu_NAME rss_NAME (MB).
timed() {
  local name=$1 out=$work/time.$1
  shift
  if ! /usr/bin/time -f '%e %U %S %M' -o "$out" "$@" >"$work/$name.log" 2>&1; then
    echo "batch_bench: $name failed:" >&2
    tail -20 "$work/$name.log" >&2
    return 1
  fi
  read -r wall user sys rss_kb <"$out"
  printf -v "wall_$name" '%s' "$wall"
  printf -v "cpu_$name" '%s' "$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')"
  printf -v "rss_$name" '%s' "$((rss_kb / 1024))"
}

run_case() {  # label posts flush_size
  local label=$1 posts=$2 flush=$3
  local layout out=$work/$label
  if [[ -n ${BENCH_CACHE:-} ]]; then
    layout=$BENCH_CACHE/batch-$posts-$flush-$seed
  else
    layout=$work/$label/layout
  fi
  mkdir -p "$out"
  echo
  echo "batch_bench: $label: $posts posts, flush_size $flush, seed $seed"
  if [[ ! -d $layout/topics ]]; then
    rm -rf "$layout"
    mkdir -p "$layout"
    PINPIPE_BINARY=$bin /usr/bin/python3 "$here/generate.py" "$layout" --posts "$posts" \
      --flush-size "$flush" --seed "$seed" --user-id "$user_id" ||
      { rm -rf "$layout"; return 1; }
  fi
  rm -rf "$layout/tables" "$layout/_pinpipe"  # what an earlier pinpipe run left in the lake
  local objects bytes
  objects=$(find "$layout/topics" -type f -name '*.json' | wc -l)
  bytes=$(du -sb "$layout/topics" | cut -f1)
  echo "batch_bench: input: $((posts * 3)) records in $objects objects, $((bytes / 1000000)) MB"
  find "$layout/topics" -type f -print0 | xargs -0 cat >/dev/null  # warm the page cache
  echo "batch_bench: $(bench_machine)"

  # One process each (the script runs in the work dir: no ./pinpipe.toml is picked up).
  timed pinpipe env PINPIPE_USER_ID="$user_id" "$bin" --data-dir "$work/data" batch \
    --source "$layout" --quiet --summary-json --format csv --output-dir "$out/pinpipe" || return 1
  timed duckdb env DUCKDB_SQL="$runner" TOPICS="$user_id" "$here/duckdb_batch.sh" "$layout" \
    "$out/duckdb" || return 1
  timed pandas /usr/bin/python3 "$here/pandas_batch.py" --topics "$user_id" "$layout" \
    "$out/pandas" || return 1
  rm -rf "$layout/tables" "$layout/_pinpipe"
  echo "batch_bench: load after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"

  local same=0 differ=0 name
  for name in "${analyses[@]}"; do
    for peer in pandas duckdb; do
      if cmp -s "$out/pinpipe/analysis_$name.csv" "$out/$peer/$name.csv"; then
        same=$((same + 1))
      else
        differ=$((differ + 1))
        echo "batch_bench: $name: pinpipe and $peer differ:"
        diff "$out/pinpipe/analysis_$name.csv" "$out/$peer/$name.csv" | head -10 || true
      fi
    done
  done

  printf '%-22s %9s %9s %13s\n' "" "wall s" "CPU s" "peak RSS MB"
  printf '%-22s %9s %9s %13s\n' "pinpipe batch" "$wall_pinpipe" "$cpu_pinpipe" "$rss_pinpipe"
  printf '%-22s %9s %9s %13s\n' "DuckDB SQL (peer b)" "$wall_duckdb" "$cpu_duckdb" "$rss_duckdb"
  printf '%-22s %9s %9s %13s\n' "pandas (peer a)" "$wall_pandas" "$cpu_pandas" "$rss_pandas"
  local rp rd
  rp=$(bench_ratio "$wall_pandas" "$wall_pinpipe")
  rd=$(bench_ratio "$wall_duckdb" "$wall_pinpipe")
  echo "pinpipe vs pandas: ${rp}x faster wall, $(bench_ratio "$cpu_pandas" "$cpu_pinpipe")x less CPU" \
    "(target >= 10x: $(awk -v r="$rp" 'BEGIN {print r >= 10 ? "met" : "NOT met"}'))"
  echo "pinpipe vs DuckDB SQL: ${rd}x faster wall, $(bench_ratio "$cpu_duckdb" "$cpu_pinpipe")x less CPU" \
    "(target >= 1x: $(awk -v r="$rd" 'BEGIN {print r >= 1 ? "met" : "NOT met"}'))"
  tail -1 "$work/pinpipe.log" | /usr/bin/python3 -c '
import json, sys
run = json.load(sys.stdin)
print("pinpipe data quality: " + "; ".join(
    "{}: {} read, {} duplicates, {} rejected, {} written".format(
        t["name"], t["quality"]["rows_read"], t["quality"]["duplicates_dropped"],
        t["quality"]["rows_rejected"], t["quality"]["rows_written"]) for t in run["tables"]))'
  echo "crosscheck: ${#analyses[@]} analyses, pinpipe vs pandas and vs DuckDB SQL: $same identical," \
    "$differ differ"
  [[ $differ -eq 0 ]]
}

cases=("$@")
[[ ${#cases[@]} -gt 0 ]] || cases=(original large)
status=0
for c in "${cases[@]}"; do
  case $c in
    original) run_case original 11153 1 || status=1 ;;
    large) run_case large 1000000 1000 || status=1 ;;
    *:*) run_case "posts-${c%%:*}-flush-${c##*:}" "${c%%:*}" "${c##*:}" || status=1 ;;
    *) echo "batch_bench: unknown case '$c' (original, large or POSTS:FLUSH)" >&2; exit 2 ;;
  esac
done
exit $status
