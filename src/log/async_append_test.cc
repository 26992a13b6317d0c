// Asynchronous appends (Partition::AppendAsync, EmbeddedTopicLog::AppendAsync): group commit
// without a thread per waiting append. Callbacks complete in offset order, appends queued
// during a sync share the next one, a failed sync fails every append of its group, and
// destruction waits for what is queued.
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"
#include "io/fault_injection_file_system.h"
#include "io/mem_file_system.h"
#include "log/commit_pool.h"
#include "log/embedded_topic_log.h"
#include "log/partition.h"

namespace pinpipe::log {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;

std::vector<Record> One(std::string value) {
  std::vector<Record> r(1);
  r[0].value = std::move(value);
  return r;
}

// Collects callback results in the order they arrive; Wait() until `n` have.
class Completions {
 public:
  PartitionAppendCallback Callback(int id) {
    return [this, id](Result<int64_t> r) {
      std::lock_guard<std::mutex> l(mu_);
      order_.push_back(id);
      results_.emplace(id, r.ok() ? Status::OK() : r.status());
      offsets_.emplace(id, r.ok() ? *r : -1);
      cv_.notify_all();
    };
  }
  void Wait(size_t n) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return order_.size() >= n; });
  }
  std::vector<int> order() {
    std::lock_guard<std::mutex> l(mu_);
    return order_;
  }
  Status status(int id) {
    std::lock_guard<std::mutex> l(mu_);
    return results_.at(id);
  }
  int64_t offset(int id) {
    std::lock_guard<std::mutex> l(mu_);
    return offsets_.at(id);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int> order_;
  std::map<int, Status> results_;
  std::map<int, int64_t> offsets_;
};

// A latch a callback can block on: while it blocks, the partition's drain cannot take its next
// group, so everything appended meanwhile queues and is committed together, deterministically.
class Gate {
 public:
  void Block() {
    std::unique_lock<std::mutex> l(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(l, [&] { return open_; });
  }
  void WaitEntered() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return entered_; });
  }
  void Open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool open_ = false;
};

class AsyncAppendTest : public ::testing::Test {
 protected:
  AsyncAppendTest() : fault_(&mem_) { EXPECT_THAT(mem_.CreateDir("/d"), IsOk()); }
  std::unique_ptr<Partition> Open(CommitPool* pool = nullptr) {
    auto p = Partition::Open(&fault_, "/d/p", "t/0", {}, Clock::Real(), nullptr, pool);
    EXPECT_THAT(p, IsOk());
    return p.ok() ? std::move(p).value() : nullptr;
  }
  // Appends "first", whose callback holds the drain at `gate` until it is opened.
  void AppendHeld(Partition* p, Gate* gate, Completions* done) {
    auto cb = done->Callback(0);
    p->AppendAsync(One("first"), [gate, cb](Result<int64_t> r) {
      cb(std::move(r));
      gate->Block();
    });
    gate->WaitEntered();
  }

  io::MemFileSystem mem_;
  io::FaultInjectionFileSystem fault_;
};

TEST_F(AsyncAppendTest, AppendsQueuedDuringACommitShareOneSyncAndCompleteInOffsetOrder) {
  auto p = Open();
  Completions done;
  Gate gate;
  AppendHeld(p.get(), &gate, &done);
  const int64_t syncs_before = fault_.file_sync_count();
  constexpr int kQueued = 50;
  for (int i = 1; i <= kQueued; ++i) {
    std::vector<Record> records(1 + i % 3);
    for (size_t k = 0; k < records.size(); ++k) {
      records[k].value = std::to_string(i) + "." + std::to_string(k);
    }
    p->AppendAsync(std::move(records), done.Callback(i));
  }
  gate.Open();
  done.Wait(kQueued + 1);

  EXPECT_EQ(fault_.file_sync_count() - syncs_before, 1) << "one group, one fdatasync";
  std::vector<int> expected_order(kQueued + 1);
  for (int i = 0; i <= kQueued; ++i) expected_order[i] = i;
  EXPECT_EQ(done.order(), expected_order);
  int64_t next = 1;  // "first" has offset 0
  for (int i = 1; i <= kQueued; ++i) {
    ASSERT_THAT(done.status(i), IsOk());
    EXPECT_EQ(done.offset(i), next) << i;
    next += 1 + i % 3;
  }
  EXPECT_EQ(p->end_offset(), next);
  auto all = p->Read(0, SIZE_MAX);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), static_cast<size_t>(next));
  EXPECT_EQ((*all)[0].record.value, "first");
  EXPECT_EQ((*all)[done.offset(7)].record.value, "7.0");
  EXPECT_EQ((*all)[done.offset(7) + 1].record.value, "7.1");
  LogStats stats = p->stats();
  EXPECT_EQ(stats.group_commits, 2u);
  EXPECT_EQ(stats.appends, static_cast<uint64_t>(kQueued + 1));
}

