#include "log/retention_runner.h"

#include <algorithm>

namespace pinpipe::log {

Status RetentionRunner::Start(std::chrono::milliseconds interval, Clock* clock) {
  if (interval.count() <= 0) return InvalidArgumentError("retention interval must be > 0");
  if (clock == nullptr) return InvalidArgumentError("retention runner needs a clock");
  std::lock_guard<std::mutex> t(thread_mu_);
  if (thread_.joinable()) return FailedPreconditionError("retention runner already running");
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = false;
  }
  const int64_t interval_micros =
      std::chrono::duration_cast<std::chrono::microseconds>(interval).count();
  // The first deadline is read here, not by the thread, so a clock advanced right after
  // Start returns counts toward it.
  const int64_t first_due = clock->MonotonicMicros() + interval_micros;
  thread_ = std::thread(
      [this, interval_micros, first_due, clock] { Run(interval_micros, first_due, clock); });
  return Status::OK();
}

void RetentionRunner::Stop() {
  std::lock_guard<std::mutex> t(thread_mu_);
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool RetentionRunner::running() {
  std::lock_guard<std::mutex> t(thread_mu_);
  return thread_.joinable();
}

uint64_t RetentionRunner::passes() {
  std::lock_guard<std::mutex> l(mu_);
  return passes_;
}

uint64_t RetentionRunner::segments_deleted() {
  std::lock_guard<std::mutex> l(mu_);
  return segments_deleted_;
}

Status RetentionRunner::last_status() {
  std::lock_guard<std::mutex> l(mu_);
  return last_status_;
}

void RetentionRunner::Run(int64_t interval_micros, int64_t due, Clock* clock) {
  const int64_t max_wait_micros =
      std::chrono::duration_cast<std::chrono::microseconds>(kMaxWait).count();
  std::unique_lock<std::mutex> l(mu_);
  while (!stop_) {
    const int64_t left = due - clock->MonotonicMicros();
    if (left > 0) {
      cv_.wait_for(l, std::chrono::microseconds(std::min(left, max_wait_micros)));
      continue;
    }
    l.unlock();
    Result<int> deleted = log_->EnforceRetention();
    l.lock();
    ++passes_;
    last_status_ = deleted.status();
    if (deleted.ok()) segments_deleted_ += static_cast<uint64_t>(*deleted);
    due = clock->MonotonicMicros() + interval_micros;
  }
}

}  // namespace pinpipe::log
