// What the directory backend promises beyond the conformance suite: crash safety (over the
// fault-injecting FileSystem), invisible temp files, and the limits of a directory tree.
#include "objstore/local_object_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

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

// Forwards to another FileSystem, counting directory listings, and can hold every SyncDir
// until the test lets them go.
class ObservedFileSystem final : public io::FileSystem {
 public:
  explicit ObservedFileSystem(io::FileSystem* base) : base_(base) {}
  std::atomic<int> listings{0};
  std::atomic<int> dir_syncs_started{0};

  void HoldDirSyncs(bool hold) {
    std::lock_guard<std::mutex> l(mu_);
    hold_ = hold;
    cv_.notify_all();
  }

  Result<std::unique_ptr<io::WritableFile>> NewWritableFile(const std::string& p) override {
    return base_->NewWritableFile(p);
  }
  Result<std::unique_ptr<io::WritableFile>> NewAppendableFile(const std::string& p) override {
    return base_->NewAppendableFile(p);
  }
  Result<std::unique_ptr<io::SequentialFile>> NewSequentialFile(const std::string& p) override {
    return base_->NewSequentialFile(p);
  }
  Result<std::unique_ptr<io::RandomAccessFile>> NewRandomAccessFile(
      const std::string& p) override {
    return base_->NewRandomAccessFile(p);
  }
  bool FileExists(const std::string& p) override { return base_->FileExists(p); }
  Result<uint64_t> GetFileSize(const std::string& p) override { return base_->GetFileSize(p); }
  Result<int64_t> GetFileModificationTime(const std::string& p) override {
    return base_->GetFileModificationTime(p);
  }
  Result<std::vector<std::string>> GetChildren(const std::string& dir) override {
    auto r = base_->GetChildren(dir);
    if (r.ok()) listings++;  // a directory was read (a failed opendir reads nothing)
    return r;
  }
  Status CreateDir(const std::string& d) override { return base_->CreateDir(d); }
  Status RemoveDir(const std::string& d) override { return base_->RemoveDir(d); }
  Status RemoveFile(const std::string& p) override { return base_->RemoveFile(p); }
  Status RenameFile(const std::string& f, const std::string& t) override {
    return base_->RenameFile(f, t);
  }
  Status LinkFile(const std::string& f, const std::string& t) override {
    return base_->LinkFile(f, t);
  }
  Status TruncateFile(const std::string& p, uint64_t n) override {
    return base_->TruncateFile(p, n);
  }
  Status SyncDir(const std::string& d) override {
    dir_syncs_started++;
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return !hold_; });
    l.unlock();
    return base_->SyncDir(d);
  }
  Result<std::unique_ptr<io::FileLock>> LockFile(const std::string& p) override {
    return base_->LockFile(p);
  }

 private:
  io::FileSystem* const base_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
};

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

// The sink's hot path: a put into an existing directory reads no directory (listing a
// partition directory of thousands of objects per put was most of `pinpipe up`'s CPU) and
// costs one file sync and one directory sync.
TEST_F(LocalObjectStoreTest, APutReadsNoDirectoryAndSyncsOneFileAndItsDirectory) {
  ObservedFileSystem observed(&fault_);
  auto opened = LocalObjectStore::Open(&observed, "/data/lake");
  ASSERT_THAT(opened, IsOk());
  auto& store = *opened;
  for (int i = 0; i < 100; i++) {
    ASSERT_THAT(store->Put("topics/t/partition=0/" + std::to_string(i), "r\n"), IsOk());
  }
  const int listings = observed.listings.load();
  const int64_t file_syncs = fault_.file_sync_count();
  const int64_t dir_syncs = fault_.dir_sync_count();
  ASSERT_THAT(store->Put("topics/t/partition=0/new", "r\n"), IsOk());
  ASSERT_THAT(store->Put("topics/t/partition=0/5", "replaced\n"), IsOk());
  ASSERT_THAT(store->Put("topics/t/partition=0/if-absent", "r\n", {.if_absent = true}), IsOk());
  EXPECT_EQ(observed.listings.load(), listings);
  EXPECT_EQ(fault_.file_sync_count() - file_syncs, 3);
  EXPECT_EQ(fault_.dir_sync_count() - dir_syncs, 3);
  // The nesting errors are still found (after the fact).
  EXPECT_THAT(store->Put("topics/t/partition=0/5/x", "y"),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->Put("topics/t", "y"), StatusIs(StatusCode::kFailedPrecondition));
}

// Puts into one directory at once share its syncs: while one directory sync runs, the puts
// that arrive wait for the next one instead of each starting their own; all are durable.
TEST_F(LocalObjectStoreTest, ConcurrentPutsShareDirectorySyncsAndAllSurvivePowerLoss) {
  ObservedFileSystem observed(&fault_);
  auto opened = LocalObjectStore::Open(&observed, "/data/lake");
  ASSERT_THAT(opened, IsOk());
  auto& store = *opened;
  ASSERT_THAT(store->Put("d/first", "0"), IsOk());  // the directory exists
  const int started = observed.dir_syncs_started.load();
  observed.HoldDirSyncs(true);
  std::vector<std::thread> threads;
  std::vector<Status> results(8);
  for (int i = 0; i < 8; i++) {
    threads.emplace_back([&, i] { results[i] = store->Put("d/k" + std::to_string(i), "v"); });
  }
  auto all_renamed = [&] {
    if (observed.dir_syncs_started.load() == started) return false;  // none has arrived yet
    for (int i = 0; i < 8; i++) {
      if (!mem_.FileExists("/data/lake/d/k" + std::to_string(i))) return false;
    }
    return true;
  };
  for (int i = 0; i < 6000 && !all_renamed(); i++) {  // a bound for a hung test
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(all_renamed());
  EXPECT_EQ(observed.dir_syncs_started.load() - started, 1)
      << "eight puts are waiting on one directory sync";
  observed.HoldDirSyncs(false);
  for (auto& t : threads) t.join();
  for (const Status& s : results) EXPECT_THAT(s, IsOk());
  EXPECT_LE(observed.dir_syncs_started.load() - started, 8);
  ASSERT_THAT(fault_.DropUnsyncedData(), IsOk());
  auto reopened = LocalObjectStore::Open(&fault_, "/data/lake");
  ASSERT_THAT(reopened, IsOk());
  for (int i = 0; i < 8; i++) {
    EXPECT_THAT((*reopened)->Get("d/k" + std::to_string(i)), IsOkAndHolds("v"));
  }
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
