// FaultyObjectStore and SlowObjectStore, the decorators the sink's tests use.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/status_matchers.h"
#include "objstore/faulty_object_store.h"
#include "objstore/memory_object_store.h"
#include "objstore/slow_object_store.h"

namespace pinpipe::objstore {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::HasSubstr;

TEST(FaultyObjectStoreTest, FailsTheNthPutOnceAndWritesNothing) {
  MemoryObjectStore base;
  FaultyObjectStore store(&base);
  store.FailNthPut(2);
  EXPECT_THAT(store.Put("a", "1"), IsOk());
  EXPECT_THAT(store.Put("b", "2"), StatusIs(StatusCode::kUnavailable, HasSubstr("put #2")));
  EXPECT_THAT(base.Get("b"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store.Put("b", "2"), IsOk());  // the retry succeeds
  EXPECT_THAT(base.Get("b"), IsOkAndHolds("2"));
  EXPECT_EQ(store.put_count(), 3);
  EXPECT_EQ(store.failed_put_count(), 1);
}

TEST(FaultyObjectStoreTest, FailAfterPutWritesThenReportsFailure) {
  MemoryObjectStore base;
  FaultyObjectStore store(&base);
  store.SetFailAfterPut(true);
  store.FailNthPut(1);
  EXPECT_THAT(store.Put("a", "1"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(base.Get("a"), IsOkAndHolds("1"));
}

TEST(FaultyObjectStoreTest, FailsTheNthGetOrRange) {
  MemoryObjectStore base;
  ASSERT_THAT(base.Put("a", "hello"), IsOk());
  FaultyObjectStore store(&base);
  store.FailNthGet(2);
  EXPECT_THAT(store.Get("a"), IsOkAndHolds("hello"));
  EXPECT_THAT(store.GetRange("a", 1, 2), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(store.GetRange("a", 1, 2), IsOkAndHolds("el"));
  EXPECT_EQ(store.failed_get_count(), 1);
}

TEST(FaultyObjectStoreTest, RandomFailuresAreReproducibleFromTheSeed) {
  auto run = [](uint64_t seed) {
    MemoryObjectStore base;
    FaultyObjectStore store(&base);
    store.FailPutsWithProbability(0.3, seed);
    std::string pattern;
    for (int i = 0; i < 200; ++i) pattern += store.Put("k", "v").ok() ? '.' : 'x';
    return pattern;
  };
  const std::string a = run(42);
  EXPECT_EQ(a, run(42));
  EXPECT_NE(a, run(43));
  const auto failures = std::count(a.begin(), a.end(), 'x');
  EXPECT_GT(failures, 20);  // about 60 expected; both bounds are far out
  EXPECT_LT(failures, 120);
}

TEST(SlowObjectStoreTest, EachCallWaitsItsLatencyOnTheClock) {
  MemoryObjectStore base;
  FakeClock clock(0);
  SlowObjectStore store(
      &base, &clock,
      {.put_micros = 1000, .get_micros = 200, .list_micros = 50, .delete_micros = 7});
  ASSERT_THAT(store.Put("a", "1"), IsOk());
  EXPECT_EQ(clock.NowMicros(), 1000);
  EXPECT_THAT(store.Get("a"), IsOkAndHolds("1"));
  ASSERT_THAT(store.Head("a"), IsOk());
  EXPECT_EQ(clock.NowMicros(), 1400);
  ASSERT_THAT(store.List(""), IsOk());
  ASSERT_THAT(store.Delete("a"), IsOk());
  EXPECT_EQ(clock.NowMicros(), 1457);
  store.SetLatency({});
  ASSERT_THAT(store.Put("b", "2"), IsOk());
  EXPECT_EQ(clock.NowMicros(), 1457);
  EXPECT_EQ(store.Url(), base.Url());
}

}  // namespace
}  // namespace pinpipe::objstore
