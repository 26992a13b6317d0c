// ErrorReply: every error pinpipe's HTTP front doors send, in one table, so compatibility can
// be reviewed on one screen. Kafka REST errors use Confluent's envelope
// `{"error_code":40401,"message":"..."}` and its codes (reference/wire-apis.md §1.4); a 406
// has no body, as Confluent's JAX-RS stack sends none.
//
// Plain values and pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace pinpipe::api {

struct ErrorReply {
  int http_status = 500;
  int error_code = 50002;
  std::string message;
  bool has_body = true;
};

// `{"error_code":<code>,"message":"<message>"}`.
std::string RenderKafkaError(const ErrorReply& e);

namespace kafka_errors {
ErrorReply TopicNotFound();                          // 404 40401 "Topic not found."
ErrorReply PartitionNotFound();                      // 404 40402 "Partition not found."
ErrorReply ConsumerInstanceNotFound();               // 404 40403 "Consumer instance not found."
ErrorReply NotAcceptable();                          // 406, no body
ErrorReply ConsumerFormatMismatch();                 // 406 40601
ErrorReply ConsumerAlreadySubscribed();              // 409 40901
ErrorReply ConsumerInstanceExists();                 // 409 40902
ErrorReply IllegalSubscriptionState(std::string_view msg);  // 409 40903
ErrorReply UnsupportedMediaType();                   // 415 415 "HTTP 415 Unsupported Media Type"
ErrorReply MalformedJson(std::string_view msg);      // 400 400
ErrorReply InvalidTopic(std::string_view msg);       // 400 40002
ErrorReply Unprocessable(std::string_view msg);      // 422 422 (field/shape validation)
ErrorReply JsonConversion(std::string_view msg);     // 422 42203 (value is not a valid record)
ErrorReply InvalidConsumerConfig(std::string_view msg);  // 422 42204
ErrorReply EmptyPayload();                           // 422 42206 "Request body is empty. ..."
ErrorReply EntityTooLarge(std::string_view msg);     // 413 413
ErrorReply KafkaError(std::string_view msg);         // 500 50002 (permanent)
ErrorReply KafkaRetriable(std::string_view msg);     // 500 50003 (retriable)
ErrorReply NotFoundPath();                           // 404 404 "HTTP 404 Not Found"
ErrorReply MethodNotAllowed();                       // 405 405 "HTTP 405 Method Not Allowed"
}  // namespace kafka_errors

// The Kafka REST reply for a failed Status from the log: Unavailable/DeadlineExceeded/Aborted
// are retriable (50003), ResourceExhausted is 413, everything else is 50002.
ErrorReply KafkaErrorFromStatus(const Status& s);

}  // namespace pinpipe::api
