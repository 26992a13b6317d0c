// RunStore: the durable run history in SQLite (<data_dir>/scheduler.db), the only file that
// includes sqlite3.h in this module. WAL journal with synchronous=FULL: a state change is on
// disk when the call returns.
//
// Several processes may open one database: the scheduler of `pinpipe up` and the `pinpipe
// schedule` commands (which queue manual runs for it and read the history). SQLite's own
// locking serializes them (busy timeout 10 s). State changes are compare-and-set on the
// current state, so a `clear` racing a scheduler never overwrites a running try.
//
// Thread-safety: every method may be called from any thread (one connection, a mutex).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/thread_annotations.h"
#include "scheduler/run.h"

struct sqlite3;

namespace pinpipe::scheduler {

class RunStore {
 public:
  // Opens or creates the database and its schema.
  static Result<std::unique_ptr<RunStore>> Open(const std::string& path);
  ~RunStore();
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;

  // AlreadyExists if the job already has a run for that logical date.
  Status Insert(const RunRecord& run);
  Result<std::optional<RunRecord>> Get(const std::string& job, int64_t logical_date);
  // Replaces the row of (run.job, run.logical_date) if its state is still `expected`;
  // Aborted if it changed meanwhile, NotFound if there is no such run.
  Status Update(const RunRecord& run, RunState expected);

  // Runs of `job` (all jobs if empty), newest logical date first, at most `limit`.
  Result<std::vector<RunRecord>> List(const std::string& job, size_t limit);
  // Runs in any of the given states, oldest logical date first.
  Result<std::vector<RunRecord>> ListInStates(const std::vector<RunState>& states);
  // The end of the latest scheduled or backfill run's data interval (where the next scheduled
  // one starts: Airflow's "last automated run").
  Result<std::optional<int64_t>> LastScheduledEnd(const std::string& job);
  // Number of runs per state of `job`.
  Result<std::vector<std::pair<RunState, int64_t>>> CountByState(const std::string& job);

 private:
  explicit RunStore(sqlite3* db) : db_(db) {}

  std::mutex mu_;
  sqlite3* const db_;  // owned; all use under mu_
};

}  // namespace pinpipe::scheduler
