#include "io/fault_injection_file_system.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"
#include "io/mem_file_system.h"

namespace pinpipe::io {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::HasSubstr;

class FaultFsTest : public ::testing::Test {
 protected:
  FaultFsTest() : fs_(&mem_) {
    EXPECT_THAT(mem_.CreateDir("/d"), IsOk());  // created before: durable
  }
  std::string Read(const std::string& path) {
    std::string out;
    EXPECT_THAT(ReadFileToString(&mem_, path, &out), IsOk());
    return out;
  }
  MemFileSystem mem_;
  FaultInjectionFileSystem fs_;
};

TEST_F(FaultFsTest, DropKeepsSyncedBytesOnly) {
  auto f = fs_.NewWritableFile("/d/a");
  ASSERT_THAT(f, IsOk());
  ASSERT_THAT(fs_.SyncDir("/d"), IsOk());
  ASSERT_THAT((*f)->Append("synced|"), IsOk());
  ASSERT_THAT((*f)->Sync(), IsOk());
  ASSERT_THAT((*f)->Append("lost"), IsOk());
  f->reset();
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_EQ(Read("/d/a"), "synced|");
}

// Preallocated zeros a sync covered survive as zeros; data written over them since does not.
TEST_F(FaultFsTest, SyncedZerosComeBackAsZerosAndUnsyncedOnesVanish) {
  auto f = fs_.NewWritableFile("/d/a");
  ASSERT_THAT(f, IsOk());
  ASSERT_THAT(fs_.SyncDir("/d"), IsOk());
  ASSERT_THAT((*f)->Append("data|"), IsOk());
  ASSERT_THAT((*f)->Preallocate(20), IsOk());
  ASSERT_THAT((*f)->Sync(), IsOk());
  ASSERT_THAT((*f)->Append("lost"), IsOk());   // over the zeros, unsynced
  ASSERT_THAT((*f)->Preallocate(40), IsOk());  // further zeros, unsynced
  EXPECT_EQ(Read("/d/a"), "data|lost" + std::string(31, '\0'));
  EXPECT_EQ(fs_.preallocation_count(), 2);
  f->reset();
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_EQ(Read("/d/a"), "data|" + std::string(15, '\0'));
}

TEST_F(FaultFsTest, CloseCutsPreallocatedZerosAsASync) {
  auto f = fs_.NewWritableFile("/d/a");
  ASSERT_THAT(f, IsOk());
  ASSERT_THAT(fs_.SyncDir("/d"), IsOk());
  ASSERT_THAT((*f)->Append("x"), IsOk());
  ASSERT_THAT((*f)->Preallocate(10), IsOk());
  ASSERT_THAT((*f)->Sync(), IsOk());
  ASSERT_THAT((*f)->Append("y"), IsOk());
  const int64_t syncs = fs_.file_sync_count();
  ASSERT_THAT((*f)->Close(), IsOk());
  EXPECT_EQ(fs_.file_sync_count(), syncs + 1);
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_EQ(Read("/d/a"), "xy");
}

TEST_F(FaultFsTest, ACloseWhoseSyncFailsLeavesTheLastSyncedState) {
  auto f = fs_.NewWritableFile("/d/a");
  ASSERT_THAT(f, IsOk());
  ASSERT_THAT(fs_.SyncDir("/d"), IsOk());
  ASSERT_THAT((*f)->Append("x"), IsOk());
  ASSERT_THAT((*f)->Preallocate(4), IsOk());
  ASSERT_THAT((*f)->Sync(), IsOk());
  ASSERT_THAT((*f)->Append("y"), IsOk());
  fs_.FailNthSync(1);
  EXPECT_THAT((*f)->Close(), StatusIs(StatusCode::kIOError));
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_EQ(Read("/d/a"), std::string("x\0\0\0", 4));
}

TEST_F(FaultFsTest, NewFileWithoutDirSyncVanishes) {
  auto f = fs_.NewWritableFile("/d/a");
  ASSERT_THAT(f, IsOk());
  ASSERT_THAT((*f)->Append("data"), IsOk());
  ASSERT_THAT((*f)->Sync(), IsOk());
  f->reset();
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_FALSE(mem_.FileExists("/d/a"));
}

TEST_F(FaultFsTest, NewDirWithoutParentSyncVanishesWithItsFiles) {
  ASSERT_THAT(fs_.CreateDir("/d/sub"), IsOk());
  ASSERT_THAT(fs_.SyncDir("/d/sub"), IsOk());
  ASSERT_THAT(WriteFileAtomically(&fs_, "/d/sub/m", "x"), IsOk());
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_FALSE(mem_.FileExists("/d/sub"));
}

TEST_F(FaultFsTest, UnsyncedRenameRevertsToOldContents) {
  ASSERT_THAT(WriteFileAtomically(&fs_, "/d/m", "v1"), IsOk());
  {
    auto f = fs_.NewWritableFile("/d/m.tmp");
    ASSERT_THAT(f, IsOk());
    ASSERT_THAT((*f)->Append("v2"), IsOk());
    ASSERT_THAT((*f)->Sync(), IsOk());
  }
  ASSERT_THAT(fs_.RenameFile("/d/m.tmp", "/d/m"), IsOk());  // no SyncDir
  EXPECT_EQ(Read("/d/m"), "v2");
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_EQ(Read("/d/m"), "v1");
  EXPECT_FALSE(mem_.FileExists("/d/m.tmp"));
}

TEST_F(FaultFsTest, LinkSurvivesOnlyAfterDirSync) {
  ASSERT_THAT(WriteFileAtomically(&fs_, "/d/tmp1", "v1"), IsOk());
  ASSERT_THAT(fs_.LinkFile("/d/tmp1", "/d/key"), IsOk());  // no SyncDir
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_FALSE(mem_.FileExists("/d/key"));
  ASSERT_THAT(fs_.LinkFile("/d/tmp1", "/d/key"), IsOk());
  ASSERT_THAT(fs_.SyncDir("/d"), IsOk());
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_EQ(Read("/d/key"), "v1");
  EXPECT_THAT(fs_.LinkFile("/d/tmp1", "/d/key"), StatusIs(StatusCode::kAlreadyExists));
}

TEST_F(FaultFsTest, SyncedRenameAndRemoveSurvive) {
  ASSERT_THAT(WriteFileAtomically(&fs_, "/d/m", "v1"), IsOk());
  ASSERT_THAT(WriteFileAtomically(&fs_, "/d/m", "v2"), IsOk());
  ASSERT_THAT(WriteFileAtomically(&fs_, "/d/gone", "g"), IsOk());
  ASSERT_THAT(fs_.RemoveFile("/d/gone"), IsOk());
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());  // the removal was not synced: it comes back
  EXPECT_EQ(Read("/d/m"), "v2");
  EXPECT_EQ(Read("/d/gone"), "g");
  ASSERT_THAT(fs_.RemoveFile("/d/gone"), IsOk());
  ASSERT_THAT(fs_.SyncDir("/d"), IsOk());
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_FALSE(mem_.FileExists("/d/gone"));
}

