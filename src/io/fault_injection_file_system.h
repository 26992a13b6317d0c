// FaultInjectionFileSystem: wraps another FileSystem, remembers what would survive a power
// loss, and can throw the rest away (leveldb's FaultInjectionTestEnv, rocksdb's
// FaultInjectionTestFS). Used by the log's crash tests, normally over a MemFileSystem.
//
// The model of durability:
// - a file's bytes up to its last successful WritableFile::Sync survive; later bytes do not;
// - zeros preallocated (WritableFile::Preallocate) before a successful Sync survive as zeros
//   where no surviving data covers them; data written over them since does not survive;
//   Close cutting them off counts as a Sync (it is one on disk);
// - a directory entry created, removed or renamed since the last SyncDir of its directory
//   does not survive: the name reverts to what it was (absent, or its durable contents);
// - files the wrapper never wrote through (e.g. written before a previous "crash") count as
//   fully durable.
// DropUnsyncedData applies this model to the base FileSystem: it is the power loss. Open
// handles from before should be destroyed first (SetActive(false) makes them inert).
//
// Fault points: FailNthWrite / FailNthSync make the Nth later call fail with kIOError (a
// failing write first writes half its bytes, like a torn write; Preallocate counts as a
// write of its zeros); SetActive(false) makes
// every operation fail with kIOError ("the machine is off").
//
// Thread-safety: as FileSystem; the control methods may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "base/thread_annotations.h"
#include "io/file_system.h"

namespace pinpipe::io {

class FaultInjectionFileSystem final : public FileSystem {
 public:
  // `base` must outlive this object.
  explicit FaultInjectionFileSystem(FileSystem* base) : base_(base) {}
  FaultInjectionFileSystem(const FaultInjectionFileSystem&) = delete;
  FaultInjectionFileSystem& operator=(const FaultInjectionFileSystem&) = delete;

  // --- Fault control -----------------------------------------------------------------------
  void SetActive(bool active) { active_.store(active); }
  // The nth Append from now (1 = the next one) fails after writing half its bytes. 0 = never.
  void FailNthWrite(int64_t n) { write_countdown_.store(n); }
  // The nth file Sync or SyncDir from now fails without syncing anything. 0 = never.
  void FailNthSync(int64_t n) { sync_countdown_.store(n); }
  // Every file Sync sleeps this long first, like a disk's flush latency, so concurrent
  // writers pile up behind it (group-commit tests). 0 = no delay.
  void SetSyncDelayMicros(int64_t micros) { sync_delay_micros_.store(micros); }
  // Simulates power loss: truncates every file to its synced length and reverts unsynced
  // directory operations. If `torn_seed` is set, each file instead keeps a pseudo-random part
  // of its unsynced tail (a torn write), chosen from the seed, and for about half the files
  // one byte of that kept tail is damaged (unsynced pages promise nothing). Afterwards all is
  // considered durable and no fault points remain armed.
  Status DropUnsyncedData(std::optional<uint64_t> torn_seed = std::nullopt);

  // Counters since construction (successful or not).
  int64_t write_count() const { return writes_.load(); }
  int64_t file_sync_count() const { return file_syncs_.load(); }
  int64_t dir_sync_count() const { return dir_syncs_.load(); }
  // WritableFile::Preallocate calls that zero-filled further than before.
  int64_t preallocation_count() const { return preallocations_.load(); }

  // --- FileSystem --------------------------------------------------------------------------
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

  // Hooks for the wrapped files. Internal.
  Status BeforeWrite(size_t n, size_t* allowed);
  Status BeforeSync(bool is_file_sync);
  void OnWritten(const std::string& path, uint64_t new_size);
  // A sync covered `size` bytes of data and the zeros preallocated up to `zero_end`; or
  // (cut_zeros) Close cut the zeros off and synced.
  void OnSynced(const std::string& path, uint64_t size, uint64_t zero_end = 0,
                bool cut_zeros = false);
  void OnPreallocated();
  Status CheckActive() const;

 private:
  // What a name was at the last SyncDir of its directory: absent, a file with these bytes,
  // or a directory.
  struct PriorEntry {
    enum Kind { kAbsent, kFile, kDir } kind = kAbsent;
    std::string contents;
  };
  struct FileState {
    uint64_t synced = 0;
    uint64_t size = 0;
    uint64_t zeros_synced = 0;  // preallocated zeros a sync covered reach this far
  };

  void RememberPrior(const std::string& path) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status RestorePrior(const std::string& path, const PriorEntry& prior);
  Status RemoveTree(const std::string& path);

  FileSystem* const base_;
  std::atomic<bool> active_{true};
  std::atomic<int64_t> write_countdown_{0};
  std::atomic<int64_t> sync_countdown_{0};
  std::atomic<int64_t> sync_delay_micros_{0};
  std::atomic<int64_t> writes_{0};
  std::atomic<int64_t> file_syncs_{0};
  std::atomic<int64_t> dir_syncs_{0};
  std::atomic<int64_t> preallocations_{0};

  std::mutex mu_;
  std::map<std::string, FileState> files_ GUARDED_BY(mu_);         // written through us
  std::map<std::string, PriorEntry> unsynced_names_ GUARDED_BY(mu_);  // dir ops to revert
};

}  // namespace pinpipe::io
