#include "log/topic_log_behavior_test.h"

#include <future>
#include <random>
#include <set>

#include <gmock/gmock.h>

#include "base/status_matchers.h"
#include "log/partitioner.h"

namespace pinpipe::log {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

TEST_P(TopicLogBehaviorTest, CreateListDescribeDelete) {
  ASSERT_THAT(log()->CreateTopic("b.pin", {.partitions = 3}), IsOk());
  ASSERT_THAT(log()->CreateTopic("a-geo_1", {}), IsOk());
  EXPECT_THAT(log()->CreateTopic("a-geo_1", {}), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(log()->ListTopics(), IsOkAndHolds(ElementsAre("a-geo_1", "b.pin")));
  auto d = log()->DescribeTopic("b.pin");
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->name, "b.pin");
  EXPECT_EQ(d->config.partitions, 3);
  ASSERT_EQ(d->partitions.size(), 3u);
  EXPECT_EQ(d->partitions[2].partition, 2);
  EXPECT_EQ(d->partitions[2].end_offset, 0);
  EXPECT_THAT(log()->PartitionCount("b.pin"), IsOkAndHolds(3));
  EXPECT_THAT(log()->PartitionCount("a-geo_1"), IsOkAndHolds(1));
  ASSERT_THAT(log()->DeleteTopic("b.pin"), IsOk());
  EXPECT_THAT(log()->DescribeTopic("b.pin"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(log()->PartitionCount("b.pin"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(log()->DeleteTopic("b.pin"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(log()->ListTopics(), IsOkAndHolds(ElementsAre("a-geo_1")));
}

// Waits for an asynchronous append's answer.
template <typename Start>
Result<std::vector<RecordPosition>> AwaitAppend(Start start) {
  std::promise<Result<std::vector<RecordPosition>>> promise;
  auto future = promise.get_future();
  start([&promise](Result<std::vector<RecordPosition>> r) { promise.set_value(std::move(r)); });
  return future.get();
}

EncodedBatch Encoded(std::initializer_list<std::pair<const char*, const char*>> kvs) {
  BatchBuilder b;
  for (const auto& [k, v] : kvs) {
    b.Add(k ? std::optional<std::string_view>(k) : std::nullopt, v);
  }
  auto batch = std::move(b).Finish();
  EXPECT_THAT(batch, IsOk());
  return batch.ok() ? std::move(batch).value() : EncodedBatch{};
}

TEST_P(TopicLogBehaviorTest, EncodedBatchesReadBackAsTheirRecords) {
  ASSERT_THAT(log()->CreateTopic("t", {.partitions = 3}), IsOk());
  ASSERT_THAT(log()->CreateTopic("one", {}), IsOk());
  // Interleaved with ordinary appends on the same partition: offsets stay dense.
  ASSERT_THAT(log()->Append("t", PartitionChoice::Explicit(1), Keyed({{nullptr, "first"}})),
              IsOk());
  auto pos = AwaitAppend([&](auto done) {
    log()->AppendEncodedAsync("t", 1, Encoded({{"k", "{\"a\":1}"}, {nullptr, ""}}), done);
  });
  EXPECT_THAT(pos, IsOkAndHolds(ElementsAre(RecordPosition{1, 1}, RecordPosition{1, 2})));
  ASSERT_THAT(log()->Append("t", PartitionChoice::Explicit(1), Keyed({{"z", "last"}})), IsOk());
  auto got = log()->Read("t", 1, 0, 1 << 20);
  ASSERT_THAT(got, IsOk());
  ASSERT_EQ(got->size(), 4u);
  EXPECT_EQ((*got)[0].record.value, "first");
  EXPECT_EQ((*got)[1].offset, 1);
  EXPECT_EQ((*got)[1].record.key, std::optional<std::string>("k"));
  EXPECT_EQ((*got)[1].record.value, "{\"a\":1}");
  EXPECT_GT((*got)[1].record.timestamp_ms, 0);  // stamped by the log
  EXPECT_TRUE((*got)[1].record.headers.empty());
  EXPECT_EQ((*got)[2].record.key, std::nullopt);
  EXPECT_EQ((*got)[2].record.value, "");
  EXPECT_EQ((*got)[2].record.timestamp_ms, (*got)[1].record.timestamp_ms);
  EXPECT_EQ((*got)[3].offset, 3);
  EXPECT_EQ((*got)[3].record.value, "last");

  // Without a partition: all records together, round-robin.
  std::set<int32_t> used;
  for (int i = 0; i < 6; ++i) {
    auto p = AwaitAppend([&](auto done) {
      log()->AppendEncodedAsync("t", std::nullopt, Encoded({{nullptr, "x"}, {nullptr, "y"}}), done);
    });
    ASSERT_THAT(p, IsOk());
    ASSERT_EQ(p->size(), 2u);
    EXPECT_EQ((*p)[0].partition, (*p)[1].partition);
    EXPECT_EQ((*p)[1].offset, (*p)[0].offset + 1);
    used.insert((*p)[0].partition);
  }
  EXPECT_EQ(used.size(), 3u);
  // Keys do not route: a keyed batch needs a partition, unless the topic has only one.
  EXPECT_THAT(AwaitAppend([&](auto done) {
                log()->AppendEncodedAsync("t", std::nullopt, Encoded({{"k", "v"}}), done);
              }),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(AwaitAppend([&](auto done) {
                log()->AppendEncodedAsync("one", std::nullopt, Encoded({{"k", "v"}}), done);
              }),
              IsOkAndHolds(ElementsAre(RecordPosition{0, 0})));
  EXPECT_THAT(AwaitAppend([&](auto done) {
                log()->AppendEncodedAsync("t", 3, Encoded({{nullptr, "v"}}), done);
              }),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(AwaitAppend([&](auto done) {
                log()->AppendEncodedAsync("nope", 0, Encoded({{nullptr, "v"}}), done);
              }),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(
      AwaitAppend([&](auto done) { log()->AppendEncodedAsync("t", 0, EncodedBatch{}, done); }),
      StatusIs(StatusCode::kInvalidArgument));
}

TEST_P(TopicLogBehaviorTest, NamesFollowKafkasRule) {
  for (const char* bad : {"", ".", "..", "../x", "a/b", "a b", "tópic", "x\n"}) {
    EXPECT_THAT(log()->CreateTopic(bad, {}), StatusIs(StatusCode::kInvalidArgument)) << bad;
    EXPECT_THAT(log()->Append(bad, PartitionChoice::Explicit(0), Keyed({{nullptr, "v"}})),
                StatusIs(StatusCode::kInvalidArgument));
  }
  EXPECT_THAT(log()->CreateTopic(std::string(250, 'a'), {}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(log()->CreateTopic(std::string(249, 'a'), {}), IsOk());
  EXPECT_THAT(log()->CreateTopic("t", {.partitions = 0}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(log()->CommitOffset("../g", "t", 0, 1), StatusIs(StatusCode::kInvalidArgument));
}

TEST_P(TopicLogBehaviorTest, AppendReadAndTheirErrors) {
  ASSERT_THAT(log()->CreateTopic("t", {.partitions = 2}), IsOk());
  std::vector<Record> records = Keyed({{"k", "a"}, {nullptr, "b"}});
  records[0].headers = {{"h", "x"}};
  records[0].timestamp_ms = 1234;
  auto pos = log()->Append("t", PartitionChoice::Explicit(1), records);
  EXPECT_THAT(pos, IsOkAndHolds(ElementsAre(RecordPosition{1, 0}, RecordPosition{1, 1})));
  auto got = log()->Read("t", 1, 0, 1 << 20);
  ASSERT_THAT(got, IsOk());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].record, records[0]);
  EXPECT_EQ((*got)[1].offset, 1);
  EXPECT_EQ((*got)[1].record.key, std::nullopt);
  EXPECT_GE((*got)[1].record.timestamp_ms, 0);       // stamped by the log
  EXPECT_EQ(log()->Read("t", 1, 0, 1)->size(), 1u);  // at least one record
  EXPECT_THAT(log()->Read("t", 1, 2, 100), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(log()->Read("t", 0, 0, 100), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(log()->Read("t", 2, 0, 100), StatusIs(StatusCode::kNotFound, HasSubstr("partition")));
  EXPECT_THAT(log()->Read("t", 1, 3, 100), StatusIs(StatusCode::kOutOfRange));
  EXPECT_THAT(log()->Read("nope", 0, 0, 100), StatusIs(StatusCode::kNotFound, HasSubstr("topic")));
  EXPECT_THAT(log()->Append("nope", PartitionChoice::ByKey(), records),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(log()->Append("t", PartitionChoice::Explicit(-1), records),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(log()->Append("t", PartitionChoice::ByKey(), {}),
              StatusIs(StatusCode::kInvalidArgument));
  auto offsets = log()->GetOffsets("t", 1);
  ASSERT_THAT(offsets, IsOk());
  EXPECT_EQ(offsets->start_offset, 0);
  EXPECT_EQ(offsets->end_offset, 2);
}

// ReadViews (the backend's, and TopicLog's copying default) shows exactly what Read returns,
// across batches, segments and max_bytes cuts, through one reused RecordViews; every value is
// followed by RecordViews::kPadding readable bytes (ASan builds check the reads below).
TEST_P(TopicLogBehaviorTest, ReadViewsShowWhatReadReturns) {
  ASSERT_THAT(log()->CreateTopic("v", {.partitions = 1, .segment_bytes = 64 << 10}), IsOk());
  std::mt19937 rng(7);
  auto text = [&rng](size_t n) {
    std::string s(n, 'x');
    for (char& c : s) c = static_cast<char>('a' + rng() % 26);
    return s;
  };
  int64_t end = 0;
  for (int b = 0; b < 60; ++b) {
    std::vector<Record> batch(1 + rng() % 9);
    for (Record& r : batch) {
      // Mostly small values; a few larger than a segment or a read-ahead chunk.
      const size_t n = rng() % 10 == 0 ? 70'000 + rng() % 300'000 : rng() % 700;
      r.value = text(n);
      if (rng() % 3 == 0) r.key = text(rng() % 20);
      if (rng() % 4 == 0) r.headers = {{"h", text(5)}, {"g", ""}};
      r.timestamp_ms = 1000 + b;
    }
    ASSERT_THAT(log()->Append("v", PartitionChoice::Explicit(0), batch), IsOk());
    end += static_cast<int64_t>(batch.size());
  }
  RecordViews views;
  auto check = [&](bool default_impl, int64_t offset, size_t max_bytes) {
    SCOPED_TRACE("offset " + std::to_string(offset) + " max_bytes " + std::to_string(max_bytes) +
                 (default_impl ? " (default)" : ""));
    auto want = log()->Read("v", 0, offset, max_bytes);
    ASSERT_THAT(want, IsOk());
    Status got = default_impl ? log()->TopicLog::ReadViews("v", 0, offset, max_bytes, &views)
                              : log()->ReadViews("v", 0, offset, max_bytes, &views);
    ASSERT_THAT(got, IsOk());
    ASSERT_EQ(views.size(), want->size());
    for (size_t i = 0; i < want->size(); ++i) {
      const StoredRecord& w = (*want)[i];
      const RecordView& v = views.records()[i];
      EXPECT_EQ(v.offset, w.offset);
      EXPECT_EQ(v.timestamp_ms, w.record.timestamp_ms);
      EXPECT_EQ(v.has_key, w.record.key.has_value());
      if (w.record.key) {
        EXPECT_EQ(v.key, *w.record.key);
      }
      EXPECT_EQ(v.value, w.record.value);
      EXPECT_EQ(v.header_count, w.record.headers.size());
      volatile char sink = 0;
      for (size_t j = 0; j < RecordViews::kPadding; ++j)
        sink = sink ^ v.value.data()[v.value.size() + j];
    }
  };
  for (bool default_impl : {false, true}) {
    for (int i = 0; i < 150; ++i) {
      const int64_t offset = static_cast<int64_t>(rng() % static_cast<uint64_t>(end + 1));
      const size_t max_bytes = i % 5 == 0 ? 1 : 1 + rng() % (1 << 20);
      check(default_impl, offset, max_bytes);
    }
    check(default_impl, 0, SIZE_MAX / 2);  // everything, in one read
  }
  EXPECT_THAT(log()->ReadViews("v", 0, end + 1, 100, &views), StatusIs(StatusCode::kOutOfRange));
  EXPECT_THAT(log()->ReadViews("v", 1, 0, 100, &views), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(log()->ReadViews("nope", 0, 0, 100, &views), StatusIs(StatusCode::kNotFound));
}

TEST_P(TopicLogBehaviorTest, KeysPickPartitionsLikeKafkaAndKeylessRoundRobin) {
  ASSERT_THAT(log()->CreateTopic("t", {.partitions = 4}), IsOk());
  auto pos = log()->Append("t", PartitionChoice::ByKey(),
                           Keyed({{"alpha", "1"}, {"beta", "2"}, {"alpha", "3"}}));
  ASSERT_THAT(pos, IsOk());
  EXPECT_EQ((*pos)[0].partition, PartitionForKey("alpha", 4));
  EXPECT_EQ((*pos)[1].partition, PartitionForKey("beta", 4));
  EXPECT_EQ((*pos)[2].partition, (*pos)[0].partition);
  // Records of one partition keep their request order, densely.
  const bool shared = (*pos)[1].partition == (*pos)[0].partition;
  EXPECT_EQ((*pos)[2].offset, (*pos)[0].offset + (shared ? 2 : 1));
  std::set<int32_t> keyless;
  for (int i = 0; i < 4; ++i) {
    auto p = log()->Append("t", PartitionChoice::ByKey(), Keyed({{nullptr, "x"}, {nullptr, "y"}}));
    ASSERT_THAT(p, IsOk());
    EXPECT_EQ((*p)[0].partition, (*p)[1].partition);  // one keyless request stays together
    keyless.insert((*p)[0].partition);
  }
  EXPECT_EQ(keyless.size(), 4u);
}

TEST_P(TopicLogBehaviorTest, ConsumerGroupOffsets) {
  ASSERT_THAT(log()->CreateTopic("t", {.partitions = 2}), IsOk());
  EXPECT_THAT(log()->FetchCommitted("sink", "t", 0), IsOkAndHolds(std::nullopt));
  EXPECT_THAT(log()->ListGroups(), IsOkAndHolds(IsEmpty()));
  ASSERT_THAT(log()->CommitOffset("sink", "t", 0, 7), IsOk());
  std::vector<GroupOffset> both = {{"t", 0, 9}, {"t", 1, 3}};
  ASSERT_THAT(log()->CommitOffsets("sink", both), IsOk());
  ASSERT_THAT(log()->CommitOffset("stream", "t", 0, 1), IsOk());
  EXPECT_THAT(log()->FetchCommitted("sink", "t", 0), IsOkAndHolds(Optional(9)));
  EXPECT_THAT(log()->FetchCommitted("sink", "t", 1), IsOkAndHolds(Optional(3)));
  EXPECT_THAT(log()->FetchCommitted("stream", "t", 1), IsOkAndHolds(std::nullopt));
  EXPECT_THAT(log()->ListGroups(), IsOkAndHolds(ElementsAre("sink", "stream")));
  auto group = log()->FetchGroup("sink");
  ASSERT_THAT(group, IsOk());
  ASSERT_EQ(group->size(), 2u);
  EXPECT_EQ((*group)[1].partition, 1);
  EXPECT_THAT(log()->FetchGroup("nobody"), StatusIs(StatusCode::kNotFound));
}

}  // namespace
}  // namespace pinpipe::log
