// Where Delta gets UUIDs (table ids, data file names). Tests pass a SequentialUuids so that
// log files are reproducible byte for byte.
//
// RandomUuid is thread-safe; a SequentialUuids is not (one per writer).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace pinpipe::delta {

using UuidSource = std::function<std::string()>;

// A random (version 4) UUID, e.g. "3ba13872-2d47-4e17-86a0-21afd2a22395".
std::string RandomUuid();

// "00000000-0000-4000-8000-<12 hex digits of prefix*2^32 + n>" for n = 1, 2, ...
class SequentialUuids {
 public:
  explicit SequentialUuids(uint32_t prefix = 0) : prefix_(prefix) {}
  std::string operator()();

 private:
  uint32_t prefix_;
  uint64_t next_ = 1;
};

}  // namespace pinpipe::delta
