#include "scheduler/timetable.h"

#include "base/status_matchers.h"
#include "scheduler/civil_time.h"

namespace pinpipe::scheduler {
namespace {

using ::pinpipe::testing::StatusIs;

constexpr int64_t kM = 1'000'000;
int64_t At(int64_t y, int m, int d, int hh = 0, int mm = 0) {
  return SecondsFromCivil({y, m, d, hh, mm, 0}) * kM;
}

Timetable Make(JobSpec spec) {
  spec.name = "t";
  auto tt = Timetable::Create(spec);
  EXPECT_TRUE(tt.ok()) << tt.status();
  return *tt;
}

TEST(TimetableTest, ARunForDCoversDToNextDAndIsDueWhenItEnds) {
  JobSpec spec;
  spec.start_date = At(2024, 1, 1);
  spec.catchup = true;
  Timetable tt = Make(spec);
  EXPECT_EQ(tt.NextDue(std::nullopt, At(2024, 1, 1, 23, 59)), std::nullopt);
  EXPECT_EQ(tt.NextDue(std::nullopt, At(2024, 1, 2)), (DataInterval{At(2024, 1, 1), At(2024, 1, 2)}));
  EXPECT_EQ(tt.Ds(At(2024, 1, 1)), "2024-01-01");
}

TEST(TimetableTest, StartDateIsAlignedUp) {
  JobSpec spec;
  spec.start_date = At(2024, 1, 1, 15, 30);
  spec.catchup = true;
  Timetable tt = Make(spec);
  EXPECT_EQ(tt.NextDue(std::nullopt, At(2024, 1, 10)), (DataInterval{At(2024, 1, 2), At(2024, 1, 3)}));
}

TEST(TimetableTest, CatchupContinuesFromTheLastRunAndWithoutItSkipsToTheLatest) {
  JobSpec spec;
  spec.start_date = At(2024, 1, 1);
  spec.catchup = true;
  EXPECT_EQ(Make(spec).NextDue(At(2024, 1, 5), At(2024, 1, 20)),
            (DataInterval{At(2024, 1, 5), At(2024, 1, 6)}));
  spec.catchup = false;
  Timetable off = Make(spec);
  EXPECT_EQ(off.NextDue(At(2024, 1, 5), At(2024, 1, 20, 7)),
            (DataInterval{At(2024, 1, 19), At(2024, 1, 20)}));
  EXPECT_EQ(off.NextDue(std::nullopt, At(2024, 1, 20, 7)),
            (DataInterval{At(2024, 1, 19), At(2024, 1, 20)}));
  // Never before the last scheduled run, never before start_date.
  EXPECT_EQ(off.NextDue(At(2024, 1, 20), At(2024, 1, 20, 7)), std::nullopt);
  spec.start_date = At(2024, 2, 1);
  EXPECT_EQ(Make(spec).NextDue(std::nullopt, At(2024, 1, 20)), std::nullopt);
  // No start date and no catchup: the latest complete interval.
  JobSpec bare;
  EXPECT_EQ(Make(bare).NextDue(std::nullopt, At(2024, 1, 20, 7)),
            (DataInterval{At(2024, 1, 19), At(2024, 1, 20)}));
}

TEST(TimetableTest, EndDateStopsTheSchedule) {
  JobSpec spec;
  spec.start_date = At(2024, 1, 1);
  spec.end_date = At(2024, 1, 3);
  spec.catchup = true;
  Timetable tt = Make(spec);
  EXPECT_EQ(tt.NextDue(At(2024, 1, 3), At(2024, 2, 1)), (DataInterval{At(2024, 1, 3), At(2024, 1, 4)}));
  EXPECT_EQ(tt.NextDue(At(2024, 1, 4), At(2024, 2, 1)), std::nullopt);
}

TEST(TimetableTest, IntervalsBackfillsAndManualRuns) {
  JobSpec spec;
  spec.schedule = "0 6 * * *";
  Timetable tt = Make(spec);
  EXPECT_THAT(tt.IntervalAt(At(2024, 1, 1, 6)),
              ::pinpipe::testing::IsOkAndHolds(DataInterval{At(2024, 1, 1, 6), At(2024, 1, 2, 6)}));
  EXPECT_THAT(tt.IntervalAt(At(2024, 1, 1, 7)), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(tt.LatestComplete(At(2024, 1, 5, 7)), (DataInterval{At(2024, 1, 4, 6), At(2024, 1, 5, 6)}));
  EXPECT_EQ(tt.LatestComplete(At(2024, 1, 5, 6)), (DataInterval{At(2024, 1, 4, 6), At(2024, 1, 5, 6)}));
  EXPECT_EQ(tt.FireTimesBetween(At(2024, 1, 1), At(2024, 1, 3, 6), 100),
            (std::vector<int64_t>{At(2024, 1, 1, 6), At(2024, 1, 2, 6), At(2024, 1, 3, 6)}));
}

TEST(TimetableTest, RefusesInconsistentSpecs) {
  JobSpec spec;
  spec.name = "t";
  spec.catchup = true;
  EXPECT_THAT(Timetable::Create(spec), StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("start_date")));
  spec.catchup = false;
  spec.timezone = "Nowhere/Land";
  EXPECT_THAT(Timetable::Create(spec), StatusIs(StatusCode::kNotFound));
  spec.timezone = "UTC";
  spec.max_active_runs = 0;
  EXPECT_THAT(Timetable::Create(spec), StatusIs(StatusCode::kInvalidArgument));
}

TEST(TimetableTest, ParseWhenUsesTheZoneForWallTimes) {
  auto berlin = TimeZone::Load("Europe/Berlin");
  ASSERT_TRUE(berlin.ok());
  EXPECT_THAT(ParseWhen("2024-07-01", *berlin), ::pinpipe::testing::IsOkAndHolds(At(2024, 6, 30, 22)));
  EXPECT_THAT(ParseWhen("2024-07-01T00:00:00Z", *berlin), ::pinpipe::testing::IsOkAndHolds(At(2024, 7, 1)));
}

TEST(RetryDelayTest, ExponentialBackoffDoublesUpToTheCap) {
  JobSpec spec;
  spec.retry_delay = 60 * kM;
  EXPECT_EQ(RetryDelay(spec, 3), 60 * kM);
  spec.retry_exponential_backoff = true;
  spec.max_retry_delay = 300 * kM;
  EXPECT_EQ(RetryDelay(spec, 1), 60 * kM);
  EXPECT_EQ(RetryDelay(spec, 2), 120 * kM);
  EXPECT_EQ(RetryDelay(spec, 3), 240 * kM);
  EXPECT_EQ(RetryDelay(spec, 4), 300 * kM);
}

}  // namespace
}  // namespace pinpipe::scheduler
