// The text files that describe topics and consumer groups (docs/log_format.md §4-5), each
// ending in a CRC32C line so a damaged file is reported, not misread.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "log/topic_log.h"

namespace pinpipe::log {

std::string EncodeTopicMeta(const TopicConfig& config);
// kCorruption if the CRC, the header or any field is wrong.
Result<TopicConfig> DecodeTopicMeta(std::string_view text);

// `offsets` need not be sorted; the encoding is.
std::string EncodeGroupOffsets(std::vector<GroupOffset> offsets);
Result<std::vector<GroupOffset>> DecodeGroupOffsets(std::string_view text);

// kInvalidArgument unless partitions >= 1 and segment_bytes in (0, 2 GiB] and retention
// values are -1 or >= 0.
Status ValidateTopicConfig(const TopicConfig& config);

}  // namespace pinpipe::log
