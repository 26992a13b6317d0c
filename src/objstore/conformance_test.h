// The ObjectStore conformance suite: the contract of object_store.h, asserted on every
// backend. A backend joins by instantiating it with a StoreMaker (see conformance_test.cc):
//
//   INSTANTIATE_TEST_SUITE_P(Memory, ObjectStoreConformanceTest,
//       ::testing::Values(StoreMaker{"memory", [] { return MakeMemoryStore(); }}),
//       StoreMakerName);
//
// Every test gets a fresh, empty store from the maker (for S3: a fresh prefix in one bucket).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/status_matchers.h"
#include "objstore/object_store.h"

namespace pinpipe::objstore::testing {

struct StoreMaker {
  std::string name;  // a gtest-safe identifier
  std::function<Result<std::unique_ptr<ObjectStore>>()> make;
};

inline std::string StoreMakerName(const ::testing::TestParamInfo<StoreMaker>& info) {
  return info.param.name;
}

inline void PrintTo(const StoreMaker& maker, std::ostream* os) { *os << maker.name; }

class ObjectStoreConformanceTest : public ::testing::TestWithParam<StoreMaker> {
 protected:
  void SetUp() override {
    auto store = GetParam().make();
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }
  ObjectStore& store() { return *store_; }
  std::vector<std::string> Keys(std::string_view prefix) {
    std::vector<std::string> keys;
    auto all = ListAll(*store_, prefix);
    EXPECT_TRUE(all.ok()) << all.status();
    if (all.ok()) {
      for (const ObjectInfo& o : *all) keys.push_back(o.key);
    }
    return keys;
  }
  static std::string Bytes(size_t n, uint32_t seed) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) {
      seed = seed * 1103515245u + 12345u;
      s[i] = static_cast<char>(seed >> 23);
    }
    return s;
  }

  std::unique_ptr<ObjectStore> store_;
};

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST_P(ObjectStoreConformanceTest, PutThenGetReturnsTheBytes) {
  const std::string binary("a\0b\xff\n", 5);
  ASSERT_THAT(store().Put("k1", "hello"), IsOk());
  ASSERT_THAT(store().Put("dir/sub/k2", binary), IsOk());
  ASSERT_THAT(store().Put("empty", ""), IsOk());
  EXPECT_THAT(store().Get("k1"), IsOkAndHolds("hello"));
  EXPECT_THAT(store().Get("dir/sub/k2"), IsOkAndHolds(binary));
  EXPECT_THAT(store().Get("empty"), IsOkAndHolds(""));
}

TEST_P(ObjectStoreConformanceTest, PutReplacesTheWholeObject) {
  ASSERT_THAT(store().Put("k", "a long first version"), IsOk());
  ASSERT_THAT(store().Put("k", "v2"), IsOk());
  EXPECT_THAT(store().Get("k"), IsOkAndHolds("v2"));
  EXPECT_THAT(store().Head("k"), IsOkAndHolds(::testing::Field(&ObjectInfo::size, 2u)));
}

TEST_P(ObjectStoreConformanceTest, LargeObjectRoundTrips) {
  // Above the S3 backend's multipart threshold in the suite's configuration.
  const std::string big = Bytes(300 * 1024 + 17, 7);
  ASSERT_THAT(store().Put("big/object.bin", big), IsOk());
  auto got = store().Get("big/object.bin");
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->size(), big.size());
  EXPECT_TRUE(*got == big);
  EXPECT_THAT(store().GetRange("big/object.bin", 100000, 5), IsOkAndHolds(big.substr(100000, 5)));
}

