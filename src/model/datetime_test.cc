#include "model/datetime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"

namespace pinpipe::model {
namespace {

using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::HasSubstr;

constexpr TimestampMicros kExample = 1598586767LL * 1'000'000;  // 2020-08-28 03:52:47 UTC

TEST(ParseTimestampTest, SqlForm) {
  EXPECT_THAT(ParseTimestamp("2020-08-28 03:52:47"), IsOkAndHolds(kExample));
  EXPECT_THAT(ParseTimestamp("1970-01-01 00:00:00"), IsOkAndHolds(0));
  EXPECT_THAT(ParseTimestamp("  2020-08-28 03:52:47\n"), IsOkAndHolds(kExample));
}

TEST(ParseTimestampTest, IsoForm) {
  EXPECT_THAT(ParseTimestamp("2020-08-28T03:52:47"), IsOkAndHolds(kExample));
  EXPECT_THAT(ParseTimestamp("2020-08-28t03:52:47"), IsOkAndHolds(kExample));
}

TEST(ParseTimestampTest, Fractions) {
  EXPECT_THAT(ParseTimestamp("2020-08-28T03:52:47.5"), IsOkAndHolds(kExample + 500000));
  EXPECT_THAT(ParseTimestamp("2020-08-28 03:52:47.123456"), IsOkAndHolds(kExample + 123456));
  EXPECT_THAT(ParseTimestamp("2020-08-28T03:52:47.123456789Z"), IsOkAndHolds(kExample + 123456));
  EXPECT_THAT(ParseTimestamp("2020-08-28T03:52:47.1234567891"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("1 to 9 digits")));
  EXPECT_THAT(ParseTimestamp("2020-08-28T03:52:47."),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("1 to 9 digits")));
}

TEST(ParseTimestampTest, Zones) {
  EXPECT_THAT(ParseTimestamp("2020-08-28T03:52:47Z"), IsOkAndHolds(kExample));
  EXPECT_THAT(ParseTimestamp("2020-08-28T05:52:47+02:00"), IsOkAndHolds(kExample));
  EXPECT_THAT(ParseTimestamp("2020-08-27T22:22:47-0530"), IsOkAndHolds(kExample));
  EXPECT_THAT(ParseTimestamp("2020-08-28T04:52:47+01"), IsOkAndHolds(kExample));
  EXPECT_THAT(ParseTimestamp("2020-08-28T03:52:47.25-00:00"), IsOkAndHolds(kExample + 250000));
  EXPECT_THAT(ParseTimestamp("2020-08-28T03:52:47+2:00"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("time zone")));
  EXPECT_THAT(ParseTimestamp("2020-08-28T03:52:47 UTC"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("after the time")));
  EXPECT_THAT(ParseTimestamp("2020-08-28T03:52:47+24:00"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("offset out of range")));
}

TEST(ParseTimestampTest, RejectsMalformedAndOutOfRange) {
  EXPECT_THAT(ParseTimestamp(""),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not a datetime")));
  EXPECT_THAT(ParseTimestamp("2020-08-28"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not a datetime")));
  EXPECT_THAT(ParseTimestamp("2020/08/28 03:52:47"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseTimestamp("datetime.datetime(2020, 8, 28)"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseTimestamp("2020-13-01 00:00:00"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("month")));
  EXPECT_THAT(ParseTimestamp("2019-02-29 00:00:00"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("day")));
  EXPECT_THAT(ParseTimestamp("2020-02-29 00:00:00"), IsOkAndHolds(1582934400LL * 1'000'000));
  EXPECT_THAT(ParseTimestamp("2020-01-01 24:00:00"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("time")));
  EXPECT_THAT(ParseTimestamp("2020-01-01 23:60:00"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("time")));
  EXPECT_THAT(ParseTimestamp("0000-01-01 00:00:00"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("year")));
}

TEST(FormatTest, Iso8601WithFractionOnlyWhenNonzero) {
  EXPECT_EQ(FormatIso8601(kExample), "2020-08-28T03:52:47Z");
  EXPECT_EQ(FormatIso8601(kExample + 1), "2020-08-28T03:52:47.000001Z");
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(-1), "1969-12-31T23:59:59.999999Z");
}

TEST(FormatTest, SqlAndPython) {
  EXPECT_EQ(FormatSqlDatetime(kExample + 42), "2020-08-28 03:52:47");
  std::string out;
  AppendPythonDatetime(&out, kExample);
  out += "|";
  AppendPythonDatetime(&out, kExample + 120000);
  EXPECT_EQ(out, "2020-08-28 03:52:47|2020-08-28 03:52:47.120000");
}

TEST(FormatTest, RoundTripsOverTheSourceRange) {
  for (const char* s : {"2015-10-24 11:23:51", "2017-12-30 00:00:00", "2022-07-25 23:59:59",
                        "2000-02-29 12:00:00", "9999-12-31 23:59:59", "0001-01-01 00:00:00"}) {
    Result<TimestampMicros> t = ParseTimestamp(s);
    ASSERT_TRUE(t.ok()) << s;
    EXPECT_EQ(FormatSqlDatetime(*t), s);
  }
}

}  // namespace
}  // namespace pinpipe::model