TEST_F(FaultFsTest, TornDropKeepsSyncedBytesAndSomeOfTheTailMaybeDamaged) {
  int damaged = 0, partial = 0;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    {
      auto f = fs_.NewWritableFile("/d/a");
      ASSERT_THAT(f, IsOk());
      ASSERT_THAT(fs_.SyncDir("/d"), IsOk());
      ASSERT_THAT((*f)->Append("0123"), IsOk());
      ASSERT_THAT((*f)->Sync(), IsOk());
      ASSERT_THAT((*f)->Append("456789"), IsOk());
    }
    ASSERT_THAT(fs_.DropUnsyncedData(seed), IsOk());
    std::string got = Read("/d/a");
    ASSERT_GE(got.size(), 4u);
    EXPECT_EQ(got.substr(0, 4), "0123");  // synced bytes are never touched
    int diffs = 0;
    for (size_t i = 4; i < got.size(); ++i) diffs += got[i] != "0123456789"[i];
    EXPECT_LE(diffs, 1);
    damaged += diffs;
    partial += got.size() > 4 && got.size() < 10;
  }
  EXPECT_GT(damaged, 0);
  EXPECT_GT(partial, 0);
}

TEST_F(FaultFsTest, FailNthWriteWritesHalfAndFails) {
  auto f = fs_.NewWritableFile("/d/a");
  ASSERT_THAT(f, IsOk());
  fs_.FailNthWrite(2);
  EXPECT_THAT((*f)->Append("1234"), IsOk());
  EXPECT_THAT((*f)->Append("abcd"), StatusIs(StatusCode::kIOError, HasSubstr("injected")));
  EXPECT_THAT((*f)->Append("!"), IsOk());  // one-shot
  EXPECT_EQ(Read("/d/a"), "1234ab!");
  EXPECT_EQ(fs_.write_count(), 3);
}

