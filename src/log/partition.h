// Partition: one ordered, durable sequence of records — a directory of segments with group
// commit, reads by offset, rolling, retention and crash recovery (docs/log_format.md §6-7).
//
// Durability: Append returns only after its batch is fdatasynced. Concurrent appends queue
// behind one leader, which writes the batches of every queued append with one write and one
// fdatasync and hands each follower the shared Status (leveldb's DBImpl::Write).
// Failure: if a write, sync or roll fails, that group gets the error and every later Append
// gets kFailedPrecondition until the partition is reopened (Open runs recovery again).
//
// Thread-safety: every method may be called from any thread. mu_ guards the segment list
// and the published end offset; the leader writes to the active segment without holding it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/thread_annotations.h"
#include "io/file_system.h"
#include "log/log_stats.h"
#include "log/record.h"
#include "log/segment.h"

namespace pinpipe::log {

struct PartitionOptions {
  int64_t segment_bytes = 1 << 30;  // roll when the active segment reaches this size
  int64_t retention_bytes = -1;     // -1: no limit
  int64_t retention_ms = -1;        // -1: no limit
  // false only for benchmarks (db_bench's fillseq): appends return before fdatasync and are
  // not durable. Topics never set it.
  bool sync = true;
};

class Partition {
 public:
  // Opens (creating if needed) the partition in `dir`, whose parent must exist, and runs
  // recovery. `fs` and `clock` must outlive the partition. `name` is used in messages.
  // `counters` (shared by the partitions of a log; must outlive the partition) receives this
  // partition's statistics; null: the partition keeps them to itself (stats()).
  static Result<std::unique_ptr<Partition>> Open(io::FileSystem* fs, std::string dir,
                                                 std::string name, PartitionOptions options,
                                                 Clock* clock, LogCounters* counters = nullptr);
  Partition(const Partition&) = delete;
  Partition& operator=(const Partition&) = delete;
  ~Partition();

  // Appends `records` (at least one) as one batch; returns the offset of the first, the
  // others following densely. Durable on return.
  Result<int64_t> Append(std::span<const Record> records) LOCKS_EXCLUDED(mu_);

  // Up to max_bytes of records (RecordPayloadBytes; at least one record if any) starting at
  // `offset`. kOutOfRange if offset < start_offset() or > end_offset(); empty at the end.
  Result<std::vector<StoredRecord>> Read(int64_t offset, size_t max_bytes) LOCKS_EXCLUDED(mu_);

  int64_t start_offset() LOCKS_EXCLUDED(mu_);
  int64_t end_offset() LOCKS_EXCLUDED(mu_);  // the next offset to be assigned
  uint64_t size_bytes() LOCKS_EXCLUDED(mu_);
  size_t segment_count() LOCKS_EXCLUDED(mu_);
  // Bytes recovery cut from the active segment's tail when this partition was opened.
  uint64_t recovered_truncated_bytes() const { return truncated_bytes_; }
  // The counters this partition adds to (shared with the rest of its log, if any).
  LogStats stats() const { return counters_->Snapshot(); }

  // Deletes whole sealed segments beyond retention_bytes or older than retention_ms (by the
  // Clock given to Open); never the active segment. Returns how many were deleted; 0 once
  // RemoveAll has run.
  Result<int> EnforceRetention() LOCKS_EXCLUDED(files_mu_, mu_);

  // Removes every file of the partition and its directory. The partition refuses appends
  // afterwards; reads through segments already open keep working.
  Status RemoveAll() LOCKS_EXCLUDED(files_mu_, mu_);

 private:
  struct Writer;
  Partition(io::FileSystem* fs, std::string dir, std::string name, PartitionOptions options,
            Clock* clock, LogCounters* counters);
  Status Recover();
  // Leader only, mu_ not held: writes and syncs the group, rolling first if needed.
  Status WriteGroup(const std::vector<Writer*>& group, std::vector<BatchHeader>* headers,
                    std::vector<uint64_t>* positions);
  Status RollIfFull() LOCKS_EXCLUDED(mu_);
  Status RefusedError() const EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Constant after construction.
  io::FileSystem* const fs_;
  const std::string dir_;
  const std::string name_;
  const PartitionOptions options_;
  Clock* const clock_;
  const std::unique_ptr<LogCounters> own_counters_;  // null when the log's are shared
  LogCounters* const counters_;                      // never null
  uint64_t truncated_bytes_ = 0;  // set by Recover before the partition is shared

  // Serializes the file removals of EnforceRetention and RemoveAll, so neither removes a
  // file under the other. Acquired before mu_.
  std::mutex files_mu_;
  std::mutex mu_;
  // Oldest first; back() is the active segment. shared_ptr because a reader may still be
  // reading a segment that retention has just dropped from the list.
  std::vector<std::shared_ptr<Segment>> segments_ GUARDED_BY(mu_);
  std::deque<Writer*> writers_ GUARDED_BY(mu_);  // front() is the leader
  Status write_error_ GUARDED_BY(mu_);  // sticky: set by the first failed group; while set
                                        // (and not removed_) counted in refusing_partitions
  bool removed_ GUARDED_BY(mu_) = false;
  // The leader's write buffer, reused across groups so a large group does not allocate
  // (and page-fault) a fresh buffer each time. Only the current leader touches it.
  std::string group_buf_;
};

}  // namespace pinpipe::log
