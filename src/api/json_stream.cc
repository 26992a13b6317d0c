#include "api/json_stream.h"

namespace pinpipe::api {

Status JsonStreamSplitter::Feed(std::string_view bytes, std::vector<std::string>* docs) {
  if (!error_.ok()) return error_;
  for (char c : bytes) {
    if (depth_ == 0) {
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
      if (c != '{' && c != '[') {
        error_ = InvalidArgumentError(std::string("expected a JSON object, found '") + c + "'");
        return error_;
      }
    }
    pending_ += c;
    if (pending_.size() > max_) {
      error_ = ResourceExhaustedError("a record is larger than " + std::to_string(max_) + " bytes");
      return error_;
    }
    if (in_string_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
      continue;
    }
    if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      depth_++;
    } else if (c == '}' || c == ']') {
      if (--depth_ == 0) {
        docs->push_back(std::move(pending_));
        pending_.clear();
      }
    }
  }
  return Status::OK();
}

Status JsonStreamSplitter::Finish() const {
  if (!error_.ok()) return error_;
  if (!pending_.empty()) return InvalidArgumentError("the stream ends inside a JSON document");
  return Status::OK();
}

}  // namespace pinpipe::api
