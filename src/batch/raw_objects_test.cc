#include "batch/raw_objects.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"
#include "objstore/memory_object_store.h"

namespace pinpipe::batch {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;

TEST(SinkKeyTest, RoundTrips) {
  std::string key = SinkKey("0a1b.pin", 3, 1234);
  EXPECT_EQ(key, "topics/0a1b.pin/partition=3/0a1b.pin+3+0000001234.json");
  std::optional<RawObject> parsed = ParseSinkKey(key);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->topic, "0a1b.pin");
  EXPECT_EQ(parsed->partition, 3);
  EXPECT_EQ(parsed->start_offset, 1234);
}

TEST(SinkKeyTest, TopicsWithPlusSignsParse) {
  std::optional<RawObject> parsed = ParseSinkKey(SinkKey("a+b", 0, 7));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->topic, "a+b");
  EXPECT_EQ(parsed->start_offset, 7);
}

TEST(SinkKeyTest, RefusesOtherKeys) {
  for (std::string_view key :
       {"topics/t/partition=0/t+0+0000000001.json.tmp", "topics/t/partition=0/t+0+1.json",
        "topics/t/partition=x/t+x+0000000001.json", "topics/t/partition=0/u+0+0000000001.json",
        "topics/t/partition=0/t+1+0000000001.json", "other/t/partition=0/t+0+0000000001.json",
        "topics/t/partition=-1/t+-1+0000000001.json"}) {
    EXPECT_FALSE(ParseSinkKey(key).has_value()) << key;
  }
}

TEST(ListRawObjectsTest, OrdersByPartitionThenOffsetAndSkipsProcessed) {
  objstore::MemoryObjectStore store;
  for (auto [p, o] : std::vector<std::pair<int, int>>{{1, 0}, {0, 10}, {0, 0}, {1, 5}, {0, 20}}) {
    ASSERT_THAT(store.Put(SinkKey("t", p, o), "{}\n"), IsOk());
  }
  ASSERT_THAT(store.Put(SinkKey("t2", 0, 0), "{}\n"), IsOk());  // another topic
  ASSERT_THAT(store.Put("topics/t/partition=0/stray.txt", "x"), IsOk());
  auto objects = ListRawObjects(store, "t", {{0, 10}});
  ASSERT_THAT(objects, IsOk());
  std::vector<std::string> keys;
  for (const RawObject& o : *objects) keys.push_back(o.key);
  EXPECT_THAT(keys, ElementsAre(SinkKey("t", 0, 10), SinkKey("t", 0, 20), SinkKey("t", 1, 0),
                                SinkKey("t", 1, 5)));
  EXPECT_EQ(objects->front().size, 3u);
}

TEST(FetchInOrderTest, HandsObjectsOverInListOrder) {
  objstore::MemoryObjectStore store;
  std::vector<RawObject> objects;
  for (int i = 0; i < 500; ++i) {
    ASSERT_THAT(store.Put(SinkKey("t", 0, i), std::to_string(i)), IsOk());
    objects.push_back(*ParseSinkKey(SinkKey("t", 0, i)));
  }
  for (int threads : {1, 3, 16}) {
    int expected = 0;
    Status status = FetchInOrder(store, objects, threads, [&](const RawObject& o, std::string b) {
      EXPECT_EQ(o.start_offset, expected);
      EXPECT_EQ(b, std::to_string(expected));
      ++expected;
      return Status::OK();
    });
    EXPECT_THAT(status, IsOk());
    EXPECT_EQ(expected, 500) << threads;
  }
}

TEST(FetchInOrderTest, StopsAtTheFirstError) {
  objstore::MemoryObjectStore store;
  std::vector<RawObject> objects;
  for (int i = 0; i < 50; ++i) {
    if (i != 20) ASSERT_THAT(store.Put(SinkKey("t", 0, i), "x"), IsOk());
    objects.push_back(*ParseSinkKey(SinkKey("t", 0, i)));
  }
  int seen = 0;
  Status status = FetchInOrder(store, objects, 4, [&](const RawObject&, std::string) {
    ++seen;
    return Status::OK();
  });
  EXPECT_THAT(status, StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(seen, 20);
  seen = 0;
  status = FetchInOrder(store, std::span(objects).first(10), 4,
                        [&](const RawObject&, std::string) {
                          return ++seen == 5 ? InternalError("consumer failed") : Status::OK();
                        });
  EXPECT_THAT(status, StatusIs(StatusCode::kInternal));
  EXPECT_EQ(seen, 5);
}

}  // namespace
}  // namespace pinpipe::batch
