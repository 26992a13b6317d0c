// Decoding of a Kafka REST v2 produce body (`POST /topics/{t}` and
// `POST /topics/{t}/partitions/{p}`):
//   {"key_schema"?, "key_schema_id"?, "value_schema"?, "value_schema_id"?,
//    "records": [{"key"?, "value"?, "partition"?}]}
// In the json embedded format, key and value are any JSON and are stored as their compact JSON
// text; in the binary format they are base64 strings, stored decoded. A JSON null (or an absent
// field) is a null key/value. Unknown fields are refused as Jackson refuses them
// ("Unrecognized field: x"), so a misspelt request never half-works.
//
// Pure functions; thread-safe (each thread reuses its own parser).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/error_reply.h"
#include "api/kafka_rest/media_type.h"
#include "model/records.h"

namespace pinpipe::api::kafka_rest {

struct ProduceRecord {
  // Where the key and value bytes are in ProduceRequest::data; nullopt: null.
  struct Span {
    size_t offset = 0;
    size_t size = 0;
  };
  std::optional<Span> key;
  std::optional<Span> value;
  std::optional<int32_t> partition;  // only on the topic path
};

// The records of one request, their keys and values (as stored) back to back in one buffer
// rather than a string each: a 100-record request allocates once for them.
struct ProduceRequest {
  std::string data;
  std::vector<ProduceRecord> records;

  std::optional<std::string_view> key(size_t i) const { return View(records[i].key); }
  std::optional<std::string_view> value(size_t i) const { return View(records[i].value); }

 private:
  std::optional<std::string_view> View(const std::optional<ProduceRecord::Span>& s) const {
    if (!s) return std::nullopt;
    return std::string_view(data).substr(s->offset, s->size);
  }
};

// Decodes `body`. `to_partition`: the request is for /partitions/{p}, where records carry no
// `partition` field. Errors use Confluent's codes: an empty body 42206, malformed JSON 400,
// a wrong shape or an empty `records` 422, formats that need a Schema Registry 42202.
// With `validate`, once the whole body decoded, every value must also be a valid record of
// that table (record_check.h), else 42203 naming the first bad one; in the json format this
// is checked on the body's own parse, so each value is parsed once.
// `body_padded`: simdjson::SIMDJSON_PADDING readable bytes follow `body` (as they follow an
// http::Request's body), so it is parsed where it lies instead of being copied first.
std::variant<ProduceRequest, ErrorReply> DecodeProduceV2(
    std::string_view body, EmbeddedFormat format, bool to_partition,
    std::optional<model::Table> validate = std::nullopt, bool body_padded = false);

}  // namespace pinpipe::api::kafka_rest
