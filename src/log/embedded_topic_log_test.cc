#include "log/embedded_topic_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"
#include "io/fault_injection_file_system.h"
#include "io/mem_file_system.h"
#include "log/metadata.h"
#include "log/names.h"
#include "log/topic_log_behavior_test.h"

namespace pinpipe::log {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

class EmbeddedHarness final : public TopicLogHarness {
 public:
  EmbeddedHarness() {
    auto log = EmbeddedTopicLog::Open(&fs_, "/data");
    EXPECT_THAT(log, IsOk());
    if (log.ok()) log_ = std::move(log).value();
  }
  TopicLog* log() override { return log_.get(); }

 private:
  io::MemFileSystem fs_;
  std::unique_ptr<EmbeddedTopicLog> log_;
};

std::unique_ptr<TopicLogHarness> MakeEmbedded() { return std::make_unique<EmbeddedHarness>(); }

// Forwards only what a backend must implement, so the suite also checks TopicLog's defaults
// (AppendAsync, AppendEncodedAsync, ReadViews, PartitionCount) on top of a real log.
class DefaultsLog final : public TopicLog {
 public:
  explicit DefaultsLog(TopicLog* base) : base_(base) {}
  Status CreateTopic(std::string_view t, const TopicConfig& c) override {
    return base_->CreateTopic(t, c);
  }
  Status DeleteTopic(std::string_view t) override { return base_->DeleteTopic(t); }
  Result<std::vector<std::string>> ListTopics() override { return base_->ListTopics(); }
  Result<TopicDescription> DescribeTopic(std::string_view t) override {
    return base_->DescribeTopic(t);
  }
  Result<std::vector<RecordPosition>> Append(std::string_view t, PartitionChoice where,
                                             std::span<const Record> records) override {
    return base_->Append(t, where, records);
  }
  Result<std::vector<StoredRecord>> Read(std::string_view t, int32_t p, int64_t offset,
                                         size_t max_bytes) override {
    return base_->Read(t, p, offset, max_bytes);
  }
  Result<PartitionOffsets> GetOffsets(std::string_view t, int32_t p) override {
    return base_->GetOffsets(t, p);
  }
  Status CommitOffsets(std::string_view g, std::span<const GroupOffset> offsets) override {
    return base_->CommitOffsets(g, offsets);
  }
  Result<std::optional<int64_t>> FetchCommitted(std::string_view g, std::string_view t,
                                                int32_t p) override {
    return base_->FetchCommitted(g, t, p);
  }
  Result<std::vector<GroupOffset>> FetchGroup(std::string_view g) override {
    return base_->FetchGroup(g);
  }
  Result<std::vector<std::string>> ListGroups() override { return base_->ListGroups(); }

 private:
  TopicLog* const base_;
};

class DefaultsHarness final : public TopicLogHarness {
 public:
  TopicLog* log() override { return &log_; }

