// MemFileSystem: a FileSystem held in memory (leveldb's memenv), for fast tests and as the
// base of FaultInjectionFileSystem. It behaves like a POSIX directory tree: files need an
// existing parent directory, "/" always exists, removing a file unlinks its name (open
// handles keep working on the unlinked data), Sync and SyncDir are no-ops.
//
// Thread-safety: as FileSystem. Locks taken with LockFile must be released before the
// MemFileSystem is destroyed.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "base/thread_annotations.h"
#include "io/file_system.h"

namespace pinpipe::io {

class MemFileSystem final : public FileSystem {
 public:
  MemFileSystem();
  ~MemFileSystem() override;
  MemFileSystem(const MemFileSystem&) = delete;
  MemFileSystem& operator=(const MemFileSystem&) = delete;

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  bool FileExists(const std::string& path) override;
  Result<uint64_t> GetFileSize(const std::string& path) override;
  Result<int64_t> GetFileModificationTime(const std::string& path) override;
  Result<std::vector<std::string>> GetChildren(const std::string& dir) override;
  Status CreateDir(const std::string& dir) override;
  Status RemoveDir(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status LinkFile(const std::string& from, const std::string& to) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;

  // The contents of one file, shared by the name and every open handle. Internal.
  struct Data {
    mutable std::mutex mu;
    std::string bytes GUARDED_BY(mu);
    int64_t mtime_ms GUARDED_BY(mu) = 0;  // the real clock's, at the last change of `bytes`
  };

 private:
  class Lock;
  Result<std::shared_ptr<Data>> Find(const std::string& path) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status CheckParent(const std::string& path) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Unlock(const std::string& path);

  std::mutex mu_;
  // Normalized paths (no trailing '/').
  std::map<std::string, std::shared_ptr<Data>> files_ GUARDED_BY(mu_);
  std::set<std::string> dirs_ GUARDED_BY(mu_);
  std::set<std::string> locked_ GUARDED_BY(mu_);
};

}  // namespace pinpipe::io
