#include "delta/uuid.h"

#include <cstdio>
#include <mutex>
#include <random>

#include "base/uuid.h"

namespace pinpipe::delta {

std::string RandomUuid() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = 0;
  uint64_t lo = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    hi = rng();
    lo = rng();
  }
  return FormatUuidV4(hi, lo);
}

std::string SequentialUuids::operator()() {
  char buf[40];
  uint64_t tail = (static_cast<uint64_t>(prefix_) << 32) + next_++;
  std::snprintf(buf, sizeof(buf), "00000000-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(tail & 0xFFFFFFFFFFFFULL));
  return buf;
}

}  // namespace pinpipe::delta
