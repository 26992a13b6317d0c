#include "log/metadata.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <tuple>

#include "base/crc32c.h"
#include "log/names.h"

namespace pinpipe::log {
namespace {

constexpr std::string_view kTopicHeader = "pinpipe-topic 1\n";
constexpr std::string_view kGroupHeader = "pinpipe-group-offsets 1\n";

std::string WithCrc(std::string body) {
  char line[32];
  std::snprintf(line, sizeof(line), "crc32c=%08x\n", crc32c::Value(body));
  return body + line;
}

// Checks header and CRC line; returns the lines in between.
Result<std::vector<std::string_view>> Body(std::string_view text, std::string_view header,
                                           std::string_view what) {
  const size_t crc_line = text.rfind("crc32c=");
  if (text.substr(0, header.size()) != header || crc_line == std::string_view::npos ||
      text.size() != crc_line + 16 || text.back() != '\n') {
    return CorruptionError(std::string(what) + " file is malformed");
  }
  uint32_t stored = 0;
  auto [ptr, ec] = std::from_chars(text.data() + crc_line + 7, text.data() + crc_line + 15,
                                   stored, 16);
  if (ec != std::errc() || stored != crc32c::Value(text.substr(0, crc_line))) {
    return CorruptionError(std::string(what) + " file fails its checksum");
  }
  std::vector<std::string_view> lines;
  std::string_view rest = text.substr(header.size(), crc_line - header.size());
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    rest.remove_prefix(nl + 1);
  }
  return lines;
}

bool ParseInt(std::string_view s, int64_t* v) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

Status ValidateTopicConfig(const TopicConfig& c) {
  if (c.partitions < 1 || c.partitions > 100000) {
    return InvalidArgumentError("partitions must be between 1 and 100000");
  }
  if (c.segment_bytes <= 0 || c.segment_bytes > (int64_t{1} << 31)) {
    return InvalidArgumentError("segment_bytes must be in (0, 2 GiB]");
  }
  if (c.retention_bytes < -1 || c.retention_ms < -1) {
    return InvalidArgumentError("retention values must be -1 (unlimited) or >= 0");
  }
  return Status::OK();
}

std::string EncodeTopicMeta(const TopicConfig& c) {
  std::string body(kTopicHeader);
  body += "partitions=" + std::to_string(c.partitions) + "\n";
  body += "retention_bytes=" + std::to_string(c.retention_bytes) + "\n";
  body += "retention_ms=" + std::to_string(c.retention_ms) + "\n";
  body += "segment_bytes=" + std::to_string(c.segment_bytes) + "\n";
  return WithCrc(std::move(body));
}

Result<TopicConfig> DecodeTopicMeta(std::string_view text) {
  ASSIGN_OR_RETURN(auto lines, Body(text, kTopicHeader, "topic.meta"));
  static constexpr std::string_view kKeys[] = {"partitions", "retention_bytes", "retention_ms",
                                               "segment_bytes"};
  if (lines.size() != 4) return CorruptionError("topic.meta has the wrong number of fields");
  int64_t v[4];
  for (int i = 0; i < 4; ++i) {
    std::string_view line = lines[i];
    if (line.substr(0, kKeys[i].size()) != kKeys[i] || line.size() <= kKeys[i].size() ||
        line[kKeys[i].size()] != '=' || !ParseInt(line.substr(kKeys[i].size() + 1), &v[i])) {
      return CorruptionError("topic.meta: bad line '" + std::string(line) + "'");
    }
  }
  TopicConfig c{static_cast<int32_t>(v[0]), v[1], v[2], v[3]};
  Status s = ValidateTopicConfig(c);
  if (!s.ok()) return CorruptionError("topic.meta: " + std::string(s.message()));
  return c;
}

std::string EncodeGroupOffsets(std::vector<GroupOffset> offsets) {
  std::sort(offsets.begin(), offsets.end(), [](const GroupOffset& a, const GroupOffset& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
  });
  std::string body(kGroupHeader);
  for (const GroupOffset& o : offsets) {
    body += o.topic + " " + std::to_string(o.partition) + " " + std::to_string(o.offset) + "\n";
  }
  return WithCrc(std::move(body));
}

Result<std::vector<GroupOffset>> DecodeGroupOffsets(std::string_view text) {
  ASSIGN_OR_RETURN(auto lines, Body(text, kGroupHeader, "group offsets"));
  std::vector<GroupOffset> out;
  for (std::string_view line : lines) {
    size_t a = line.find(' ');
    size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
    int64_t partition, offset;
    if (b == std::string_view::npos || !ValidateName("topic", line.substr(0, a)).ok() ||
        !ParseInt(line.substr(a + 1, b - a - 1), &partition) ||
        !ParseInt(line.substr(b + 1), &offset) || partition < 0 || offset < 0) {
      return CorruptionError("group offsets: bad line '" + std::string(line) + "'");
    }
    out.push_back({std::string(line.substr(0, a)), static_cast<int32_t>(partition), offset});
  }
  return out;
}

}  // namespace pinpipe::log
