#!/usr/bin/env bash
# Runs the two benchmark peers (pandas_batch.py and duckdb_batch.sh) on one sink layout and
# compares their nine analysis CSVs byte for byte.
#
#   bench/batch/crosscheck.sh [LAYOUT_DIR]
# Without LAYOUT_DIR: writes the raw golden fixture (tests/golden/analysis/{pin,geo,user}.jsonl)
# into a sink layout in a temp dir (3 partitions, 4 records per object) and also compares both
# peers with the hand-written expected CSVs there.
# Env: DUCKDB_SQL (see duckdb_batch.sh), TOPICS (topic glob prefix, default *), KEEP=1 keeps the
#      temp dir. Exit 0 when every file agrees.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
golden=$root/tests/golden/analysis
work=$(mktemp -d "${TMPDIR:-/tmp}/batch-crosscheck.XXXXXX")
if [[ -n ${KEEP:-} ]]; then echo "crosscheck: keeping $work"; else trap 'rm -rf "$work"' EXIT; fi

if [[ $# -ge 1 ]]; then
  layout=$1
  expected=
else
  layout=$work/layout
  /usr/bin/python3 "$here/write_layout.py" "$layout" --partitions 3 --flush-size 4 \
    pin="$golden/pin.jsonl" geo="$golden/geo.jsonl" user="$golden/user.jsonl"
  expected=$golden
fi

/usr/bin/python3 "$here/pandas_batch.py" --topics "${TOPICS:-*}" "$layout" "$work/pandas"
"$here/duckdb_batch.sh" "$layout" "$work/duckdb"

passed=0
failed=0
compare() {  # label a b
  if cmp -s "$2" "$3"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "crosscheck: $1 differs:"
    diff "$2" "$3" | head -20 || true
  fi
}
for f in "$root"/sql/analysis/*.sql; do
  name=$(basename "$f" .sql)
  compare "$name (pandas vs duckdb)" "$work/pandas/$name.csv" "$work/duckdb/$name.csv"
  if [[ -n $expected ]]; then
    compare "$name (pandas vs expected)" "$expected/$name.csv" "$work/pandas/$name.csv"
    compare "$name (duckdb vs expected)" "$expected/$name.csv" "$work/duckdb/$name.csv"
  fi
done
echo "crosscheck: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
