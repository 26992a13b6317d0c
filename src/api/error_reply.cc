#include "api/error_reply.h"

#include "base/json_writer.h"

namespace pinpipe::api {

std::string RenderKafkaError(const ErrorReply& e) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("error_code").Int(e.error_code).Key("message").String(e.message).EndObject();
  return out;
}

namespace kafka_errors {
namespace {
ErrorReply Make(int http, int code, std::string_view msg) {
  return ErrorReply{http, code, std::string(msg), true};
}
}  // namespace

ErrorReply TopicNotFound() { return Make(404, 40401, "Topic not found."); }
ErrorReply PartitionNotFound() { return Make(404, 40402, "Partition not found."); }
ErrorReply ConsumerInstanceNotFound() { return Make(404, 40403, "Consumer instance not found."); }
ErrorReply NotAcceptable() { return ErrorReply{406, 406, "", false}; }
ErrorReply ConsumerFormatMismatch() {
  return Make(406, 40601,
              "The format used in the consumer creation request does not match the embedded "
              "format in the Accept header of this request.");
}
ErrorReply ConsumerAlreadySubscribed() { return Make(409, 40901, "Consumer cannot subscribe to the specified target because it has already subscribed to other topics."); }
ErrorReply ConsumerInstanceExists() {
  return Make(409, 40902, "Consumer with specified consumer ID already exists in the specified consumer group.");
}
ErrorReply IllegalSubscriptionState(std::string_view msg) { return Make(409, 40903, msg); }
ErrorReply UnsupportedMediaType() { return Make(415, 415, "HTTP 415 Unsupported Media Type"); }
ErrorReply MalformedJson(std::string_view msg) { return Make(400, 400, msg); }
ErrorReply InvalidTopic(std::string_view msg) { return Make(400, 40002, msg); }
ErrorReply Unprocessable(std::string_view msg) { return Make(422, 422, msg); }
ErrorReply JsonConversion(std::string_view msg) { return Make(422, 42203, msg); }
ErrorReply InvalidConsumerConfig(std::string_view msg) { return Make(422, 42204, msg); }
ErrorReply EmptyPayload() { return Make(422, 42206, "Request body is empty. Data is required."); }
ErrorReply EntityTooLarge(std::string_view msg) { return Make(413, 413, msg); }
ErrorReply KafkaError(std::string_view msg) { return Make(500, 50002, msg); }
ErrorReply KafkaRetriable(std::string_view msg) { return Make(500, 50003, msg); }
ErrorReply NotFoundPath() { return Make(404, 404, "HTTP 404 Not Found"); }
ErrorReply MethodNotAllowed() { return Make(405, 405, "HTTP 405 Method Not Allowed"); }
}  // namespace kafka_errors

ErrorReply KafkaErrorFromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kAborted:
      return kafka_errors::KafkaRetriable(s.message());
    case StatusCode::kResourceExhausted:
      return kafka_errors::EntityTooLarge(s.message());
    default:
      return kafka_errors::KafkaError(s.message());
  }
}

}  // namespace pinpipe::api
