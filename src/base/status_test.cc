#include "base/status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "base/status_matchers.h"

namespace pinpipe {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(StatusTest, DefaultIsOkAndCostsNoMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = NotFoundError("topic 'x' not found");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "NotFound: topic 'x' not found");
  Status copy = s;
  EXPECT_EQ(copy, s);
  EXPECT_THAT(s.WithContext("produce"), StatusIs(StatusCode::kNotFound, "produce: topic 'x' not found"));
  EXPECT_THAT(Status().WithContext("x"), IsOk());
}

TEST(StatusTest, ErrnoErrorNamesOperationAndPath) {
  Status s = ErrnoError("open", "/nope", ENOENT);
  EXPECT_THAT(s, StatusIs(StatusCode::kIOError, HasSubstr("open '/nope': No such file")));
}

Status FailsWhen(bool fail) {
  if (fail) return InvalidArgumentError("asked to fail");
  return Status::OK();
}

Status Chain(bool fail, int* reached) {
  RETURN_IF_ERROR(FailsWhen(fail));
  *reached = 1;
  return Status::OK();
}

TEST(StatusTest, ReturnIfErrorStopsAtFirstFailure) {
  int reached = 0;
  EXPECT_THAT(Chain(true, &reached), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(reached, 0);
  EXPECT_THAT(Chain(false, &reached), IsOk());
  EXPECT_EQ(reached, 1);
}

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(ResultTest, HoldsValueOrError) {
  EXPECT_THAT(Half(4), IsOkAndHolds(2));
  EXPECT_THAT(Half(3), StatusIs(StatusCode::kInvalidArgument, "odd"));
  EXPECT_THAT(Quarter(8), IsOkAndHolds(2));
  EXPECT_THAT(Quarter(6), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Half(3), Not(IsOk()));
  EXPECT_EQ(Half(3).value_or(-1), -1);
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<std::string>> r = std::make_unique<std::string>("hi");
  ASSERT_THAT(r, IsOk());
  std::unique_ptr<std::string> p = std::move(r).value();
  EXPECT_EQ(*p, "hi");
}

TEST(ResultTest, OkStatusIsNotAValue) {
  Result<int> r = Status::OK();
  EXPECT_THAT(r, StatusIs(StatusCode::kInternal));
}

TEST(ResultDeathTest, ValueOfErrorAborts) {
  Result<int> r = NotFoundError("gone");
  EXPECT_DEATH({ (void)r.value(); }, "value\\(\\) of a failed Result: NotFound: gone");
}

TEST(FakeClockTest, SleepAdvancesTime) {
  FakeClock clock(1000);
  EXPECT_EQ(clock.NowMicros(), 1000);
  clock.SleepForMicros(500);
  EXPECT_EQ(clock.NowMicros(), 1500);
  clock.AdvanceMicros(-100);
  EXPECT_EQ(clock.MonotonicMicros(), 1400);
  clock.SetMicros(7);
  EXPECT_EQ(clock.NowMicros(), 7);
}

TEST(SystemClockTest, NowIsAfter2020) {
  EXPECT_GT(Clock::Real()->NowMicros(), int64_t{1577836800} * 1000000);
  int64_t a = Clock::Real()->MonotonicMicros();
  int64_t b = Clock::Real()->MonotonicMicros();
  EXPECT_LE(a, b);
}

}  // namespace
}  // namespace pinpipe
