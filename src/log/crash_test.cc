// The crash invariant (ARCHITECTURE.md "Testing"): thousands of seeded runs of concurrent
// appends and group commits, cut by a simulated power loss at a random point, then reopened:
// - the log always reopens;
// - every acknowledged record is readable at the offset it was acknowledged with;
// - an unacknowledged append is either wholly visible or not at all;
// - offsets stay dense; committed group offsets are the last acknowledged or a later try;
// - the reopened log accepts appends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "base/status_matchers.h"
#include "io/fault_injection_file_system.h"
#include "io/mem_file_system.h"
#include "log/embedded_topic_log.h"

namespace pinpipe::log {
namespace {

using ::pinpipe::testing::IsOk;

constexpr int kPartitions = 2;

struct Ack {
  int32_t partition;
  int64_t base;
  int count;
};

// Value of record i of append (thread, n) with `count` records: "t/n/i/count".
std::string Value(int thread, int n, int i, int count) {
  return std::to_string(thread) + "/" + std::to_string(n) + "/" + std::to_string(i) + "/" +
         std::to_string(count);
}

struct Parsed {
  std::string append_id;
  int index, count;
};
Parsed Parse(const std::string& v) {
  size_t a = v.find('/'), b = v.find('/', a + 1), c = v.find('/', b + 1);
  return {v.substr(0, b), std::stoi(v.substr(b + 1, c - b - 1)), std::stoi(v.substr(c + 1))};
}

// What the cases exercised, so a change that makes them vacuous shows up.
struct Coverage {
  int cases_with_torn_tail_cut = 0;
  int cases_with_unacked_visible = 0;
  int cases_with_lost_unacked = 0;
  int64_t acked_appends = 0;
  uint64_t overlapped_syncs = 0;  // pipelined group commits: syncs that overlapped another
  int cases_with_preallocation = 0;  // segments zero-filled ahead (slow syncs, small groups)
};

// `async`: each thread queues its appends with AppendAsync without waiting (as the HTTP
// server does), and syncs are slowed, so several groups of a partition are in their sync at
// once (pipelined group commit) when the power goes, and segments are preallocated (slow
// syncs, small groups), so the power also goes while groups overwrite zeros.
void RunCase(uint64_t seed, bool async, Coverage* coverage) {
  SCOPED_TRACE("seed " + std::to_string(seed) + (async ? " async" : ""));
  std::mt19937_64 rng(seed);
  io::MemFileSystem mem;
  io::FaultInjectionFileSystem fs(&mem);
  {
    auto log = EmbeddedTopicLog::Open(&fs, "/data");
    ASSERT_THAT(log, IsOk());
    ASSERT_THAT((*log)->CreateTopic("t", {.partitions = kPartitions, .segment_bytes = 600}),
                IsOk());
  }
  const int threads = 1 + static_cast<int>(rng() % 3);
  const int appends_per_thread = 5 + static_cast<int>(rng() % 25);
  // Where the power goes out: an injected write or sync failure, or the machine stopping
  // after some number of acknowledged appends (in-flight I/O then fails).
  const int kind = static_cast<int>(rng() % 3);
  const int fail_at = 1 + static_cast<int>(rng() % 60);
  const int stop_after_acks = static_cast<int>(rng() % (threads * appends_per_thread + 1));
  const bool torn = rng() % 2 == 0;

  std::vector<std::vector<std::pair<std::string, Ack>>> acked(threads);
  std::atomic<int> acks{0};
  std::atomic<int64_t> last_acked_commit{-1}, max_tried_commit{-1};
  std::mutex async_mu;  // guards acked in async mode, and async_pending
  std::condition_variable async_cv;
  int async_pending = 0;
  {
    // Async cases pipeline up to 4 syncs per partition (log.max_syncs_in_flight).
    auto opened = EmbeddedTopicLog::Open(&fs, "/data", Clock::Real(), async ? 4 : 1);
    ASSERT_THAT(opened, IsOk());
    EmbeddedTopicLog* log = opened->get();
    if (async) fs.SetSyncDelayMicros(50 + static_cast<int64_t>(rng() % 400));
    // A quarter of the blocking cases get syncs slow enough for segments to preallocate
    // (one sync at a time, the default), the rest instant ones.
    if (!async && rng() % 4 == 0) fs.SetSyncDelayMicros(60);
    if (kind == 0) fs.FailNthWrite(fail_at);
    if (kind == 1) fs.FailNthSync(fail_at);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t, thread_seed = rng()] {
        std::mt19937_64 r(thread_seed);
        for (int n = 0; n < appends_per_thread; ++n) {
          const int count = 1 + static_cast<int>(r() % 4);
          const int32_t partition = static_cast<int32_t>(r() % kPartitions);
          std::vector<Record> records(count);
          for (int i = 0; i < count; ++i) {
            records[i].value = Value(t, n, i, count) + std::string(r() % 80, 'x');
          }
          if (async) {
            std::lock_guard<std::mutex> l(async_mu);
            async_pending++;
            log->AppendAsync("t", PartitionChoice::Explicit(partition), std::move(records),
                             [&, t, partition, count, first = Value(t, n, 0, count)](
                                 Result<std::vector<RecordPosition>> pos) {
                               std::lock_guard<std::mutex> l(async_mu);
                               if (pos.ok()) {
                                 acked[t].push_back({first, {partition, (*pos)[0].offset, count}});
                                 acks++;
                               }
                               if (--async_pending == 0) async_cv.notify_all();
                             });
            continue;
          }
          auto pos = log->Append("t", PartitionChoice::Explicit(partition), records);
          if (pos.ok()) {
            acked[t].push_back({Value(t, n, 0, count), {partition, (*pos)[0].offset, count}});
            acks++;
          }
          if (t == 0 && n % 4 == 3) {  // a consumer committing as it goes
            const int64_t v = n;
            max_tried_commit.store(v);
            if (log->CommitOffset("g", "t", 0, v).ok()) last_acked_commit.store(v);
          }
        }
      });
    }
    if (kind == 2) {
      while (acks.load() < stop_after_acks) std::this_thread::yield();
      fs.SetActive(false);
    }
    for (auto& w : workers) w.join();
    {
      std::unique_lock<std::mutex> l(async_mu);
      async_cv.wait(l, [&] { return async_pending == 0; });
    }
    coverage->overlapped_syncs += log->stats().overlapped_syncs;
    if (fs.preallocation_count() > 0) coverage->cases_with_preallocation++;
    fs.SetActive(false);  // power off before the log object goes away
    fs.SetSyncDelayMicros(0);
  }
  ASSERT_THAT(fs.DropUnsyncedData(torn ? std::optional<uint64_t>(seed) : std::nullopt), IsOk());
  fs.SetActive(true);

  auto reopened = EmbeddedTopicLog::Open(&fs, "/data");
  ASSERT_THAT(reopened, IsOk()) << "the log must always reopen";
  EmbeddedTopicLog* log = reopened->get();
  if (log->recovered_truncated_bytes() > 0) coverage->cases_with_torn_tail_cut++;
  coverage->acked_appends += acks.load();

  // Everything visible, by offset, per partition; offsets dense from 0.
  std::map<std::pair<int32_t, int64_t>, std::string> visible;
  for (int32_t p = 0; p < kPartitions; ++p) {
    auto records = log->Read("t", p, 0, SIZE_MAX);
    ASSERT_THAT(records, IsOk());
    for (size_t i = 0; i < records->size(); ++i) {
      ASSERT_EQ((*records)[i].offset, static_cast<int64_t>(i)) << "offsets must stay dense";
      visible[{p, (*records)[i].offset}] = (*records)[i].record.value;
    }
  }
  // Acknowledged: at their offsets, whole.
  for (const auto& per_thread : acked) {
    for (const auto& [first_value, ack] : per_thread) {
      for (int i = 0; i < ack.count; ++i) {
        auto it = visible.find({ack.partition, ack.base + i});
        ASSERT_NE(it, visible.end()) << "acknowledged record lost: " << first_value;
        Parsed got = Parse(it->second);
        ASSERT_EQ(got.append_id, Parse(first_value).append_id);
        ASSERT_EQ(got.index, i);
      }
    }
  }
  // All or nothing: every visible append appears once, contiguous and complete.
  std::map<std::string, int> seen;
  for (auto it = visible.begin(); it != visible.end();) {
    Parsed first = Parse(it->second);
    ASSERT_EQ(first.index, 0) << "half-visible append " << first.append_id;
    ASSERT_TRUE(seen.emplace(first.append_id, 1).second) << "duplicate " << first.append_id;
    const auto [p, base] = it->first;
    for (int i = 0; i < first.count; ++i, ++it) {
      ASSERT_NE(it, visible.end()) << "half-visible append " << first.append_id;
      ASSERT_EQ(it->first, std::make_pair(p, base + i));
      Parsed next = Parse(it->second);
      ASSERT_EQ(next.append_id, first.append_id);
      ASSERT_EQ(next.index, i);
    }
  }
  if (static_cast<int>(seen.size()) > acks.load()) coverage->cases_with_unacked_visible++;
  if (static_cast<int>(seen.size()) < threads * appends_per_thread) {
    coverage->cases_with_lost_unacked++;
  }
  // Group offsets: the last acknowledged commit, or one tried after it.
  auto committed = log->FetchCommitted("g", "t", 0);
  ASSERT_THAT(committed, IsOk());
  if (last_acked_commit.load() >= 0) {
    ASSERT_TRUE(committed->has_value());
    EXPECT_GE(**committed, last_acked_commit.load());
    EXPECT_LE(**committed, max_tried_commit.load());
  }
  // And the log is writable again.
  for (int32_t p = 0; p < kPartitions; ++p) {
    auto end = log->GetOffsets("t", p);
    ASSERT_THAT(end, IsOk());
    auto pos = log->Append("t", PartitionChoice::Explicit(p), std::vector<Record>(1));
    ASSERT_THAT(pos, IsOk());
    EXPECT_EQ((*pos)[0].offset, end->end_offset);
  }
}

