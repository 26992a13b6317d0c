#include "sink/partition_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sink/object_key.h"

namespace pinpipe::sink {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// (start offset, records) of each object.
std::vector<std::pair<int64_t, int64_t>> Shape(const std::vector<ObjectChunk>& chunks) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const auto& c : chunks) out.emplace_back(c.start_offset, c.records);
  return out;
}

TEST(PartitionWriterTest, FlushSizeOneIsAnObjectPerRecord) {
  PartitionWriter w("t", 1, {.flush_size = 1}, 5);
  std::vector<ObjectChunk> out;
  w.Add(5, 0, "{\"a\":1}", &out);
  w.Add(6, 0, "2", &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].key, ObjectKey("t", 1, 5));
  EXPECT_EQ(out[0].data, "{\"a\":1}\n");
  EXPECT_EQ(out[0].last_offset, 5);
  EXPECT_EQ(out[1].key, "topics/t/partition=1/t+1+0000000006.json");
  EXPECT_EQ(out[1].data, "2\n");
  EXPECT_EQ(w.safe_offset(), 7);
  EXPECT_EQ(w.position(), 7);
}

TEST(PartitionWriterTest, CutsEveryFlushSizeRecords) {
  for (int64_t flush : {1, 7, 1000}) {
    PartitionWriter w("t", 0, {.flush_size = flush}, 0);
    std::vector<ObjectChunk> out;
    for (int64_t o = 0; o < 2500; o++) w.Add(o, o, "{}", &out);
    ASSERT_EQ(static_cast<int64_t>(out.size()), 2500 / flush) << flush;
    for (size_t i = 0; i < out.size(); i++) {
      EXPECT_EQ(out[i].start_offset, static_cast<int64_t>(i) * flush);
      EXPECT_EQ(out[i].records, flush);
    }
    EXPECT_EQ(w.open_records(), 2500 % flush);
    EXPECT_EQ(w.safe_offset(), 2500 - 2500 % flush) << "the open object is not committed";
  }
}

TEST(PartitionWriterTest, RotateIntervalUsesRecordTimestampsFromTheObjectsFirstRecord) {
  PartitionWriter w("t", 0, {.flush_size = 1000, .rotate_interval_ms = 25}, 0);
  std::vector<ObjectChunk> out;
  // Timestamps 0, 10, 20, ... : the record at 30 is 30 past the first (0): it opens the next.
  for (int64_t o = 0; o < 10; o++) w.Add(o, o * 10, "{}", &out);
  EXPECT_THAT(Shape(out), ElementsAre(std::pair(0, 3), std::pair(3, 3), std::pair(6, 3)));
  EXPECT_EQ(w.open_records(), 1);
  // Out-of-order (older) timestamps never rotate.
  out.clear();
  w.Add(10, -500, "{}", &out);
  EXPECT_THAT(out, IsEmpty());
}

TEST(PartitionWriterTest, ByteBoundCutsBeforeTheRecordThatWouldExceedIt) {
  PartitionWriter w("t", 0, {.flush_size = 1000, .max_buffer_bytes = 35}, 0);
  std::vector<ObjectChunk> out;
  std::string ten(10, '1');  // 11 bytes with its newline
  for (int64_t o = 0; o < 4; o++) w.Add(o, 0, ten, &out);
  EXPECT_THAT(Shape(out), ElementsAre(std::pair(0, 3)));
  EXPECT_EQ(out[0].data.size(), 33u);
  EXPECT_EQ(w.open_bytes(), 11u);
  // A record larger than the bound: the open object is cut before it, and it is cut alone.
  w.Add(4, 0, std::string(50, '2'), &out);
  EXPECT_THAT(Shape(out), ElementsAre(std::pair(0, 3), std::pair(3, 1), std::pair(4, 1)));
  EXPECT_EQ(w.open_records(), 0);
  // Exactly at the bound: cut after.
  out.clear();
  w.Add(5, 0, std::string(34, '3'), &out);
  EXPECT_THAT(Shape(out), ElementsAre(std::pair(5, 1)));
}

TEST(PartitionWriterTest, SkippedRecordsAreConsumedButNotWritten) {
  PartitionWriter w("t", 0, {.flush_size = 2}, 0);
  std::vector<ObjectChunk> out;
  w.Skip(0);
  EXPECT_EQ(w.safe_offset(), 1) << "nothing open: the skip may be committed";
  w.Add(1, 0, "a", &out);
  w.Skip(2);
  EXPECT_EQ(w.safe_offset(), 1) << "an object is open from offset 1";
  w.Add(3, 0, "b", &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].key, ObjectKey("t", 0, 1));
  EXPECT_EQ(out[0].data, "a\nb\n");
  EXPECT_EQ(out[0].last_offset, 3);
  EXPECT_EQ(w.safe_offset(), 4);
}

TEST(PartitionWriterTest, CutNowWritesTheOpenObject) {
  PartitionWriter w("t", 0, {.flush_size = 10}, 0);
  std::vector<ObjectChunk> out;
  w.CutNow(&out);
  EXPECT_THAT(out, IsEmpty());
  w.Add(0, 0, "a", &out);
  w.Add(1, 0, "b", &out);
  w.CutNow(&out);
  EXPECT_THAT(Shape(out), ElementsAre(std::pair(0, 2)));
  EXPECT_EQ(w.safe_offset(), 2);
}

TEST(PartitionWriterTest, ARestartFromTheSafeOffsetCutsTheSameObjects) {
  // Determinism: whatever prefix a first run consumed, a second run started at the first
  // run's safe offset produces exactly the objects a single uninterrupted run produces.
  auto feed = [](PartitionWriter& w, int64_t from, int64_t to, std::vector<ObjectChunk>* out) {
    for (int64_t o = from; o < to; o++) {
      if (o % 11 == 5) {
        w.Skip(o);
      } else {
        w.Add(o, o * 7, std::string(static_cast<size_t>(o % 13 + 1), 'x'), out);
      }
    }
  };
  CutPolicy policy{.flush_size = 6, .rotate_interval_ms = 30, .max_buffer_bytes = 40};
  std::vector<ObjectChunk> whole;
  PartitionWriter once("t", 0, policy, 0);
  feed(once, 0, 500, &whole);
  for (int64_t crash_at : {1, 17, 123, 250, 499}) {
    std::vector<ObjectChunk> first;
    PartitionWriter a("t", 0, policy, 0);
    feed(a, 0, crash_at, &first);
    std::vector<ObjectChunk> second;
    PartitionWriter b("t", 0, policy, a.safe_offset());
    feed(b, a.safe_offset(), 500, &second);
    first.insert(first.end(), second.begin(), second.end());
    ASSERT_EQ(first.size(), whole.size()) << crash_at;
    for (size_t i = 0; i < whole.size(); i++) {
      EXPECT_EQ(first[i].key, whole[i].key);
      EXPECT_EQ(first[i].data, whole[i].data);
    }
  }
}

}  // namespace
}  // namespace pinpipe::sink
