// Status: the outcome of an operation that can fail. pinpipe's code does not throw; every
// fallible function returns a Status or a Result<T> (result.h).
//
// An OK Status holds no allocation, so success costs a null pointer. A failed Status carries a
// Code and a message meant for a person ("topic 'x' not found"). Foreign errors (SQLite,
// MariaDB, DuckDB, curl, ...) are translated into a Status at exactly one seam per library.
//
// Thread-safety: const methods may be called concurrently; a Status is a value type.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace pinpipe {

enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kCorruption = 16,  // stored bytes fail a checksum or a grammar
  kIOError = 17,     // the operating system refused an I/O call
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string_view message);
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;
  ~Status() = default;

  static Status OK() { return Status(); }

  [[nodiscard]] bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  // Empty for an OK status.
  std::string_view message() const;
  // "OK" or "<CodeName>: <message>".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status WithContext(std::string_view context) const;

  // Explicitly discards a Status whose failure does not matter (e.g. best-effort cleanup).
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code() == b.code() && a.message() == b.message();
  }

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  std::unique_ptr<State> state_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

// Factories, one per code used in pinpipe.
Status InvalidArgumentError(std::string_view msg);
Status NotFoundError(std::string_view msg);
Status AlreadyExistsError(std::string_view msg);
Status FailedPreconditionError(std::string_view msg);
Status ResourceExhaustedError(std::string_view msg);
Status OutOfRangeError(std::string_view msg);
Status UnimplementedError(std::string_view msg);
Status InternalError(std::string_view msg);
Status UnavailableError(std::string_view msg);
Status DeadlineExceededError(std::string_view msg);
Status CancelledError(std::string_view msg);
Status AbortedError(std::string_view msg);
Status DataLossError(std::string_view msg);
Status CorruptionError(std::string_view msg);
Status IOError(std::string_view msg);
// An IOError naming the operation, the path and strerror(errnum).
Status ErrnoError(std::string_view op, std::string_view path, int errnum);

}  // namespace pinpipe

// Evaluates `expr` (a Status); returns it from the enclosing function if it failed.
#define RETURN_IF_ERROR(expr)                                  \
  do {                                                         \
    ::pinpipe::Status _pinpipe_status = (expr);                \
    if (!_pinpipe_status.ok()) return _pinpipe_status;         \
  } while (0)
