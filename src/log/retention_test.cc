// Retention through EmbeddedTopicLog: by bytes and by age (FakeClock), start offsets move,
// reads below them are kOutOfRange, the active segment stays; and the RetentionRunner thread.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "base/status_matchers.h"
#include "io/mem_file_system.h"
#include "log/embedded_topic_log.h"
#include "log/names.h"
#include "log/retention_runner.h"

namespace pinpipe::log {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;

class RetentionTest : public ::testing::Test {
 protected:
  RetentionTest() : clock_(1'700'000'000'000'000) { Reopen(); }
  void Reopen() {
    log_.reset();
    auto log = EmbeddedTopicLog::Open(&fs_, "/data", &clock_);
    ASSERT_THAT(log, IsOk());
    log_ = std::move(log).value();
  }
  // n appends of one 100-byte record each.
  void AppendN(const std::string& topic, int32_t partition, int n) {
    for (int i = 0; i < n; ++i) {
      std::vector<Record> r(1);
      r[0].value = std::string(100, 'a' + i % 26);
      ASSERT_THAT(log_->Append(topic, PartitionChoice::Explicit(partition), r), IsOk());
    }
  }
  // Base offsets of the partition's .log files, ascending.
  std::vector<int64_t> Segments(const std::string& topic, int32_t partition) {
    std::vector<int64_t> bases;
    auto children = fs_.GetChildren("/data/topics/" + topic + "/" + std::to_string(partition));
    EXPECT_THAT(children, IsOk());
    for (const std::string& c : *children) {
      if (auto base = ParseSegmentFileName(c, ".log")) bases.push_back(*base);
    }
    std::sort(bases.begin(), bases.end());
    return bases;
  }
  uint64_t Bytes(const std::string& topic, int32_t partition) {
    uint64_t n = 0;
    for (int64_t base : Segments(topic, partition)) {
      n += *fs_.GetFileSize("/data/topics/" + topic + "/" + std::to_string(partition) + "/" +
                            SegmentFileName(base, ".log"));
    }
    return n;
  }
  // Every record from the start offset to the end, with dense offsets.
  void ExpectReadableFromStart(const std::string& topic, int32_t partition) {
    auto o = log_->GetOffsets(topic, partition);
    ASSERT_THAT(o, IsOk());
    if (o->start_offset > 0) {
      EXPECT_THAT(log_->Read(topic, partition, o->start_offset - 1, 1 << 20),
                  StatusIs(StatusCode::kOutOfRange));
      EXPECT_THAT(log_->Read(topic, partition, 0, 1 << 20), StatusIs(StatusCode::kOutOfRange));
    }
    auto all = log_->Read(topic, partition, o->start_offset, SIZE_MAX);
    ASSERT_THAT(all, IsOk());
    ASSERT_EQ(static_cast<int64_t>(all->size()), o->end_offset - o->start_offset);
    for (size_t i = 0; i < all->size(); ++i) {
      EXPECT_EQ((*all)[i].offset, o->start_offset + static_cast<int64_t>(i));
    }
  }

  io::MemFileSystem fs_;
  FakeClock clock_;
  std::unique_ptr<EmbeddedTopicLog> log_;
};

TEST_F(RetentionTest, ByBytesDropsOldSealedSegmentsOfEveryTopic) {
  ASSERT_THAT(log_->CreateTopic("small", {.partitions = 2, .retention_bytes = 2000,
                                          .retention_ms = -1, .segment_bytes = 500}),
              IsOk());
  ASSERT_THAT(log_->CreateTopic("empty", {.partitions = 1, .retention_bytes = 0,
                                          .retention_ms = -1, .segment_bytes = 500}),
              IsOk());
  ASSERT_THAT(log_->CreateTopic("kept", {.retention_ms = -1, .segment_bytes = 500}), IsOk());
  for (int32_t p = 0; p < 2; ++p) AppendN("small", p, 40);
  AppendN("empty", 0, 40);
  AppendN("kept", 0, 40);
  const std::vector<int64_t> before = Segments("small", 0);
  ASSERT_GT(before.size(), 5u);
  ASSERT_GT(Bytes("small", 0), 2000u);

  auto deleted = log_->EnforceRetention();
  ASSERT_THAT(deleted, IsOk());
  EXPECT_GT(*deleted, 0);
  EXPECT_EQ(log_->stats().retention_segments_deleted, static_cast<uint64_t>(*deleted));
  for (int32_t p = 0; p < 2; ++p) {
    const std::vector<int64_t> after = Segments("small", p);
    ASSERT_FALSE(after.empty());
    auto o = log_->GetOffsets("small", p);
    EXPECT_EQ(o->start_offset, after.front());
    EXPECT_GT(o->start_offset, 0);
    EXPECT_EQ(o->end_offset, 40);
    // Kafka's rule: keep the newest segments whose total reaches retention_bytes.
    EXPECT_GE(Bytes("small", p), 2000u);
    const uint64_t oldest = *fs_.GetFileSize("/data/topics/small/" + std::to_string(p) + "/" +
                                             SegmentFileName(after.front(), ".log"));
    EXPECT_LT(Bytes("small", p) - oldest, 2000u);
    ExpectReadableFromStart("small", p);
  }
  EXPECT_EQ(Segments("small", 0).back(), before.back()) << "the active segment stays";

  // retention_bytes = 0 leaves only the active segment, with its records.
  const std::vector<int64_t> only = Segments("empty", 0);
  ASSERT_EQ(only.size(), 1u);
  auto o = log_->GetOffsets("empty", 0);
  EXPECT_EQ(o->start_offset, only.front());
  EXPECT_EQ(o->end_offset, 40);
  ExpectReadableFromStart("empty", 0);

  // Unlimited retention keeps everything.
  EXPECT_EQ(log_->GetOffsets("kept", 0)->start_offset, 0);

  // A second pass has nothing left to do; appends go on after the retained ones.
  EXPECT_THAT(log_->EnforceRetention(), IsOkAndHolds(0));
  std::vector<Record> r(1);
  EXPECT_THAT(log_->Append("empty", PartitionChoice::Explicit(0), r),
              IsOkAndHolds(::testing::ElementsAre(RecordPosition{0, 40})));

  // The start offsets are the files: they survive a restart.
  const int64_t start = log_->GetOffsets("small", 1)->start_offset;
  Reopen();
  EXPECT_EQ(log_->GetOffsets("small", 1)->start_offset, start);
  ExpectReadableFromStart("small", 1);
}

TEST_F(RetentionTest, ByAgeDropsSegmentsWhoseNewestRecordIsTooOld) {
  ASSERT_THAT(log_->CreateTopic("t", {.retention_ms = 60'000, .segment_bytes = 500}), IsOk());
  ASSERT_THAT(log_->CreateTopic("forever", {.retention_ms = -1, .segment_bytes = 500}), IsOk());
  AppendN("t", 0, 20);
  AppendN("forever", 0, 20);
  const std::vector<int64_t> before = Segments("t", 0);
  ASSERT_GT(before.size(), 2u);
  EXPECT_THAT(log_->EnforceRetention(), IsOkAndHolds(0));
  clock_.AdvanceMicros(60'000'000);  // exactly retention_ms old: kept
  EXPECT_THAT(log_->EnforceRetention(), IsOkAndHolds(0));
  clock_.AdvanceMicros(1'000);
  EXPECT_THAT(log_->EnforceRetention(),
              IsOkAndHolds(static_cast<int>(before.size()) - 1));  // all but the active one

  EXPECT_EQ(Segments("t", 0), std::vector<int64_t>{before.back()});
  auto o = log_->GetOffsets("t", 0);
  EXPECT_EQ(o->start_offset, before.back());
  EXPECT_EQ(o->end_offset, 20);
  ExpectReadableFromStart("t", 0);
  EXPECT_EQ(log_->GetOffsets("forever", 0)->start_offset, 0);

  // Fresh records are not old, whatever sits next to them.
  AppendN("t", 0, 10);
  clock_.AdvanceMicros(30'000'000);
  // (The segment that was active before holds only old records: once sealed, it may go.)
  ASSERT_THAT(log_->EnforceRetention(), IsOk());
  EXPECT_LE(log_->GetOffsets("t", 0)->start_offset, 20);
  EXPECT_EQ(log_->GetOffsets("t", 0)->end_offset, 30);
  ExpectReadableFromStart("t", 0);
}

// Polls `done` for up to 10 s of real time.
template <typename F>
bool Eventually(F done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

TEST_F(RetentionTest, RunnerAppliesRetentionWhenTheFakeClockPassesTheInterval) {
  ASSERT_THAT(log_->CreateTopic("t", {.retention_ms = 60'000, .segment_bytes = 500}), IsOk());
  AppendN("t", 0, 20);
  RetentionRunner runner(log_.get());
  ASSERT_THAT(runner.Start(std::chrono::minutes(5), &clock_), IsOk());
  EXPECT_TRUE(runner.running());
  EXPECT_THAT(runner.Start(std::chrono::minutes(5), &clock_),
              StatusIs(StatusCode::kFailedPrecondition));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(runner.passes(), 0u);  // the fake clock has not moved

  clock_.AdvanceMicros(5 * 60'000'000LL);  // one interval; the records are now too old
  ASSERT_TRUE(Eventually([&] { return runner.passes() >= 1; }));
  EXPECT_THAT(runner.last_status(), IsOk());
  EXPECT_GT(runner.segments_deleted(), 0u);
  EXPECT_GT(log_->GetOffsets("t", 0)->start_offset, 0);
  EXPECT_EQ(log_->GetOffsets("t", 0)->end_offset, 20);
  runner.Stop();
  EXPECT_FALSE(runner.running());
  runner.Stop();  // idempotent
}

TEST_F(RetentionTest, RunnerStopsWithoutWaitingForTheInterval) {
  RetentionRunner runner(log_.get());
  EXPECT_THAT(runner.Start(std::chrono::milliseconds(0)), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(runner.Start(std::chrono::milliseconds(10), nullptr),
              StatusIs(StatusCode::kInvalidArgument));
  // A real clock and a short interval: passes keep coming.
  ASSERT_THAT(runner.Start(std::chrono::milliseconds(5), Clock::Real()), IsOk());
  ASSERT_TRUE(Eventually([&] { return runner.passes() >= 3; }));
  runner.Stop();
  // Restarted with an hour-long interval, Stop returns at once.
  ASSERT_THAT(runner.Start(std::chrono::hours(1), Clock::Real()), IsOk());
  const uint64_t passes = runner.passes();
  const auto t0 = std::chrono::steady_clock::now();
  runner.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
  EXPECT_EQ(runner.passes(), passes);
}

TEST_F(RetentionTest, RunnerDestructorStopsTheThread) {
  auto runner = std::make_unique<RetentionRunner>(log_.get());
  ASSERT_THAT(runner->Start(std::chrono::hours(1), &clock_), IsOk());
  runner.reset();  // joins; the log outlives it
  SUCCEED();
}

}  // namespace
}  // namespace pinpipe::log
