// Result<T>: a T or the Status saying why there is none (Arrow's Result, absl's StatusOr).
//
//   Result<int> r = Parse(text);
//   if (!r.ok()) return r.status();
//   use(*r);
//
// ASSIGN_OR_RETURN(auto v, Parse(text)); declares `v` or returns the error from the caller.
// Accessing the value of a failed Result aborts the process (a programming error).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <type_traits>
#include <utility>

#include "base/status.h"

namespace pinpipe {

template <typename T>
class [[nodiscard]] Result {
 public:
  // Implicit on purpose: `return value;` and `return SomeError(...);` both read naturally.
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (status_.ok()) status_ = InternalError("Result constructed from an OK Status");
  }
  template <typename U,
            typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                        !std::is_same_v<std::decay_t<U>, T> &&
                                        !std::is_same_v<std::decay_t<U>, Status> &&
                                        !std::is_same_v<std::decay_t<U>, Result<T>>>>
  Result(U&& value) : value_(T(std::forward<U>(value))) {}  // NOLINT

  [[nodiscard]] bool ok() const { return value_.has_value(); }
  const Status& status() const& { return status_; }
  Status status() && { return std::move(status_); }

  const T& value() const& { Check(); return *value_; }
  T& value() & { Check(); return *value_; }
  T&& value() && { Check(); return std::move(*value_); }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  void Check() const {
    if (!value_.has_value()) {
      std::fprintf(stderr, "pinpipe: value() of a failed Result: %s\n",
                   status_.ToString().c_str());
      std::abort();
    }
  }

  Status status_;  // OK iff value_ holds a value
  std::optional<T> value_;
};

}  // namespace pinpipe

#define PINPIPE_CONCAT_INNER(a, b) a##b
#define PINPIPE_CONCAT(a, b) PINPIPE_CONCAT_INNER(a, b)

#define PINPIPE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                  \
  if (!tmp.ok()) return std::move(tmp).status();       \
  lhs = std::move(tmp).value()

// Declares or assigns `lhs` from a Result expression, or returns its error.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  PINPIPE_ASSIGN_OR_RETURN_IMPL(PINPIPE_CONCAT(_pinpipe_result_, __LINE__), lhs, rexpr)
