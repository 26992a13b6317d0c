// Object keys of the Confluent S3 sink with DefaultPartitioner and JsonFormat:
//   topics/<topic>/partition=<p>/<topic>+<p>+<start offset, zero-padded to 10 digits>.json
// The start offset is the offset of the object's first record. Keys of one partition sort in
// offset order below offset 10^10; beyond, the offset takes more digits (as Confluent's
// "%010d" does) and byte order is no longer offset order: readers order by ParseObjectKey.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pinpipe::sink {

inline constexpr std::string_view kTopicsDir = "topics";

std::string ObjectKey(std::string_view topic, int32_t partition, int64_t start_offset);
// "topics/<topic>/partition=<p>/"
std::string PartitionPrefix(std::string_view topic, int32_t partition);

struct ParsedKey {
  std::string topic;
  int32_t partition = 0;
  int64_t start_offset = 0;
};
// The parts of a key ObjectKey made; nullopt for anything else.
std::optional<ParsedKey> ParseObjectKey(std::string_view key);

}  // namespace pinpipe::sink
