#include "log/partitioner.h"

namespace pinpipe::log {

int32_t Murmur2(std::string_view data) {
  const uint32_t m = 0x5bd1e995;
  const int r = 24;
  const size_t length = data.size();
  uint32_t h = 0x9747b28c ^ static_cast<uint32_t>(length);
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  for (size_t i = 0; i + 4 <= length; i += 4) {
    uint32_t k = p[i] | (p[i + 1] << 8) | (p[i + 2] << 16) | (static_cast<uint32_t>(p[i + 3]) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  const size_t tail = length & ~size_t{3};
  switch (length % 4) {
    case 3:
      h ^= static_cast<uint32_t>(p[tail + 2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<uint32_t>(p[tail + 1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= p[tail];
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

int32_t PartitionForKey(std::string_view key, int32_t partitions) {
  return static_cast<int32_t>((static_cast<uint32_t>(Murmur2(key)) & 0x7fffffff) %
                              static_cast<uint32_t>(partitions));
}

}  // namespace pinpipe::log