TEST_F(AsyncAppendTest, EncodedBatchesShareAGroupWithRecordAppendsAndSurviveAReopen) {
  auto p = Open();
  Completions done;
  Gate gate;
  AppendHeld(p.get(), &gate, &done);
  const int64_t syncs_before = fault_.file_sync_count();
  constexpr int kQueued = 40;
  for (int i = 1; i <= kQueued; ++i) {
    const size_t n = 1 + i % 3;
    if (i % 2 == 0) {
      BatchBuilder b;
      for (size_t k = 0; k < n; ++k) {
        b.Add(k == 0 ? std::optional<std::string_view>("key") : std::nullopt,
              std::to_string(i) + "." + std::to_string(k));
      }
      auto batch = std::move(b).Finish();
      ASSERT_THAT(batch, IsOk());
      p->AppendEncodedAsync(std::move(batch).value(), done.Callback(i));
    } else {
      std::vector<Record> records(n);
      for (size_t k = 0; k < n; ++k) records[k].value = std::to_string(i) + "." + std::to_string(k);
      p->AppendAsync(std::move(records), done.Callback(i));
    }
  }
  gate.Open();
  done.Wait(kQueued + 1);
  EXPECT_EQ(fault_.file_sync_count() - syncs_before, 1) << "one group, one fdatasync";
  int64_t next = 1;
  for (int i = 1; i <= kQueued; ++i) {
    ASSERT_THAT(done.status(i), IsOk());
    EXPECT_EQ(done.offset(i), next) << i;
    next += 1 + i % 3;
  }
  p.reset();
  p = Open();  // recovery checks every batch's CRC
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->recovered_truncated_bytes(), 0u);
  EXPECT_EQ(p->end_offset(), next);
  auto all = p->Read(0, SIZE_MAX);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), static_cast<size_t>(next));
  for (int i = 1; i <= kQueued; ++i) {
    const StoredRecord& first = (*all)[done.offset(i)];
    EXPECT_EQ(first.record.value, std::to_string(i) + ".0");
    EXPECT_EQ(first.record.key, i % 2 == 0 ? std::optional<std::string>("key") : std::nullopt);
    EXPECT_GT(first.record.timestamp_ms, 0);
  }
}

