// The scheduler over weeks of FakeClock time: every test advances the clock an hour (or a
// minute) at a time and ticks, as `pinpipe up` would, and checks what ran.
#include "scheduler/scheduler.h"

#include <filesystem>
#include <set>

#include "base/status_matchers.h"
#include "scheduler/civil_time.h"
#include "scheduler/run_requests.h"

namespace pinpipe::scheduler {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kM = 1'000'000;
constexpr int64_t kHour = 3600 * kM;
constexpr int64_t kDay = 24 * kHour;
int64_t At(int64_t y, int m, int d, int hh = 0, int mm = 0) {
  return SecondsFromCivil({y, m, d, hh, mm, 0}) * kM;
}

// A test job: records each call's ds and try, and fails the tries `fail` says to.
struct Recorder {
  std::mutex mu;
  std::vector<std::string> calls;  // "ds#try"
  std::function<Status(const JobRun&)> behaviour = [](const JobRun&) { return Status::OK(); };

  std::unique_ptr<Job> MakeJob() {
    return std::make_unique<FunctionJob>(
        [this](const JobRun& r) {
          {
            std::lock_guard<std::mutex> l(mu);
            calls.push_back(r.ds + "#" + std::to_string(r.try_number));
          }
          Status s = behaviour(r);
          return JobOutcome{s, s.ok() ? R"({"ds":")" + r.ds + "\"}" : ""};
        },
        "test job");
  }
  std::vector<std::string> Calls() {
    std::lock_guard<std::mutex> l(mu);
    return calls;
  }
};

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            ("pinpipe_sched_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
             "_" + std::to_string(::getpid())))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void AddJob(JobSpec spec, Recorder& rec) {
    ASSERT_THAT(registry_.Add(spec, rec.MakeJob()), IsOk());
  }
  std::unique_ptr<Scheduler> Open(bool inline_runs = true) {
    SchedulerOptions o;
    o.data_dir = dir_;
    o.inline_runs = inline_runs;
    auto s = Scheduler::Open(&registry_, &clock_, o);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }
  // Advances the clock by `step` and ticks, until `until`.
  void RunUntil(Scheduler& s, int64_t until, int64_t step = kHour) {
    while (clock_.NowMicros() < until) {
      clock_.AdvanceMicros(std::min(step, until - clock_.NowMicros()));
      ASSERT_THAT(s.Tick(), IsOk());
    }
  }
  std::vector<RunRecord> History(Scheduler& s, const std::string& job = "") {
    auto runs = s.store().List(job, 10000);
    EXPECT_TRUE(runs.ok());
    std::vector<RunRecord> out(runs->rbegin(), runs->rend());  // oldest first
    return out;
  }

  std::string dir_;
  FakeClock clock_{At(2024, 1, 1)};
  JobRegistry registry_;
};

JobSpec Daily(const char* name = "batch") {
  JobSpec spec;
  spec.name = name;
  spec.retry_delay = 120 * kM;
  return spec;
}

TEST_F(SchedulerTest, CatchupRunsEveryMissedDayInOrderThenOneADay) {
  Recorder rec;
  JobSpec spec = Daily();
  spec.catchup = true;
  spec.start_date = At(2023, 12, 11);  // three weeks before "now"
  AddJob(spec, rec);
  auto s = Open();
  ASSERT_THAT(s->Tick(), IsOk());
  std::vector<std::string> calls = rec.Calls();
  ASSERT_EQ(calls.size(), 21u);
  EXPECT_EQ(calls.front(), "2023-12-11#1");
  EXPECT_EQ(calls.back(), "2023-12-31#1");
  RunUntil(*s, At(2024, 1, 8, 12));
  calls = rec.Calls();
  ASSERT_EQ(calls.size(), 28u);
  EXPECT_EQ(calls.back(), "2024-01-07#1");
  std::set<std::string> unique(calls.begin(), calls.end());
  EXPECT_EQ(unique.size(), calls.size());
  for (const RunRecord& r : History(*s)) {
    EXPECT_EQ(r.state, RunState::kSuccess);
    EXPECT_EQ(r.interval_end - r.interval_start, kDay);
    EXPECT_GE(r.start_time, r.interval_end);  // runs only after its interval ended
  }
}

