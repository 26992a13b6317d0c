#include "sink/sink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/status_matchers.h"
#include "io/mem_file_system.h"
#include "log/embedded_topic_log.h"
#include "objstore/faulty_object_store.h"
#include "objstore/memory_object_store.h"
#include "sink/object_key.h"
#include "sink/sink_runner.h"

namespace pinpipe::sink {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

// A TopicLog that forwards every call to another; tests override what they watch.
class ForwardingLog : public log::TopicLog {
 public:
  explicit ForwardingLog(log::TopicLog* base) : base_(base) {}
  Status CreateTopic(std::string_view t, const log::TopicConfig& c) override {
    return base_->CreateTopic(t, c);
  }
  Status DeleteTopic(std::string_view t) override { return base_->DeleteTopic(t); }
  Result<std::vector<std::string>> ListTopics() override { return base_->ListTopics(); }
  Result<log::TopicDescription> DescribeTopic(std::string_view t) override {
    return base_->DescribeTopic(t);
  }
  Result<std::vector<log::RecordPosition>> Append(std::string_view t, log::PartitionChoice w,
                                                  std::span<const log::Record> r) override {
    return base_->Append(t, w, r);
  }
  Result<std::vector<log::StoredRecord>> Read(std::string_view t, int32_t p, int64_t o,
                                              size_t m) override {
    return base_->Read(t, p, o, m);
  }
  Result<log::PartitionOffsets> GetOffsets(std::string_view t, int32_t p) override {
    return base_->GetOffsets(t, p);
  }
  Status CommitOffsets(std::string_view g, std::span<const log::GroupOffset> o) override {
    return base_->CommitOffsets(g, o);
  }
  Result<std::optional<int64_t>> FetchCommitted(std::string_view g, std::string_view t,
                                                int32_t p) override {
    return base_->FetchCommitted(g, t, p);
  }
  Result<std::vector<log::GroupOffset>> FetchGroup(std::string_view g) override {
    return base_->FetchGroup(g);
  }
  Result<std::vector<std::string>> ListGroups() override { return base_->ListGroups(); }

 protected:
  log::TopicLog* const base_;
};

// Forwards to a log, failing every CommitOffsets while `fail_commits` is set: a sink that
// "crashes" after its puts and before its commit.
class CommitFailingLog final : public ForwardingLog {
 public:
  explicit CommitFailingLog(log::TopicLog* base) : ForwardingLog(base) {}
  bool fail_commits = true;
  Status CommitOffsets(std::string_view g, std::span<const log::GroupOffset> o) override {
    if (fail_commits) return IOError("injected commit failure");
    return base_->CommitOffsets(g, o);
  }
};

// Holds the puts of chosen keys until the test lets them go, so a test decides the order in
// which puts in flight finish; counts the puts in progress and their peak.
class GatedObjectStore final : public objstore::ObjectStore {
 public:
  explicit GatedObjectStore(objstore::ObjectStore* base) : base_(base) {}
  void Hold(const std::string& key) {
    std::lock_guard<std::mutex> l(mu_);
    held_.insert(key);
  }
  void HoldAll() {
    std::lock_guard<std::mutex> l(mu_);
    hold_all_ = true;
  }
  // Lets the puts of `key` go; with `fail`, the first of them then fails (after writing the
  // object when `after_write`: a lost reply).
  void Release(const std::string& key, bool fail = false, bool after_write = false) {
    std::lock_guard<std::mutex> l(mu_);
    held_.erase(key);
    if (fail) failing_[key] = after_write;
    cv_.notify_all();
  }
  void ReleaseAll() {
    std::lock_guard<std::mutex> l(mu_);
    hold_all_ = false;
    held_.clear();
    cv_.notify_all();
  }
  // Waits (a safety bound for a hung test, not a timing assertion) until `n` puts wait.
  bool WaitForWaiting(int n) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::seconds(60), [&] { return waiting_ >= n; });
  }
  int peak() {
    std::lock_guard<std::mutex> l(mu_);
    return peak_;
  }

  Status Put(std::string_view key, std::string_view data,
             const objstore::PutOptions& options = {}) override {
    const std::string k(key);
    std::unique_lock<std::mutex> l(mu_);
    active_++;
    peak_ = std::max(peak_, active_);
    waiting_++;
    cv_.notify_all();
    cv_.wait(l, [&] { return !hold_all_ && held_.count(k) == 0; });
    waiting_--;
    auto f = failing_.find(k);
    const bool fail = f != failing_.end();
    const bool after_write = fail && f->second;
    if (fail) failing_.erase(f);
    l.unlock();
    Status s;
    if (!fail || after_write) s = base_->Put(key, data, options);
    if (fail) s = UnavailableError("injected: the held put of " + k + " failed");
    l.lock();
    active_--;
    return s;
  }
  Result<std::string> Get(std::string_view k) override { return base_->Get(k); }
  Result<std::string> GetRange(std::string_view k, uint64_t o, uint64_t n) override {
    return base_->GetRange(k, o, n);
  }
  Result<objstore::ObjectInfo> Head(std::string_view k) override { return base_->Head(k); }
  Result<objstore::ListPage> List(std::string_view p, std::string_view t = {},
                                  int max_keys = 1000) override {
    return base_->List(p, t, max_keys);
  }
  Status Delete(std::string_view k) override { return base_->Delete(k); }
  std::string Url() const override { return base_->Url(); }

 private:
  objstore::ObjectStore* const base_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::string> held_;
  std::map<std::string, bool> failing_;
  bool hold_all_ = false;
  int waiting_ = 0;
  int active_ = 0;
  int peak_ = 0;
};