TEST_F(AsyncAppendTest, AFailedSyncFailsEveryAppendOfItsGroupAndLaterOnesAreRefused) {
  auto p = Open();
  Completions done;
  Gate gate;
  AppendHeld(p.get(), &gate, &done);
  fault_.FailNthSync(1);  // the next group's fdatasync
  constexpr int kQueued = 20;
  for (int i = 1; i <= kQueued; ++i) p->AppendAsync(One("v" + std::to_string(i)), done.Callback(i));
  gate.Open();
  done.Wait(kQueued + 1);

  EXPECT_THAT(done.status(0), IsOk());
  for (int i = 1; i <= kQueued; ++i) {
    EXPECT_THAT(done.status(i), StatusIs(StatusCode::kIOError)) << i;
  }
  EXPECT_EQ(p->end_offset(), 1) << "nothing of the failed group is visible";
  p->AppendAsync(One("after"), done.Callback(kQueued + 1));
  done.Wait(kQueued + 2);
  EXPECT_THAT(done.status(kQueued + 1), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(p->Append(One("sync")), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(p->stats().refusing_partitions, 1u);
}

TEST_F(AsyncAppendTest, BlockingAndAsyncAppendsMixInOneQueue) {
  auto p = Open();
  fault_.SetSyncDelayMicros(200);
  Completions done;
  constexpr int kAsync = 200;
  std::thread blocking([&] {
    for (int i = 0; i < 50; ++i) {
      ASSERT_THAT(p->Append(One("b" + std::to_string(i))), IsOk());
    }
  });
  for (int i = 0; i < kAsync; ++i) p->AppendAsync(One("a" + std::to_string(i)), done.Callback(i));
  blocking.join();
  done.Wait(kAsync);
  std::vector<int> order = done.order();
  for (int i = 0; i < kAsync; ++i) {
    ASSERT_EQ(order[i], i);
    ASSERT_THAT(done.status(i), IsOk());
    if (i > 0) {
      EXPECT_GT(done.offset(i), done.offset(i - 1));
    }
  }
  EXPECT_EQ(p->end_offset(), kAsync + 50);
}

TEST_F(AsyncAppendTest, DestructionCompletesEveryQueuedAppend) {
  Completions done;
  constexpr int kQueued = 30;
  {
    auto p = Open();
    fault_.SetSyncDelayMicros(1000);
    for (int i = 0; i < kQueued; ++i) p->AppendAsync(One("v"), done.Callback(i));
  }  // ~Partition waits for the queue to drain
  EXPECT_EQ(done.order().size(), static_cast<size_t>(kQueued));
  for (int i = 0; i < kQueued; ++i) EXPECT_THAT(done.status(i), IsOk());
  auto reopened = Open();
  EXPECT_EQ(reopened->end_offset(), kQueued);
}

TEST_F(AsyncAppendTest, AnEmptyAppendFailsAtOnceOnTheCallersThread) {
  auto p = Open();
  std::thread::id ran_on;
  Status status;
  p->AppendAsync({}, [&](Result<int64_t> r) {
    ran_on = std::this_thread::get_id();
    status = r.status();
  });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_THAT(status, StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(AsyncAppendTest, PartitionsShareABoundedPoolThatStartsThreadsOnDemand) {
  CommitPool pool(2);
  EXPECT_EQ(pool.threads_started(), 0);
  std::vector<std::unique_ptr<Partition>> parts;
  for (int i = 0; i < 5; ++i) {
    auto p = Partition::Open(&fault_, "/d/p" + std::to_string(i), "t/" + std::to_string(i), {},
                             Clock::Real(), nullptr, &pool);
    ASSERT_THAT(p, IsOk());
    parts.push_back(std::move(p).value());
  }
  EXPECT_EQ(pool.threads_started(), 0) << "opening starts no thread";
  Completions done;
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 5; ++i) {
      parts[i]->AppendAsync(One(std::to_string(round)), done.Callback(round * 5 + i));
    }
  }
  done.Wait(100);
  EXPECT_LE(pool.threads_started(), 2);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(parts[i]->end_offset(), 20);
}

TEST(EmbeddedAsyncAppendTest, RoutesByKeyAcrossPartitionsAndJoinsTheResults) {
  io::MemFileSystem mem;
  ASSERT_THAT(mem.CreateDir("/data"), IsOk());
  auto log = EmbeddedTopicLog::Open(&mem, "/data/log");
  ASSERT_THAT(log, IsOk());
  ASSERT_THAT((*log)->CreateTopic("t", {.partitions = 3}), IsOk());
  std::vector<Record> records(12);
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].key = "k" + std::to_string(i);
    records[i].value = "v" + std::to_string(i);
  }
  auto expected = (*log)->Append("t", PartitionChoice::ByKey(), records);  // same routing
  ASSERT_THAT(expected, IsOk());

  std::mutex mu;
  std::condition_variable cv;
  std::optional<Result<std::vector<RecordPosition>>> got;
  (*log)->AppendAsync("t", PartitionChoice::ByKey(), records,
                      [&](Result<std::vector<RecordPosition>> r) {
                        std::lock_guard<std::mutex> l(mu);
                        got = std::move(r);
                        cv.notify_all();
                      });
  std::unique_lock<std::mutex> l(mu);
  cv.wait(l, [&] { return got.has_value(); });
  ASSERT_THAT(*got, IsOk());
  ASSERT_EQ((*got)->size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    const RecordPosition& pos = (**got)[i];
    EXPECT_EQ(pos.partition, (*expected)[i].partition) << i;
    auto back = (*log)->Read("t", pos.partition, pos.offset, 1);
    ASSERT_THAT(back, IsOk());
    EXPECT_EQ(back->front().record.value, records[i].value);
  }
}

TEST(EmbeddedAsyncAppendTest, UnknownTopicAndPartitionFailAtOnce) {
  io::MemFileSystem mem;
  ASSERT_THAT(mem.CreateDir("/data"), IsOk());
  auto log = EmbeddedTopicLog::Open(&mem, "/data/log");
  ASSERT_THAT(log, IsOk());
  ASSERT_THAT((*log)->CreateTopic("t", {}), IsOk());
  std::vector<Status> got;
  auto keep = [&](Result<std::vector<RecordPosition>> r) { got.push_back(r.status()); };
  (*log)->AppendAsync("nope", PartitionChoice::ByKey(), One("v"), keep);
  (*log)->AppendAsync("t", PartitionChoice::Explicit(5), One("v"), keep);
  ASSERT_EQ(got.size(), 2u);  // both answered before AppendAsync returned
  EXPECT_THAT(got[0], StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(got[1], StatusIs(StatusCode::kNotFound));
}

}  // namespace
}  // namespace pinpipe::log