TEST_F(SchedulerTest, WithoutCatchupOnlyTheLatestIntervalThenDaily) {
  Recorder rec;
  JobSpec spec = Daily();
  spec.start_date = At(2023, 12, 11);
  AddJob(spec, rec);
  auto s = Open();
  clock_.SetMicros(At(2024, 1, 1, 9));
  ASSERT_THAT(s->Tick(), IsOk());
  EXPECT_THAT(rec.Calls(), ElementsAre("2023-12-31#1"));
  RunUntil(*s, At(2024, 1, 4, 9));
  EXPECT_THAT(rec.Calls(), ElementsAre("2023-12-31#1", "2024-01-01#1", "2024-01-02#1", "2024-01-03#1"));
  // Scheduler down for three days: on restart only the latest interval runs.
  s.reset();
  clock_.SetMicros(At(2024, 1, 7, 9));
  s = Open();
  ASSERT_THAT(s->Tick(), IsOk());
  EXPECT_EQ(rec.Calls().back(), "2024-01-06#1");
  EXPECT_EQ(rec.Calls().size(), 5u);
}

TEST_F(SchedulerTest, FailureThenSuccessAfterTheRetryDelay) {
  Recorder rec;
  rec.behaviour = [](const JobRun& r) {
    return r.try_number == 1 ? UnavailableError("object store down") : Status::OK();
  };
  AddJob(Daily(), rec);
  auto s = Open();
  clock_.SetMicros(At(2024, 1, 2, 0, 0));
  ASSERT_THAT(s->Tick(), IsOk());
  auto runs = History(*s);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].state, RunState::kUpForRetry);
  EXPECT_THAT(runs[0].error, HasSubstr("object store down"));
  EXPECT_EQ(runs[0].next_try_at, At(2024, 1, 2, 0, 2));
  RunUntil(*s, At(2024, 1, 2, 0, 1), 10 * kM);  // before the delay: nothing
  EXPECT_EQ(rec.Calls().size(), 1u);
  RunUntil(*s, At(2024, 1, 2, 0, 3), 10 * kM);
  runs = History(*s);
  EXPECT_EQ(runs[0].state, RunState::kSuccess);
  EXPECT_EQ(runs[0].try_number, 2);
  EXPECT_EQ(runs[0].summary, R"({"ds":"2024-01-01"})");
  EXPECT_THAT(rec.Calls(), ElementsAre("2024-01-01#1", "2024-01-01#2"));
}

TEST_F(SchedulerTest, RetriesRunOutWithExponentialBackoffAndTheNextDayStillRuns) {
  Recorder rec;
  std::vector<int64_t> starts;
  rec.behaviour = [&](const JobRun& r) {
    if (r.ds != "2024-01-01") return Status::OK();
    starts.push_back(clock_.NowMicros());
    return InternalError("bad data");
  };
  JobSpec spec = Daily();
  spec.start_date = At(2024, 1, 1);
  spec.retries = 3;
  spec.retry_exponential_backoff = true;
  spec.retry_delay = 60 * kM;
  AddJob(spec, rec);
  auto s = Open();
  RunUntil(*s, At(2024, 1, 3, 1), 10 * kM);
  auto runs = History(*s);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].state, RunState::kFailed);
  EXPECT_EQ(runs[0].try_number, 4);
  ASSERT_EQ(starts.size(), 4u);
  EXPECT_EQ(starts[1] - starts[0], 60 * kM);
  EXPECT_EQ(starts[2] - starts[1], 120 * kM);
  EXPECT_EQ(starts[3] - starts[2], 240 * kM);
  EXPECT_EQ(runs[1].state, RunState::kSuccess);
}

TEST_F(SchedulerTest, AnUpForRetryRunHoldsItsSlotUnderMaxActiveRuns) {
  Recorder rec;
  rec.behaviour = [](const JobRun& r) {
    return r.ds == "2023-12-30" && r.try_number == 1 ? InternalError("x") : Status::OK();
  };
  JobSpec spec = Daily();
  spec.catchup = true;
  spec.start_date = At(2023, 12, 30);
  spec.retry_delay = 3600 * kM;
  AddJob(spec, rec);
  auto s = Open();
  ASSERT_THAT(s->Tick(), IsOk());
  // 12-30 failed and waits an hour to retry; 12-31 is queued behind it (max_active_runs 1).
  EXPECT_THAT(rec.Calls(), ElementsAre("2023-12-30#1"));
  auto runs = History(*s);
  EXPECT_EQ(runs[1].state, RunState::kQueued);
  RunUntil(*s, At(2024, 1, 1, 1), 10 * 60 * kM);
  EXPECT_THAT(rec.Calls(), ElementsAre("2023-12-30#1", "2023-12-30#2", "2023-12-31#1"));
}

