// Group commit: concurrent appends share fdatasyncs, and each gets exactly its own offsets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "base/status_matchers.h"
#include "io/fault_injection_file_system.h"
#include "io/mem_file_system.h"
#include "log/partition.h"

namespace pinpipe::log {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;

TEST(GroupCommitTest, ConcurrentAppendsShareSyncsAndLandExactlyOnce) {
  io::MemFileSystem mem;
  io::FaultInjectionFileSystem fs(&mem);
  ASSERT_THAT(mem.CreateDir("/d"), IsOk());
  auto p = Partition::Open(&fs, "/d/p", "t/0", {.segment_bytes = 64 << 10}, Clock::Real());
  ASSERT_THAT(p, IsOk());
  // A disk-like flush latency, so appends arriving during a sync queue behind it.
  fs.SetSyncDelayMicros(500);
  const int64_t syncs_before = fs.file_sync_count();

  constexpr int kThreads = 8;
  constexpr int kAppendsPerThread = 100;
  // acked[value] = offset returned for it.
  std::vector<std::map<std::string, int64_t>> acked(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int a = 0; a < kAppendsPerThread; ++a) {
        const int n = 1 + (a % 3);
        std::vector<Record> records(n);
        for (int i = 0; i < n; ++i) {
          records[i].value = std::to_string(t) + "-" + std::to_string(a) + "-" + std::to_string(i);
        }
        auto base = (*p)->Append(records);
        ASSERT_THAT(base, IsOk());
        for (int i = 0; i < n; ++i) acked[t][records[i].value] = *base + i;
      }
    });
  }
  for (auto& th : threads) th.join();

  const int64_t appends = kThreads * kAppendsPerThread;
  const int64_t syncs = fs.file_sync_count() - syncs_before;
  EXPECT_LT(syncs, appends) << "group commit should merge concurrent appends";
  EXPECT_GT(syncs, 0);

  auto all = (*p)->Read(0, SIZE_MAX);
  ASSERT_THAT(all, IsOk());
  std::map<std::string, int64_t> seen;
  for (size_t i = 0; i < all->size(); ++i) {
    EXPECT_EQ((*all)[i].offset, static_cast<int64_t>(i));  // dense
    EXPECT_TRUE(seen.emplace((*all)[i].record.value, (*all)[i].offset).second)
        << "duplicate " << (*all)[i].record.value;
  }
  size_t total = 0;
  for (const auto& m : acked) {
    total += m.size();
    for (const auto& [value, offset] : m) EXPECT_EQ(seen[value], offset) << value;
  }
  EXPECT_EQ(seen.size(), total);
  EXPECT_EQ((*p)->end_offset(), static_cast<int64_t>(total));
}

TEST(GroupCommitTest, AFailedGroupSyncFailsEveryMemberAndThenRefuses) {
  io::MemFileSystem mem;
  io::FaultInjectionFileSystem fs(&mem);
  ASSERT_THAT(mem.CreateDir("/d"), IsOk());
  auto p = Partition::Open(&fs, "/d/p", "t/0", {}, Clock::Real());
  ASSERT_THAT(p, IsOk());
  fs.SetSyncDelayMicros(200);
  fs.FailNthSync(3);
  std::atomic<int> ok{0}, io_error{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int a = 0; a < 20; ++a) {
        std::vector<Record> r(1);
        r[0].value = "v";
        Status s = (*p)->Append(r).status();
        if (s.ok()) ok++;
        else if (s.code() == StatusCode::kIOError) io_error++;
        else if (s.code() == StatusCode::kFailedPrecondition) refused++;
        else other++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_GE(io_error.load(), 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(ok + io_error + refused, 120);
  EXPECT_EQ((*p)->end_offset(), ok.load());  // only acked appends are visible
  EXPECT_THAT((*p)->Append(std::vector<Record>(1)), StatusIs(StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace pinpipe::log
