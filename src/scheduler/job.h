// Job: the work the scheduler runs for one data interval (the batch, or a shell command), and
// the registry the composition root (cli/) fills with them.
//
// A job is called once per try: it gets the run's logical date, data interval, try number, a
// log file path and a CancelToken, and returns a Status plus a JSON summary (e.g. the batch's
// data-quality numbers) that the run history keeps. A job must be idempotent per logical
// date (Airflow's rule): a retry or a cleared run re-does the same interval.
//
// Thread-safety: Run may be called concurrently for different runs (max_active_runs > 1);
// the registry is built on one thread before the scheduler starts, then read-only.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/status.h"

namespace pinpipe::scheduler {

// Asks a running job to stop: by the scheduler (execution timeout, shutdown) or by its
// deadline on the clock passing. Jobs poll cancelled() between steps.
class CancelToken {
 public:
  // deadline_micros 0: none.
  CancelToken(Clock* clock, int64_t deadline_micros) : clock_(clock), deadline_(deadline_micros) {}
  void Cancel() { cancelled_.store(true, std::memory_order_release); }
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire) || timed_out(); }
  bool timed_out() const { return deadline_ != 0 && clock_->NowMicros() >= deadline_; }
  int64_t deadline_micros() const { return deadline_; }

 private:
  Clock* const clock_;
  const int64_t deadline_;
  std::atomic<bool> cancelled_{false};
};

struct JobRun {
  std::string job;
  int64_t logical_date = 0;    // micros; = data_interval_start for scheduled runs
  int64_t interval_start = 0;  // micros, inclusive
  int64_t interval_end = 0;    // micros, exclusive
  std::string ds;              // the logical date's day on the job's wall clock, "2024-03-31"
  std::string run_type;        // "scheduled", "manual", "backfill"
  int try_number = 1;
  std::string log_path;  // where the job writes its log (the directory exists)
  const CancelToken* cancel = nullptr;
};

struct JobOutcome {
  Status status;
  std::string summary_json;  // a JSON object, or empty
};

class Job {
 public:
  virtual ~Job() = default;
  virtual JobOutcome Run(const JobRun& run) = 0;
  // One line for `schedule list` ("command: pinpipe batch --date {ds}").
  virtual std::string Describe() const = 0;
};

// A job from a function (in-process jobs, tests).
class FunctionJob final : public Job {
 public:
  using Fn = std::function<JobOutcome(const JobRun&)>;
  FunctionJob(Fn fn, std::string description) : fn_(std::move(fn)), description_(std::move(description)) {}
  JobOutcome Run(const JobRun& run) override { return fn_(run); }
  std::string Describe() const override { return description_; }

 private:
  Fn fn_;
  std::string description_;
};

}  // namespace pinpipe::scheduler