TEST_F(SchedulerTest, ExecutionTimeoutFailsTheTryAndRetries) {
  Recorder rec;
  rec.behaviour = [&](const JobRun& r) {
    if (r.try_number == 1) {
      clock_.AdvanceMicros(2 * kHour);  // the work takes two hours of clock time
      return r.cancel->cancelled() ? DeadlineExceededError("stopped") : Status::OK();
    }
    return Status::OK();
  };
  JobSpec spec = Daily();
  spec.start_date = At(2024, 1, 1);
  spec.execution_timeout = kHour;
  AddJob(spec, rec);
  auto s = Open();
  RunUntil(*s, At(2024, 1, 2, 0, 1), 30 * kM);
  auto runs = History(*s);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].state, RunState::kUpForRetry);
  EXPECT_THAT(runs[0].error, HasSubstr("execution timeout (3600 s)"));
  RunUntil(*s, At(2024, 1, 2, 3), 30 * kM);
  EXPECT_EQ(History(*s)[0].state, RunState::kSuccess);
}

TEST_F(SchedulerTest, ACrashMidRunIsFailedAndRetriedNeverRunTwiceAtOnce) {
  Recorder rec;
  AddJob(Daily(), rec);
  {
    // What a crash leaves behind: try 1 of 2024-01-01 marked running, its process gone.
    auto store = RunStore::Open(RunStorePath(dir_));
    ASSERT_TRUE(store.ok());
    RunRecord r;
    r.job = "batch";
    r.logical_date = r.interval_start = At(2024, 1, 1);
    r.interval_end = At(2024, 1, 2);
    r.run_type = "scheduled";
    r.state = RunState::kRunning;
    r.try_number = 1;
    r.max_tries = 2;
    r.start_time = At(2024, 1, 2);
    ASSERT_THAT((*store)->Insert(r), IsOk());
  }
  clock_.SetMicros(At(2024, 1, 2, 0, 30));
  auto s = Open();
  auto runs = History(*s);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].state, RunState::kUpForRetry);
  EXPECT_THAT(runs[0].error, HasSubstr("crash"));
  RunUntil(*s, At(2024, 1, 2, 1), 10 * kM);
  runs = History(*s);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].state, RunState::kSuccess);
  EXPECT_EQ(runs[0].try_number, 2);
  EXPECT_THAT(rec.Calls(), ElementsAre("2024-01-01#2"));
}

TEST_F(SchedulerTest, ACrashOnTheLastTryFailsTheRun) {
  Recorder rec;
  JobSpec spec = Daily();
  spec.retries = 0;
  AddJob(spec, rec);
  {
    auto store = RunStore::Open(RunStorePath(dir_));
    ASSERT_TRUE(store.ok());
    RunRecord r;
    r.job = "batch";
    r.logical_date = r.interval_start = At(2023, 12, 31);
    r.interval_end = At(2024, 1, 1);
    r.run_type = "scheduled";
    r.state = RunState::kRunning;
    r.try_number = 1;
    r.max_tries = 1;
    ASSERT_THAT((*store)->Insert(r), IsOk());
  }
  auto s = Open();
  ASSERT_THAT(s->Tick(), IsOk());
  EXPECT_EQ(History(*s)[0].state, RunState::kFailed);
  EXPECT_TRUE(rec.Calls().empty());
}

TEST_F(SchedulerTest, RestartsNeverDoubleRunADate) {
  Recorder rec;
  JobSpec spec = Daily();
  spec.catchup = true;
  spec.start_date = At(2023, 12, 25);
  spec.schedule = "0 */6 * * *";
  AddJob(spec, rec);
  int64_t until = At(2024, 1, 15);
  while (clock_.NowMicros() < until) {
    auto s = Open();
    RunUntil(*s, std::min(until, clock_.NowMicros() + 37 * kHour), 25 * 60 * kM);
  }
  std::vector<std::string> calls = rec.Calls();
  std::set<std::string> unique(calls.begin(), calls.end());
  std::vector<RunRecord> runs;
  {
    auto s = Open();
    runs = History(*s);
  }
  EXPECT_EQ(runs.size(), static_cast<size_t>((At(2024, 1, 15) - At(2023, 12, 25)) / (6 * kHour)));
  EXPECT_EQ(calls.size(), runs.size());
  std::set<int64_t> dates;
  for (const RunRecord& r : runs) {
    EXPECT_EQ(r.state, RunState::kSuccess);
    EXPECT_EQ(r.try_number, 1);
    dates.insert(r.logical_date);
  }
  EXPECT_EQ(dates.size(), runs.size());
}

