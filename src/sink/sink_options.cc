#include "sink/sink_options.h"

#include <regex>

#include "log/names.h"

namespace pinpipe::sink {

Status Validate(const SinkOptions& o) {
  RETURN_IF_ERROR(log::ValidateName("sink name", o.name));
  RETURN_IF_ERROR(log::ValidateName("consumer group", o.GroupName()));
  RETURN_IF_ERROR(log::ValidateName("dead-letter topic", o.DlqTopic()));
  if (o.topics_regex.empty()) return InvalidArgumentError("sink.topics_regex must not be empty");
  std::regex re;
  try {
    re = std::regex(o.topics_regex, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return InvalidArgumentError("sink.topics_regex '" + o.topics_regex +
                                "' is not a regular expression: " + e.what());
  }
  if (std::regex_match(o.DlqTopic(), re)) {
    return InvalidArgumentError("the dead-letter topic '" + o.DlqTopic() +
                                "' matches sink.topics_regex: the sink would consume it");
  }
  if (o.flush_size < 1) return InvalidArgumentError("sink.flush_size must be at least 1");
  if (o.max_buffer_bytes < 1) {
    return InvalidArgumentError("sink.max_buffer_bytes must be at least 1");
  }
  if (o.topic_refresh_ms < 1 || o.idle_sleep_ms < 1 || o.read_max_bytes < 1) {
    return InvalidArgumentError("sink refresh, idle sleep and read size must be positive");
  }
  if (o.retry_backoff_initial_ms < 1 || o.retry_backoff_max_ms < o.retry_backoff_initial_ms) {
    return InvalidArgumentError("sink retry backoff: need 1 <= initial <= max");
  }
  if (o.max_attempts < 0) return InvalidArgumentError("sink max_attempts must be >= 0");
  if (o.max_in_flight_puts < 1 || o.max_in_flight_puts > 1024) {
    return InvalidArgumentError("sink.max_in_flight_puts must be between 1 and 1024");
  }
  if (o.max_in_flight_bytes < 1) {
    return InvalidArgumentError("sink.max_in_flight_bytes must be at least 1");
  }
  if (o.commit_interval_ms < 0) {
    return InvalidArgumentError("sink.commit_interval_ms must be >= 0");
  }
  return Status::OK();
}

Status ParseErrorsTolerance(std::string_view text, ErrorsTolerance* out) {
  if (text == "none") {
    *out = ErrorsTolerance::kNone;
  } else if (text == "all") {
    *out = ErrorsTolerance::kAll;
  } else {
    return InvalidArgumentError("sink.errors_tolerance must be \"none\" or \"all\", not \"" +
                                std::string(text) + "\"");
  }
  return Status::OK();
}

}  // namespace pinpipe::sink