TEST_P(ObjectStoreConformanceTest, MissingObjectsAreNotFound) {
  EXPECT_THAT(store().Get("nope"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store().GetRange("nope", 0, 1), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store().Head("nope"), StatusIs(StatusCode::kNotFound));
  ASSERT_THAT(store().Put("dir/inner", "x"), IsOk());
  EXPECT_THAT(store().Get("dir"), StatusIs(StatusCode::kNotFound));  // a prefix, not an object
  EXPECT_THAT(store().Head("dir"), StatusIs(StatusCode::kNotFound));
}

TEST_P(ObjectStoreConformanceTest, IfAbsentCreatesOnceThenRefuses) {
  ASSERT_THAT(store().Put("_delta_log/00000000000000000000.json", "v0", {.if_absent = true}),
              IsOk());
  EXPECT_THAT(store().Put("_delta_log/00000000000000000000.json", "other", {.if_absent = true}),
              StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(store().Get("_delta_log/00000000000000000000.json"), IsOkAndHolds("v0"));
  // A plain put still replaces.
  ASSERT_THAT(store().Put("_delta_log/00000000000000000000.json", "v1"), IsOk());
  EXPECT_THAT(store().Get("_delta_log/00000000000000000000.json"), IsOkAndHolds("v1"));
}

TEST_P(ObjectStoreConformanceTest, OfRacingIfAbsentPutsExactlyOneWins) {
  constexpr int kWriters = 6;
  std::atomic<int> won{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      Status s =
          store().Put("commit/00001.json", "writer " + std::to_string(t), {.if_absent = true});
      if (s.ok()) {
        ++won;
      } else if (s.code() == StatusCode::kAlreadyExists) {
        ++refused;
      } else {
        ADD_FAILURE() << s;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(refused.load(), kWriters - 1);
  auto body = store().Get("commit/00001.json");
  ASSERT_THAT(body, IsOk());
  EXPECT_THAT(*body, ::testing::StartsWith("writer "));
}

TEST_P(ObjectStoreConformanceTest, GetRangeClipsToTheEnd) {
  ASSERT_THAT(store().Put("r", "0123456789"), IsOk());
  EXPECT_THAT(store().GetRange("r", 2, 3), IsOkAndHolds("234"));
  EXPECT_THAT(store().GetRange("r", 0, 10), IsOkAndHolds("0123456789"));
  EXPECT_THAT(store().GetRange("r", 7, 100), IsOkAndHolds("789"));
  EXPECT_THAT(store().GetRange("r", 10, 5), IsOkAndHolds(""));
  EXPECT_THAT(store().GetRange("r", 1000, 5), IsOkAndHolds(""));
  EXPECT_THAT(store().GetRange("r", 3, 0), IsOkAndHolds(""));
}

TEST_P(ObjectStoreConformanceTest, HeadGivesSizeAndModificationTime) {
  const int64_t before_ms = Clock::Real()->NowMicros() / 1000;
  ASSERT_THAT(store().Put("h/obj", std::string(1234, 'x')), IsOk());
  auto info = store().Head("h/obj");
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->key, "h/obj");
  EXPECT_EQ(info->size, 1234u);
  // Stores keep seconds (S3's Last-Modified): a wide window, not a timing threshold.
  EXPECT_GE(info->mtime_ms, before_ms - 5 * 60 * 1000);
  EXPECT_LE(info->mtime_ms, Clock::Real()->NowMicros() / 1000 + 5 * 60 * 1000);
}

TEST_P(ObjectStoreConformanceTest, ListIsInKeyOrderAndFiltersByPrefix) {
  // The sink's layout, plus neighbours that sort around it.
  const std::vector<std::string> keys = {
      "topics/u.pin/partition=0/u.pin+0+0000000003.json",
      "topics/u.pin/partition=0/u.pin+0+0000000000.json",
      "topics/u.pin/partition=1/u.pin+1+0000000000.json",
      "topics/u.geo/partition=0/u.geo+0+0000000000.json",
      "topics/u.pin.extra",
      "topics/u.pin-x/a",
      "z",
      "a b/c d",
  };
  for (const std::string& k : keys) ASSERT_THAT(store().Put(k, k), IsOk()) << k;
  EXPECT_THAT(Keys("topics/u.pin/"),
              ElementsAre("topics/u.pin/partition=0/u.pin+0+0000000000.json",
                          "topics/u.pin/partition=0/u.pin+0+0000000003.json",
                          "topics/u.pin/partition=1/u.pin+1+0000000000.json"));
  EXPECT_THAT(Keys("topics/u.pin"),
              ElementsAre("topics/u.pin-x/a", "topics/u.pin.extra",
                          "topics/u.pin/partition=0/u.pin+0+0000000000.json",
                          "topics/u.pin/partition=0/u.pin+0+0000000003.json",
                          "topics/u.pin/partition=1/u.pin+1+0000000000.json"));
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(Keys(""), sorted);
  EXPECT_THAT(Keys("nothing/"), ElementsAre());
  auto all = ListAll(store(), "a b/");
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].size, std::string("a b/c d").size());
  EXPECT_THAT(store().Get("a b/c d"), IsOkAndHolds("a b/c d"));
}

TEST_P(ObjectStoreConformanceTest, ListPagesFollowTheirTokens) {
  std::vector<std::string> keys;
  for (int i = 0; i < 7; ++i) {
    keys.push_back("p/" + std::to_string(i) + (i % 2 ? "/nested" : ""));
    ASSERT_THAT(store().Put(keys.back(), "x"), IsOk());
  }
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = store().List("p/", token, 3);
    ASSERT_THAT(page, IsOk());
    EXPECT_LE(page->objects.size(), 3u);
    for (const ObjectInfo& o : page->objects) seen.push_back(o.key);
    token = page->next;
    ASSERT_LT(++pages, 10) << "pagination does not end";
  } while (!token.empty());
  EXPECT_EQ(seen, keys);
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(store().List("p/", {}, 0), StatusIs(StatusCode::kInvalidArgument));
}

