#include "base/status.h"

#include <cstring>

namespace pinpipe {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kCancelled: return "Cancelled";
    case StatusCode::kUnknown: return "Unknown";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kDeadlineExceeded: return "DeadlineExceeded";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kAlreadyExists: return "AlreadyExists";
    case StatusCode::kPermissionDenied: return "PermissionDenied";
    case StatusCode::kResourceExhausted: return "ResourceExhausted";
    case StatusCode::kFailedPrecondition: return "FailedPrecondition";
    case StatusCode::kAborted: return "Aborted";
    case StatusCode::kOutOfRange: return "OutOfRange";
    case StatusCode::kUnimplemented: return "Unimplemented";
    case StatusCode::kInternal: return "Internal";
    case StatusCode::kUnavailable: return "Unavailable";
    case StatusCode::kDataLoss: return "DataLoss";
    case StatusCode::kCorruption: return "Corruption";
    case StatusCode::kIOError: return "IOError";
  }
  return "Unknown";
}

Status::Status(StatusCode code, std::string_view message) {
  if (code != StatusCode::kOk) {
    state_ = std::make_unique<State>(State{code, std::string(message)});
  }
}

Status::Status(const Status& other)
    : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) {
    state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
  }
  return *this;
}

std::string_view Status::message() const {
  return state_ ? std::string_view(state_->message) : std::string_view();
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code()));
  out += ": ";
  out += state_->message;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return Status();
  std::string msg(context);
  msg += ": ";
  msg += state_->message;
  return Status(state_->code, msg);
}

std::ostream& operator<<(std::ostream& os, const Status& s) { return os << s.ToString(); }

Status InvalidArgumentError(std::string_view m) { return {StatusCode::kInvalidArgument, m}; }
Status NotFoundError(std::string_view m) { return {StatusCode::kNotFound, m}; }
Status AlreadyExistsError(std::string_view m) { return {StatusCode::kAlreadyExists, m}; }
Status FailedPreconditionError(std::string_view m) { return {StatusCode::kFailedPrecondition, m}; }
Status ResourceExhaustedError(std::string_view m) { return {StatusCode::kResourceExhausted, m}; }
Status OutOfRangeError(std::string_view m) { return {StatusCode::kOutOfRange, m}; }
Status UnimplementedError(std::string_view m) { return {StatusCode::kUnimplemented, m}; }
Status InternalError(std::string_view m) { return {StatusCode::kInternal, m}; }
Status UnavailableError(std::string_view m) { return {StatusCode::kUnavailable, m}; }
Status DeadlineExceededError(std::string_view m) { return {StatusCode::kDeadlineExceeded, m}; }
Status CancelledError(std::string_view m) { return {StatusCode::kCancelled, m}; }
Status AbortedError(std::string_view m) { return {StatusCode::kAborted, m}; }
Status DataLossError(std::string_view m) { return {StatusCode::kDataLoss, m}; }
Status CorruptionError(std::string_view m) { return {StatusCode::kCorruption, m}; }
Status IOError(std::string_view m) { return {StatusCode::kIOError, m}; }

Status ErrnoError(std::string_view op, std::string_view path, int errnum) {
  std::string msg(op);
  msg += " '";
  msg += path;
  msg += "': ";
  msg += std::strerror(errnum);
  return IOError(msg);
}

}  // namespace pinpipe
