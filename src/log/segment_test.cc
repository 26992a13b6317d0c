#include "log/segment.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"
#include "io/mem_file_system.h"
#include "log/names.h"

namespace pinpipe::log {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::HasSubstr;

class SegmentTest : public ::testing::Test {
 protected:
  SegmentTest() { EXPECT_THAT(fs_.CreateDir("/p"), IsOk()); }

  // Writes `batches` batches of `per` records of 100 bytes each, publishing them.
  void Fill(Segment* seg, int batches, int per) {
    for (int b = 0; b < batches; ++b) {
      std::vector<Record> records(per);
      for (int i = 0; i < per; ++i) {
        records[i].value = std::string(100, static_cast<char>('a' + (seg->next_offset() + i) % 26));
      }
      std::string buf;
      ASSERT_THAT(EncodeBatch(seg->next_offset(), records, 1000 + b, &buf), IsOk());
      const uint64_t pos = seg->size();
      ASSERT_THAT(seg->Write(buf), IsOk());
      ASSERT_THAT(seg->Sync(), IsOk());
      seg->Publish(*DecodeBatchHeader(buf), pos);
    }
  }

  std::vector<StoredRecord> ReadFrom(const Segment& seg, int64_t offset, size_t max_bytes) {
    std::vector<StoredRecord> out;
    size_t bytes = 0;
    EXPECT_THAT(seg.ReadBatches(seg.FindPosition(offset), seg.size(), offset, max_bytes, &out,
                                &bytes),
                IsOk());
    return out;
  }

