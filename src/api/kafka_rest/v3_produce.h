// The Kafka REST v3 produce API, `POST /v3/clusters/{c}/topics/{t}/records`
// (reference/wire-apis.md §1.5): one record per JSON document,
//   {"partition_id"?, "headers"?: [{"name", "value": base64}], "key"?: Data, "value"?: Data,
//    "timestamp"?: RFC 3339}
//   Data = {"type": "BINARY" | "JSON" | "STRING", "data": ...}
// and one delivery report per record, in order.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "api/error_reply.h"

namespace pinpipe::api::kafka_rest {

struct V3Data {
  std::string type;   // "BINARY", "JSON" or "STRING"
  std::string bytes;  // as stored: decoded base64, compact JSON text, or the string itself
};

struct V3Record {
  std::optional<int32_t> partition_id;
  std::vector<std::pair<std::string, std::string>> headers;  // name, decoded value
  std::optional<V3Data> key;
  std::optional<V3Data> value;
  std::optional<int64_t> timestamp_ms;  // from "timestamp"; nullopt: the broker's time
};

// Decodes one record document. Errors: malformed JSON 400, anything else 422 with the reason.
std::variant<V3Record, ErrorReply> DecodeV3Record(std::string_view json);

struct V3Delivery {
  std::string cluster_id;
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  std::optional<std::pair<std::string, size_t>> key;    // type, size
  std::optional<std::pair<std::string, size_t>> value;  // type, size
};

// `{"error_code":200,"cluster_id":...,"topic_name":...,"partition_id":0,"offset":5,
//   "timestamp":"2023-03-09T14:07:23.592Z","key":{"type":"JSON","size":19},"value":{...}}`
std::string RenderV3Delivery(const V3Delivery& d);
// A failed record's report: `{"error_code":<code>,"message":"..."}`.
std::string RenderV3Failure(const ErrorReply& e);

}  // namespace pinpipe::api::kafka_rest
