#include "log/partition.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"
#include "io/fault_injection_file_system.h"
#include "io/mem_file_system.h"
#include "log/names.h"

namespace pinpipe::log {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<Record> Values(std::initializer_list<std::string> values) {
  std::vector<Record> out;
  for (const auto& v : values) out.push_back(Record{std::nullopt, v, {}, -1});
  return out;
}

std::vector<std::string> ValuesOf(const std::vector<StoredRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.record.value);
  return out;
}

class PartitionTest : public ::testing::Test {
 protected:
  PartitionTest() : fault_(&mem_), clock_(1'000'000'000'000) {
    EXPECT_THAT(mem_.CreateDir("/d"), IsOk());
  }
  std::unique_ptr<Partition> Open(PartitionOptions options = {}) {
    auto p = Partition::Open(&fault_, "/d/p", "t/0", options, &clock_);
    EXPECT_THAT(p, IsOk());
    return p.ok() ? std::move(p).value() : nullptr;
  }
  // Appends n single-record batches of `size` bytes each.
  void AppendN(Partition* p, int n, size_t size = 100) {
    for (int i = 0; i < n; ++i) {
      std::vector<Record> r(1);
      r[0].value = std::string(size, static_cast<char>('a' + i % 26));
      ASSERT_THAT(p->Append(r), IsOk());
    }
  }

  io::MemFileSystem mem_;
  io::FaultInjectionFileSystem fault_;
  FakeClock clock_;
};