// Checks at every commit that each committed offset is covered by objects in the store: the
// partition's objects from offset 0, in key order and without a gap, hold at least that many
// records. Counts the commits that were not.
class CheckingLog final : public ForwardingLog {
 public:
  CheckingLog(log::TopicLog* base, objstore::ObjectStore* store)
      : ForwardingLog(base), store_(store) {}
  std::atomic<int> bad_commits{0};
  std::atomic<int> commits{0};
  Status CommitOffsets(std::string_view g, std::span<const log::GroupOffset> o) override {
    for (const log::GroupOffset& go : o) {
      if (Covered(go.topic, go.partition) < go.offset) bad_commits++;
    }
    commits++;
    return base_->CommitOffsets(g, o);
  }

 private:
  int64_t Covered(const std::string& topic, int32_t p) {
    auto objects = objstore::ListAll(*store_, PartitionPrefix(topic, p));
    if (!objects.ok()) return -1;
    int64_t next = 0;
    for (const auto& info : *objects) {
      auto key = ParseObjectKey(info.key);
      if (!key || key->start_offset != next) break;
      auto data = store_->Get(info.key);
      if (!data.ok()) break;
      next += static_cast<int64_t>(std::count(data->begin(), data->end(), '\n'));
    }
    return next;
  }
  objstore::ObjectStore* const store_;
};

class SinkTest : public ::testing::Test {
 protected:
  SinkTest() : clock_(1'700'000'000'000'000) {
    auto log = log::EmbeddedTopicLog::Open(&fs_, "/data", &clock_);
    EXPECT_THAT(log, IsOk());
    log_ = std::move(log).value();
  }

  SinkOptions Options(int64_t flush_size = 1) {
    SinkOptions o;
    o.topics_regex = "u\\..*";
    o.flush_size = flush_size;
    o.warn = [this](std::string_view m) { warnings_.emplace_back(m); };
    return o;
  }

  std::unique_ptr<Sink> MakeSink(const SinkOptions& o, log::TopicLog* log = nullptr,
                                 objstore::ObjectStore* store = nullptr) {
    auto sink = Sink::Create(log ? log : log_.get(), store ? store : &store_, &clock_, o);
    EXPECT_THAT(sink, IsOk());
    return sink.ok() ? std::move(sink).value() : nullptr;
  }

  void Produce(const std::string& topic, int32_t partition, const std::vector<std::string>& values,
               int64_t timestamp_ms = 1'000) {
    std::vector<log::Record> records;
    for (const auto& v : values) {
      log::Record r;
      r.value = v;
      r.timestamp_ms = timestamp_ms;
      records.push_back(std::move(r));
    }
    ASSERT_THAT(log_->Append(topic, log::PartitionChoice::Explicit(partition), records), IsOk());
  }

  // Realistic values of varying size: a pin-like JSON object per record.
  static std::string Value(const std::string& topic, int32_t p, int i) {
    return "{\"index\":" + std::to_string(i) + ",\"topic\":\"" + topic + "\",\"partition\":" +
           std::to_string(p) + ",\"title\":\"" + std::string(static_cast<size_t>(i % 97), 'x') +
           "\",\"follower_count\":\"" + std::to_string(i * 13 % 1000) + "k\"}";
  }

  // Every value of the partition, in offset order.
  std::vector<std::string> TopicValues(const std::string& topic, int32_t p) {
    std::vector<std::string> out;
    int64_t offset = 0;
    while (true) {
      auto batch = log_->Read(topic, p, offset, 1 << 20);
      EXPECT_THAT(batch, IsOk());
      if (!batch.ok() || batch->empty()) return out;
      for (const auto& r : *batch) out.push_back(r.record.value);
      offset = batch->back().offset + 1;
    }
  }

