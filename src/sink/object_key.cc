#include "sink/object_key.h"

#include <charconv>
#include <cinttypes>
#include <cstdio>

namespace pinpipe::sink {

std::string PartitionPrefix(std::string_view topic, int32_t partition) {
  std::string out(kTopicsDir);
  out += '/';
  out += topic;
  out += "/partition=";
  out += std::to_string(partition);
  out += '/';
  return out;
}

std::string ObjectKey(std::string_view topic, int32_t partition, int64_t start_offset) {
  char offset[32];
  std::snprintf(offset, sizeof offset, "%010" PRId64, start_offset);
  std::string out = PartitionPrefix(topic, partition);
  out += topic;
  out += '+';
  out += std::to_string(partition);
  out += '+';
  out += offset;
  out += ".json";
  return out;
}

namespace {

template <typename T>
bool ParseInt(std::string_view s, T* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && *out >= 0;
}

}  // namespace

std::optional<ParsedKey> ParseObjectKey(std::string_view key) {
  const std::string_view whole = key;
  std::string prefix = std::string(kTopicsDir) + "/";
  if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
  key.remove_prefix(prefix.size());
  size_t slash = key.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  ParsedKey k;
  k.topic = std::string(key.substr(0, slash));
  key.remove_prefix(slash + 1);
  constexpr std::string_view kPart = "partition=";
  if (key.substr(0, kPart.size()) != kPart) return std::nullopt;
  key.remove_prefix(kPart.size());
  slash = key.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  if (!ParseInt(key.substr(0, slash), &k.partition)) return std::nullopt;
  key.remove_prefix(slash + 1);
  std::string head = k.topic + "+" + std::to_string(k.partition) + "+";
  if (key.substr(0, head.size()) != head) return std::nullopt;
  key.remove_prefix(head.size());
  constexpr std::string_view kExt = ".json";
  if (key.size() < 10 + kExt.size() || key.substr(key.size() - kExt.size()) != kExt) {
    return std::nullopt;
  }
  if (!ParseInt(key.substr(0, key.size() - kExt.size()), &k.start_offset)) return std::nullopt;
  // One spelling per key (no "+007" or "00000000042" for 42).
  if (ObjectKey(k.topic, k.partition, k.start_offset) != whole) return std::nullopt;
  return k;
}

}  // namespace pinpipe::sink
