#include "log/commit_pool.h"

#include <utility>

namespace pinpipe::log {

CommitPool::CommitPool(int max_threads) : max_threads_(max_threads < 1 ? 1 : max_threads) {}

CommitPool::~CommitPool() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (std::thread& t : threads) t.join();
}

void CommitPool::Submit(std::function<void()> task) {
  std::lock_guard<std::mutex> l(mu_);
  tasks_.push_back(std::move(task));
  backlog_.store(static_cast<int>(tasks_.size()), std::memory_order_relaxed);
  // A woken thread counts as idle until it has the lock again, so compare with the queue:
  // start a thread when the idle ones cannot take every queued task. Past max_threads_, the
  // first thread to finish its task takes this one.
  if (idle_ > 0) cv_.notify_one();
  if (idle_ < static_cast<int>(tasks_.size()) &&
      static_cast<int>(threads_.size()) < max_threads_) {
    threads_.emplace_back([this] { Run(); });
  }
}

int CommitPool::threads_started() {
  std::lock_guard<std::mutex> l(mu_);
  return static_cast<int>(threads_.size());
}

void CommitPool::Run() {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    if (tasks_.empty()) {
      if (stopping_) return;
      ++idle_;
      cv_.wait(l, [&] { return !tasks_.empty() || stopping_; });
      --idle_;
      continue;
    }
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    backlog_.store(static_cast<int>(tasks_.size()), std::memory_order_relaxed);
    l.unlock();
    task();
    task = nullptr;  // whatever it captured goes now, outside the lock
    l.lock();
  }
}

}  // namespace pinpipe::log