  // The lines of the partition's objects, concatenated in key order; checks that each key
  // starts where the previous object ended.
  std::vector<std::string> StoredLines(const std::string& topic, int32_t p,
                                       std::vector<int64_t>* sizes = nullptr,
                                       objstore::ObjectStore* store = nullptr) {
    if (store == nullptr) store = &store_;
    std::vector<std::string> lines;
    auto objects = objstore::ListAll(*store, PartitionPrefix(topic, p));
    EXPECT_THAT(objects, IsOk());
    if (!objects.ok()) return lines;
    for (const auto& info : *objects) {
      auto key = ParseObjectKey(info.key);
      EXPECT_TRUE(key.has_value()) << info.key;
      if (!key) continue;
      EXPECT_EQ(key->start_offset, static_cast<int64_t>(lines.size())) << info.key;
      auto data = store->Get(info.key);
      EXPECT_THAT(data, IsOk());
      if (!data.ok()) continue;
      EXPECT_TRUE(!data->empty() && data->back() == '\n') << info.key;
      int64_t n = 0;
      size_t start = 0;
      while (start < data->size()) {
        size_t nl = data->find('\n', start);
        lines.push_back(data->substr(start, nl - start));
        start = nl + 1;
        n++;
      }
      if (sizes) sizes->push_back(n);
    }
    return lines;
  }

  std::optional<int64_t> Committed(const std::string& topic, int32_t p,
                                   const std::string& group = "connect-s3-sink") {
    auto c = log_->FetchCommitted(group, topic, p);
    EXPECT_THAT(c, IsOk());
    return c.ok() ? *c : std::nullopt;
  }

  io::MemFileSystem fs_;
  FakeClock clock_;
  std::unique_ptr<log::EmbeddedTopicLog> log_;
  objstore::MemoryObjectStore store_;
  std::vector<std::string> warnings_;
};

TEST_F(SinkTest, WritesTheConfluentLayoutOneValuePerLine) {
  ASSERT_THAT(log_->CreateTopic("u.pin", {}), IsOk());
  Produce("u.pin", 0, {"{\"index\":1}", "{\"index\":2}", "[1,2]"});
  auto sink = MakeSink(Options());
  ASSERT_THAT(sink->Drain(), IsOk());
  auto all = objstore::ListAll(store_, "");
  ASSERT_THAT(all, IsOk());
  std::vector<std::string> keys;
  for (const auto& o : *all) keys.push_back(o.key);
  EXPECT_THAT(keys, ElementsAre("topics/u.pin/partition=0/u.pin+0+0000000000.json",
                                "topics/u.pin/partition=0/u.pin+0+0000000001.json",
                                "topics/u.pin/partition=0/u.pin+0+0000000002.json"));
  EXPECT_THAT(store_.Get(keys[0]), IsOkAndHolds("{\"index\":1}\n"));
  EXPECT_THAT(store_.Get(keys[2]), IsOkAndHolds("[1,2]\n"));
  EXPECT_THAT(Committed("u.pin", 0), Optional(3));
}

// Done-when 2: for flush sizes 1, 7 and 1000 the objects concatenated in key order equal the
// topic contents record by record.
TEST_F(SinkTest, ObjectsInKeyOrderEqualTheTopicForFlushSizes1_7_1000) {
  const std::map<std::string, int> topics = {{"u.pin", 2}, {"u.geo", 1}, {"u.user", 3}};
  for (const auto& [t, parts] : topics) {
    ASSERT_THAT(log_->CreateTopic(t, {.partitions = parts}), IsOk());
    for (int32_t p = 0; p < parts; p++) {
      std::vector<std::string> values;
      for (int i = 0; i < 2345 + 100 * p; i++) values.push_back(Value(t, p, i));
      // Several appends, so batches of the log do not line up with objects.
      for (size_t from = 0; from < values.size(); from += 500) {
        Produce(t, p, {values.begin() + static_cast<long>(from),
                       values.begin() + static_cast<long>(std::min(values.size(), from + 500))});
      }
    }
  }
  ASSERT_THAT(log_->CreateTopic("other.pin", {}), IsOk());
  Produce("other.pin", 0, {"{}"});

  for (int64_t flush : {1, 7, 1000}) {
    SCOPED_TRACE("flush_size " + std::to_string(flush));
    objstore::MemoryObjectStore store;
    SinkOptions o = Options(flush);
    o.name = "flush" + std::to_string(flush);  // a group of its own, from offset 0
    o.read_max_bytes = 64 << 10;
    auto sink = MakeSink(o, nullptr, &store);
    auto stats = sink->Drain();
    ASSERT_THAT(stats, IsOk());
    int64_t total = 0;
    for (const auto& [t, parts] : topics) {
      for (int32_t p = 0; p < parts; p++) {
        std::vector<int64_t> sizes;
        std::vector<std::string> want = TopicValues(t, p);
        std::vector<std::string> got = StoredLines(t, p, &sizes, &store);
        ASSERT_EQ(got.size(), want.size()) << t << "/" << p;
        for (size_t i = 0; i < want.size(); i++) ASSERT_EQ(got[i], want[i]) << t << "/" << p << "@" << i;
        for (size_t i = 0; i + 1 < sizes.size(); i++) EXPECT_EQ(sizes[i], flush);
        EXPECT_THAT(Committed(t, p, "connect-" + o.name), Optional(static_cast<int64_t>(want.size())));
        total += static_cast<int64_t>(want.size());
      }
    }
    EXPECT_EQ(stats->Total().records, total);
    EXPECT_EQ(stats->topics.count("other.pin"), 0u) << "not matched by the regex";
    EXPECT_THAT(objstore::ListAll(store, "topics/other.pin/"), IsOkAndHolds(::testing::IsEmpty()));
  }
}

