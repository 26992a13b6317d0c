#include "log/names.h"

#include <cstdio>

namespace pinpipe::log {

Status ValidateName(std::string_view what, std::string_view name) {
  if (name.empty() || name.size() > 249) {
    return InvalidArgumentError(std::string(what) + " name must be 1-249 characters long");
  }
  if (name == "." || name == "..") {
    return InvalidArgumentError(std::string(what) + " name cannot be '.' or '..'");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return InvalidArgumentError(std::string(what) + " name '" + std::string(name) +
                                  "' has a character outside [a-zA-Z0-9._-]");
    }
  }
  return Status::OK();
}

std::string SegmentFileName(int64_t base_offset, std::string_view suffix) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020lld", static_cast<long long>(base_offset));
  return std::string(buf) + std::string(suffix);
}

std::optional<int64_t> ParseSegmentFileName(std::string_view name, std::string_view suffix) {
  if (name.size() != 20 + suffix.size() || name.substr(20) != suffix) return std::nullopt;
  int64_t v = 0;
  for (char c : name.substr(0, 20)) {
    if (c < '0' || c > '9') return std::nullopt;
    if (v > (INT64_MAX - (c - '0')) / 10) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace pinpipe::log
