// One behaviour suite for every FileSystem (posix on a temp dir, memory).
#include "io/file_system.h"

#include <atomic>
#include <cstring>
#include <filesystem>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "base/clock.h"
#include "base/status_matchers.h"
#include "io/mem_file_system.h"
#include "io/posix_file_system.h"

namespace pinpipe::io {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::UnorderedElementsAre;

struct PosixEnv {
  PosixEnv() {
    std::string templ = (std::filesystem::temp_directory_path() / "pinpipe_fs_XXXXXX").string();
    root = ::mkdtemp(templ.data());
  }
  ~PosixEnv() { std::filesystem::remove_all(root); }
  FileSystem* fs() { return PosixFileSystem::Default(); }
  std::string root;
};

struct MemEnv {
  MemEnv() { fs_.CreateDir("/t").IgnoreError(); }
  FileSystem* fs() { return &fs_; }
  MemFileSystem fs_;
  std::string root = "/t";
};

template <typename Env>
class FileSystemTest : public ::testing::Test {
 protected:
  std::string P(std::string_view name) { return JoinPath(env_.root, name); }
  Status Write(const std::string& path, std::string_view data) {
    ASSIGN_OR_RETURN(auto f, fs()->NewWritableFile(path));
    RETURN_IF_ERROR(f->Append(data));
    return f->Close();
  }
  std::string Read(const std::string& path) {
    std::string out;
    EXPECT_THAT(ReadFileToString(fs(), path, &out), IsOk());
    return out;
  }
  FileSystem* fs() { return env_.fs(); }
  Env env_;
};

using Envs = ::testing::Types<PosixEnv, MemEnv>;
TYPED_TEST_SUITE(FileSystemTest, Envs);

TYPED_TEST(FileSystemTest, WriteSyncAndReadBack) {
  auto f = this->fs()->NewWritableFile(this->P("a"));
  ASSERT_THAT(f, IsOk());
  EXPECT_THAT((*f)->Append("hello "), IsOk());
  EXPECT_THAT((*f)->Append("world"), IsOk());
  EXPECT_EQ((*f)->Size(), 11u);
  EXPECT_THAT((*f)->Sync(), IsOk());
  EXPECT_THAT((*f)->Close(), IsOk());
  EXPECT_EQ(this->Read(this->P("a")), "hello world");
  EXPECT_THAT(this->fs()->GetFileSize(this->P("a")), IsOkAndHolds(11u));
  EXPECT_TRUE(this->fs()->FileExists(this->P("a")));
}

TYPED_TEST(FileSystemTest, NewWritableTruncatesAppendableAppends) {
  ASSERT_THAT(this->Write(this->P("a"), "12345"), IsOk());
  {
    auto f = this->fs()->NewAppendableFile(this->P("a"));
    ASSERT_THAT(f, IsOk());
    EXPECT_EQ((*f)->Size(), 5u);
    EXPECT_THAT((*f)->Append("67"), IsOk());
  }
  EXPECT_EQ(this->Read(this->P("a")), "1234567");
  ASSERT_THAT(this->Write(this->P("a"), "x"), IsOk());
  EXPECT_EQ(this->Read(this->P("a")), "x");
}

// Preallocate leaves Size() and the data alone; the zeros lie in the file past the data until
// Close cuts them off, also for a file opened for append (on posix, O_APPEND is dropped so
// appends overwrite the zeros instead of landing after them).
TYPED_TEST(FileSystemTest, PreallocatedZerosFollowTheDataUntilClose) {
  ASSERT_THAT(this->Write(this->P("a"), "12345"), IsOk());
  auto f = this->fs()->NewAppendableFile(this->P("a"));
  ASSERT_THAT(f, IsOk());
  ASSERT_THAT((*f)->Append("67"), IsOk());
  ASSERT_THAT((*f)->Preallocate(100), IsOk());
  ASSERT_THAT((*f)->Preallocate(50), IsOk());  // already that far: nothing
  EXPECT_EQ((*f)->Size(), 7u);
  EXPECT_THAT(this->fs()->GetFileSize(this->P("a")), IsOkAndHolds(100u));
  ASSERT_THAT((*f)->Append("89"), IsOk());
  ASSERT_THAT((*f)->Sync(), IsOk());
  EXPECT_EQ((*f)->Size(), 9u);
  EXPECT_EQ(this->Read(this->P("a")), "123456789" + std::string(91, '\0'));
  ASSERT_THAT((*f)->Append(std::string(200, 'x')), IsOk());  // past the zeros: the file grows
  EXPECT_THAT(this->fs()->GetFileSize(this->P("a")), IsOkAndHolds(209u));
  ASSERT_THAT((*f)->Preallocate(300), IsOk());
  ASSERT_THAT((*f)->Close(), IsOk());
  EXPECT_EQ(this->Read(this->P("a")), "123456789" + std::string(200, 'x'));
}

TYPED_TEST(FileSystemTest, RandomAccessAndSequentialReads) {
  ASSERT_THAT(this->Write(this->P("a"), "0123456789"), IsOk());
  auto r = this->fs()->NewRandomAccessFile(this->P("a"));
  ASSERT_THAT(r, IsOk());
  std::string out;
  EXPECT_THAT((*r)->Read(3, 4, &out), IsOk());
  EXPECT_EQ(out, "3456");
  EXPECT_THAT((*r)->Read(8, 10, &out), IsOk());
  EXPECT_EQ(out, "89");
  EXPECT_THAT((*r)->Read(20, 10, &out), IsOk());
  EXPECT_EQ(out, "");
  char buf[16];
  std::memset(buf, '#', sizeof buf);
  EXPECT_THAT((*r)->ReadInto(3, 4, buf), IsOkAndHolds(4u));
  EXPECT_EQ(std::string_view(buf, 5), "3456#");  // nothing past what was read is written
  EXPECT_THAT((*r)->ReadInto(8, 10, buf), IsOkAndHolds(2u));
  EXPECT_EQ(std::string_view(buf, 3), "895");  // buf[2] still holds the "5" read before
  EXPECT_THAT((*r)->ReadInto(20, 10, buf), IsOkAndHolds(0u));
  auto s = this->fs()->NewSequentialFile(this->P("a"));
  ASSERT_THAT(s, IsOk());
  EXPECT_THAT((*s)->Skip(2), IsOk());
  EXPECT_THAT((*s)->Read(3, &out), IsOk());
  EXPECT_EQ(out, "234");
}

TYPED_TEST(FileSystemTest, RandomReadSeesLaterAppends) {
  auto w = this->fs()->NewWritableFile(this->P("a"));
  ASSERT_THAT(w, IsOk());
  ASSERT_THAT((*w)->Append("ab"), IsOk());
  auto r = this->fs()->NewRandomAccessFile(this->P("a"));
  ASSERT_THAT(r, IsOk());
  ASSERT_THAT((*w)->Append("cd"), IsOk());
  std::string out;
  EXPECT_THAT((*r)->Read(0, 10, &out), IsOk());
  EXPECT_EQ(out, "abcd");
}

TYPED_TEST(FileSystemTest, MissingFilesAreNotFound) {
  EXPECT_THAT(this->fs()->NewSequentialFile(this->P("nope")), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(this->fs()->NewRandomAccessFile(this->P("nope")),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(this->fs()->GetFileSize(this->P("nope")), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(this->fs()->RemoveFile(this->P("nope")), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(this->fs()->GetChildren(this->P("nodir")), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(this->fs()->NewWritableFile(this->P("nodir/x")),
              StatusIs(StatusCode::kNotFound));
  EXPECT_FALSE(this->fs()->FileExists(this->P("nope")));
}

TYPED_TEST(FileSystemTest, DirectoriesListRemoveAndSync) {
  ASSERT_THAT(this->fs()->CreateDir(this->P("d")), IsOk());
  EXPECT_THAT(this->fs()->CreateDir(this->P("d")), IsOk());  // idempotent
  ASSERT_THAT(this->Write(this->P("d/x"), "1"), IsOk());
  ASSERT_THAT(this->fs()->CreateDir(this->P("d/sub")), IsOk());
  EXPECT_THAT(this->fs()->GetChildren(this->P("d")), IsOkAndHolds(UnorderedElementsAre("x", "sub")));
  EXPECT_THAT(this->fs()->SyncDir(this->P("d")), IsOk());
  EXPECT_THAT(this->fs()->RemoveDir(this->P("d")), StatusIs(StatusCode::kIOError));
  ASSERT_THAT(this->fs()->RemoveFile(this->P("d/x")), IsOk());
  ASSERT_THAT(this->fs()->RemoveDir(this->P("d/sub")), IsOk());
  EXPECT_THAT(this->fs()->RemoveDir(this->P("d")), IsOk());
  EXPECT_FALSE(this->fs()->FileExists(this->P("d")));
}

TYPED_TEST(FileSystemTest, RenameReplacesAndTruncateShrinks) {
  ASSERT_THAT(this->Write(this->P("a"), "new"), IsOk());
  ASSERT_THAT(this->Write(this->P("b"), "old"), IsOk());
  ASSERT_THAT(this->fs()->RenameFile(this->P("a"), this->P("b")), IsOk());
  EXPECT_FALSE(this->fs()->FileExists(this->P("a")));
  EXPECT_EQ(this->Read(this->P("b")), "new");
  ASSERT_THAT(this->fs()->TruncateFile(this->P("b"), 1), IsOk());
  EXPECT_EQ(this->Read(this->P("b")), "n");
  EXPECT_THAT(this->fs()->RenameFile(this->P("zz"), this->P("b")),
              StatusIs(StatusCode::kNotFound));
}

TYPED_TEST(FileSystemTest, LinkAddsANameAndNeverReplaces) {
  ASSERT_THAT(this->Write(this->P("a"), "first"), IsOk());
  ASSERT_THAT(this->fs()->LinkFile(this->P("a"), this->P("b")), IsOk());
  EXPECT_EQ(this->Read(this->P("b")), "first");
  ASSERT_THAT(this->fs()->RemoveFile(this->P("a")), IsOk());
  EXPECT_EQ(this->Read(this->P("b")), "first");  // the other name keeps the bytes
  ASSERT_THAT(this->Write(this->P("c"), "second"), IsOk());
  EXPECT_THAT(this->fs()->LinkFile(this->P("c"), this->P("b")),
              StatusIs(StatusCode::kAlreadyExists));
  EXPECT_EQ(this->Read(this->P("b")), "first");
  EXPECT_THAT(this->fs()->LinkFile(this->P("zz"), this->P("d")),
              StatusIs(StatusCode::kNotFound));
}

TYPED_TEST(FileSystemTest, OfRacingLinksToOneNameExactlyOneWins) {
  constexpr int kThreads = 4;
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_THAT(this->Write(this->P("src" + std::to_string(t)), std::to_string(t)), IsOk());
  }
  std::atomic<int> won{0};
  std::atomic<int> lost{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Status s = this->fs()->LinkFile(this->P("src" + std::to_string(t)), this->P("target"));
      if (s.ok()) {
        ++won;
      } else if (s.code() == StatusCode::kAlreadyExists) {
        ++lost;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(lost.load(), kThreads - 1);
}

TYPED_TEST(FileSystemTest, ModificationTimeIsNowAndMissingIsNotFound) {
  const int64_t before = Clock::Real()->NowMicros() / 1000;
  ASSERT_THAT(this->Write(this->P("a"), "x"), IsOk());
  const int64_t after = Clock::Real()->NowMicros() / 1000;
  auto mtime = this->fs()->GetFileModificationTime(this->P("a"));
  ASSERT_THAT(mtime, IsOk());
  // File systems store coarser times than the clock: allow their granularity (up to 2 s).
  EXPECT_GE(*mtime, before - 2000);
  EXPECT_LE(*mtime, after + 2000);
  EXPECT_THAT(this->fs()->GetFileModificationTime(this->P("zz")),
              StatusIs(StatusCode::kNotFound));
}

TYPED_TEST(FileSystemTest, WriteFileAtomically) {
  ASSERT_THAT(WriteFileAtomically(this->fs(), this->P("m"), "v1"), IsOk());
  ASSERT_THAT(WriteFileAtomically(this->fs(), this->P("m"), "v2"), IsOk());
  EXPECT_EQ(this->Read(this->P("m")), "v2");
  EXPECT_FALSE(this->fs()->FileExists(this->P("m.tmp")));
}

TYPED_TEST(FileSystemTest, LockIsExclusiveUntilReleased) {
  auto lock = this->fs()->LockFile(this->P("LOCK"));
  ASSERT_THAT(lock, IsOk());
  // flock locks are per open file description, so a second open in-process conflicts too.
  EXPECT_THAT(this->fs()->LockFile(this->P("LOCK")), StatusIs(StatusCode::kUnavailable));
  lock->reset();
  EXPECT_THAT(this->fs()->LockFile(this->P("LOCK")), IsOk());
}

TYPED_TEST(FileSystemTest, ConcurrentWritersToDifferentFiles) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      auto f = this->fs()->NewWritableFile(this->P("f" + std::to_string(t)));
      ASSERT_THAT(f, IsOk());
      for (int i = 0; i < 100; ++i) ASSERT_THAT((*f)->Append("x"), IsOk());
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) {
    EXPECT_THAT(this->fs()->GetFileSize(this->P("f" + std::to_string(t))), IsOkAndHolds(100u));
  }
}

}  // namespace
}  // namespace pinpipe::io
