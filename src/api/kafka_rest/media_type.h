// Content negotiation of the Kafka REST Proxy v2 (reference/wire-apis.md §1.1).
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace pinpipe::api::kafka_rest {

enum class EmbeddedFormat { kBinary, kJson, kAvro, kJsonSchema, kProtobuf };

std::string_view EmbeddedFormatName(EmbeddedFormat f);  // "binary", "json", ...

// The embedded format of a v2 produce request's Content-Type
// (`application/vnd.kafka.<format>.v2+json`, parameters such as charset ignored, case
// insensitive). Anything else — including plain `application/json` and the metadata type
// `application/vnd.kafka.v2+json` — is nullopt: 415, as Confluent answers.
std::optional<EmbeddedFormat> ParseProduceContentType(std::string_view content_type);

// The media type to answer a v2 request with, given its Accept header: an absent or empty
// header, `*/*`, `application/*`, `application/vnd.kafka.v2+json` and `application/json` are
// acceptable (the first preferred on ties); q=0 excludes a range. nullopt means 406.
std::optional<std::string_view> NegotiateV2Response(std::string_view accept);

// The embedded format a consumer's `GET .../records` Accept header asks for
// (`application/vnd.kafka.<format>.v2+json`); nullopt if it names none.
std::optional<EmbeddedFormat> ParseRecordsAccept(std::string_view accept);

inline constexpr std::string_view kV2Json = "application/vnd.kafka.v2+json";

}  // namespace pinpipe::api::kafka_rest
