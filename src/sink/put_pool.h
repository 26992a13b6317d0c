// PutPool: the sink's object puts in flight. The sink's thread hands over finished objects;
// up to `max_puts` of them are put at once, each on a pool thread (started on demand) by the
// `put` function, which retries as the sink's options say. Completions wait in the pool
// until the sink's thread collects them, so every piece of the sink's state (what is durable,
// what is committed) stays on the sink's thread.
//
// Bounded memory: at most `max_puts` objects and `max_bytes` object bytes are in flight (an
// object larger than max_bytes goes alone). An object's bytes are freed when its put ends.
//
// Thread-safety: every method but the constructor from one owning thread; `put` runs on pool
// threads, several at once. The destructor waits for the puts in flight (the owner must make
// `put` return, e.g. by cancelling its retries), then joins.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "base/status.h"
#include "base/thread_annotations.h"
#include "sink/buffer_recycler.h"
#include "sink/partition_writer.h"

namespace pinpipe::sink {

class PutPool {
 public:
  using PutFn = std::function<Status(const ObjectChunk&)>;
  // A finished put: the object without its bytes, and how the put ended.
  struct Done {
    uint64_t tag = 0;
    ObjectChunk chunk;  // .data empty
    int64_t bytes = 0;  // the object's size
    Status status;
  };

  // max_puts >= 1, max_bytes >= 1. `buffers` (optional, must outlive the pool) gets each
  // object's buffer back after its put.
  PutPool(int max_puts, int64_t max_bytes, PutFn put, BufferRecycler* buffers = nullptr);
  ~PutPool();
  PutPool(const PutPool&) = delete;
  PutPool& operator=(const PutPool&) = delete;

  // Blocks until an object of `bytes` may start, appending the completions meanwhile to *done.
  void WaitForRoom(int64_t bytes, std::vector<Done>* done) LOCKS_EXCLUDED(mu_);
  // Starts putting `chunk` (call WaitForRoom first); `tag` comes back in its Done.
  void Submit(uint64_t tag, ObjectChunk chunk) LOCKS_EXCLUDED(mu_);
  // Appends the completions so far to *done; never blocks.
  void TakeDone(std::vector<Done>* done) LOCKS_EXCLUDED(mu_);
  // Blocks until a put ends or `timeout` passes (at once when nothing is in flight or a
  // completion waits); appends the completions to *done.
  void WaitForDone(std::chrono::milliseconds timeout, std::vector<Done>* done)
      LOCKS_EXCLUDED(mu_);
  // Blocks until nothing is in flight; appends every completion to *done.
  void WaitAll(std::vector<Done>* done) LOCKS_EXCLUDED(mu_);

  // Puts started and not yet ended.
  int in_flight() LOCKS_EXCLUDED(mu_);

 private:
  struct Job {
    uint64_t tag;
    ObjectChunk chunk;
  };
  void Work() LOCKS_EXCLUDED(mu_);
  bool HasRoom(int64_t bytes) const EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MoveDone(std::vector<Done>* done) EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const int max_puts_;
  const int64_t max_bytes_;
  const PutFn put_;
  BufferRecycler* const buffers_;

  std::mutex mu_;
  std::condition_variable work_cv_;  // a job queued, or stopping
  std::condition_variable done_cv_;  // a put ended
  std::deque<Job> jobs_ GUARDED_BY(mu_);
  std::vector<Done> done_ GUARDED_BY(mu_);
  int in_flight_ GUARDED_BY(mu_) = 0;  // submitted, not yet ended
  int64_t in_flight_bytes_ GUARDED_BY(mu_) = 0;
  int idle_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_ GUARDED_BY(mu_);
};

}  // namespace pinpipe::sink
