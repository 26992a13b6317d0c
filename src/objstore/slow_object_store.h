// SlowObjectStore: wraps another ObjectStore and waits before each call, through a Clock, so
// tests see a store with S3-like latency (with FakeClock the wait only moves simulated time;
// with the real clock it sleeps). For the sink's tests of rotation and backpressure.
//
// Thread-safety: every method may be called from any thread; SetLatency too.
#pragma once

#include <atomic>
#include <cstdint>

#include "base/clock.h"
#include "objstore/object_store.h"

namespace pinpipe::objstore {

class SlowObjectStore final : public ObjectStore {
 public:
  struct Latency {
    int64_t put_micros = 0;
    int64_t get_micros = 0;   // Get, GetRange, Head
    int64_t list_micros = 0;  // per page
    int64_t delete_micros = 0;
  };

  // `base` and `clock` must outlive this object.
  SlowObjectStore(ObjectStore* base, Clock* clock, Latency latency) : base_(base), clock_(clock) {
    SetLatency(latency);
  }

  void SetLatency(Latency l) {
    put_.store(l.put_micros);
    get_.store(l.get_micros);
    list_.store(l.list_micros);
    delete_.store(l.delete_micros);
  }

  Status Put(std::string_view key, std::string_view data, const PutOptions& options = {}) override {
    Wait(put_);
    return base_->Put(key, data, options);
  }
  Result<std::string> Get(std::string_view key) override {
    Wait(get_);
    return base_->Get(key);
  }
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override {
    Wait(get_);
    return base_->GetRange(key, offset, length);
  }
  Result<ObjectInfo> Head(std::string_view key) override {
    Wait(get_);
    return base_->Head(key);
  }
  Result<ListPage> List(std::string_view prefix, std::string_view token = {},
                        int max_keys = 1000) override {
    Wait(list_);
    return base_->List(prefix, token, max_keys);
  }
  Status Delete(std::string_view key) override {
    Wait(delete_);
    return base_->Delete(key);
  }
  std::string Url() const override { return base_->Url(); }

 private:
  void Wait(const std::atomic<int64_t>& micros) {
    const int64_t us = micros.load();
    if (us > 0) clock_->SleepForMicros(us);
  }

  ObjectStore* const base_;
  Clock* const clock_;
  std::atomic<int64_t> put_{0};
  std::atomic<int64_t> get_{0};
  std::atomic<int64_t> list_{0};
  std::atomic<int64_t> delete_{0};
};

}  // namespace pinpipe::objstore
