#include "log/segment.h"

#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"
#include "io/mem_file_system.h"
#include "log/names.h"
#include "log/record_view.h"

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

// The three readers of a segment (ReadBatches, ReadBatchViews, and the recovery scan) share
// one cursor that loads the file a window at a time (256 KiB ahead, or a budget per view
// chunk). Batches of every size around those windows, one larger than a window, must read
// back exactly as written from any offset and with any max_bytes, and reopen whole.
TEST_F(SegmentTest, ReadersAgreeAcrossReadAheadWindows) {
  std::vector<std::string> values;  // values[i] is offset 100 + i
  {
    auto seg = Segment::Create(&fs_, "/p", 100);
    ASSERT_THAT(seg, IsOk());
    std::mt19937 rng(11);
    for (int b = 0; b < 40; ++b) {
      std::vector<Record> records(1 + rng() % 4);
      for (Record& r : records) {
        const size_t n = b == 17 ? 300'000 : rng() % 3 == 0 ? 40'000 + rng() % 90'000 : rng() % 900;
        r.value.assign(n, static_cast<char>('a' + values.size() % 26));
        if (n > 0) r.value[n / 2] = static_cast<char>('A' + rng() % 26);
        values.push_back(r.value);
      }
      std::string buf;
      ASSERT_THAT(EncodeBatch((*seg)->next_offset(), records, 1000 + b, &buf), IsOk());
      const uint64_t pos = (*seg)->size();
      ASSERT_THAT((*seg)->Write(buf), IsOk());
      (*seg)->Publish(*DecodeBatchHeader(buf), pos);
    }
    ASSERT_GT((*seg)->size(), 2u << 20);  // many windows
  }
  uint64_t truncated = 0;
  auto seg = Segment::Open(&fs_, "/p", 100, /*active=*/true, &truncated);  // scans it all
  ASSERT_THAT(seg, IsOk());
  EXPECT_EQ(truncated, 0u);
  const int64_t end = 100 + static_cast<int64_t>(values.size());
  ASSERT_EQ((*seg)->next_offset(), end);

  std::mt19937 rng(5);
  RecordViews views;
  for (int i = 0; i < 200; ++i) {
    const int64_t offset = 100 + static_cast<int64_t>(rng() % values.size());
    const size_t max_bytes = i % 4 == 0 ? 1 : rng() % (3 << 20);
    SCOPED_TRACE("offset " + std::to_string(offset) + " max_bytes " + std::to_string(max_bytes));
    auto copies = ReadFrom(**seg, offset, max_bytes);
    ASSERT_FALSE(copies.empty());
    size_t bytes = 0;
    views.Clear();
    auto full = (*seg)->ReadBatchViews((*seg)->FindPosition(offset), (*seg)->size(), offset,
                                       max_bytes, &views, &bytes);
    ASSERT_THAT(full, IsOk());
    ASSERT_EQ(views.size(), copies.size());
    for (size_t k = 0; k < copies.size(); ++k) {
      ASSERT_EQ(copies[k].offset, offset + static_cast<int64_t>(k));
      EXPECT_EQ(copies[k].record.value, values[copies[k].offset - 100]);
      EXPECT_EQ(views.records()[k].offset, copies[k].offset);
      EXPECT_EQ(views.records()[k].value, copies[k].record.value);
    }
    if (copies.back().offset + 1 < end) {  // cut by max_bytes, not by the end
      EXPECT_TRUE(*full);
    }
  }
  auto all = ReadFrom(**seg, 100, SIZE_MAX / 2);
  ASSERT_EQ(all.size(), values.size());
  for (size_t k = 0; k < all.size(); ++k) EXPECT_EQ(all[k].record.value, values[k]);
}

}  // namespace
}  // namespace pinpipe::log
