// BufferRecycler: object buffers handed back after their put, for the next objects. A fresh
// buffer of a large object faults in every page it touches, which cost more than copying the
// records into it (on this VM a page fault is several microseconds); a recycled one is
// already mapped. Keeps at most `max_buffers` buffers and `max_bytes` of capacity; the rest
// are freed, as are small ones (under kMinBytes), which the heap reuses well by itself.
//
// Thread-safety: every method from any thread.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "base/prefault.h"
#include "base/thread_annotations.h"

namespace pinpipe::sink {

class BufferRecycler {
 public:
  static constexpr size_t kMinBytes = 64 << 10;

  BufferRecycler(size_t max_buffers, size_t max_bytes)
      : max_buffers_(max_buffers), max_bytes_(max_bytes) {}
  BufferRecycler(const BufferRecycler&) = delete;
  BufferRecycler& operator=(const BufferRecycler&) = delete;

  // An empty string with at least `capacity` reserved (a recycled one when there is one and
  // `capacity` is at least kMinBytes). Fresh memory of a large one is populated at once
  // (base/prefault.h), cheaper than faulting it in page by page as it is filled.
  std::string Take(size_t capacity) LOCKS_EXCLUDED(mu_) {
    std::string out;
    if (capacity >= kMinBytes) {
      std::lock_guard<std::mutex> l(mu_);
      if (!free_.empty()) {
        out = std::move(free_.back());
        free_.pop_back();
        bytes_ -= out.capacity();
      }
    }
    out.clear();
    if (out.capacity() < capacity) {
      if (capacity >= kMinBytes) {
        // A quarter more, so that the next objects, a little larger or smaller, fit it
        // when it comes back instead of each replacing it by one just large enough.
        out.reserve(capacity + capacity / 4);
        PrefaultForWrite(out.data(), out.capacity());
      } else {
        out.reserve(capacity);
      }
    }
    return out;
  }

  // Keeps `buffer`'s memory for a later Take, or frees it when the recycler is full.
  void Give(std::string buffer) LOCKS_EXCLUDED(mu_) {
    if (buffer.capacity() < kMinBytes) return;
    std::lock_guard<std::mutex> l(mu_);
    if (free_.size() >= max_buffers_ || bytes_ + buffer.capacity() > max_bytes_) return;
    bytes_ += buffer.capacity();
    free_.push_back(std::move(buffer));
  }

 private:
  const size_t max_buffers_;
  const size_t max_bytes_;
  std::mutex mu_;
  std::vector<std::string> free_ GUARDED_BY(mu_);
  size_t bytes_ GUARDED_BY(mu_) = 0;
};

}  // namespace pinpipe::sink