TEST_F(SinkTest, WithoutTailCutsOpenObjectsStayUncommittedAndContinueLater) {
  ASSERT_THAT(log_->CreateTopic("u.pin", {}), IsOk());
  std::vector<std::string> values;
  for (int i = 0; i < 25; i++) values.push_back(Value("u.pin", 0, i));
  Produce("u.pin", 0, {values.begin(), values.begin() + 10});
  auto sink = MakeSink(Options(7));
  ASSERT_THAT(sink->Drain(/*cut_tails=*/false), IsOk());
  EXPECT_THAT(Committed("u.pin", 0), Optional(7));
  EXPECT_EQ(StoredLines("u.pin", 0).size(), 7u);

  // A new sink (a restart) continues at 7 and cuts at 14 and 21, as one run would have.
  Produce("u.pin", 0, {values.begin() + 10, values.end()});
  ASSERT_THAT(MakeSink(Options(7))->Drain(false), IsOk());
  std::vector<int64_t> sizes;
  std::vector<std::string> lines = StoredLines("u.pin", 0, &sizes);
  EXPECT_THAT(sizes, ElementsAre(7, 7, 7));
  EXPECT_EQ(lines, std::vector<std::string>(values.begin(), values.begin() + 21));
  EXPECT_THAT(Committed("u.pin", 0), Optional(21));
}

TEST_F(SinkTest, ACrashBetweenPutAndCommitRewritesTheSameObjectsUnderTheSameKeys) {
  ASSERT_THAT(log_->CreateTopic("u.pin", {.partitions = 2}), IsOk());
  for (int32_t p = 0; p < 2; p++) {
    std::vector<std::string> values;
    for (int i = 0; i < 100; i++) values.push_back(Value("u.pin", p, i));
    Produce("u.pin", p, values);
  }
  // The reference: one uninterrupted run into a store of its own.
  objstore::MemoryObjectStore reference;
  SinkOptions ref = Options(7);
  ref.name = "reference";  // a group of its own
  ASSERT_THAT(MakeSink(ref, nullptr, &reference)->Drain(false), IsOk());
  auto want = objstore::ListAll(reference, "");
  ASSERT_THAT(want, IsOk());

  // A run whose commits fail: it puts objects, then "dies" before committing.
  CommitFailingLog failing(log_.get());
  SinkOptions o = Options(7);
  o.max_attempts = 2;
  EXPECT_THAT(MakeSink(o, &failing)->Drain(false),
              StatusIs(StatusCode::kIOError, HasSubstr("injected commit failure")));
  EXPECT_EQ(Committed("u.pin", 0), std::nullopt);
  auto partial = objstore::ListAll(store_, "");
  ASSERT_THAT(partial, IsOk());
  EXPECT_FALSE(partial->empty()) << "the objects were put before the commit failed";

  // The restart starts from the committed offsets (none) and rewrites identical objects.
  ASSERT_THAT(MakeSink(Options(7))->Drain(false), IsOk());
  auto got = objstore::ListAll(store_, "");
  ASSERT_THAT(got, IsOk());
  ASSERT_EQ(got->size(), want->size());
  for (size_t i = 0; i < want->size(); i++) {
    EXPECT_EQ((*got)[i].key, (*want)[i].key);
    EXPECT_EQ(*store_.Get((*got)[i].key), *reference.Get((*want)[i].key));
  }
  EXPECT_THAT(Committed("u.pin", 0), Optional(98));
  EXPECT_THAT(Committed("u.pin", 1), Optional(98));
}

TEST_F(SinkTest, AFailedPutIsRetriedAfterTheBackoff) {
  ASSERT_THAT(log_->CreateTopic("u.pin", {}), IsOk());
  std::vector<std::string> values;
  for (int i = 0; i < 20; i++) values.push_back(Value("u.pin", 0, i));
  Produce("u.pin", 0, values);
  objstore::FaultyObjectStore faulty(&store_);
  faulty.FailNthPut(2);
  int64_t before = clock_.NowMicros();
  auto stats = MakeSink(Options(3), nullptr, &faulty)->Drain();
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->retries, 1);
  EXPECT_EQ(faulty.put_count(), 7 + 1);  // 7 objects, one failed attempt
  EXPECT_EQ(clock_.NowMicros() - before, 200 * 1000) << "one initial backoff";
  EXPECT_EQ(StoredLines("u.pin", 0), values);
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_THAT(warnings_[0], HasSubstr("injected fault"));
}

