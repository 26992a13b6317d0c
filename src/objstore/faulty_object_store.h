// FaultyObjectStore: wraps another ObjectStore and makes chosen calls fail, for the tests of
// what writes through a store (the sink retries failed puts; nothing may be lost). Like
// io::FaultInjectionFileSystem, one level up.
//
// Fault points (all off at construction):
// - FailNthPut(n) / FailNthGet(n): the nth Put (resp. Get or GetRange) from now fails once
//   (1 = the next one);
// - FailPutsWithProbability(p, seed): every Put fails with probability p, drawn from a
//   generator seeded with `seed`, so a run is reproducible (for a given order of calls).
// A failed call returns kUnavailable ("injected fault ...", transient, as the S3 backend's
// network errors are). By default it fails before reaching the base store, so nothing is
// written; SetFailAfterPut(true) makes a failing Put write first and then report the failure
// (a lost reply: the caller retries a put that happened).
//
// Thread-safety: every method, the control methods included, may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>

#include "base/thread_annotations.h"
#include "objstore/object_store.h"

namespace pinpipe::objstore {

class FaultyObjectStore final : public ObjectStore {
 public:
  // `base` must outlive this object.
  explicit FaultyObjectStore(ObjectStore* base) : base_(base) {}
  FaultyObjectStore(const FaultyObjectStore&) = delete;
  FaultyObjectStore& operator=(const FaultyObjectStore&) = delete;

  void FailNthPut(int64_t n) { put_countdown_.store(n); }
  void FailNthGet(int64_t n) { get_countdown_.store(n); }
  // p = 0 turns it off.
  void FailPutsWithProbability(double p, uint64_t seed);
  void SetFailAfterPut(bool after) { fail_after_put_.store(after); }

  // Counters since construction.
  int64_t put_count() const { return puts_.load(); }
  int64_t failed_put_count() const { return failed_puts_.load(); }
  int64_t get_count() const { return gets_.load(); }
  int64_t failed_get_count() const { return failed_gets_.load(); }

  Status Put(std::string_view key, std::string_view data, const PutOptions& options = {}) override;
  Result<std::string> Get(std::string_view key) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<ObjectInfo> Head(std::string_view key) override { return base_->Head(key); }
  Result<ListPage> List(std::string_view prefix, std::string_view token = {},
                        int max_keys = 1000) override {
    return base_->List(prefix, token, max_keys);
  }
  Status Delete(std::string_view key) override { return base_->Delete(key); }
  std::string Url() const override { return base_->Url(); }

 private:
  bool PutShouldFail();
  bool GetShouldFail();

  ObjectStore* const base_;
  std::atomic<int64_t> put_countdown_{0};
  std::atomic<int64_t> get_countdown_{0};
  std::atomic<bool> fail_after_put_{false};
  std::atomic<int64_t> puts_{0};
  std::atomic<int64_t> failed_puts_{0};
  std::atomic<int64_t> gets_{0};
  std::atomic<int64_t> failed_gets_{0};

  std::mutex mu_;
  double probability_ GUARDED_BY(mu_) = 0;
  std::mt19937_64 rng_ GUARDED_BY(mu_);
};

}  // namespace pinpipe::objstore