TEST_F(SchedulerTest, DailyInANamedZoneAcrossDst) {
  Recorder rec;
  JobSpec spec = Daily();
  spec.timezone = "Europe/Berlin";
  spec.catchup = true;
  spec.start_date = At(2024, 3, 27, 23);  // 2024-03-28 00:00 in Berlin
  AddJob(spec, rec);
  clock_.SetMicros(At(2024, 3, 27, 23));
  auto s = Open();
  RunUntil(*s, At(2024, 4, 2, 12), 15 * 60 * kM);
  EXPECT_THAT(rec.Calls(), ElementsAre("2024-03-28#1", "2024-03-29#1", "2024-03-30#1", "2024-03-31#1",
                                       "2024-04-01#1"));
  auto runs = History(*s);
  ASSERT_EQ(runs.size(), 5u);
  EXPECT_EQ(runs[2].logical_date, At(2024, 3, 29, 23));  // local midnight in CET
  EXPECT_EQ(runs[3].logical_date, At(2024, 3, 30, 23));
  EXPECT_EQ(runs[3].interval_end - runs[3].interval_start, 23 * kHour);  // the short day
  EXPECT_EQ(runs[4].logical_date, At(2024, 3, 31, 22));  // local midnight in CEST
  EXPECT_EQ(runs[4].interval_end - runs[4].interval_start, kDay);
  // Each started as soon as its local day was over, not an hour off.
  EXPECT_EQ(runs[3].start_time, At(2024, 3, 31, 22));
}

TEST_F(SchedulerTest, ASecondSchedulerOnTheSameDirIsRefused) {
  Recorder rec;
  AddJob(Daily(), rec);
  auto first = Open();
  SchedulerOptions o;
  o.data_dir = dir_;
  EXPECT_THAT(Scheduler::Open(&registry_, &clock_, o), StatusIs(StatusCode::kUnavailable, HasSubstr("another scheduler")));
  first.reset();
  EXPECT_THAT(Scheduler::Open(&registry_, &clock_, o), IsOk());
}

TEST_F(SchedulerTest, ManualRunsQueuedByAnotherProcessAreHandedOver) {
  Recorder rec;
  AddJob(Daily(), rec);
  clock_.SetMicros(At(2024, 1, 1, 10));
  auto s = Open();
  ASSERT_THAT(s->Tick(), IsOk());
  EXPECT_THAT(rec.Calls(), ElementsAre("2023-12-31#1"));
  // `pinpipe schedule trigger` in another process: its own connection to the database.
  auto other = RunStore::Open(RunStorePath(dir_));
  ASSERT_TRUE(other.ok());
  const JobRegistry::Entry& job = *registry_.Find("batch");
  auto manual = QueueManualRun(**other, job, std::nullopt, clock_.NowMicros());
  ASSERT_TRUE(manual.ok()) << manual.status();
  EXPECT_EQ(manual->interval_start, At(2023, 12, 31));  // the latest complete interval
  auto dated = QueueManualRun(**other, job, At(2023, 12, 20), clock_.NowMicros());
  ASSERT_TRUE(dated.ok());
  EXPECT_EQ(dated->interval_end, At(2023, 12, 21));
  EXPECT_THAT(QueueManualRun(**other, job, At(2023, 12, 31), clock_.NowMicros()),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("clear")));
  clock_.AdvanceMicros(kM);
  ASSERT_THAT(s->Tick(), IsOk());  // one after the other (max_active_runs 1), oldest date first
  EXPECT_THAT(rec.Calls(), ElementsAre("2023-12-31#1", "2023-12-20#1", "2024-01-01#1"));
  auto got = (*other)->Get("batch", manual->logical_date);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->state, RunState::kSuccess);
  EXPECT_EQ((*got)->run_type, "manual");
}

