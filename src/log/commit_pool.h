// CommitPool: the threads that run group commits for the partitions of a log (partition.h).
// A task is one partition's drain: take what is queued, write it with one write and one
// fdatasync, complete the appends' callbacks, repeat while more is queued. A partition has at
// most one drain scheduled at a time, so a log's partitions share a few threads instead of
// owning one each, and a busy partition keeps its thread without a hand-off per group.
//
// Threads start on demand, one more each time a task finds none idle, up to `max_threads`;
// a log that is only read starts none. Tasks run in FIFO order.
//
// Thread-safety: Submit and HasBacklog from any thread, pool threads included. The
// destructor runs the tasks still queued, then joins; it must not run on a pool thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "base/thread_annotations.h"

namespace pinpipe::log {

class CommitPool {
 public:
  explicit CommitPool(int max_threads);
  ~CommitPool();
  CommitPool(const CommitPool&) = delete;
  CommitPool& operator=(const CommitPool&) = delete;

  // Runs `task` on a pool thread. Must not be called once the destructor has started.
  void Submit(std::function<void()> task) LOCKS_EXCLUDED(mu_);

  // True while tasks wait for a free thread: a drain then yields after its current group, so
  // one busy partition cannot starve the others.
  bool HasBacklog() const { return backlog_.load(std::memory_order_relaxed) > 0; }

  // Threads started so far (for tests).
  int threads_started() LOCKS_EXCLUDED(mu_);

 private:
  void Run() LOCKS_EXCLUDED(mu_);

  const int max_threads_;
  std::atomic<int> backlog_{0};  // tasks_.size(), readable without mu_
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_ GUARDED_BY(mu_);
  int idle_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_ GUARDED_BY(mu_);
};

}  // namespace pinpipe::log