TEST_F(SinkTest, RandomPutFailuresAndLostRepliesLoseAndDuplicateNothing) {
  for (bool fail_after_put : {false, true}) {
    SCOPED_TRACE(fail_after_put ? "the put happened, its reply was lost" : "the put failed");
    std::string topic = fail_after_put ? "u.after" : "u.before";
    ASSERT_THAT(log_->CreateTopic(topic, {.partitions = 2}), IsOk());
    for (int32_t p = 0; p < 2; p++) {
      std::vector<std::string> values;
      for (int i = 0; i < 300; i++) values.push_back(Value(topic, p, i));
      Produce(topic, p, values);
    }
    objstore::FaultyObjectStore faulty(&store_);
    faulty.FailPutsWithProbability(0.3, 42);
    faulty.SetFailAfterPut(fail_after_put);
    SinkOptions o = Options(7);
    o.topics_regex = topic;
    auto stats = MakeSink(o, nullptr, &faulty)->Drain();
    ASSERT_THAT(stats, IsOk());
    EXPECT_GT(faulty.failed_put_count(), 10);
    EXPECT_EQ(stats->retries, faulty.failed_put_count());
    EXPECT_EQ(stats->Total().objects, faulty.put_count() - faulty.failed_put_count());
    for (int32_t p = 0; p < 2; p++) {
      EXPECT_EQ(StoredLines(topic, p), TopicValues(topic, p));
      EXPECT_THAT(Committed(topic, p), Optional(300));
    }
  }
}

TEST_F(SinkTest, GivingUpOnPutsLeavesTheOffsetAtTheLastDurableObject) {
  for (int64_t in_flight : {1, 4}) {
    SCOPED_TRACE("max_in_flight_puts " + std::to_string(in_flight));
    const std::string topic = "u.pin" + std::to_string(in_flight);
    ASSERT_THAT(log_->CreateTopic(topic, {}), IsOk());
    std::vector<std::string> values;
    for (int i = 0; i < 10; i++) values.push_back(Value(topic, 0, i));
    Produce(topic, 0, {values.begin(), values.begin() + 4});
    objstore::FaultyObjectStore faulty(&store_);
    SinkOptions o = Options(2);
    o.topics_regex = topic;
    o.max_attempts = 3;
    o.max_in_flight_puts = in_flight;
    auto sink = MakeSink(o, nullptr, &faulty);
    ASSERT_THAT(sink->Drain(), IsOk());
    Produce(topic, 0, {values.begin() + 4, values.end()});
    faulty.FailPutsWithProbability(1.0, 1);
    int64_t before = clock_.NowMicros();
    EXPECT_THAT(sink->Drain(), StatusIs(StatusCode::kUnavailable, HasSubstr("failed 3 times")));
    // One put at a time: the first failing one gives up and no other starts. With 4, the
    // objects of offsets 4..9 start until the sink sees the first give up (two or three of
    // them), and each gives up after its own three attempts and backoffs.
    const int64_t puts_failing = faulty.failed_put_count() / 3;
    EXPECT_EQ(faulty.failed_put_count() % 3, 0);
    if (in_flight == 1) {
      EXPECT_EQ(puts_failing, 1);
    } else {
      EXPECT_THAT(puts_failing, ::testing::AllOf(::testing::Ge(1), ::testing::Le(3)));
    }
    EXPECT_EQ(clock_.NowMicros() - before, puts_failing * (200 + 400) * 1000)
        << "the backoff doubles";
    EXPECT_THAT(Committed(topic, 0), Optional(4)) << "two objects were durable";
    SinkOptions again = Options(2);
    again.topics_regex = topic;
    ASSERT_THAT(MakeSink(again)->Drain(), IsOk());
    EXPECT_EQ(StoredLines(topic, 0), values);
  }
}

