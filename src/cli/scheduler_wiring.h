// The scheduler's wiring, shared by `pinpipe up` and `pinpipe schedule`: the job registry from
// the [jobs.*] configuration, and SchedulerService (the scheduler on its own threads, as `up`
// runs it, with what /api/schedule and /metrics show).
//
// The `batch` job without a `command` runs `pinpipe batch --date {ds} --summary-json` as a child process of
// this same binary, with this process's --config and --data-dir: a batch that runs out of
// memory or hangs past its execution timeout is killed without taking `up` down, and its
// output is the run's log. The last line it prints on stdout (the data-quality summary) is the
// run's summary. (batch::RunBatch in a FunctionJob would do in-process; see docs/scheduler.md.)
//
// Thread-safety: as the objects returned.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "cli/config.h"
#include "scheduler/job_registry.h"
#include "scheduler/scheduler.h"

namespace pinpipe::cli {

// The shell command the default batch job runs.
std::string BatchCommand(const Config& config);
// config.jobs as a JobRegistry (dates parsed in each job's zone). InvalidArgument naming the
// job for a bad schedule, zone, date or number.
Result<std::unique_ptr<scheduler::JobRegistry>> BuildJobRegistry(const Config& config);

class SchedulerService {
 public:
  // Takes the scheduler lock (Unavailable when another scheduler runs on the data dir),
  // recovers, and starts ticking every scheduler.poll_ms. Events go to stderr.
  static Result<std::unique_ptr<SchedulerService>> Start(const Config& config);
  ~SchedulerService();
  void Stop();
  // GET /api/schedule and the /metrics lines; any thread.
  std::string StatusJson() const;
  std::string MetricsText() const;

 private:
  SchedulerService() = default;
  std::unique_ptr<scheduler::JobRegistry> registry_;
  std::unique_ptr<scheduler::Scheduler> scheduler_;
};

}  // namespace pinpipe::cli
