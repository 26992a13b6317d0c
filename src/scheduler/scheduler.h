// Scheduler: creates and runs the jobs of a JobRegistry with Airflow semantics (timetable.h,
// run.h), keeping every run in the RunStore (<data_dir>/scheduler.db).
//
// One scheduler per data dir: Open takes an exclusive lock (<data_dir>/scheduler.lock) and
// fails with Unavailable while another process (or another Scheduler object) holds it. Having
// the lock, Open recovers from a crash: a run left `running` had its try cut short, so that
// try counts as failed and the run goes up_for_retry (or failed when out of tries). Because
// only the lock holder starts tries, a run never runs twice at once.
//
// Work is driven by Tick(): it finishes tries that ended, cancels tries past their execution
// timeout, creates the scheduled runs that are due, and starts queued runs (oldest logical
// date first, at most max_active_runs active per job) and retries whose delay has passed.
// Runs queued by other processes (`pinpipe schedule trigger|backfill|clear`) are picked up
// on the next Tick: the database is the hand-over point. Every decision reads the Clock, so
// tests drive weeks of schedule with a FakeClock and Tick().
//
// Execution: with `inline_runs` (tests, `schedule trigger` without a running scheduler) Tick
// runs each try on the calling thread; otherwise each try gets its own thread and Start()
// runs a loop thread that ticks every poll interval (real time) and when a try ends.
// Stop() cancels running tries and waits for them; a try cut short by Stop goes back to
// queued without using up a try.
//
// Thread-safety: Tick, Start and Stop from one controlling thread; the report functions
// (scheduler_report.h) read the store and may run on any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/thread_annotations.h"
#include "io/file_system.h"
#include "scheduler/job_registry.h"
#include "scheduler/run_store.h"

namespace pinpipe::scheduler {

struct SchedulerOptions {
  std::string data_dir;
  bool inline_runs = false;
  // Whether Tick creates scheduled runs (false: only queued, manual and backfill runs run).
  bool create_scheduled_runs = true;
  std::chrono::milliseconds poll_interval{1000};
  // One line per event ("batch 2024-03-31 success (try 1)"); empty: silent.
  std::function<void(const std::string&)> log;
};

// <data_dir>/scheduler.db and <data_dir>/scheduler/logs.
std::string RunStorePath(const std::string& data_dir);
std::string LogRoot(const std::string& data_dir);
// Takes the scheduler lock of a data dir (Unavailable if held).
Result<std::unique_ptr<io::FileLock>> LockSchedulerDir(const std::string& data_dir);

class Scheduler {
 public:
  // `registry` and `clock` must outlive the scheduler. `lock` (optional) is a lock the caller
  // already took with LockSchedulerDir; otherwise Open takes it.
  static Result<std::unique_ptr<Scheduler>> Open(const JobRegistry* registry, Clock* clock,
                                                 SchedulerOptions options,
                                                 std::unique_ptr<io::FileLock> lock = nullptr);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  Status Tick();
  // Runs the run (job, logical_date) to a terminal state on this thread (inline): tries it,
  // sleeps on the clock through retry delays, and returns its final record.
  Result<RunRecord> RunToCompletion(const std::string& job, int64_t logical_date);

  // Starts the loop thread (not with inline_runs).
  Status Start();
  void Stop();

  RunStore& store() { return *store_; }

 private:
  struct Active {
    RunRecord run;
    std::unique_ptr<CancelToken> token;
    std::thread thread;
    bool done = false;
    JobOutcome outcome;
  };

  Scheduler(const JobRegistry* registry, Clock* clock, SchedulerOptions options,
            std::unique_ptr<io::FileLock> lock, std::unique_ptr<RunStore> store);
  Status Recover();
  Status CreateDueRuns(const JobRegistry::Entry& entry, int64_t now);
  Status StartRuns(int64_t now);
  Status StartTry(const JobRegistry::Entry& entry, RunRecord run, int64_t now);
  Status Finish(RunRecord run, const JobOutcome& outcome, const CancelToken& token, bool shutdown);
  Status ReapFinished(bool shutdown);
  void Log(const std::string& line) const;
  void Loop();

  const JobRegistry* const registry_;
  Clock* const clock_;
  const SchedulerOptions options_;
  std::unique_ptr<io::FileLock> lock_;
  std::unique_ptr<RunStore> store_;

  std::mutex mu_;
  std::condition_variable cv_;  // a try ended, or Stop
  bool stop_ GUARDED_BY(mu_) = false;
  // Tries in flight on their own threads, by (job, logical date).
  std::map<std::pair<std::string, int64_t>, std::unique_ptr<Active>> active_ GUARDED_BY(mu_);
  std::thread loop_;
};

}  // namespace pinpipe::scheduler
