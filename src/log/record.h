// The records a topic holds. Plain value types, shared by every TopicLog backend.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pinpipe::log {

struct RecordHeader {
  std::string key;
  std::string value;
  friend bool operator==(const RecordHeader&, const RecordHeader&) = default;
};

struct Record {
  std::optional<std::string> key;  // nullopt = null key (Kafka distinguishes it from "")
  std::string value;
  std::vector<RecordHeader> headers;
  // Milliseconds since the Unix epoch. A negative value asks the log to stamp the record
  // with its own clock when it is appended (Kafka's LogAppendTime).
  int64_t timestamp_ms = -1;
  friend bool operator==(const Record&, const Record&) = default;
};

// A record as read back: where it is and when it was stamped.
struct StoredRecord {
  int64_t offset = 0;
  Record record;  // timestamp_ms as stored: the producer's, or the append time
};

// The bytes a record counts for against a read's max_bytes.
inline size_t RecordPayloadBytes(const Record& r) {
  size_t n = r.value.size() + (r.key ? r.key->size() : 0);
  for (const auto& h : r.headers) n += h.key.size() + h.value.size();
  return n;
}

}  // namespace pinpipe::log
