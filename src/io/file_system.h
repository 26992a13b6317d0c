// FileSystem: every file operation of the topic log (and the local object store) goes
// through this interface, so tests can run on memory and simulate crashes
// (fault_injection_file_system.h). Modelled on leveldb's Env and rocksdb's FileSystem.
//
// Paths are plain strings joined with '/'. Errors are Status codes: kNotFound for a missing
// file or directory, kAlreadyExists where stated, kIOError for anything the OS refuses.
//
// Thread-safety: a FileSystem may be used from many threads at once. A file object is used
// by one thread at a time, except RandomAccessFile, whose Read may be called concurrently
// (and concurrently with appends to the same path through a WritableFile).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace pinpipe::io {

// A file open for appending. Bytes are durable only after Sync() returns OK.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends all of `data` or fails; on failure some prefix of `data` may have been written.
  virtual Status Append(std::string_view data) = 0;
  // fdatasync: makes every byte appended so far survive power loss. The file's directory
  // entry is not covered: a new file also needs FileSystem::SyncDir of its directory.
  virtual Status Sync() = 0;
  // Closes without syncing; later calls fail. The destructor closes too, ignoring errors.
  // A file with zeros past its data (Preallocate) is first cut back to Size() and synced,
  // so that a closed file holds exactly its data, on disk too.
  virtual Status Close() = 0;
  // Bytes in the file (including what existed when it was opened for append).
  virtual uint64_t Size() const = 0;
  // Zero-fills the file on disk up to byte `end` (nothing where it already reaches that far),
  // so that appends up to `end` overwrite blocks the file already has: once a Sync has made
  // the zeros durable, a Sync after such appends writes data only, not the inode (size and
  // extents are unchanged), which roughly halves a small fdatasync on ext4. Size() still
  // counts appended bytes only, but on disk the zeros follow them until Close() cuts them
  // off, or, after a crash, until whoever recovers the file does: such a file must be read
  // as "data, then perhaps zeros". Default: nothing, OK (posix, memory and fault injection
  // implement it; posix does nothing on copy-on-write file systems, where it cannot help).
  virtual Status Preallocate(uint64_t end) {
    (void)end;
    return Status::OK();
  }
};

// A file read from start to end.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to n bytes into *out (replacing its contents); fewer only at end of file.
  virtual Status Read(size_t n, std::string* out) = 0;
  virtual Status Skip(uint64_t n) = 0;
};

// A file read at arbitrary positions.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at `offset` into *out (replacing its contents); fewer only at end
  // of file, none when offset >= size. Safe to call concurrently.
  virtual Status Read(uint64_t offset, size_t n, std::string* out) const = 0;
  // The same into dst[0, n), which the caller owns; returns the bytes read. The default
  // reads through Read and copies; posix files pread straight into dst.
  virtual Result<size_t> ReadInto(uint64_t offset, size_t n, char* dst) const;
};

// Held while a LockFile lock is held; destroying it releases the lock.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates the file, or truncates it to empty if it exists.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens for appending at the end, creating the file if it does not exist.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<SequentialFile>> NewSequentialFile(
      const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  virtual Result<uint64_t> GetFileSize(const std::string& path) = 0;
  // Last modification of the file's bytes, Unix milliseconds.
  virtual Result<int64_t> GetFileModificationTime(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, without "." and "..", in no particular order.
  virtual Result<std::vector<std::string>> GetChildren(const std::string& dir) = 0;

  // Creates `dir`; OK if it already exists. The parent must exist.
  virtual Status CreateDir(const std::string& dir) = 0;
  // Removes an empty directory.
  virtual Status RemoveDir(const std::string& dir) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Atomically replaces `to` (if it exists) by `from`. Durable after SyncDir of both dirs.
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  // Gives the file `from` a second name `to` (a hard link; both names then share the bytes).
  // kAlreadyExists if `to` exists, decided atomically: of two racing links to one name, one
  // fails. Durable after SyncDir of to's directory. Put-if-absent is built on this.
  virtual Status LinkFile(const std::string& from, const std::string& to) = 0;
  virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;
  // Makes the directory's entries (creations, removals, renames) survive power loss.
  virtual Status SyncDir(const std::string& dir) = 0;

  // Takes an exclusive advisory lock on `path` (created if missing). kUnavailable if another
  // holder (process, or in MemFileSystem another lock object) has it.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;
};

// "a" + "/" + "b" without doubling slashes.
std::string JoinPath(std::string_view a, std::string_view b);
// The directory part of `path` ("." when there is none).
std::string DirName(std::string_view path);

// Reads a whole file into *out.
Status ReadFileToString(FileSystem* fs, const std::string& path, std::string* out);
// Writes `data` to path + ".tmp", syncs it, renames it over `path` and syncs the directory:
// afterwards `path` holds either its old contents or `data`, even across power loss.
Status WriteFileAtomically(FileSystem* fs, const std::string& path, std::string_view data);

}  // namespace pinpipe::io
