// What the run history looks like to people and tools: `pinpipe schedule list|history` lines,
// the JSON of GET /api/schedule, and the Prometheus lines of /metrics. Read-only over the
// RunStore; callable from any thread and any process.
#pragma once

#include <string>

#include "base/result.h"
#include "scheduler/job_registry.h"
#include "scheduler/run_store.h"

namespace pinpipe::scheduler {

// "2024-03-31  success       scheduled  try 1/2  [2024-03-31T00:00:00Z, 2024-04-01T00:00:00Z)  ..."
std::string HistoryLine(const RunRecord& run);
// One line per job: name, schedule, zone, next logical date and when it runs, last state.
Result<std::string> ListText(RunStore& store, const JobRegistry& registry, int64_t now);
// {"scheduler_running":..,"jobs":[{..,"next_logical_date","next_run_after","last_run"}],
//  "runs":[the 50 newest runs]}
Result<std::string> ScheduleJson(RunStore& store, const JobRegistry& registry, int64_t now,
                                 bool scheduler_running);
// pinpipe_scheduler_runs{job,state}, pinpipe_scheduler_last_success_timestamp_seconds{job},
// pinpipe_scheduler_last_run_success{job} (1/0), pinpipe_scheduler_next_run_timestamp_seconds{job}.
Result<std::string> ScheduleMetrics(RunStore& store, const JobRegistry& registry, int64_t now);

}  // namespace pinpipe::scheduler
