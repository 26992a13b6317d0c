// What `pinpipe schedule trigger|backfill|clear` ask of the run history. Each writes queued
// runs into the RunStore, where a scheduler (the one of `pinpipe up`, or one the command opens
// itself when none is running) picks them up.
//
// Thread-safety: as RunStore.
#pragma once

#include <optional>
#include <vector>

#include "base/result.h"
#include "scheduler/job_registry.h"
#include "scheduler/run_store.h"

namespace pinpipe::scheduler {

// A manual run (Airflow's "trigger DAG"). Without a date: logical date = now (whole seconds)
// and the data interval is the latest complete one. With a date that is a fire time: that
// interval [d, next(d)); any other instant: logical date d, interval the latest complete one
// before d. AlreadyExists when the job already has a run for that logical date (clear it).
Result<RunRecord> QueueManualRun(RunStore& store, const JobRegistry::Entry& job,
                                 std::optional<int64_t> logical_date, int64_t now);

// Backfill runs for every fire time in [from, to]; dates that already have a run are left as
// they are (clear them to re-run). Returns the runs created. InvalidArgument when to < from
// or the range holds more than 10,000 fire times.
Result<std::vector<RunRecord>> QueueBackfill(RunStore& store, const JobRegistry::Entry& job,
                                             int64_t from, int64_t to, int64_t now);

// Re-queues the run of that logical date with a fresh set of tries (Airflow's "clear"): its
// history row is reused, try numbers continue. NotFound if there is no such run;
// FailedPrecondition while it is running.
Result<RunRecord> ClearRun(RunStore& store, const JobRegistry::Entry& job, int64_t logical_date,
                           int64_t now);

}  // namespace pinpipe::scheduler
