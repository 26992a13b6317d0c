// The batch job (SPEC §8, `pinpipe batch`): the raw objects the sink wrote → cleaned Delta
// tables cleaned_pin, cleaned_geo, cleaned_user → the analyses of sql/analysis as Delta tables
// analysis_<name>.
//
// Incremental and exactly once: each cleaned table's commit carries, for every topic partition
// it took objects from, txn(appId = "<topic>/<partition>", version = the offset after the last
// record taken). A run takes only objects whose start offset is at or past that version, so a
// re-run, or a run after a crash at any point, adds each object once. A crash between writing a
// Parquet file and committing leaves an unreferenced file, which no reader sees. One row per
// `ind` across all runs: the inds already in a table count as seen, and the first arrival (in
// partition, offset order) wins.
//
// Speed: decoding and cleaning run on the fetch threads (batch/object_cleaner.h), dedup and
// staging (DuckDB's appender) on the caller's; each cleaned table's new rows are staged in a
// temp table written to Parquet as is (a `file://` lake gets the file in place), and the
// analyses read this run's rows from the stage, the table's older files from Parquet. The
// stage tables and the cleaned_* views are dropped before RunBatch returns.
//
// Crash-test hook: the environment variable PINPIPE_BATCH_PAUSE_BEFORE_COMMIT_MS (not a
// config key) makes each cleaned table's commit wait that long after its Parquet file is
// written, so a kill lands in that window often (tests/fault/batch_kill9_test.py).
//
// Thread-safety: RunBatch uses `session` on the calling thread and reads objects with
// `fetch_threads` threads of its own.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "batch/analyses.h"
#include "engine/session.h"
#include "engine/value.h"
#include "model/quality.h"
#include "objstore/object_store.h"

namespace pinpipe::batch {

struct BatchOptions {
  std::string user_id;           // topics <user_id>.pin|geo|user
  std::string tables_prefix = "tables";  // tables live at <prefix>/<name> in the lake
  int fetch_threads = 8;         // objects read at once
  bool full_refresh = false;     // drop the cleaned tables and take every object again
  bool run_analyses = true;
  std::optional<std::string> date;  // the run's logical date (a label; processing is by offset)
  std::vector<Analysis> analyses;   // what to run (LoadAnalyses)
  Clock* clock = nullptr;           // commit times; the real clock when null
};

struct TableRun {
  model::QualityCounters quality;
  std::string table;             // cleaned_pin, ...
  int64_t objects = 0;           // raw objects read
  int64_t bytes = 0;             // raw bytes read
  int64_t rows_added = 0;
  int64_t version = -1;          // the Delta version committed, -1 when nothing was new
  explicit TableRun(model::Table t) : quality(t) {}
};

struct AnalysisRun {
  std::string name;              // e.g. popular_category_by_country
  std::string table;             // analysis_<name>
  engine::QueryResult result;
};

struct BatchResult {
  std::vector<TableRun> tables;  // pin, geo, user
  std::vector<AnalysisRun> analyses;
  std::optional<std::string> date;
  int64_t started_ms = 0;
  int64_t finished_ms = 0;

  // The data-quality summary (per table: objects, rows, rejects with reasons, duplicates, per
  // column nulled/converted/rejected), one JSON object.
  std::string QualityJson() const;
  // The same for people.
  std::string QualityText() const;
};

// Where a run's data-quality summary is kept in the lake.
std::string RunSummaryKey(int64_t started_ms);

Result<BatchResult> RunBatch(objstore::ObjectStore& lake, engine::Session& session,
                             const BatchOptions& options);

// CREATE OR REPLACE VIEW for every Delta table under `tables_prefix` (cleaned_*, analysis_*,
// any other), named as the table. Returns the names, sorted.
Result<std::vector<std::string>> CreateTableViews(objstore::ObjectStore& lake,
                                                  engine::Session& session,
                                                  std::string_view tables_prefix = "tables");

}  // namespace pinpipe::batch