TEST_F(PartitionTest, AppendAssignsDenseOffsetsAndReadsBack) {
  auto p = Open();
  EXPECT_THAT(p->Append(Values({"a", "b"})), IsOkAndHolds(0));
  EXPECT_THAT(p->Append(Values({"c"})), IsOkAndHolds(2));
  EXPECT_EQ(p->end_offset(), 3);
  EXPECT_EQ(p->start_offset(), 0);
  auto got = p->Read(1, 1 << 20);
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(ValuesOf(*got), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ((*got)[0].offset, 1);
  EXPECT_EQ((*got)[0].record.timestamp_ms, 1'000'000'000);  // stamped by the clock
}

TEST_F(PartitionTest, ReadBoundsAndMaxBytes) {
  auto p = Open();
  AppendN(p.get(), 10, 100);
  EXPECT_THAT(p->Read(10, 100), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(p->Read(11, 100), StatusIs(StatusCode::kOutOfRange));
  EXPECT_THAT(p->Read(-1, 100), StatusIs(StatusCode::kOutOfRange));
  EXPECT_EQ(p->Read(0, 1)->size(), 1u);  // at least one record
  EXPECT_EQ(p->Read(0, 350)->size(), 3u);
  EXPECT_THAT(p->Append({}), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(PartitionTest, ProducerTimestampsAndKeysAreKept) {
  auto p = Open();
  std::vector<Record> r(1);
  r[0].key = "k";
  r[0].value = "v";
  r[0].headers = {{"h", "x"}};
  r[0].timestamp_ms = 123;
  ASSERT_THAT(p->Append(r), IsOk());
  auto got = p->Read(0, 100);
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ((*got)[0].record, r[0]);
}

TEST_F(PartitionTest, RollsBySizeAndReadsAcrossSegments) {
  auto p = Open({.segment_bytes = 1024});
  AppendN(p.get(), 100, 100);
  EXPECT_GT(p->segment_count(), 5u);
  auto all = p->Read(0, 1 << 20);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ((*all)[i].offset, i);
  EXPECT_TRUE(mem_.FileExists("/d/p/" + SegmentFileName(0, ".index")));
}

TEST_F(PartitionTest, ReopenKeepsRecordsAndContinuesOffsets) {
  {
    auto p = Open({.segment_bytes = 1024});
    AppendN(p.get(), 50, 100);
  }
  auto p = Open({.segment_bytes = 1024});
  EXPECT_EQ(p->end_offset(), 50);
  EXPECT_EQ(p->recovered_truncated_bytes(), 0u);
  EXPECT_THAT(p->Append(Values({"next"})), IsOkAndHolds(50));
  auto got = p->Read(45, 1 << 20);
  ASSERT_THAT(got, IsOk());
  ASSERT_EQ(got->size(), 6u);
  EXPECT_EQ(got->back().record.value, "next");
}

TEST_F(PartitionTest, RetentionByBytesDropsWholeOldSegments) {
  auto p = Open({.segment_bytes = 1000, .retention_bytes = 3000});
  AppendN(p.get(), 100, 100);
  const size_t before = p->segment_count();
  auto deleted = p->EnforceRetention();
  ASSERT_THAT(deleted, IsOk());
  EXPECT_GT(*deleted, 0);
  EXPECT_EQ(p->segment_count(), before - *deleted);
  EXPECT_GE(p->size_bytes(), 3000u);
  EXPECT_LT(p->size_bytes(), 3000u + 1200u);
  const int64_t start = p->start_offset();
  EXPECT_GT(start, 0);
  EXPECT_THAT(p->Read(start - 1, 100), StatusIs(StatusCode::kOutOfRange));
  EXPECT_EQ(p->Read(start, 100)->front().offset, start);
  p.reset();
  p = Open({.segment_bytes = 1000, .retention_bytes = 3000});
  EXPECT_EQ(p->start_offset(), start);
  EXPECT_EQ(p->end_offset(), 100);
}

TEST_F(PartitionTest, RetentionByAgeUsesTheNewestRecordOfASegment) {
  auto p = Open({.segment_bytes = 1000, .retention_ms = 60'000});
  AppendN(p.get(), 30, 100);  // stamped "now"
  EXPECT_THAT(p->EnforceRetention(), IsOkAndHolds(0));
  clock_.AdvanceMicros(61'000'000);
  AppendN(p.get(), 1, 100);
  auto deleted = p->EnforceRetention();
  ASSERT_THAT(deleted, IsOk());
  EXPECT_GT(*deleted, 0);
  EXPECT_EQ(p->segment_count(), 1u);  // the active segment always stays
  EXPECT_EQ(p->end_offset(), 31);
}

TEST_F(PartitionTest, FailedSyncRefusesLaterWritesUntilReopened) {
  auto p = Open();
  ASSERT_THAT(p->Append(Values({"ok"})), IsOk());
  fault_.FailNthSync(1);
  EXPECT_THAT(p->Append(Values({"lost"})), StatusIs(StatusCode::kIOError, HasSubstr("injected")));
  EXPECT_THAT(p->Append(Values({"refused"})),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("reopen")));
  EXPECT_EQ(p->end_offset(), 1);  // the unsynced batch never became visible
  EXPECT_EQ(ValuesOf(*p->Read(0, 100)), std::vector<std::string>{"ok"});
  p.reset();
  ASSERT_THAT(fault_.DropUnsyncedData(), IsOk());
  p = Open();
  EXPECT_THAT(p->Append(Values({"again"})), IsOkAndHolds(1));
}

TEST_F(PartitionTest, TornWriteIsCutOnReopen) {
  auto p = Open();
  ASSERT_THAT(p->Append(Values({"ok"})), IsOk());
  fault_.FailNthWrite(1);  // writes half the batch, then fails
  EXPECT_THAT(p->Append(Values({std::string(200, 'x')})), StatusIs(StatusCode::kIOError));
  EXPECT_THAT(p->Append(Values({"refused"})), StatusIs(StatusCode::kFailedPrecondition));
  p.reset();
  p = Open();
  EXPECT_GT(p->recovered_truncated_bytes(), 0u);
  EXPECT_EQ(p->end_offset(), 1);
  EXPECT_THAT(p->Append(Values({"again"})), IsOkAndHolds(1));
}

TEST_F(PartitionTest, FailedRollRefusesWrites) {
  auto p = Open({.segment_bytes = 200});
  AppendN(p.get(), 2, 150);  // ~384 bytes: the next append must roll the segment first
  fault_.FailNthSync(1);     // the sealed segment's index sync
  EXPECT_THAT(p->Append(Values({"x"})), StatusIs(StatusCode::kIOError));
  EXPECT_THAT(p->Append(Values({"y"})), StatusIs(StatusCode::kFailedPrecondition));
  p.reset();
  p = Open({.segment_bytes = 200});
  EXPECT_EQ(p->end_offset(), 2);
}

}  // namespace
}  // namespace pinpipe::log
