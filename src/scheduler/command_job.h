// CommandJob: a job that runs a shell command (`/bin/sh -c`), as Airflow's BashOperator does.
//
// Before running, these placeholders in the command are replaced (Airflow's template names):
// {ds} (2024-03-31), {ds_nodash} (20240331), {logical_date}, {data_interval_start},
// {data_interval_end} (ISO-8601 UTC), {try_number}, {job}. The same values are in the
// environment as PINPIPE_DS, PINPIPE_LOGICAL_DATE, PINPIPE_DATA_INTERVAL_START,
// PINPIPE_DATA_INTERVAL_END, PINPIPE_TRY_NUMBER and PINPIPE_JOB.
//
// The command's stdout and stderr go to the try's log file. Its exit status 0 is success; the
// last line it prints on stdout, if it is a JSON object, becomes the run's summary. When the
// run is cancelled (execution timeout, shutdown) the command's process group gets SIGTERM,
// and SIGKILL 5 s later.
//
// The process is started with posix_spawn (safe in a multi-threaded server), in its own
// process group, with default signal dispositions and an empty signal mask (`pinpipe up`
// blocks SIGINT/SIGTERM in its threads; a child must not inherit that).
//
// Thread-safety: Run may be called from several threads at once.
#pragma once

#include <string>

#include "scheduler/job.h"

namespace pinpipe::scheduler {

class CommandJob final : public Job {
 public:
  explicit CommandJob(std::string command) : command_(std::move(command)) {}
  JobOutcome Run(const JobRun& run) override;
  std::string Describe() const override { return "command: " + command_; }

  // The command with the placeholders of `run` replaced (exposed for tests).
  std::string Expand(const JobRun& run) const;

 private:
  std::string command_;
};

}  // namespace pinpipe::scheduler