TEST_F(SchedulerTest, ClearReRunsADateWithFreshTries) {
  Recorder rec;
  rec.behaviour = [](const JobRun& r) { return r.try_number <= 2 ? InternalError("no") : Status::OK(); };
  JobSpec spec = Daily();
  spec.start_date = At(2024, 1, 1);
  spec.retry_delay = 0;
  AddJob(spec, rec);
  auto s = Open();
  RunUntil(*s, At(2024, 1, 2, 0, 5), 60 * kM);
  auto runs = History(*s);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].state, RunState::kFailed);
  const JobRegistry::Entry& job = *registry_.Find("batch");
  auto cleared = ClearRun(s->store(), job, At(2024, 1, 1), clock_.NowMicros());
  ASSERT_TRUE(cleared.ok()) << cleared.status();
  EXPECT_EQ(cleared->max_tries, 4);
  ASSERT_THAT(s->Tick(), IsOk());
  runs = History(*s);
  EXPECT_EQ(runs[0].state, RunState::kSuccess);
  EXPECT_EQ(runs[0].try_number, 3);
  EXPECT_THAT(ClearRun(s->store(), job, At(2020, 1, 1), clock_.NowMicros()), StatusIs(StatusCode::kNotFound));
}

TEST_F(SchedulerTest, BackfillRunsARangeOldestFirstAndSkipsExistingDates) {
  Recorder rec;
  JobSpec spec = Daily();
  spec.start_date = At(2024, 1, 1);
  AddJob(spec, rec);
  clock_.SetMicros(At(2024, 1, 1, 1));
  SchedulerOptions o;
  o.data_dir = dir_;
  o.inline_runs = true;
  o.create_scheduled_runs = false;  // as `pinpipe schedule backfill` runs it
  auto s = Scheduler::Open(&registry_, &clock_, o);
  ASSERT_TRUE(s.ok());
  const JobRegistry::Entry& job = *registry_.Find("batch");
  auto first = QueueBackfill((*s)->store(), job, At(2023, 12, 1), At(2023, 12, 3), clock_.NowMicros());
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->size(), 3u);
  auto again = QueueBackfill((*s)->store(), job, At(2023, 12, 2), At(2023, 12, 4), clock_.NowMicros());
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u);
  for (int64_t d : {At(2023, 12, 1), At(2023, 12, 2), At(2023, 12, 3), At(2023, 12, 4)}) {
    auto r = (*s)->RunToCompletion("batch", d);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->state, RunState::kSuccess);
  }
  EXPECT_THAT(rec.Calls(), ElementsAre("2023-12-01#1", "2023-12-02#1", "2023-12-03#1", "2023-12-04#1"));
}

TEST_F(SchedulerTest, ThreadedRunsRespectMaxActiveRunsAndStopRequeues) {
  Recorder rec;
  std::mutex mu;
  std::condition_variable cv;
  int running = 0, max_running = 0;
  bool release = false;
  rec.behaviour = [&](const JobRun& r) {
    std::unique_lock<std::mutex> l(mu);
    running++;
    max_running = std::max(max_running, running);
    cv.notify_all();
    // The token has no condition variable of ours to signal: poll it.
    while (!release && !r.cancel->cancelled()) cv.wait_for(l, std::chrono::milliseconds(5));
    running--;
    return r.cancel->cancelled() ? CancelledError("stopped") : Status::OK();
  };
  JobSpec spec = Daily();
  spec.catchup = true;
  spec.start_date = At(2023, 12, 28);
  spec.max_active_runs = 2;
  AddJob(spec, rec);
  auto s = Open(/*inline_runs=*/false);
  ASSERT_THAT(s->Tick(), IsOk());
  {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return running == 2; });
  }
  ASSERT_THAT(s->Tick(), IsOk());  // no third run while two are active
  int running_rows = 0;
  for (const RunRecord& r : History(*s)) running_rows += r.state == RunState::kRunning;
  EXPECT_EQ(running_rows, 2);
  // Shutdown: both tries are cut short and go back to queued without using a try.
  s->Stop();
  for (const RunRecord& r : History(*s)) {
    EXPECT_EQ(r.state, RunState::kQueued);
    EXPECT_EQ(r.try_number, 0);
  }
  s.reset();
  {
    std::lock_guard<std::mutex> l(mu);
    release = true;
  }
  s = Open(/*inline_runs=*/false);
  for (int i = 0; i < 1000; i++) {
    ASSERT_THAT(s->Tick(), IsOk());
    bool all = true;
    for (const RunRecord& r : History(*s)) all = all && r.state == RunState::kSuccess;
    if (all) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (const RunRecord& r : History(*s)) EXPECT_EQ(r.state, RunState::kSuccess);
  EXPECT_EQ(max_running, 2);
}

}  // namespace
}  // namespace pinpipe::scheduler