// Several puts in flight finish in any order; the offset is committed only up to the first
// put still running, whatever finished after it.
TEST_F(SinkTest, OutOfOrderPutsNeverCommitPastAnUnfinishedOne) {
  ASSERT_THAT(log_->CreateTopic("u.pin", {}), IsOk());
  std::vector<std::string> values;
  for (int i = 0; i < 6; i++) values.push_back(Value("u.pin", 0, i));
  Produce("u.pin", 0, values);
  GatedObjectStore gated(&store_);
  gated.Hold(ObjectKey("u.pin", 0, 1));
  CheckingLog checking(log_.get(), &store_);
  SinkOptions o = Options(1);
  o.max_in_flight_puts = 4;
  auto sink = MakeSink(o, &checking, &gated);
  Result<SinkStats> drained = InternalError("not run");
  std::thread drain([&] { drained = sink->Drain(); });
  // Offset 1 is held; 0 and then 2..5 finish around it (at most 4 in flight).
  ASSERT_TRUE(gated.WaitForWaiting(1));
  auto others_put = [&] {
    for (int i : {0, 2, 3, 4, 5}) {
      if (!store_.Head(ObjectKey("u.pin", 0, i)).ok()) return false;
    }
    return true;
  };
  for (int i = 0; i < 6000 && !others_put(); i++) {  // a bound for a hung test
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(others_put());
  EXPECT_FALSE(store_.Head(ObjectKey("u.pin", 0, 1)).ok());
  std::optional<int64_t> committed = Committed("u.pin", 0);
  EXPECT_TRUE(!committed.has_value() || *committed <= 1) << *committed;
  gated.Release(ObjectKey("u.pin", 0, 1));
  drain.join();
  ASSERT_THAT(drained, IsOk());
  EXPECT_EQ(checking.bad_commits.load(), 0) << "a commit passed a put still in flight";
  EXPECT_GT(checking.commits.load(), 0);
  EXPECT_THAT(Committed("u.pin", 0), Optional(6));
  EXPECT_EQ(StoredLines("u.pin", 0), values);
}

// A put that fails while later ones succeed is retried; nothing is lost or duplicated, and
// no commit passes it before its retry lands. Both ways a put fails: before writing, and
// after (the reply was lost).
TEST_F(SinkTest, AFailedPutAmongSeveralInFlightIsRetriedAndNothingIsLost) {
  for (bool after_write : {false, true}) {
    SCOPED_TRACE(after_write ? "the put happened, its reply was lost" : "the put failed");
    const std::string topic = after_write ? "u.after" : "u.before";
    ASSERT_THAT(log_->CreateTopic(topic, {.partitions = 2}), IsOk());
    for (int32_t p = 0; p < 2; p++) {
      std::vector<std::string> values;
      for (int i = 0; i < 40; i++) values.push_back(Value(topic, p, i));
      Produce(topic, p, values);
    }
    GatedObjectStore gated(&store_);
    const std::string failing = ObjectKey(topic, 0, 9);  // flush 3: the object of 9..11
    gated.Hold(failing);
    CheckingLog checking(log_.get(), &store_);
    SinkOptions o = Options(3);
    o.topics_regex = topic;
    o.max_in_flight_puts = 8;
    auto sink = MakeSink(o, &checking, &gated);
    Result<SinkStats> drained = InternalError("not run");
    std::thread drain([&] { drained = sink->Drain(); });
    ASSERT_TRUE(gated.WaitForWaiting(1));
    gated.Release(failing, /*fail=*/true, after_write);
    drain.join();
    ASSERT_THAT(drained, IsOk());
    EXPECT_EQ(drained->retries, 1);
    EXPECT_EQ(checking.bad_commits.load(), 0);
    for (int32_t p = 0; p < 2; p++) {
      EXPECT_EQ(StoredLines(topic, p), TopicValues(topic, p));
      EXPECT_THAT(Committed(topic, p), Optional(40));
    }
    EXPECT_EQ(drained->Total().records, 80);
  }
}

TEST_F(SinkTest, PutsInFlightAreBoundedByCountAndBytes) {
  ASSERT_THAT(log_->CreateTopic("u.pin", {.partitions = 3}), IsOk());
  for (int32_t p = 0; p < 3; p++) {
    std::vector<std::string> values;
    for (int i = 0; i < 60; i++) values.push_back("\"" + std::string(98, 'a' + p) + "\"");
    Produce("u.pin", p, values);  // 101-byte lines: objects of 10 are 1010 bytes
  }
  struct Case {
    int64_t puts, bytes;
    int peak;
  };
  for (const Case& c : {Case{4, 64 << 20, 4}, Case{16, 2500, 2}}) {
    SCOPED_TRACE("max_in_flight_puts " + std::to_string(c.puts) + ", bytes " +
                 std::to_string(c.bytes));
    objstore::MemoryObjectStore store;
    GatedObjectStore gated(&store);
    gated.HoldAll();
    SinkOptions o = Options(10);
    o.name = "bound" + std::to_string(c.puts);
    o.max_in_flight_puts = c.puts;
    o.max_in_flight_bytes = c.bytes;
    auto sink = MakeSink(o, nullptr, &gated);
    Result<SinkStats> drained = InternalError("not run");
    std::thread drain([&] { drained = sink->Drain(); });
    ASSERT_TRUE(gated.WaitForWaiting(c.peak));  // the sink waits for room now
    gated.ReleaseAll();
    drain.join();
    ASSERT_THAT(drained, IsOk());
    EXPECT_EQ(gated.peak(), c.peak);
    EXPECT_EQ(drained->Total().objects, 18);
    for (int32_t p = 0; p < 3; p++) {
      EXPECT_EQ(StoredLines("u.pin", p, nullptr, &store), TopicValues("u.pin", p));
    }
  }
}

TEST_F(SinkTest, RotateIntervalCutsOnRecordTimestamps) {
  ASSERT_THAT(log_->CreateTopic("u.geo", {}), IsOk());
  for (int i = 0; i < 10; i++) Produce("u.geo", 0, {"{\"i\":" + std::to_string(i) + "}"}, i * 10);
  SinkOptions o = Options(1000);
  o.rotate_interval_ms = 25;
  ASSERT_THAT(MakeSink(o)->Drain(/*cut_tails=*/false), IsOk());
  std::vector<int64_t> sizes;
  StoredLines("u.geo", 0, &sizes);
  EXPECT_THAT(sizes, ElementsAre(3, 3, 3));
  EXPECT_THAT(Committed("u.geo", 0), Optional(9));
}

TEST_F(SinkTest, TheByteBoundCutsObjectsDeterministically) {
  ASSERT_THAT(log_->CreateTopic("u.pin", {}), IsOk());
  std::vector<std::string> values;
  for (int i = 0; i < 10; i++) values.push_back("\"" + std::string(8, 'a' + i) + "\"");
  Produce("u.pin", 0, values);  // 11 bytes per line
  SinkOptions o = Options(1000);
  o.max_buffer_bytes = 35;
  ASSERT_THAT(MakeSink(o)->Drain(), IsOk());
  std::vector<int64_t> sizes;
  EXPECT_EQ(StoredLines("u.pin", 0, &sizes), values);
  EXPECT_THAT(sizes, ElementsAre(3, 3, 3, 1));
}

TEST_F(SinkTest, BadRecordsGoToTheDeadLetterTopicWithTheReason) {
  ASSERT_THAT(log_->CreateTopic("u.pin", {}), IsOk());
  Produce("u.pin", 0, {"{\"a\":1}", "not json", "{\"b\":2}", "{\"c\":", "{\"d\":4}"});
  SinkOptions o = Options(2);
  o.errors_tolerance = ErrorsTolerance::kAll;
  auto stats = MakeSink(o)->Drain();
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->topics["u.pin"].dlq_records, 2);
  EXPECT_EQ(stats->topics["u.pin"].records, 3);
  auto all = objstore::ListAll(store_, "");
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].key, ObjectKey("u.pin", 0, 0));
  EXPECT_THAT(store_.Get((*all)[0].key), IsOkAndHolds("{\"a\":1}\n{\"b\":2}\n"));
  EXPECT_EQ((*all)[1].key, ObjectKey("u.pin", 0, 4));
  EXPECT_THAT(Committed("u.pin", 0), Optional(5));

  auto dlq = log_->Read("s3-sink-dlq", 0, 0, 1 << 20);
  ASSERT_THAT(dlq, IsOk());
  ASSERT_EQ(dlq->size(), 2u);
  const log::Record& r = (*dlq)[0].record;
  EXPECT_EQ(r.value, "not json");
  std::map<std::string, std::string> h;
  for (const auto& hd : r.headers) h[hd.key] = hd.value;
  EXPECT_EQ(h["__connect.errors.topic"], "u.pin");
  EXPECT_EQ(h["__connect.errors.partition"], "0");
  EXPECT_EQ(h["__connect.errors.offset"], "1");
  EXPECT_THAT(h["__connect.errors.exception.message"], HasSubstr("not JSON"));
  EXPECT_EQ((*dlq)[1].record.value, "{\"c\":");
}

