#include "objstore/object_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"
#include "objstore/memory_object_store.h"

namespace pinpipe::objstore {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;

TEST(ValidateKeyTest, AcceptsNestedKeys) {
  EXPECT_THAT(ValidateKey("topics/u.pin/partition=0/u.pin+0+0000000000.json"), IsOk());
  EXPECT_THAT(ValidateKey("a"), IsOk());
  EXPECT_THAT(ValidateKey("a/..b/c."), IsOk());
}

TEST(ValidateKeyTest, RefusesKeysThatCouldEscapeTheRoot) {
  for (const std::string& key : std::vector<std::string>{"", "/abs", "a/../b", "..", ".", "a//b", "a/", "a/./b",
                          std::string(1025, 'k'), std::string("a\0b", 3)}) {
    EXPECT_THAT(ValidateKey(key), StatusIs(StatusCode::kInvalidArgument)) << key;
  }
}

TEST(ListAllTest, FollowsEveryPage) {
  MemoryObjectStore store;
  for (int i = 0; i < 2500; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "p/%05d", i);
    ASSERT_THAT(store.Put(key, "x"), IsOk());
  }
  ASSERT_THAT(store.Put("q/other", "x"), IsOk());
  auto all = ListAll(store, "p/");
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 2500u);
  EXPECT_EQ(all->front().key, "p/00000");
  EXPECT_EQ(all->back().key, "p/02499");
}

}  // namespace
}  // namespace pinpipe::objstore
