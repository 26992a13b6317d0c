#include "scheduler/command_job.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/status_matchers.h"
#include "scheduler/civil_time.h"

namespace pinpipe::scheduler {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;
using ::testing::HasSubstr;

class CommandJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pinpipe_cmdjob_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
            "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    run_.job = "batch";
    run_.logical_date = run_.interval_start = SecondsFromCivil({2024, 3, 31, 0, 0, 0}) * 1'000'000;
    run_.interval_end = run_.interval_start + 86400LL * 1'000'000;
    run_.ds = "2024-03-31";
    run_.try_number = 2;
    run_.log_path = (dir_ / "try-2.log").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Log() {
    std::ifstream in(run_.log_path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::filesystem::path dir_;
  JobRun run_;
};

TEST_F(CommandJobTest, ExpandsAirflowStylePlaceholders) {
  CommandJob job("pinpipe batch --date {ds} --nodash {ds_nodash} {data_interval_start} {data_interval_end} {try_number} {job}");
  EXPECT_EQ(job.Expand(run_),
            "pinpipe batch --date 2024-03-31 --nodash 20240331 2024-03-31T00:00:00Z "
            "2024-04-01T00:00:00Z 2 batch");
}

TEST_F(CommandJobTest, SucceedsWithTheLastJsonLineAsSummaryAndLogsOutput) {
  CommandJob job("echo to-stderr >&2; echo \"ds=$PINPIPE_DS\"; echo '{\"rows\": 3, \"ds\": \"{ds}\"}'");
  JobOutcome out = job.Run(run_);
  EXPECT_THAT(out.status, IsOk());
  EXPECT_EQ(out.summary_json, R"({"rows": 3, "ds": "2024-03-31"})");
  std::string log = Log();
  EXPECT_THAT(log, HasSubstr("to-stderr"));
  EXPECT_THAT(log, HasSubstr("ds=2024-03-31"));
}

TEST_F(CommandJobTest, ANonJsonLastLineGivesNoSummary) {
  JobOutcome out = CommandJob("echo '{not json'").Run(run_);
  EXPECT_THAT(out.status, IsOk());
  EXPECT_EQ(out.summary_json, "");
}

TEST_F(CommandJobTest, ANonZeroExitFailsNamingTheStatusAndLog) {
  JobOutcome out = CommandJob("echo boom >&2; exit 3").Run(run_);
  EXPECT_THAT(out.status, StatusIs(StatusCode::kUnknown, HasSubstr("exited with status 3")));
  EXPECT_THAT(out.status.message(), HasSubstr(run_.log_path));
  EXPECT_THAT(Log(), HasSubstr("boom"));
}

TEST_F(CommandJobTest, ATimedOutCommandIsKilledEvenWithSignalsBlockedInTheParent) {
  // `pinpipe up` blocks SIGTERM in every thread; the child must not inherit that mask.
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  FakeClock clock(1000);
  CancelToken token(&clock, 500);  // the deadline has passed
  run_.cancel = &token;
  JobOutcome out = CommandJob("sleep 600").Run(run_);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  EXPECT_THAT(out.status, StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("execution timeout")));
}

TEST_F(CommandJobTest, ACancelledCommandStops) {
  FakeClock clock(0);
  CancelToken token(&clock, 0);
  token.Cancel();
  run_.cancel = &token;
  JobOutcome out = CommandJob("sleep 600").Run(run_);
  EXPECT_THAT(out.status, StatusIs(StatusCode::kCancelled, HasSubstr("signal 15")));
}

}  // namespace
}  // namespace pinpipe::scheduler