TEST_F(SinkTest, WithToleranceNoneABadRecordStopsTheSinkAfterWhatCameBefore) {
  ASSERT_THAT(log_->CreateTopic("u.pin", {}), IsOk());
  Produce("u.pin", 0, {"{\"a\":1}", "{\"b\":2}", "{\"c\":3}", "oops", "{\"d\":4}"});
  SinkOptions o = Options(2);
  o.errors_tolerance = ErrorsTolerance::kNone;
  auto sink = MakeSink(o);
  EXPECT_THAT(sink->Drain(), StatusIs(StatusCode::kFailedPrecondition,
                                      HasSubstr("record u.pin/0@3 is not JSON")));
  EXPECT_THAT(Committed("u.pin", 0), Optional(2));
  EXPECT_EQ(StoredLines("u.pin", 0).size(), 2u);
  EXPECT_THAT(log_->DescribeTopic("s3-sink-dlq"), StatusIs(StatusCode::kNotFound));
  // Run stops too, instead of retrying forever.
  std::atomic<bool> stop{false};
  EXPECT_THAT(MakeSink(o)->Run(stop), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(SinkTest, MultiLineValuesAreWrittenOnOneLine) {
  ASSERT_THAT(log_->CreateTopic("u.pin", {}), IsOk());
  Produce("u.pin", 0, {"{\n  \"a\": \"x y\",\r\n  \"b\": [1, 2.50]\n}"});
  ASSERT_THAT(MakeSink(Options())->Drain(), IsOk());
  EXPECT_THAT(store_.Get(ObjectKey("u.pin", 0, 0)), IsOkAndHolds("{\"a\":\"x y\",\"b\":[1,2.50]}\n"));
}

TEST_F(SinkTest, StartsAtTheGroupsCommittedOffset) {
  ASSERT_THAT(log_->CreateTopic("u.pin", {}), IsOk());
  std::vector<std::string> values;
  for (int i = 0; i < 8; i++) values.push_back(std::to_string(i));
  Produce("u.pin", 0, values);
  ASSERT_THAT(log_->CommitOffset("connect-s3-sink", "u.pin", 0, 5), IsOk());
  ASSERT_THAT(MakeSink(Options(10))->Drain(), IsOk());
  auto all = objstore::ListAll(store_, "");
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].key, ObjectKey("u.pin", 0, 5));
  EXPECT_THAT(store_.Get((*all)[0].key), IsOkAndHolds("5\n6\n7\n"));
}

