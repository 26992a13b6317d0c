#!/usr/bin/env bash
# The batch job as pure DuckDB SQL (the benchmark peer): duckdb_batch.sql (read_json over the sink
# layout + the cleaning of SPEC §6 in SQL) followed by every sql/analysis/<name>.sql as
# `COPY (...) TO '<out>/<name>.csv' (HEADER)`, all run by one duckdb_sql process.
#
#   bench/batch/duckdb_batch.sh LAYOUT_DIR OUT_DIR [duckdb_sql options: --threads N, -v, ...]
# Env: DUCKDB_SQL (the runner; default: build/release/bench/duckdb_sql, else compiled into a temp dir),
#      TOPICS (the topic glob prefix, a user id; default *).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[[ $# -ge 2 ]] || { sed -n '6p' "$0" >&2; exit 2; }
layout=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
shift 2

work=$(mktemp -d "${TMPDIR:-/tmp}/duckdb-batch.XXXXXX")
trap 'rm -rf "$work"' EXIT
runner=${DUCKDB_SQL:-}
if [[ -z $runner ]]; then
  runner=$root/build/release/bench/duckdb_sql
  if [[ ! -x $runner ]]; then
    runner=$work/duckdb_sql
    c++ -std=c++20 -O2 -o "$runner" "$here/duckdb_sql.cc" -I "$root/third_party/duckdb/include" \
      -L "$root/third_party/duckdb/lib" -lduckdb -Wl,-rpath,"$root/third_party/duckdb/lib"
  fi
fi

for f in "$root"/sql/analysis/*.sql; do
  name=$(basename "$f" .sql)
  { echo "COPY ("; cat "$f"; echo; echo ") TO '$out/$name.csv' (HEADER);"; } >> "$work/analyses.sql"
done
"$runner" -D layout="$layout" -D topics="${TOPICS:-*}" "$@" "$here/duckdb_batch.sql" "$work/analyses.sql"
