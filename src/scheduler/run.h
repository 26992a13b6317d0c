// RunRecord: one run of a job for one logical date, as kept in the run history. The key is
// (job, logical_date): one run per logical date, ever; `clear` re-queues the same row.
//
// States (Airflow's, for a one-task DAG): queued → running → success | failed | up_for_retry;
// up_for_retry → running again once next_try_at has passed. A run counts as active (against
// max_active_runs) while running or up_for_retry, as an Airflow DagRun stays "running" while
// its task waits to retry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pinpipe::scheduler {

enum class RunState { kQueued, kRunning, kSuccess, kFailed, kUpForRetry };

std::string_view RunStateName(RunState s);  // "queued", "running", ...
std::optional<RunState> ParseRunState(std::string_view name);
inline bool IsTerminal(RunState s) { return s == RunState::kSuccess || s == RunState::kFailed; }

struct RunRecord {
  std::string job;
  int64_t logical_date = 0;  // micros
  std::string run_type;      // "scheduled", "manual", "backfill"
  RunState state = RunState::kQueued;
  int64_t interval_start = 0;
  int64_t interval_end = 0;
  int try_number = 0;  // tries started so far
  int max_tries = 1;   // retry while try_number < max_tries (retries + 1, raised by clear)
  int64_t queued_at = 0;    // micros; 0 = unset for this and the times below
  int64_t start_time = 0;   // of the latest try
  int64_t end_time = 0;     // of the latest try
  int64_t next_try_at = 0;  // up_for_retry: not before
  std::string summary;      // the job's JSON summary of its latest try
  std::string error;        // why the latest try failed
  std::string log_path;     // of the latest try
};

}  // namespace pinpipe::scheduler
