// LocalObjectStore: an ObjectStore in a directory (`file://` URLs; the default `<data_dir>/lake`)
// over io::FileSystem, so tests can run it on memory and simulate power loss.
//
// Key `a/b/c` is the file `<root>/a/b/c`; parent directories are created on demand and stay
// when emptied. A Put writes `<root>/.pinpipe-tmp/<unique>`, fdatasyncs it, then renames it
// onto the key (or, with if_absent, hard-links it there, which fails atomically if the name
// exists) and fsyncs the key's directory: readers see the old or the new object, and the new
// one survives power loss once Put returned. Temp files are never listed; ones older than an
// hour (left by a crashed writer) are removed by Open.
//
// Cost of a Put (the sink's hot path): one file fdatasync and one directory fsync, and no
// directory is ever read. Concurrent puts into one directory share directory syncs (group
// commit: a sync that starts after a put's rename covers it), so N puts in flight cost N
// file syncs and as few as one directory sync.
//
// Limits of a directory tree (documented, not hidden): a key cannot be both an object and the
// parent of another (`a` and `a/b`): the second Put fails with kFailedPrecondition; keys whose
// first segment is `.pinpipe-tmp` are kInvalidArgument.
//
// Thread-safety: every method may be called from many threads (and processes) at once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "base/thread_annotations.h"
#include "io/file_system.h"
#include "objstore/object_store.h"

namespace pinpipe::objstore {

class LocalObjectStore final : public ObjectStore {
 public:
  // The name of the temp directory under the root.
  static constexpr char kTempDir[] = ".pinpipe-tmp";

  // `root` is an absolute directory, created (with its parents) if missing. `fs` must
  // outlive the store.
  static Result<std::unique_ptr<LocalObjectStore>> Open(io::FileSystem* fs, std::string root);

  Status Put(std::string_view key, std::string_view data, const PutOptions& options = {}) override;
  Result<std::string> Get(std::string_view key) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Result<ListPage> List(std::string_view prefix, std::string_view token = {},
                        int max_keys = 1000) override;
  Status Delete(std::string_view key) override;
  std::string Url() const override { return "file://" + root_; }

  const std::string& root() const { return root_; }

 private:
  LocalObjectStore(io::FileSystem* fs, std::string root, uint64_t temp_seed)
      : fs_(fs), root_(std::move(root)), temp_seed_(temp_seed) {}

  Status CheckKey(std::string_view key) const;
  std::string PathOf(std::string_view key) const;
  // Creates the directories between the root and `key`'s parent, fsyncing each new entry.
  Status MakeParents(std::string_view key);
  // After a failed write of `key`: kFailedPrecondition if an object stands where one of its
  // parent directories should be, else `status`.
  Status NestingError(std::string_view key, Status status);
  // SyncDir(dir), shared by the callers that arrive while another sync of `dir` runs.
  Status SyncDirShared(const std::string& dir) LOCKS_EXCLUDED(sync_mu_);
  std::string NewTempPath();
  bool IsDir(const std::string& path);
  Status NotFound(std::string_view key) const;
  Status RemoveStaleTemps();
  // Appends up to `limit` objects under directory `rel` ("" = root) to `out`, in key order,
  // skipping keys <= `after` and keys not starting with `prefix`.
  Status Walk(const std::string& rel, std::string_view prefix, std::string_view after, size_t limit,
              std::vector<ObjectInfo>* out);

  io::FileSystem* const fs_;
  const std::string root_;  // absolute, no trailing '/'
  const uint64_t temp_seed_;
  std::atomic<uint64_t> temp_counter_{0};

  struct DirSync {
    uint64_t requested = 0;  // tickets handed out
    uint64_t synced = 0;     // every ticket up to this one is durable
    bool running = false;
  };
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::map<std::string, DirSync> dir_syncs_ GUARDED_BY(sync_mu_);  // one per directory written
};

}  // namespace pinpipe::objstore
