#include "scheduler/time_zone.h"

#include "base/status_matchers.h"
#include "scheduler/civil_time.h"

namespace pinpipe::scheduler {
namespace {

using ::pinpipe::testing::StatusIs;

int64_t Utc(int64_t y, int m, int d, int hh = 0, int mm = 0) {
  return SecondsFromCivil({y, m, d, hh, mm, 0});
}

TEST(CivilTimeTest, RoundTripsAndWeekdays) {
  for (int64_t s : {int64_t{0}, int64_t{951782400}, int64_t{-86400 * 400}, Utc(2024, 2, 29, 23, 59)}) {
    EXPECT_EQ(SecondsFromCivil(CivilFromSeconds(s)), s);
  }
  EXPECT_EQ(WeekdayFromDays(0), 4);                          // 1970-01-01 Thursday
  EXPECT_EQ(WeekdayFromDays(DaysFromCivil(2024, 3, 31)), 0);  // Sunday
  EXPECT_EQ(WeekdayFromDays(DaysFromCivil(1969, 12, 28)), 0);
  EXPECT_EQ(FormatUtc(Utc(2024, 3, 31, 1, 2)), "2024-03-31T01:02:00Z");
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2100, 2), 28);
}

TEST(CivilTimeTest, ParsesDatesAndTimes) {
  bool off = false;
  int32_t o = 0;
  EXPECT_THAT(ParseDateTime("2024-03-31", &off, &o), ::pinpipe::testing::IsOkAndHolds(Utc(2024, 3, 31)));
  EXPECT_FALSE(off);
  EXPECT_THAT(ParseDateTime("2024-03-31T06:30:00+02:00", &off, &o),
              ::pinpipe::testing::IsOkAndHolds(Utc(2024, 3, 31, 6, 30)));
  EXPECT_TRUE(off);
  EXPECT_EQ(o, 7200);
  EXPECT_THAT(ParseDateTime("2024-02-30", &off, &o), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseDateTime("yesterday", &off, &o), StatusIs(StatusCode::kInvalidArgument));
}

TEST(TimeZoneTest, UtcNeedsNoFile) {
  auto tz = TimeZone::Load("UTC");
  ASSERT_TRUE(tz.ok());
  EXPECT_EQ(tz->OffsetAt(Utc(2024, 7, 1)), 0);
  EXPECT_EQ(tz->FromLocal(Utc(2024, 7, 1)), Utc(2024, 7, 1));
}

TEST(TimeZoneTest, BerlinOffsetsFromTheSystemDatabase) {
  auto tz = TimeZone::Load("Europe/Berlin");
  ASSERT_TRUE(tz.ok()) << tz.status();
  EXPECT_EQ(tz->OffsetAt(Utc(2024, 1, 15)), 3600);
  EXPECT_EQ(tz->OffsetAt(Utc(2024, 7, 15)), 7200);
  // 2024-03-31 01:00 UTC clocks went 02:00 -> 03:00; 2024-10-27 01:00 UTC 03:00 -> 02:00.
  EXPECT_EQ(tz->OffsetAt(Utc(2024, 3, 31, 0, 59)), 3600);
  EXPECT_EQ(tz->OffsetAt(Utc(2024, 3, 31, 1, 0)), 7200);
  EXPECT_EQ(tz->OffsetAt(Utc(2024, 10, 27, 0, 59)), 7200);
  EXPECT_EQ(tz->OffsetAt(Utc(2024, 10, 27, 1, 0)), 3600);
  // Far beyond the file's transitions the footer rule still knows summer time.
  EXPECT_EQ(tz->OffsetAt(Utc(2100, 7, 1)), 7200);
  EXPECT_EQ(tz->OffsetAt(Utc(2100, 12, 1)), 3600);
}

TEST(TimeZoneTest, FromLocalInGapsAndRepeats) {
  auto tz = TimeZone::Load("Europe/Berlin");
  ASSERT_TRUE(tz.ok());
  // 02:30 does not exist on 2024-03-31: moved forward by the gap, to 03:30 CEST (01:30 UTC).
  EXPECT_EQ(tz->FromLocal(Utc(2024, 3, 31, 2, 30)), Utc(2024, 3, 31, 1, 30));
  // 02:30 happens twice on 2024-10-27: the first time (CEST, 00:30 UTC).
  EXPECT_EQ(tz->FromLocal(Utc(2024, 10, 27, 2, 30)), Utc(2024, 10, 27, 0, 30));
  EXPECT_EQ(tz->FromLocal(Utc(2024, 7, 1, 12, 0)), Utc(2024, 7, 1, 10, 0));
}

TEST(TimeZoneTest, NewYork) {
  auto tz = TimeZone::Load("America/New_York");
  ASSERT_TRUE(tz.ok());
  EXPECT_EQ(tz->OffsetAt(Utc(2024, 1, 1)), -5 * 3600);
  EXPECT_EQ(tz->OffsetAt(Utc(2024, 7, 1)), -4 * 3600);
  EXPECT_EQ(tz->OffsetAt(Utc(2090, 7, 1)), -4 * 3600);
}

TEST(TimeZoneTest, PosixRules) {
  auto r = ParsePosixRule("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->std_offset, 3600);
  EXPECT_EQ(r->dst_offset, 7200);
  EXPECT_EQ(r->start.month, 3);
  EXPECT_EQ(r->end.time, 3 * 3600);
  auto india = ParsePosixRule("IST-5:30");
  ASSERT_TRUE(india.ok());
  EXPECT_EQ(india->std_offset, 5 * 3600 + 1800);
  EXPECT_FALSE(india->has_dst);
  auto quoted = ParsePosixRule("<-03>3");
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->std_offset, -3 * 3600);
  EXPECT_THAT(ParsePosixRule("CET-1CEST,M3.5.0"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(TimeZoneTest, RefusesBadAndUnknownNames) {
  EXPECT_THAT(TimeZone::Load("../etc/passwd"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(TimeZone::Load("/etc/localtime"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(TimeZone::Load("Mars/Olympus_Mons"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(TimeZone::FromTzif("x", "not a tzif file at all, but long enough to parse"),
              StatusIs(StatusCode::kCorruption));
}

}  // namespace
}  // namespace pinpipe::scheduler