void RunCases(uint64_t cases, bool async) {
  Coverage coverage;
  for (uint64_t seed = 0; seed < cases; ++seed) {
    RunCase(seed, async, &coverage);
    if (::testing::Test::HasFatalFailure()) return;
  }
  std::printf(
      "crash cases %llu%s: acked appends %lld, torn tail cut in %d, unacked but "
      "visible in %d, unacked lost in %d, overlapped syncs %llu, preallocated in %d\n",
      static_cast<unsigned long long>(cases), async ? " (async)" : "",
      static_cast<long long>(coverage.acked_appends), coverage.cases_with_torn_tail_cut,
      coverage.cases_with_unacked_visible, coverage.cases_with_lost_unacked,
      static_cast<unsigned long long>(coverage.overlapped_syncs),
      coverage.cases_with_preallocation);
  // The cases must actually reach the interesting states.
  EXPECT_GT(coverage.cases_with_torn_tail_cut, 0);
  EXPECT_GT(coverage.cases_with_unacked_visible, 0);
  EXPECT_GT(coverage.cases_with_lost_unacked, 0);
  if (async) {
    EXPECT_GT(coverage.overlapped_syncs, 0u) << "no group commits were pipelined";
  }
  // How many async cases preallocate depends on timing (how many groups a case's queued
  // appends make); blocking cases with slow syncs preallocate from their second group on.
  EXPECT_GT(coverage.cases_with_preallocation, async ? 0 : static_cast<int>(cases) / 20)
      << "segments were not preallocated";
}

TEST(CrashTest, AcknowledgedRecordsSurviveRandomPowerLoss) { RunCases(2000, /*async=*/false); }

TEST(CrashTest, AcknowledgedAsyncAppendsSurvivePowerLossDuringPipelinedSyncs) {
  RunCases(1000, /*async=*/true);
}

}  // namespace
}  // namespace pinpipe::log
