// EmbeddedTopicLog::stats(): exact counts after concurrent group-committed appends, the
// histogram buckets, and the refusing-partitions gauge.
#include "log/log_stats.h"

#include <numeric>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"
#include "io/fault_injection_file_system.h"
#include "io/mem_file_system.h"
#include "log/embedded_topic_log.h"
#include "log/names.h"
#include "log/record_batch.h"

namespace pinpipe::log {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;

uint64_t HistogramSum(const LogStats& s) {
  return std::accumulate(s.group_commit_sizes.begin(), s.group_commit_sizes.end(), uint64_t{0});
}

std::vector<Record> Values(int n, const std::string& prefix) {
  std::vector<Record> out(n);
  for (int i = 0; i < n; ++i) out[i].value = prefix + "-" + std::to_string(i);
  return out;
}

TEST(LogStatsTest, GroupSizeBucketsArePowersOfTwoThenInf) {
  const std::vector<std::pair<uint64_t, size_t>> cases = {
      {1, 0}, {2, 1}, {3, 2}, {4, 2}, {5, 3}, {8, 3}, {9, 4}, {16, 4},
      {17, 5}, {32, 5}, {33, 6}, {64, 6}, {65, 7}, {100000, 7}};
  for (const auto& [n, bucket] : cases) EXPECT_EQ(LogCounters::GroupSizeBucket(n), bucket) << n;
}

TEST(LogStatsTest, ConcurrentAppendsAreCountedExactly) {
  io::MemFileSystem mem;
  io::FaultInjectionFileSystem fs(&mem);
  auto log = EmbeddedTopicLog::Open(&fs, "/data", Clock::Real());
  ASSERT_THAT(log, IsOk());
  ASSERT_THAT((*log)->CreateTopic("t", {.partitions = 2}), IsOk());
  fs.SetSyncDelayMicros(500);  // appends arriving during a sync queue behind it
  const int64_t file_syncs_before = fs.file_sync_count();

  constexpr int kThreads = 8;
  constexpr int kAppendsPerThread = 60;
  std::atomic<uint64_t> records{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int a = 0; a < kAppendsPerThread; ++a) {
        auto batch = Values(1 + a % 3, std::to_string(t) + "-" + std::to_string(a));
        ASSERT_THAT((*log)->Append("t", PartitionChoice::Explicit(t % 2), batch), IsOk());
        records += batch.size();
      }
    });
  }
  for (auto& th : threads) th.join();

  const LogStats s = (*log)->stats();
  EXPECT_EQ(s.appends, uint64_t{kThreads * kAppendsPerThread});
  EXPECT_EQ(s.records_appended, records.load());
  uint64_t end_offsets = 0, segment_bytes = 0;
  for (int p = 0; p < 2; ++p) {
    end_offsets += static_cast<uint64_t>((*log)->GetOffsets("t", p)->end_offset);
    // The batches in the file: zeros preallocated past them (slow syncs) do not count.
    std::string data;
    ASSERT_THAT(
        io::ReadFileToString(
            &mem, "/data/topics/t/" + std::to_string(p) + "/" + SegmentFileName(0, ".log"), &data),
        IsOk());
    size_t pos = 0;
    for (auto h = DecodeBatchHeader(data); h.ok();
         h = DecodeBatchHeader(std::string_view(data).substr(pos))) {
      pos += h->total_size();
    }
    segment_bytes += pos;
  }
  EXPECT_EQ(s.records_appended, end_offsets);
  EXPECT_EQ(s.bytes_appended, segment_bytes);
  EXPECT_EQ(s.syncs, s.group_commits);
  EXPECT_EQ(s.syncs, static_cast<uint64_t>(fs.file_sync_count() - file_syncs_before));
  EXPECT_EQ(HistogramSum(s), s.group_commits);
  EXPECT_GT(s.group_commits, 0u);
  EXPECT_LT(s.group_commits, s.appends) << "group commit should merge concurrent appends";
  EXPECT_EQ(s.sync_micros_count, s.syncs);
  EXPECT_GE(s.sync_micros_sum, 500 * s.syncs);  // every sync slept 500 us
  EXPECT_EQ(s.refusing_partitions, 0u);

  // Counters are cumulative: deleting the topic does not take its appends back.
  ASSERT_THAT((*log)->DeleteTopic("t"), IsOk());
  const LogStats after = (*log)->stats();
  EXPECT_EQ(after.appends, s.appends);
  EXPECT_EQ(after.records_appended, s.records_appended);
  EXPECT_EQ(after.group_commits, s.group_commits);
}

TEST(LogStatsTest, AMultiPartitionAppendCountsOncePerPartitionReached) {
  io::MemFileSystem fs;
  FakeClock clock(1'700'000'000'000'000);
  auto log = EmbeddedTopicLog::Open(&fs, "/data", &clock);
  ASSERT_THAT(log, IsOk());
  ASSERT_THAT((*log)->CreateTopic("t", {.partitions = 4}), IsOk());
  std::vector<Record> keyed(16);
  for (int i = 0; i < 16; ++i) keyed[i].key = "k" + std::to_string(i);
  auto positions = (*log)->Append("t", PartitionChoice::ByKey(), keyed);
  ASSERT_THAT(positions, IsOk());
  std::set<int32_t> reached;
  for (const RecordPosition& p : *positions) reached.insert(p.partition);
  ASSERT_GT(reached.size(), 1u);
  const LogStats s = (*log)->stats();
  EXPECT_EQ(s.appends, reached.size());
  EXPECT_EQ(s.records_appended, 16u);
  EXPECT_EQ(s.group_commits, reached.size());
  EXPECT_EQ(s.group_commit_sizes[0], reached.size());  // alone: groups of one
  EXPECT_EQ(s.sync_micros_sum, 0u);                     // the FakeClock does not move
}

TEST(LogStatsTest, RefusingPartitionsIsAGaugeOfLivePartitions) {
  io::MemFileSystem mem;
  io::FaultInjectionFileSystem fs(&mem);
  FakeClock clock(1'700'000'000'000'000);
  auto log = EmbeddedTopicLog::Open(&fs, "/data", &clock);
  ASSERT_THAT(log, IsOk());
  ASSERT_THAT((*log)->CreateTopic("t", {.partitions = 2}), IsOk());
  ASSERT_THAT((*log)->Append("t", PartitionChoice::Explicit(1), Values(2, "ok")), IsOk());
  fs.FailNthSync(1);
  EXPECT_THAT((*log)->Append("t", PartitionChoice::Explicit(0), Values(3, "lost")),
              StatusIs(StatusCode::kIOError));
  EXPECT_THAT((*log)->Append("t", PartitionChoice::Explicit(0), Values(1, "refused")),
              StatusIs(StatusCode::kFailedPrecondition));
  LogStats s = (*log)->stats();
  EXPECT_EQ(s.refusing_partitions, 1u);
  EXPECT_EQ(s.appends, 3u);           // every Append that reached a partition
  EXPECT_EQ(s.records_appended, 2u);  // only acknowledged ones
  EXPECT_EQ(s.group_commits, 2u);     // the refused append never became a group
  EXPECT_EQ(s.syncs, 2u);             // the failed fdatasync counts
  ASSERT_THAT((*log)->DeleteTopic("t"), IsOk());
  s = (*log)->stats();
  EXPECT_EQ(s.refusing_partitions, 0u);
  EXPECT_EQ(s.appends, 3u);
}

}  // namespace
}  // namespace pinpipe::log
