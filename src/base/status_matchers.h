// GoogleTest matchers for Status and Result<T> (test-only; link pinpipe_testing).
//
//   EXPECT_THAT(s, IsOk());
//   EXPECT_THAT(r, StatusIs(StatusCode::kNotFound, HasSubstr("topic")));
//   EXPECT_THAT(r, IsOkAndHolds(42));
//
// There is deliberately no "is not OK" matcher: assert the specific error.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/result.h"
#include "base/status.h"

namespace pinpipe::testing {

inline const Status& GetStatus(const Status& s) { return s; }
template <typename T>
const Status& GetStatus(const Result<T>& r) {
  return r.status();
}

MATCHER(IsOk, "is OK") {
  const Status& s = ::pinpipe::testing::GetStatus(arg);
  if (!s.ok()) *result_listener << "which is " << s.ToString();
  return s.ok();
}

MATCHER_P(StatusIs, code,
          std::string("has status code ") + std::string(::pinpipe::StatusCodeName(code))) {
  const Status& s = ::pinpipe::testing::GetStatus(arg);
  *result_listener << "which is " << s.ToString();
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher,
           std::string("has status code ") + std::string(::pinpipe::StatusCodeName(code))) {
  const Status& s = ::pinpipe::testing::GetStatus(arg);
  *result_listener << "which is " << s.ToString();
  return s.code() == code &&
         ::testing::Matches(message_matcher)(std::string(s.message()));
}

MATCHER_P(IsOkAndHolds, value_matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "which is " << arg.status().ToString();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

}  // namespace pinpipe::testing