  const std::string log_ = "/p/" + SegmentFileName(100, ".log");
  const std::string index_ = "/p/" + SegmentFileName(100, ".index");
  io::MemFileSystem fs_;
};

TEST_F(SegmentTest, FileNamesAre20Digits) {
  EXPECT_EQ(SegmentFileName(1234, ".log"), "00000000000000001234.log");
  EXPECT_EQ(ParseSegmentFileName("00000000000000001234.log", ".log"), 1234);
  EXPECT_EQ(ParseSegmentFileName("0000000000000001234.log", ".log"), std::nullopt);
  EXPECT_EQ(ParseSegmentFileName("0000000000000000123x.log", ".log"), std::nullopt);
  EXPECT_EQ(ParseSegmentFileName("00000000000000001234.index", ".log"), std::nullopt);
}

TEST_F(SegmentTest, ReadsByOffsetThroughTheSparseIndex) {
  auto seg = Segment::Create(&fs_, "/p", 100);
  ASSERT_THAT(seg, IsOk());
  Fill(seg->get(), 200, 5);  // ~120 KiB: many index entries
  EXPECT_EQ((*seg)->next_offset(), 1100);
  for (int64_t off : {100, 101, 555, 1000, 1098}) {
    auto got = ReadFrom(**seg, off, 250);
    ASSERT_EQ(got.size(), 2u) << off;  // 100-byte records, max 250 bytes -> 2
    EXPECT_EQ(got[0].offset, off);
    EXPECT_EQ(got[0].record.value[0], static_cast<char>('a' + off % 26));
  }
  EXPECT_EQ(ReadFrom(**seg, 1099, 0).size(), 1u);  // at least one record
  EXPECT_GT((*seg)->FindPosition(1000), 0u);
  EXPECT_LE((*seg)->FindPosition(1000), (*seg)->size());
}

TEST_F(SegmentTest, SealedSegmentReopensFromItsIndex) {
  {
    auto seg = Segment::Create(&fs_, "/p", 100);
    ASSERT_THAT(seg, IsOk());
    Fill(seg->get(), 50, 3);
    ASSERT_THAT((*seg)->Seal(), IsOk());
    EXPECT_THAT((*seg)->Write("x"), StatusIs(StatusCode::kFailedPrecondition));
  }
  ASSERT_TRUE(fs_.FileExists(index_));
  uint64_t truncated = 7;
  auto seg = Segment::Open(&fs_, "/p", 100, /*active=*/false, &truncated);
  ASSERT_THAT(seg, IsOk());
  EXPECT_EQ(truncated, 0u);
  EXPECT_EQ((*seg)->next_offset(), 250);
  EXPECT_EQ((*seg)->max_timestamp(), 1049);
  EXPECT_EQ(ReadFrom(**seg, 200, 1 << 20).size(), 50u);
}

TEST_F(SegmentTest, DamagedIndexIsRebuiltByScanning) {
  {
    auto seg = Segment::Create(&fs_, "/p", 100);
    ASSERT_THAT(seg, IsOk());
    Fill(seg->get(), 50, 3);
    ASSERT_THAT((*seg)->Seal(), IsOk());
  }
  ASSERT_THAT(fs_.TruncateFile(index_, 20), IsOk());
  uint64_t truncated = 0;
  auto seg = Segment::Open(&fs_, "/p", 100, /*active=*/false, &truncated);
  ASSERT_THAT(seg, IsOk());
  EXPECT_EQ((*seg)->next_offset(), 250);
  EXPECT_THAT(fs_.GetFileSize(index_), IsOkAndHolds(::testing::Gt(20u)));
}

TEST_F(SegmentTest, ActiveSegmentTornTailIsTruncated) {
  uint64_t good_size = 0;
  {
    auto seg = Segment::Create(&fs_, "/p", 100);
    ASSERT_THAT(seg, IsOk());
    Fill(seg->get(), 10, 2);
    good_size = (*seg)->size();
    std::string buf;
    std::vector<Record> r(1);
    r[0].value = "torn";
    ASSERT_THAT(EncodeBatch(120, r, 1, &buf), IsOk());
    ASSERT_THAT((*seg)->Write(buf.substr(0, buf.size() - 3)), IsOk());
  }
  uint64_t truncated = 0;
  auto seg = Segment::Open(&fs_, "/p", 100, /*active=*/true, &truncated);
  ASSERT_THAT(seg, IsOk());
  EXPECT_GT(truncated, 0u);
  EXPECT_EQ((*seg)->next_offset(), 120);
  EXPECT_THAT(fs_.GetFileSize(log_), IsOkAndHolds(good_size));
  // New batches go after the cut.
  Fill(seg->get(), 1, 1);
  EXPECT_EQ((*seg)->next_offset(), 121);
  EXPECT_EQ(ReadFrom(**seg, 120, 100).size(), 1u);
}

TEST_F(SegmentTest, BatchWithWrongBaseOffsetEndsTheActiveSegment) {
  {
    auto seg = Segment::Create(&fs_, "/p", 100);
    ASSERT_THAT(seg, IsOk());
    Fill(seg->get(), 2, 2);
    std::string buf;
    std::vector<Record> r(1);
    ASSERT_THAT(EncodeBatch(500, r, 1, &buf), IsOk());  // valid CRC, but offsets not dense
    ASSERT_THAT((*seg)->Write(buf), IsOk());
  }
  uint64_t truncated = 0;
  auto seg = Segment::Open(&fs_, "/p", 100, /*active=*/true, &truncated);
  ASSERT_THAT(seg, IsOk());
  EXPECT_EQ((*seg)->next_offset(), 104);
  EXPECT_GT(truncated, 0u);
}

TEST_F(SegmentTest, SealedSegmentWithBadBytesIsCorruption) {
  {
    auto seg = Segment::Create(&fs_, "/p", 100);
    ASSERT_THAT(seg, IsOk());
    Fill(seg->get(), 5, 2);
  }
  // No index (never sealed) and garbage at the end: for a sealed segment that is not a torn
  // write, so the log refuses to guess.
  {
    auto f = fs_.NewAppendableFile(log_);
    ASSERT_THAT((*f)->Append("garbage"), IsOk());
  }
  uint64_t truncated = 0;
  EXPECT_THAT(Segment::Open(&fs_, "/p", 100, /*active=*/false, &truncated),
              StatusIs(StatusCode::kCorruption, HasSubstr("invalid batch")));
}

TEST_F(SegmentTest, CorruptedBatchInTheMiddleFailsReads) {
  auto seg = Segment::Create(&fs_, "/p", 100);
  ASSERT_THAT(seg, IsOk());
  Fill(seg->get(), 5, 2);
  std::string data;
  ASSERT_THAT(io::ReadFileToString(&fs_, log_, &data), IsOk());
  data[60] ^= 1;  // inside the first batch's records; rewrite in place
  ASSERT_THAT(fs_.TruncateFile(log_, 0), IsOk());
  {
    auto f = fs_.NewAppendableFile(log_);
    ASSERT_THAT((*f)->Append(data), IsOk());
  }
  std::vector<StoredRecord> out;
  size_t bytes = 0;
  EXPECT_THAT((*seg)->ReadBatches(0, (*seg)->size(), 100, 1 << 20, &out, &bytes),
              StatusIs(StatusCode::kCorruption, HasSubstr("checksum")));
}

}  // namespace
}  // namespace pinpipe::log