 private:
  EmbeddedHarness embedded_;
  DefaultsLog log_{embedded_.log()};
};

std::unique_ptr<TopicLogHarness> MakeDefaults() { return std::make_unique<DefaultsHarness>(); }

INSTANTIATE_TEST_SUITE_P(Embedded, TopicLogBehaviorTest, ::testing::Values(&MakeEmbedded));
INSTANTIATE_TEST_SUITE_P(Defaults, TopicLogBehaviorTest, ::testing::Values(&MakeDefaults));

class EmbeddedTopicLogTest : public ::testing::Test {
 protected:
  EmbeddedTopicLogTest() : fs_(&mem_), clock_(1'700'000'000'000'000) { Reopen(); }
  void Reopen() {
    log_.reset();
    auto log = EmbeddedTopicLog::Open(&fs_, "/data", &clock_);
    ASSERT_THAT(log, IsOk());
    log_ = std::move(log).value();
  }
  io::MemFileSystem mem_;
  io::FaultInjectionFileSystem fs_;
  FakeClock clock_;
  std::unique_ptr<EmbeddedTopicLog> log_;
};

TEST_F(EmbeddedTopicLogTest, DeleteRemovesFilesAndSurvivesRestart) {
  ASSERT_THAT(log_->CreateTopic("gone", {.partitions = 2}), IsOk());
  ASSERT_THAT(log_->CreateTopic("kept", {}), IsOk());
  ASSERT_THAT(log_->DeleteTopic("gone"), IsOk());
  EXPECT_FALSE(mem_.FileExists("/data/topics/gone"));
  Reopen();
  EXPECT_THAT(log_->ListTopics(), IsOkAndHolds(ElementsAre("kept")));
}

TEST_F(EmbeddedTopicLogTest, EverythingSurvivesRestart) {
  ASSERT_THAT(
      log_->CreateTopic(
          "t",
          {.partitions = 2, .retention_bytes = 5000, .retention_ms = 1000, .segment_bytes = 1024}),
      IsOk());
  for (int i = 0; i < 20; ++i) {
    ASSERT_THAT(log_->Append("t", PartitionChoice::Explicit(i % 2),
                             Keyed({{nullptr, std::string(100, 'a' + i % 26).c_str()}})),
                IsOk());
  }
  ASSERT_THAT(log_->CommitOffset("sink", "t", 0, 7), IsOk());
  ASSERT_THAT(log_->CommitOffset("sink", "t", 1, 3), IsOk());
  ASSERT_THAT(log_->CommitOffset("stream", "t", 0, 1), IsOk());
  Reopen();
  auto d = log_->DescribeTopic("t");
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->config, (TopicConfig{2, 5000, 1000, 1024}));
  EXPECT_EQ(d->partitions[0].end_offset, 10);
  EXPECT_EQ(d->partitions[1].end_offset, 10);
  EXPECT_THAT(log_->FetchCommitted("sink", "t", 0), IsOkAndHolds(Optional(7)));
  EXPECT_THAT(log_->FetchCommitted("sink", "t", 1), IsOkAndHolds(Optional(3)));
  EXPECT_THAT(log_->FetchCommitted("sink", "t", 2), IsOkAndHolds(std::nullopt));
  EXPECT_THAT(log_->FetchCommitted("nobody", "t", 0), IsOkAndHolds(std::nullopt));
  EXPECT_THAT(log_->ListGroups(), IsOkAndHolds(ElementsAre("sink", "stream")));
  auto group = log_->FetchGroup("sink");
  ASSERT_THAT(group, IsOk());
  EXPECT_EQ(group->size(), 2u);
  EXPECT_THAT(log_->FetchGroup("nobody"), StatusIs(StatusCode::kNotFound));
}

TEST_F(EmbeddedTopicLogTest, RetentionAcrossTopics) {
  ASSERT_THAT(log_->CreateTopic("t", {.retention_ms = 60'000, .segment_bytes = 500}), IsOk());
  for (int i = 0; i < 20; ++i) {
    ASSERT_THAT(log_->Append("t", PartitionChoice::Explicit(0),
                             Keyed({{nullptr, std::string(100, 'x').c_str()}})),
                IsOk());
  }
  EXPECT_THAT(log_->EnforceRetention(), IsOkAndHolds(0));
  clock_.AdvanceMicros(120'000'000);
  auto deleted = log_->EnforceRetention();
  ASSERT_THAT(deleted, IsOk());
  EXPECT_GT(*deleted, 0);
  auto offsets = log_->GetOffsets("t", 0);
  EXPECT_GT(offsets->start_offset, 0);
  EXPECT_EQ(offsets->end_offset, 20);
}

TEST_F(EmbeddedTopicLogTest, SecondOpenOfTheSameDirIsRefused) {
  EXPECT_THAT(EmbeddedTopicLog::Open(&fs_, "/data", &clock_), StatusIs(StatusCode::kUnavailable));
}

TEST_F(EmbeddedTopicLogTest, UnfinishedTopicCreationIsCleanedUp) {
  ASSERT_THAT(log_->CreateTopic("t", {.partitions = 2}), IsOk());
  log_.reset();
  ASSERT_THAT(mem_.RemoveFile("/data/topics/t/topic.meta"), IsOk());  // crash before commit
  Reopen();
  EXPECT_THAT(log_->ListTopics(), IsOkAndHolds(IsEmpty()));
  EXPECT_FALSE(mem_.FileExists("/data/topics/t"));
  EXPECT_THAT(log_->CreateTopic("t", {}), IsOk());
}

TEST_F(EmbeddedTopicLogTest, DamagedMetadataIsReportedNotGuessed) {
  ASSERT_THAT(log_->CreateTopic("t", {}), IsOk());
  ASSERT_THAT(log_->CommitOffset("g", "t", 0, 5), IsOk());
  log_.reset();
  std::string meta;
  ASSERT_THAT(io::ReadFileToString(&mem_, "/data/topics/t/topic.meta", &meta), IsOk());
  meta[meta.find("partitions=1") + 11] = '7';
  ASSERT_THAT(io::WriteFileAtomically(&mem_, "/data/topics/t/topic.meta", meta), IsOk());
  EXPECT_THAT(EmbeddedTopicLog::Open(&fs_, "/data", &clock_),
              StatusIs(StatusCode::kCorruption, HasSubstr("checksum")));
}

TEST_F(EmbeddedTopicLogTest, FailedGroupCommitKeepsTheOldOffset) {
  ASSERT_THAT(log_->CommitOffset("g", "t", 0, 5), IsOk());
  fs_.FailNthSync(1);
  EXPECT_THAT(log_->CommitOffset("g", "t", 0, 9), StatusIs(StatusCode::kIOError));
  EXPECT_THAT(log_->FetchCommitted("g", "t", 0), IsOkAndHolds(Optional(5)));
  log_.reset();
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  Reopen();
  EXPECT_THAT(log_->FetchCommitted("g", "t", 0), IsOkAndHolds(Optional(5)));
}

TEST(MetadataTest, RoundTripsAndRejectsDamage) {
  TopicConfig c{3, 100, -1, 4096};
  EXPECT_THAT(DecodeTopicMeta(EncodeTopicMeta(c)), IsOkAndHolds(c));
  std::string group = EncodeGroupOffsets({{"b", 1, 5}, {"a", 0, 2}});
  EXPECT_EQ(group.substr(0, 36), "pinpipe-group-offsets 1\na 0 2\nb 1 5\n");
  auto decoded = DecodeGroupOffsets(group);
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(decoded->size(), 2u);
  group[25] = 'c';
  EXPECT_THAT(DecodeGroupOffsets(group), StatusIs(StatusCode::kCorruption));
  EXPECT_THAT(DecodeTopicMeta("garbage"), StatusIs(StatusCode::kCorruption));
}

}  // namespace
}  // namespace pinpipe::log
