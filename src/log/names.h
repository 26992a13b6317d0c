// Names that become file names: topics, groups, segments (docs/log_format.md §1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace pinpipe::log {

// Kafka's rule: 1-249 chars of [a-zA-Z0-9._-], not "." or "..". kInvalidArgument otherwise.
// `what` names the kind in the message ("topic", "group").
Status ValidateName(std::string_view what, std::string_view name);

// "00000000000000001234.log" for base 1234 and suffix ".log".
std::string SegmentFileName(int64_t base_offset, std::string_view suffix);
// The base offset of a "<20 digits><suffix>" name, or nullopt.
std::optional<int64_t> ParseSegmentFileName(std::string_view name, std::string_view suffix);

}  // namespace pinpipe::log