TEST_F(FaultFsTest, FailNthWriteFailsAPreallocationHalfWay) {
  auto f = fs_.NewWritableFile("/d/a");
  ASSERT_THAT(f, IsOk());
  ASSERT_THAT((*f)->Append("xy"), IsOk());
  fs_.FailNthWrite(1);
  EXPECT_THAT((*f)->Preallocate(12), StatusIs(StatusCode::kIOError, HasSubstr("injected")));
  EXPECT_EQ(Read("/d/a"), "xy" + std::string(5, '\0'));
  EXPECT_THAT((*f)->Preallocate(12), IsOk());  // one-shot
  EXPECT_EQ(Read("/d/a"), "xy" + std::string(10, '\0'));
  EXPECT_EQ(fs_.write_count(), 3);
}

TEST_F(FaultFsTest, FailNthSyncDoesNotMakeDataDurable) {
  auto f = fs_.NewWritableFile("/d/a");
  ASSERT_THAT(f, IsOk());
  ASSERT_THAT(fs_.SyncDir("/d"), IsOk());
  ASSERT_THAT((*f)->Append("x"), IsOk());
  fs_.FailNthSync(1);
  EXPECT_THAT((*f)->Sync(), StatusIs(StatusCode::kIOError, HasSubstr("injected")));
  f->reset();
  ASSERT_THAT(fs_.DropUnsyncedData(), IsOk());
  EXPECT_EQ(Read("/d/a"), "");
  EXPECT_EQ(fs_.file_sync_count(), 1);
  EXPECT_EQ(fs_.dir_sync_count(), 1);
}

TEST_F(FaultFsTest, InactiveFailsEveryOperation) {
  auto f = fs_.NewWritableFile("/d/a");
  ASSERT_THAT(f, IsOk());
  auto r = fs_.NewRandomAccessFile("/d/a");
  ASSERT_THAT(r, IsOk());
  fs_.SetActive(false);
  std::string out;
  char buf[4];
  EXPECT_THAT((*r)->Read(0, 1, &out), StatusIs(StatusCode::kIOError));
  EXPECT_THAT((*r)->ReadInto(0, 1, buf), StatusIs(StatusCode::kIOError));
  EXPECT_THAT((*f)->Append("x"), StatusIs(StatusCode::kIOError));
  EXPECT_THAT((*f)->Sync(), StatusIs(StatusCode::kIOError));
  EXPECT_THAT(fs_.NewWritableFile("/d/b"), StatusIs(StatusCode::kIOError));
  EXPECT_THAT(fs_.NewSequentialFile("/d/a"), StatusIs(StatusCode::kIOError));
  EXPECT_THAT(fs_.GetChildren("/d"), StatusIs(StatusCode::kIOError));
  EXPECT_THAT(fs_.SyncDir("/d"), StatusIs(StatusCode::kIOError));
  EXPECT_THAT(fs_.RemoveFile("/d/a"), StatusIs(StatusCode::kIOError));
  fs_.SetActive(true);
  EXPECT_THAT(fs_.GetFileSize("/d/a"), IsOkAndHolds(0u));
}

}  // namespace
}  // namespace pinpipe::io