TEST_F(SinkTest, ScheduledRotationCutsOnTheWallClock) {
  ASSERT_THAT(log_->CreateTopic("u.pin", {}), IsOk());
  Produce("u.pin", 0, {"1", "2"});
  SinkOptions o = Options(1000);
  o.rotate_schedule_interval_ms = 60'000;
  auto sink = MakeSink(o);
  ASSERT_THAT(sink->Drain(false), IsOk());
  EXPECT_THAT(objstore::ListAll(store_, ""), IsOkAndHolds(::testing::IsEmpty()));
  ASSERT_THAT(sink->Drain(false), IsOk());  // the same minute: still open
  EXPECT_THAT(objstore::ListAll(store_, ""), IsOkAndHolds(::testing::IsEmpty()));
  clock_.AdvanceMicros(60'000'000);
  ASSERT_THAT(sink->Drain(false), IsOk());
  EXPECT_THAT(store_.Get(ObjectKey("u.pin", 0, 0)), IsOkAndHolds("1\n2\n"));
  EXPECT_THAT(Committed("u.pin", 0), Optional(2));
}

TEST_F(SinkTest, RunPicksUpTopicsCreatedLaterAndStopsOnRequest) {
  ASSERT_THAT(log_->CreateTopic("u.pin", {}), IsOk());
  Produce("u.pin", 0, {"1"});
  SinkOptions o = Options();
  o.topic_refresh_ms = 1000;
  auto sink = MakeSink(o);
  SinkRunner runner(sink.get());
  ASSERT_THAT(runner.Start(), IsOk());
  auto wait_for = [&](const std::string& key) {
    // A safety bound for a hung test, not a timing assertion.
    for (int i = 0; i < 3000 && !store_.Head(key).ok(); i++) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return store_.Head(key).ok();
  };
  EXPECT_TRUE(wait_for(ObjectKey("u.pin", 0, 0)));
  ASSERT_THAT(log_->CreateTopic("u.new", {.partitions = 2}), IsOk());
  Produce("u.new", 1, {"{\"new\":true}"});
  EXPECT_TRUE(wait_for(ObjectKey("u.new", 1, 0)));
  EXPECT_THAT(runner.Stop(), IsOk());
  EXPECT_TRUE(runner.finished());
  EXPECT_THAT(Committed("u.new", 1), Optional(1));
}

TEST_F(SinkTest, MetricsShowCountersAndLag) {
  ASSERT_THAT(log_->CreateTopic("u.pin", {}), IsOk());
  Produce("u.pin", 0, {"1", "22", "333"});
  auto sink = MakeSink(Options());
  ASSERT_THAT(sink->Drain(), IsOk());
  Produce("u.pin", 0, {"4", "5"});
  std::string m = sink->MetricsText();
  EXPECT_THAT(m, HasSubstr("pinpipe_sink_records_total{topic=\"u.pin\"} 3\n"));
  EXPECT_THAT(m, HasSubstr("pinpipe_sink_objects_total{topic=\"u.pin\"} 3\n"));
  EXPECT_THAT(m, HasSubstr("pinpipe_sink_bytes_total{topic=\"u.pin\"} 9\n"));
  EXPECT_THAT(m, HasSubstr("pinpipe_sink_lag{topic=\"u.pin\",partition=\"0\"} 2\n"));
}

TEST(SinkOptionsTest, RefusesUnusableSettings) {
  SinkOptions o;
  o.topics_regex = "u\\..*";
  EXPECT_THAT(Validate(o), IsOk());
  SinkOptions bad = o;
  bad.dlq_topic = "u.dlq";
  EXPECT_THAT(Validate(bad), StatusIs(StatusCode::kInvalidArgument, HasSubstr("matches")));
  bad = o;
  bad.topics_regex = "u(";
  EXPECT_THAT(Validate(bad), StatusIs(StatusCode::kInvalidArgument, HasSubstr("regular expression")));
  bad = o;
  bad.flush_size = 0;
  EXPECT_THAT(Validate(bad), StatusIs(StatusCode::kInvalidArgument, HasSubstr("flush_size")));
  bad = o;
  bad.name = "a/b";
  EXPECT_THAT(Validate(bad), StatusIs(StatusCode::kInvalidArgument));
  ErrorsTolerance t;
  EXPECT_THAT(ParseErrorsTolerance("all", &t), IsOk());
  EXPECT_EQ(t, ErrorsTolerance::kAll);
  EXPECT_THAT(ParseErrorsTolerance("some", &t), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace pinpipe::sink
