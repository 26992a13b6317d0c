// Decoding of the request bodies of the Kafka REST v2 consumer API (docs/http_api.md,
// "Consumers (v2)"; reference/wire-apis.md §1.2):
//   POST /consumers/{g}                 {"name"?, "id"?, "format"?, "auto.offset.reset"?,
//                                        "auto.commit.enable"?, "fetch.min.bytes"?,
//                                        "consumer.request.timeout.ms"?}
//   POST .../subscription               {"topics":[..]} or {"topic_pattern":"re"}
//   POST .../assignments, positions/beginning|end, GET .../offsets
//                                       {"partitions":[{"topic","partition"}]}
//   POST .../positions, POST .../offsets {"offsets":[{"topic","partition","offset","metadata"?}]}
//
// Errors use Confluent's codes: malformed JSON 400, a wrong shape or an unknown field 422, a
// bad consumer setting 42204. Settings Confluent takes as strings ("auto.commit.enable",
// numbers) are accepted as JSON strings or as the JSON scalar itself, as Jackson coerces.
//
// Pure functions; thread-safe (each thread reuses its own parser).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/error_reply.h"
#include "api/kafka_rest/media_type.h"

namespace pinpipe::api::kafka_rest {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
};

struct TopicPartitionOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
};

struct ConsumerConfig {
  std::optional<std::string> name;  // nullopt: the manager makes one up
  EmbeddedFormat format = EmbeddedFormat::kBinary;
  bool reset_earliest = false;  // auto.offset.reset; default "latest" (Kafka's default)
  bool auto_commit = true;      // auto.commit.enable; default true (Kafka's default)
  std::optional<int64_t> fetch_min_bytes;
  std::optional<int64_t> request_timeout_ms;
};

struct SubscriptionRequest {
  std::vector<std::string> topics;     // empty with no pattern: unsubscribe
  std::optional<std::string> pattern;  // topic_pattern
};

template <typename T>
using Decoded = std::variant<T, ErrorReply>;

// An empty body is the default config (binary, latest, auto commit on), as Confluent takes it.
// avro/jsonschema/protobuf are refused with 42204: pinpipe runs no Schema Registry.
Decoded<ConsumerConfig> DecodeCreateConsumer(std::string_view body);
Decoded<SubscriptionRequest> DecodeSubscription(std::string_view body);
// {"partitions":[...]}; an empty list is allowed.
Decoded<std::vector<TopicPartition>> DecodePartitions(std::string_view body);
// {"offsets":[...]}; "metadata" is accepted and ignored (the log keeps none).
Decoded<std::vector<TopicPartitionOffset>> DecodeOffsets(std::string_view body);

// True if `body` holds only whitespace.
bool IsBlank(std::string_view body);

}  // namespace pinpipe::api::kafka_rest
