// Preallocation of the active segment (segment.h, docs/log_format.md §2, §7) on the real
// disk: small writes keep zeros ahead of the data, a seal cuts them off, and recovery after a
// crash that left them reads "data, then zeros" without calling the zeros a torn tail.
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "base/status_matchers.h"
#include "io/posix_file_system.h"
#include "log/names.h"
#include "log/segment.h"

namespace pinpipe::log {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;

class SegmentPreallocTest : public ::testing::Test {
 protected:
  SegmentPreallocTest() {
    std::string templ = (std::filesystem::temp_directory_path() / "pinpipe_seg_XXXXXX").string();
    root_ = ::mkdtemp(templ.data());
    EXPECT_THAT(fs_->CreateDir(Dir("a")), IsOk());
    EXPECT_THAT(fs_->CreateDir(Dir("b")), IsOk());
  }
  ~SegmentPreallocTest() override { std::filesystem::remove_all(root_); }

  std::string Dir(const char* name) const { return root_ + "/" + name; }
  std::string Log(const char* dir) const { return Dir(dir) + "/" + SegmentFileName(0, ".log"); }
  uint64_t DiskSize(const char* dir) { return *fs_->GetFileSize(Log(dir)); }

  // One batch of `per` records of `value_size` bytes at the segment's end, written (with
  // `syncs_cost` for the preallocation rule), synced and published; returns its bytes.
  std::string Append(Segment* seg, int per, size_t value_size, bool syncs_cost = true) {
    std::vector<Record> records(per);
    for (int i = 0; i < per; ++i) {
      records[i].value =
          std::string(value_size, static_cast<char>('a' + (seg->next_offset() + i) % 26));
    }
    std::string buf;
    EXPECT_THAT(EncodeBatch(seg->next_offset(), records, 1000, &buf), IsOk());
    const uint64_t pos = seg->size();
    EXPECT_THAT(seg->Write(buf, syncs_cost), IsOk());
    EXPECT_THAT(seg->Sync(), IsOk());
    seg->Publish(*DecodeBatchHeader(buf), pos);
    return buf;
  }

  // Every record of the segment, checked against the values Append gives offset o.
  void ExpectRecords(const Segment& seg, int64_t count, size_t value_size) {
    std::vector<StoredRecord> out;
    size_t bytes = 0;
    ASSERT_THAT(seg.ReadBatches(0, seg.size(), 0, SIZE_MAX / 2, &out, &bytes), IsOk());
    ASSERT_EQ(out.size(), static_cast<size_t>(count));
    for (int64_t o = 0; o < count; ++o) {
      EXPECT_EQ(out[o].offset, o);
      EXPECT_EQ(out[o].record.value, std::string(value_size, static_cast<char>('a' + o % 26)));
    }
  }

  // The crash: the file as the disk holds it while its writer is still open.
  void CopyLog(const char* from, const char* to) { std::filesystem::copy_file(Log(from), Log(to)); }

  io::FileSystem* const fs_ = io::PosixFileSystem::Default();
  std::string root_;
};

TEST_F(SegmentPreallocTest, SmallWritesKeepZerosAheadUntilTheSeal) {
  auto seg = Segment::Create(fs_, Dir("a"), 0);
  ASSERT_THAT(seg, IsOk());
  for (int i = 0; i < 100; ++i) Append(seg->get(), 1, 600);
  const uint64_t size = (*seg)->size();
  EXPECT_GT(DiskSize("a"), size);
  EXPECT_LE(DiskSize("a"), size + 700 + kPreallocateBytes);
  ExpectRecords(**seg, 100, 600);
  ASSERT_THAT((*seg)->Seal(), IsOk());
  EXPECT_EQ(DiskSize("a"), size);
  seg->reset();
  uint64_t truncated = 7;
  auto sealed = Segment::Open(fs_, Dir("a"), 0, /*active=*/false, &truncated);
  ASSERT_THAT(sealed, IsOk());  // valid to its end: the index's size is the file's
  EXPECT_EQ((*sealed)->next_offset(), 100);
  ExpectRecords(**sealed, 100, 600);
}

TEST_F(SegmentPreallocTest, RecoveryCutsTheZerosWithoutCallingThemTorn) {
  auto seg = Segment::Create(fs_, Dir("a"), 0);
  ASSERT_THAT(seg, IsOk());
  for (int i = 0; i < 30; ++i) Append(seg->get(), 2, 600);
  CopyLog("a", "b");
  ASSERT_GT(DiskSize("b"), (*seg)->size());
  uint64_t truncated = 7;
  auto reopened = Segment::Open(fs_, Dir("b"), 0, /*active=*/true, &truncated);
  ASSERT_THAT(reopened, IsOk());
  EXPECT_EQ(truncated, 0u);
  EXPECT_EQ((*reopened)->next_offset(), 60);
  EXPECT_EQ(DiskSize("b"), (*seg)->size());
  for (int i = 0; i < 20; ++i) Append(reopened->get(), 1, 600);  // preallocates again
  ExpectRecords(**reopened, 80, 600);
}

TEST_F(SegmentPreallocTest, ATornBatchInTheZerosIsCutAndCounted) {
  auto seg = Segment::Create(fs_, Dir("a"), 0);
  ASSERT_THAT(seg, IsOk());
  for (int i = 0; i < 10; ++i) Append(seg->get(), 1, 600);
  std::vector<Record> records(3);
  for (Record& r : records) r.value = std::string(600, 'z');
  std::string torn;
  ASSERT_THAT(EncodeBatch(10, records, 1000, &torn), IsOk());
  torn.resize(torn.size() / 2);  // a write the crash cut in half; the zeros follow it
  ASSERT_THAT((*seg)->Write(torn, /*syncs_cost=*/true), IsOk());
  CopyLog("a", "b");
  uint64_t truncated = 0;
  auto reopened = Segment::Open(fs_, Dir("b"), 0, /*active=*/true, &truncated);
  ASSERT_THAT(reopened, IsOk());
  EXPECT_EQ(truncated, torn.size());  // the half batch, not the zeros after it
  EXPECT_EQ((*reopened)->next_offset(), 10);
  ExpectRecords(**reopened, 10, 600);
}

TEST_F(SegmentPreallocTest, CheapSyncsDoNotPreallocate) {
  auto seg = Segment::Create(fs_, Dir("a"), 0);
  ASSERT_THAT(seg, IsOk());
  for (int i = 0; i < 50; ++i) Append(seg->get(), 1, 600, /*syncs_cost=*/false);
  EXPECT_EQ(DiskSize("a"), (*seg)->size());
  Append(seg->get(), 1, 600, /*syncs_cost=*/true);  // the syncs got slow: zeros from here on
  EXPECT_GT(DiskSize("a"), (*seg)->size());
  ExpectRecords(**seg, 51, 600);
}

TEST_F(SegmentPreallocTest, LargeWritesStopPreallocating) {
  auto seg = Segment::Create(fs_, Dir("a"), 0);
  ASSERT_THAT(seg, IsOk());
  for (int i = 0; i < 12; ++i) Append(seg->get(), 300, 1000);  // ~300 KB each, 3.6 MB
  // Not even the first write zero-fills: the mean starts at the limit and only rises.
  EXPECT_THAT(fs_->GetFileSize(Log("a")), IsOkAndHolds((*seg)->size()));
  ExpectRecords(**seg, 3600, 1000);
}

}  // namespace
}  // namespace pinpipe::log
