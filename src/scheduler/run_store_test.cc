#include "scheduler/run_store.h"

#include <filesystem>

#include "base/status_matchers.h"

namespace pinpipe::scheduler {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;

std::string TempDb(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / ("pinpipe_run_store_" + std::string(name) + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return (dir / "scheduler.db").string();
}

RunRecord MakeRun(const std::string& job, int64_t d, const char* type = "scheduled") {
  RunRecord r;
  r.job = job;
  r.logical_date = d;
  r.run_type = type;
  r.interval_start = d;
  r.interval_end = d + 100;
  r.max_tries = 2;
  r.queued_at = 1;
  return r;
}

TEST(RunStoreTest, OneRunPerJobAndLogicalDate) {
  auto store = RunStore::Open(TempDb("unique"));
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_THAT((*store)->Insert(MakeRun("a", 100)), IsOk());
  EXPECT_THAT((*store)->Insert(MakeRun("a", 100, "manual")), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT((*store)->Insert(MakeRun("b", 100)), IsOk());
}

TEST(RunStoreTest, UpdatesAreCompareAndSetOnTheState) {
  auto store = RunStore::Open(TempDb("cas"));
  ASSERT_TRUE(store.ok());
  RunRecord r = MakeRun("a", 100);
  ASSERT_THAT((*store)->Insert(r), IsOk());
  r.state = RunState::kRunning;
  r.try_number = 1;
  EXPECT_THAT((*store)->Update(r, RunState::kQueued), IsOk());
  r.state = RunState::kSuccess;
  EXPECT_THAT((*store)->Update(r, RunState::kQueued), StatusIs(StatusCode::kAborted));
  EXPECT_THAT((*store)->Update(MakeRun("zz", 1), RunState::kQueued), StatusIs(StatusCode::kNotFound));
}

TEST(RunStoreTest, HistorySurvivesReopen) {
  std::string path = TempDb("reopen");
  {
    auto store = RunStore::Open(path);
    ASSERT_TRUE(store.ok());
    RunRecord r = MakeRun("a", 100);
    r.summary = R"({"rows":3})";
    ASSERT_THAT((*store)->Insert(r), IsOk());
    ASSERT_THAT((*store)->Insert(MakeRun("a", 200, "backfill")), IsOk());
    ASSERT_THAT((*store)->Insert(MakeRun("a", 300, "manual")), IsOk());
  }
  auto store = RunStore::Open(path);
  ASSERT_TRUE(store.ok());
  auto got = (*store)->Get("a", 100);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->summary, R"({"rows":3})");
  EXPECT_EQ((*got)->interval_end, 200);
  // Manual runs do not move the schedule; backfills do (Airflow's "last automated run").
  EXPECT_THAT((*store)->LastScheduledEnd("a"), ::pinpipe::testing::IsOkAndHolds(std::optional<int64_t>(300)));
  EXPECT_THAT((*store)->LastScheduledEnd("b"), ::pinpipe::testing::IsOkAndHolds(std::optional<int64_t>()));
  auto list = (*store)->List("a", 10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].logical_date, 300);  // newest first
}

}  // namespace
}  // namespace pinpipe::scheduler
