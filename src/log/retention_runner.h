// RetentionRunner: the background thread that applies retention. The log starts no threads
// of its own; its owner (the server) starts one RetentionRunner, which calls
// EmbeddedTopicLog::EnforceRetention() every `interval`.
//
// Timing: the first pass runs `interval` after Start, each later one `interval` after the
// previous pass ended, as measured by `clock->MonotonicMicros()`. The thread sleeps on a
// condition variable for at most kMaxWait at a time and then re-reads the clock, so a
// FakeClock that a test advances is noticed within kMaxWait; Stop wakes it at once (it waits
// only for a pass already running to finish).
// Errors: a failed pass is kept in last_status() and the next pass runs on schedule; a
// successful pass resets it to OK.
//
// Ownership: `log` and the clock must outlive the runner, or at least its Stop(). The
// destructor stops the thread.
// Thread-safety: every method may be called from any thread; Start and Stop serialize.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "log/embedded_topic_log.h"

namespace pinpipe::log {

class RetentionRunner {
 public:
  static constexpr std::chrono::milliseconds kMaxWait{100};

  explicit RetentionRunner(EmbeddedTopicLog* log) : log_(log) {}
  RetentionRunner(const RetentionRunner&) = delete;
  RetentionRunner& operator=(const RetentionRunner&) = delete;
  ~RetentionRunner() { Stop(); }

  // Starts the thread. kInvalidArgument if interval <= 0 or clock is null;
  // kFailedPrecondition if already running. A stopped runner may be started again.
  Status Start(std::chrono::milliseconds interval, Clock* clock = Clock::Real())
      LOCKS_EXCLUDED(thread_mu_, mu_);
  // Wakes the thread and joins it. No-op if not running.
  void Stop() LOCKS_EXCLUDED(thread_mu_, mu_);

  bool running() LOCKS_EXCLUDED(thread_mu_);
  uint64_t passes() LOCKS_EXCLUDED(mu_);            // completed passes, failed ones included
  uint64_t segments_deleted() LOCKS_EXCLUDED(mu_);  // by successful passes
  Status last_status() LOCKS_EXCLUDED(mu_);         // of the latest pass; OK before any

 private:
  // The thread: passes at `due`, then every interval_micros after the previous one.
  void Run(int64_t interval_micros, int64_t due, Clock* clock) LOCKS_EXCLUDED(mu_);

  EmbeddedTopicLog* const log_;  // constant after construction

  std::mutex thread_mu_;  // serializes Start and Stop; acquired before mu_
  std::thread thread_ GUARDED_BY(thread_mu_);

  std::mutex mu_;
  std::condition_variable cv_;  // signalled by Stop
  bool stop_ GUARDED_BY(mu_) = false;
  uint64_t passes_ GUARDED_BY(mu_) = 0;
  uint64_t segments_deleted_ GUARDED_BY(mu_) = 0;
  Status last_status_ GUARDED_BY(mu_);
};

}  // namespace pinpipe::log
