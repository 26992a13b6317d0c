#include "scheduler/schedule.h"

#include "base/status_matchers.h"
#include "scheduler/civil_time.h"

namespace pinpipe::scheduler {
namespace {

using ::pinpipe::testing::StatusIs;

int64_t Utc(int64_t y, int m, int d, int hh = 0, int mm = 0) {
  return SecondsFromCivil({y, m, d, hh, mm, 0});
}

Schedule Parse(std::string_view e, std::string_view zone = "UTC") {
  auto tz = TimeZone::Load(zone);
  EXPECT_TRUE(tz.ok());
  auto s = Schedule::Parse(e, *tz);
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

TEST(ScheduleTest, Aliases) {
  EXPECT_EQ(Parse("@daily").Next(Utc(2024, 3, 5, 10)), Utc(2024, 3, 6));
  EXPECT_EQ(Parse("@daily").Next(Utc(2024, 3, 6)), Utc(2024, 3, 7));  // strictly after
  EXPECT_EQ(Parse("@daily").Prev(Utc(2024, 3, 6)), Utc(2024, 3, 5));
  EXPECT_EQ(Parse("@hourly").Next(Utc(2024, 3, 5, 10, 1)), Utc(2024, 3, 5, 11));
  EXPECT_EQ(Parse("@weekly").Next(Utc(2024, 3, 5)), Utc(2024, 3, 10));  // Sunday
  EXPECT_EQ(Parse("@monthly").Next(Utc(2024, 1, 31)), Utc(2024, 2, 1));
  EXPECT_EQ(Parse("@monthly").Prev(Utc(2024, 2, 1)), Utc(2024, 1, 1));
  EXPECT_EQ(Parse("@yearly").Next(Utc(2024, 6, 1)), Utc(2025, 1, 1));
}

TEST(ScheduleTest, CronFields) {
  Schedule every15 = Parse("*/15 * * * *");
  EXPECT_EQ(every15.Next(Utc(2024, 3, 5, 10, 14)), Utc(2024, 3, 5, 10, 15));
  EXPECT_EQ(every15.Next(Utc(2024, 3, 5, 10, 45)), Utc(2024, 3, 5, 11, 0));
  Schedule weekdays = Parse("30 9 * * MON-FRI");
  EXPECT_EQ(weekdays.Next(Utc(2024, 3, 8, 10)), Utc(2024, 3, 11, 9, 30));  // Fri → Mon
  Schedule list = Parse("0 6,18 1-3 jan,jul *");
  EXPECT_EQ(list.Next(Utc(2024, 1, 3, 18)), Utc(2024, 7, 1, 6));
  // Day-of-month and day-of-week both restricted: either matches (Vixie cron).
  Schedule either = Parse("0 0 13 * 5");
  EXPECT_EQ(either.Next(Utc(2024, 9, 1)), Utc(2024, 9, 6));   // a Friday
  EXPECT_EQ(either.Next(Utc(2024, 9, 10)), Utc(2024, 9, 13)); // the 13th
  EXPECT_EQ(Parse("0 0 * * 7").Next(Utc(2024, 3, 5)), Utc(2024, 3, 10));  // 7 = Sunday
  EXPECT_EQ(Parse("0 0 29 2 *").Next(Utc(2025, 1, 1)), Utc(2028, 2, 29));
  EXPECT_TRUE(Parse("*/5 * * * *").IsFireTime(Utc(2024, 1, 1, 0, 5)));
  EXPECT_FALSE(Parse("*/5 * * * *").IsFireTime(Utc(2024, 1, 1, 0, 6)));
}

TEST(ScheduleTest, RefusesBadExpressions) {
  auto utc = TimeZone::Utc();
  EXPECT_THAT(Schedule::Parse("@fortnightly", utc), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Schedule::Parse("* * * *", utc), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Schedule::Parse("60 * * * *", utc),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("minute")));
  EXPECT_THAT(Schedule::Parse("0 0 * 13 *", utc), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Schedule::Parse("*/0 * * * *", utc), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Schedule::Parse("0 0 30 2 *", utc),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("never")));
}

TEST(ScheduleTest, DailyInBerlinAcrossDst) {
  Schedule s = Parse("@daily", "Europe/Berlin");
  // Local midnights: 23:00 UTC in winter, 22:00 UTC in summer; 2024-03-31 is 23 h long.
  EXPECT_EQ(s.Next(Utc(2024, 3, 30, 12)), Utc(2024, 3, 30, 23));
  EXPECT_EQ(s.Next(Utc(2024, 3, 30, 23)), Utc(2024, 3, 31, 22));
  EXPECT_EQ(s.Prev(Utc(2024, 3, 31, 22)), Utc(2024, 3, 30, 23));
  // 2024-10-27 is 25 h long.
  EXPECT_EQ(s.Next(Utc(2024, 10, 26, 22)), Utc(2024, 10, 27, 23));
}

TEST(ScheduleTest, GapAndRepeatedHour) {
  Schedule s = Parse("30 2 * * *", "Europe/Berlin");
  // 02:30 is skipped on 2024-03-31: the run moves to 03:30 CEST (01:30 UTC), not skipped.
  EXPECT_EQ(s.Next(Utc(2024, 3, 30, 12)), Utc(2024, 3, 31, 1, 30));
  EXPECT_EQ(s.Next(Utc(2024, 3, 31, 1, 30)), Utc(2024, 4, 1, 0, 30));
  // 02:30 happens twice on 2024-10-27: one run, at the first.
  EXPECT_EQ(s.Next(Utc(2024, 10, 26, 12)), Utc(2024, 10, 27, 0, 30));
  EXPECT_EQ(s.Next(Utc(2024, 10, 27, 0, 30)), Utc(2024, 10, 28, 1, 30));
  EXPECT_EQ(s.Prev(Utc(2024, 10, 28, 1, 30)), Utc(2024, 10, 27, 0, 30));
}

}  // namespace
}  // namespace pinpipe::scheduler
