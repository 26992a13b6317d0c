// JobSpec: when and how a job runs — the Airflow DAG arguments pinpipe understands, with
// Airflow's defaults where the issue does not say otherwise (docs/scheduler.md has the table).
//
// A plain value. Times are Unix microseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pinpipe::scheduler {

struct JobSpec {
  std::string name;
  std::string schedule = "@daily";
  std::string timezone = "UTC";
  bool catchup = false;                // Airflow 3's default and the original DAG's
  std::optional<int64_t> start_date;   // first data interval starts at the first fire >= it
  std::optional<int64_t> end_date;     // no logical date after it
  int retries = 1;
  int64_t retry_delay = 120'000'000;   // 2 minutes
  bool retry_exponential_backoff = false;
  int64_t max_retry_delay = 86'400'000'000;  // Airflow caps backoff at 24 hours
  int max_active_runs = 1;
  int64_t execution_timeout = 0;  // 0: none
};

}  // namespace pinpipe::scheduler

namespace pinpipe::scheduler {

// The wait before try `try_number + 1` after try `try_number` failed: retry_delay, doubled per
// failed try with exponential backoff (Airflow's formula without its jitter), at most
// max_retry_delay.
inline int64_t RetryDelay(const JobSpec& spec, int try_number) {
  if (!spec.retry_exponential_backoff || try_number <= 1) return spec.retry_delay;
  int64_t d = spec.retry_delay;
  for (int i = 1; i < try_number && d < spec.max_retry_delay; i++) d *= 2;
  return d < spec.max_retry_delay ? d : spec.max_retry_delay;
}

}  // namespace pinpipe::scheduler
