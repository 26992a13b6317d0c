#include "objstore/faulty_object_store.h"

#include <string>

namespace pinpipe::objstore {
namespace {

// Counts down an armed fault point; true when it reaches the call it was armed for.
bool Fire(std::atomic<int64_t>& countdown) {
  int64_t n = countdown.load();
  while (n > 0) {
    if (countdown.compare_exchange_weak(n, n - 1)) return n == 1;
  }
  return false;
}

}  // namespace

void FaultyObjectStore::FailPutsWithProbability(double p, uint64_t seed) {
  std::lock_guard<std::mutex> l(mu_);
  probability_ = p;
  rng_.seed(seed);
}

bool FaultyObjectStore::PutShouldFail() {
  bool fail = Fire(put_countdown_);
  std::lock_guard<std::mutex> l(mu_);
  if (probability_ > 0) {
    // Always draw, so the sequence depends on the number of puts alone.
    const bool drawn = std::uniform_real_distribution<double>(0, 1)(rng_) < probability_;
    fail = fail || drawn;
  }
  return fail;
}

bool FaultyObjectStore::GetShouldFail() { return Fire(get_countdown_); }

Status FaultyObjectStore::Put(std::string_view key, std::string_view data,
                              const PutOptions& options) {
  const int64_t n = ++puts_;
  if (!PutShouldFail()) return base_->Put(key, data, options);
  ++failed_puts_;
  if (fail_after_put_.load()) RETURN_IF_ERROR(base_->Put(key, data, options));
  return UnavailableError("injected fault: put #" + std::to_string(n) + " of '" + std::string(key) +
                          "' to " + base_->Url() + " failed");
}

Result<std::string> FaultyObjectStore::Get(std::string_view key) {
  const int64_t n = ++gets_;
  if (!GetShouldFail()) return base_->Get(key);
  ++failed_gets_;
  return UnavailableError("injected fault: get #" + std::to_string(n) + " of '" + std::string(key) +
                          "' from " + base_->Url() + " failed");
}

Result<std::string> FaultyObjectStore::GetRange(std::string_view key, uint64_t offset,
                                                uint64_t length) {
  const int64_t n = ++gets_;
  if (!GetShouldFail()) return base_->GetRange(key, offset, length);
  ++failed_gets_;
  return UnavailableError("injected fault: get #" + std::to_string(n) + " of '" + std::string(key) +
                          "' from " + base_->Url() + " failed");
}

}  // namespace pinpipe::objstore