TEST_P(ObjectStoreConformanceTest, DeleteRemovesAndMissingIsFine) {
  ASSERT_THAT(store().Put("d/1", "x"), IsOk());
  ASSERT_THAT(store().Put("d/2", "y"), IsOk());
  ASSERT_THAT(store().Delete("d/1"), IsOk());
  EXPECT_THAT(store().Get("d/1"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(Keys("d/"), ElementsAre("d/2"));
  EXPECT_THAT(store().Delete("d/1"), IsOk());
  EXPECT_THAT(store().Delete("never/was"), IsOk());
}

TEST_P(ObjectStoreConformanceTest, InvalidKeysAreRefusedBeforeAnyIo) {
  for (std::string key : {"", "/abs", "../escape", "a/../../b", "a//b", "./a", "a/.", "x/"}) {
    EXPECT_THAT(store().Put(key, "x"), StatusIs(StatusCode::kInvalidArgument)) << key;
    EXPECT_THAT(store().Get(key), StatusIs(StatusCode::kInvalidArgument)) << key;
    EXPECT_THAT(store().GetRange(key, 0, 1), StatusIs(StatusCode::kInvalidArgument)) << key;
    EXPECT_THAT(store().Head(key), StatusIs(StatusCode::kInvalidArgument)) << key;
    EXPECT_THAT(store().Delete(key), StatusIs(StatusCode::kInvalidArgument)) << key;
  }
  EXPECT_THAT(store().Put(std::string("nul\0byte", 8), "x"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Keys(""), ElementsAre());
}

TEST_P(ObjectStoreConformanceTest, ConcurrentWritersAndReaders) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string key = "c/" + std::to_string(t) + "/" + std::to_string(i);
        ASSERT_THAT(store().Put(key, key), IsOk());
        ASSERT_THAT(store().Get(key), IsOkAndHolds(key));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(Keys("c/").size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST_P(ObjectStoreConformanceTest, UrlNamesTheStore) {
  EXPECT_THAT(store().Url(), ::testing::MatchesRegex("(file|mem|s3)://.+"));
}

}  // namespace pinpipe::objstore::testing
