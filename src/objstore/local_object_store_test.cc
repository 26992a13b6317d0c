// What the directory backend promises beyond the conformance suite: crash safety (over the
// fault-injecting FileSystem), invisible temp files, and the limits of a directory tree.
#include "objstore/local_object_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"
#include "io/fault_injection_file_system.h"
#include "io/mem_file_system.h"

namespace pinpipe::objstore {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class LocalObjectStoreTest : public ::testing::Test {
 protected:
  LocalObjectStoreTest() : fault_(&mem_) {}
  std::unique_ptr<LocalObjectStore> Open() {
    auto store = LocalObjectStore::Open(&fault_, "/data/lake");
    EXPECT_THAT(store, IsOk());
    return store.ok() ? std::move(*store) : nullptr;
  }
  // Power loss: everything not synced is gone; the store is reopened.
  std::unique_ptr<LocalObjectStore> Crash(std::unique_ptr<LocalObjectStore> store) {
    store.reset();
    EXPECT_THAT(fault_.DropUnsyncedData(), IsOk());
    return Open();
  }
  std::vector<std::string> Keys(ObjectStore& s) {
    std::vector<std::string> keys;
    auto all = ListAll(s, "");
    EXPECT_THAT(all, IsOk());
    if (all.ok()) {
      for (const auto& o : *all) keys.push_back(o.key);
    }
    return keys;
  }
  io::MemFileSystem mem_;
  io::FaultInjectionFileSystem fault_;
};

TEST_F(LocalObjectStoreTest, AcknowledgedPutsSurvivePowerLoss) {
  auto store = Open();
  ASSERT_THAT(store->Put("topics/t/partition=0/t+0+0000000000.json", "r1\n"), IsOk());
  ASSERT_THAT(store->Put("_delta_log/0.json", "c0", {.if_absent = true}), IsOk());
  ASSERT_THAT(store->Put("topics/t/partition=0/t+0+0000000000.json", "r1\nr2\n"), IsOk());
  store = Crash(std::move(store));
  EXPECT_THAT(store->Get("topics/t/partition=0/t+0+0000000000.json"), IsOkAndHolds("r1\nr2\n"));
  EXPECT_THAT(store->Get("_delta_log/0.json"), IsOkAndHolds("c0"));
}

TEST_F(LocalObjectStoreTest, AFailedPutLeavesTheOldObjectWhole) {
  auto store = Open();
  ASSERT_THAT(store->Put("k", "old"), IsOk());
  for (int nth = 1; nth <= 3; ++nth) {
    fault_.FailNthSync(nth);  // the data sync, the directory sync, ...
    Status s = store->Put("k", "new-and-longer");
    store = Crash(std::move(store));
    auto got = store->Get("k");
    ASSERT_THAT(got, IsOk());
    if (s.ok()) {
      EXPECT_EQ(*got, "new-and-longer");
      ASSERT_THAT(store->Put("k", "old"), IsOk());
    } else {
      EXPECT_THAT(s, StatusIs(StatusCode::kIOError));
      EXPECT_THAT(*got, ::testing::AnyOf("old", "new-and-longer")) << "never a part";
    }
  }
}

TEST_F(LocalObjectStoreTest, TempFilesAreNeverListedAndTheirNameIsReserved) {
  auto store = Open();
  ASSERT_THAT(store->Put("a", "x"), IsOk());
  // A writer that died between writing its temp file and renaming it.
  auto stray = mem_.NewWritableFile("/data/lake/.pinpipe-tmp/dead-writer");
  ASSERT_THAT(stray, IsOk());
  ASSERT_THAT((*stray)->Append("partial"), IsOk());
  EXPECT_THAT(Keys(*store), ElementsAre("a"));
  EXPECT_THAT(store->Put(".pinpipe-tmp/x", "x"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("reserved")));
  EXPECT_THAT(store->Get(".pinpipe-tmp/dead-writer"), StatusIs(StatusCode::kInvalidArgument));
  // Successful puts leave no temp file behind.
  ASSERT_THAT(store->Put("b", "y", {.if_absent = true}), IsOk());
  EXPECT_THAT(store->Put("b", "z", {.if_absent = true}), StatusIs(StatusCode::kAlreadyExists));
  auto temps = mem_.GetChildren("/data/lake/.pinpipe-tmp");
  ASSERT_THAT(temps, IsOk());
  EXPECT_THAT(*temps, ElementsAre("dead-writer"));
}

TEST_F(LocalObjectStoreTest, AKeyCannotBeBothAnObjectAndADirectory) {
  auto store = Open();
  ASSERT_THAT(store->Put("a/b", "x"), IsOk());
  EXPECT_THAT(store->Put("a", "y"), StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_THAT(store->Put("c", "x"), IsOk());
  EXPECT_THAT(store->Put("c/d", "y"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(Keys(*store), ElementsAre("a/b", "c"));
}

TEST_F(LocalObjectStoreTest, OpenCreatesTheRootAndRefusesRelativePaths) {
  auto store = Open();
  EXPECT_TRUE(mem_.FileExists("/data/lake/.pinpipe-tmp"));
  EXPECT_EQ(store->Url(), "file:///data/lake");
  EXPECT_THAT(LocalObjectStore::Open(&mem_, "relative/lake"),
              StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace pinpipe::objstore
