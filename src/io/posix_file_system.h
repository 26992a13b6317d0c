// PosixFileSystem: the FileSystem of the real disk (open/write/pread/fdatasync/rename).
// Writes are unbuffered (one write(2) per Append): the log already batches its writes, and
// an unbuffered file never holds bytes that a crash could lose before Sync.
//
// Thread-safety: as FileSystem. Stateless; Default() is a process-wide instance.
#pragma once

#include "io/file_system.h"

namespace pinpipe::io {

class PosixFileSystem final : public FileSystem {
 public:
  // The process-wide instance (never destroyed).
  static PosixFileSystem* Default();

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
};

}  // namespace pinpipe::io
