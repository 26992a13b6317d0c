// What every Kafka REST route file shares: the options of the Kafka REST front door and the
// helpers that turn replies into http::Response values.
//
// Plain values and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "api/error_reply.h"
#include "api/kafka_rest/media_type.h"
#include "http/message.h"

namespace pinpipe::api::kafka_rest {

struct KafkaRestOptions {
  std::string cluster_id = "pinpipe";  // v3 cluster id; any id is accepted in paths
  int32_t broker_id = 0;               // the one "broker" GET /brokers reports
  // Produce to an unknown topic creates it (Kafka's auto.create.topics.enable) instead of
  // answering 40401.
  bool auto_create_topics = false;
  int32_t auto_create_partitions = 1;
  // Values produced to `<user_id>.pin|geo|user` must decode as that record type (42203).
  bool validate_records = true;
  std::string user_id = "0a1b2c3d4e5f";
  // Base URL clients reach this server at, for consumer `base_uri`s, e.g.
  // "https://x.execute-api.us-east-1.amazonaws.com/test". Empty: from each request's Host
  // header and base path.
  std::string advertised_url;
  // Consumer instances (the v2 consumer API).
  int64_t consumer_instance_timeout_ms = 300000;  // idle instances are deleted
  int64_t consumer_request_timeout_ms = 1000;     // default `timeout` of GET .../records
  int64_t consumer_request_max_bytes = 64 << 20;  // cap on `max_bytes`
  int32_t max_poll_records = 30;
};

// A Kafka REST error as an HTTP response (`{"error_code":..,"message":..}`, or no body for
// 406), with Content-Type application/vnd.kafka.v2+json.
http::Response ErrorResponse(const ErrorReply& e);

// A JSON body with the given status and Content-Type.
http::Response JsonResponse(int status, std::string body,
                            std::string_view content_type = kV2Json);

// 204 No Content.
http::Response NoContent();

// The media type to answer with (Accept negotiation), or a 406 response.
// Usage: auto type = NegotiateOr406(req); if (!type.ok) return type.error;
struct Negotiated {
  bool ok = true;
  std::string_view content_type;
  http::Response error;
};
Negotiated NegotiateOr406(const http::Request& req);

}  // namespace pinpipe::api::kafka_rest
