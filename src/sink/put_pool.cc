#include "sink/put_pool.h"

#include <string>
#include <utility>

namespace pinpipe::sink {

PutPool::PutPool(int max_puts, int64_t max_bytes, PutFn put, BufferRecycler* buffers)
    : max_puts_(max_puts), max_bytes_(max_bytes), put_(std::move(put)), buffers_(buffers) {}

PutPool::~PutPool() {
  {
    std::unique_lock<std::mutex> l(mu_);
    done_cv_.wait(l, [&] { return in_flight_ == 0; });
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

bool PutPool::HasRoom(int64_t bytes) const {
  if (in_flight_ == 0) return true;
  return in_flight_ < max_puts_ && in_flight_bytes_ + bytes <= max_bytes_;
}

void PutPool::MoveDone(std::vector<Done>* done) {
  for (Done& d : done_) done->push_back(std::move(d));
  done_.clear();
}

void PutPool::WaitForRoom(int64_t bytes, std::vector<Done>* done) {
  std::unique_lock<std::mutex> l(mu_);
  done_cv_.wait(l, [&] { return HasRoom(bytes); });
  MoveDone(done);
}

void PutPool::Submit(uint64_t tag, ObjectChunk chunk) {
  {
    std::lock_guard<std::mutex> l(mu_);
    in_flight_++;
    in_flight_bytes_ += static_cast<int64_t>(chunk.data.size());
    jobs_.push_back(Job{tag, std::move(chunk)});
    // Every job starts at once: a thread per put in flight, at most max_puts_.
    if (idle_ < static_cast<int>(jobs_.size()) && static_cast<int>(threads_.size()) < max_puts_) {
      threads_.emplace_back([this] { Work(); });
    }
  }
  work_cv_.notify_one();
}

void PutPool::TakeDone(std::vector<Done>* done) {
  std::lock_guard<std::mutex> l(mu_);
  MoveDone(done);
}

void PutPool::WaitForDone(std::chrono::milliseconds timeout, std::vector<Done>* done) {
  std::unique_lock<std::mutex> l(mu_);
  done_cv_.wait_for(l, timeout, [&] { return in_flight_ == 0 || !done_.empty(); });
  MoveDone(done);
}

void PutPool::WaitAll(std::vector<Done>* done) {
  std::unique_lock<std::mutex> l(mu_);
  done_cv_.wait(l, [&] { return in_flight_ == 0; });
  MoveDone(done);
}

int PutPool::in_flight() {
  std::lock_guard<std::mutex> l(mu_);
  return in_flight_;
}

void PutPool::Work() {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    idle_++;
    work_cv_.wait(l, [&] { return stopping_ || !jobs_.empty(); });
    idle_--;
    if (jobs_.empty()) return;  // stopping
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    l.unlock();
    Done d;
    d.tag = job.tag;
    d.status = put_(job.chunk);
    d.bytes = static_cast<int64_t>(job.chunk.data.size());
    // The bytes go now, not when collected.
    if (buffers_ != nullptr) buffers_->Give(std::move(job.chunk.data));
    d.chunk = std::move(job.chunk);
    std::string().swap(d.chunk.data);
    l.lock();
    in_flight_--;
    in_flight_bytes_ -= d.bytes;
    done_.push_back(std::move(d));
    done_cv_.notify_all();
  }
}

}  // namespace pinpipe::sink
