// Partition: one ordered, durable sequence of records — a directory of segments with group
// commit, reads by offset, rolling, retention and crash recovery (docs/log_format.md §6-7).
//
// Durability: an append completes only after its batch is fdatasynced. Appends queue in
// writers_. A drain takes everything queued (up to kMaxGroupBytes) as one group, encodes and
// writes it with one write, and fdatasyncs it; what arrives meanwhile forms the next group
// (group commit, as leveldb's DBImpl::Write).
//
// Pipelined syncs: writing is serialized (one drain holds the writer role at a time), but
// up to `max_syncs_in_flight` groups may be in their fdatasync at once: as soon as a group is
// written, the next drain may write the next group and start its own sync. Concurrent
// fdatasyncs of one file overlap in the device, so a partition whose clients wait for their
// answer (HTTP producers) is no longer bound to one sync at a time. Groups complete strictly
// in order: a group is published (made readable) and its appends answered only once every
// earlier group has been, and once every sync that began before its own returned has ended.
// If a group's write or sync fails, every group not yet answered (earlier ones included) and
// every later one get an error, even one whose own fdatasync returned 0: after a writeback
// error Linux reports it to one fdatasync of the file only, which may be a concurrent one.
//
// AppendAsync never waits: its drains run on a CommitPool thread. A blocking Append drains on
// its own thread when no drain is ready to take it, else waits.
// Failure: if a write, sync or roll fails, that group and the later ones get the error, and
// every later append gets kFailedPrecondition until the partition is reopened (Open runs
// recovery again).
//
// Thread-safety: every method may be called from any thread. mu_ guards the segment list,
// the queue, the groups in flight and the published end offset; the writer writes to the
// active segment without it, and drains sync without it.
//
// Commit delay (only with max_syncs_in_flight = 1): clients that wait for their answer before
// sending again split into two halves that alternate between "in the sync" and "arrived
// during it", so groups hold half of them. So a pool drain that just answered a group waits,
// before the next one, until as many appends are queued as were in flight last round, but
// never longer than half the recent fdatasync time (and 2 ms) (PostgreSQL's commit_delay,
// made adaptive). With several syncs in flight the arrivals get their own sync instead.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/thread_annotations.h"
#include "io/file_system.h"
#include "log/commit_pool.h"
#include "log/log_stats.h"
#include "log/record.h"
#include "log/record_batch.h"
#include "log/record_view.h"
#include "log/segment.h"

namespace pinpipe::log {

struct PartitionOptions {
  int64_t segment_bytes = 1 << 30;  // roll when the active segment reaches this size
  int64_t retention_bytes = -1;     // -1: no limit
  int64_t retention_ms = -1;        // -1: no limit
  // false only for benchmarks (db_bench's fillseq): appends return before fdatasync and are
  // not durable. Topics never set it.
  bool sync = true;
  // Groups of this partition in their fdatasync at the same time (>= 1). 1 (the default) =
  // one group at a time, with the commit delay described above; more pays off only where
  // concurrent syncs overlap in the device and the CPU is idle (docs/performance.md).
  int max_syncs_in_flight = 1;
};

// Completion of an asynchronous append: the offset of its first record, or the error.
using PartitionAppendCallback = std::function<void(Result<int64_t>)>;

class Partition {
 public:
  // Opens (creating if needed) the partition in `dir`, whose parent must exist, and runs
  // recovery. `fs` and `clock` must outlive the partition. `name` is used in messages.
  // `counters` (shared by the partitions of a log; must outlive the partition) receives this
  // partition's statistics; null: the partition keeps them to itself (stats()). `pool` (must
  // outlive the partition) runs the drains of asynchronous appends; null: the partition starts
  // a one-thread pool of its own.
  static Result<std::unique_ptr<Partition>> Open(io::FileSystem* fs, std::string dir,
                                                 std::string name, PartitionOptions options,
                                                 Clock* clock, LogCounters* counters = nullptr,
                                                 CommitPool* pool = nullptr);
  Partition(const Partition&) = delete;
  Partition& operator=(const Partition&) = delete;
  // Waits until every queued append has completed (they are written, not dropped).
  ~Partition();

  // Appends `records` (at least one) as one batch; returns the offset of the first, the
  // others following densely. Durable on return. Must not be called from an append callback.
  Result<int64_t> Append(std::span<const Record> records) LOCKS_EXCLUDED(mu_);

  // The same without waiting: queues `records` (moved in) and returns. `done` runs exactly
  // once, with what Append would return, on a CommitPool thread once the group's fdatasync
  // has returned (or on this thread, before AppendAsync returns, for an empty batch).
  // Callbacks run in offset order with no lock held; they must be quick, must not call Append
  // (AppendAsync is fine) and must not destroy the partition.
  void AppendAsync(std::vector<Record> records, PartitionAppendCallback done) LOCKS_EXCLUDED(mu_);

  // The same for a batch encoded by the caller (BatchBuilder): the writer only sets its
  // offset and CRC and copies it into place.
  void AppendEncodedAsync(EncodedBatch batch, PartitionAppendCallback done) LOCKS_EXCLUDED(mu_);

  // Up to max_bytes of records (RecordPayloadBytes; at least one record if any) starting at
  // `offset`. kOutOfRange if offset < start_offset() or > end_offset(); empty at the end.
  Result<std::vector<StoredRecord>> Read(int64_t offset, size_t max_bytes) LOCKS_EXCLUDED(mu_);
  // The same records as views into *out (cleared first; record_view.h), without a copy per
  // record.
  Status ReadViews(int64_t offset, size_t max_bytes, RecordViews* out) LOCKS_EXCLUDED(mu_);

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
  struct Flight;
  using Group = std::vector<std::unique_ptr<Writer>>;
  // A read's share of one segment: [position, end), with the segment kept alive.
  struct Piece {
    std::shared_ptr<Segment> segment;
    uint64_t position;
    uint64_t end;
  };
  Partition(io::FileSystem* fs, std::string dir, std::string name, PartitionOptions options,
            Clock* clock, LogCounters* counters, CommitPool* pool);
  Status Recover();
  // The segments a read from `offset` walks; empty at the end. kOutOfRange outside
  // [start, end].
  Result<std::vector<Piece>> PlanRead(int64_t offset) LOCKS_EXCLUDED(mu_);
  // Queues `w`; starts a drain if none is ready to take it. Returns true if the caller should
  // drain itself instead (`inline_drain`); the drain is then counted in drains_.
  bool Enqueue(std::unique_ptr<Writer> w, bool inline_drain) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Counts and submits a drain to the pool.
  void ScheduleDrain() EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes, writes, syncs and completes groups while appends are queued and this drain may
  // write. Stops after the group holding `until` (a blocking Append's own writer) is synced,
  // when another drain holds the writer role or enough groups are in flight, or, on a pool
  // thread, when other partitions wait for a thread. Counted in drains_ by its caller.
  void Drain(std::unique_lock<std::mutex>& l, const Writer* until) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Group TakeGroup() EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The commit delay (see the top): waits on fill_cv_ for the next group to fill.
  void AwaitGroup(std::unique_lock<std::mutex>& l) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writer role held: rolls if needed, encodes and writes `f` (mu_ released meanwhile).
  Status WriteFlight(std::unique_lock<std::mutex>& l, Flight& f) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writer role held: rolls the active segment once it is full, after every group in
  // flight before `f` (the newest) has completed, so its bytes are all synced and nobody
  // syncs its file any more.
  Status RollIfFull(std::unique_lock<std::mutex>& l, const Flight& f) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records the outcome of `f`'s write and sync; on failure, refuses later groups.
  void FinishFlight(Flight& f, Status status) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Publishes the completed groups at the front of flights_ and answers their appends, in
  // order across threads (mu_ released while the callbacks run).
  void CompleteReady(std::unique_lock<std::mutex>& l) EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status RefusedError() const EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Constant after construction.
  io::FileSystem* const fs_;
  const std::string dir_;
  const std::string name_;
  const PartitionOptions options_;
  Clock* const clock_;
  const std::unique_ptr<LogCounters> own_counters_;  // null when the log's are shared
  LogCounters* const counters_;                      // never null
  const std::unique_ptr<CommitPool> own_pool_;       // null when the log's is shared
  CommitPool* const pool_;                           // never null
  uint64_t truncated_bytes_ = 0;  // set by Recover before the partition is shared

  // Serializes the file removals of EnforceRetention and RemoveAll, so neither removes a
  // file under the other. Acquired before mu_.
  std::mutex files_mu_;
  std::mutex mu_;
  // Oldest first; back() is the active segment. shared_ptr because a reader may still be
  // reading a segment that retention has just dropped from the list.
  std::vector<std::shared_ptr<Segment>> segments_ GUARDED_BY(mu_);
  std::deque<std::unique_ptr<Writer>> writers_ GUARDED_BY(mu_);  // not yet in a group
  // Groups written or being written, not yet completed; oldest first.
  std::deque<std::unique_ptr<Flight>> flights_ GUARDED_BY(mu_);
  uint64_t next_flight_seq_ GUARDED_BY(mu_) = 0;
  // Seq of the first group whose write or sync failed (UINT64_MAX: none): it and every later
  // group complete with an error.
  uint64_t failed_seq_ GUARDED_BY(mu_) = UINT64_MAX;
  bool writing_ GUARDED_BY(mu_) = false;  // a drain holds the writer role
  // Where the writer appends next in the active segment: ahead of the published end while
  // groups are in flight. Writer role only (read and set under mu_).
  int64_t write_offset_ GUARDED_BY(mu_) = 0;
  uint64_t write_position_ GUARDED_BY(mu_) = 0;
  int drains_ GUARDED_BY(mu_) = 0;  // drains running or scheduled
  // Ids of the syncs running now (ids count up from next_sync_id_).
  std::set<uint64_t> syncs_running_ GUARDED_BY(mu_);
  uint64_t next_sync_id_ GUARDED_BY(mu_) = 0;
  std::condition_variable idle_cv_;     // drains_ reached 0 (the destructor waits for it)
  std::condition_variable flights_cv_;  // flights_ shrank (a roll waits for it to empty)
  // Completion tickets: batches of completed groups answer their appends in ticket order.
  uint64_t next_ticket_ GUARDED_BY(mu_) = 0;
  std::mutex ticket_mu_;  // never held with mu_
  std::condition_variable ticket_cv_;
  uint64_t serving_ticket_ GUARDED_BY(ticket_mu_) = 0;
  // Commit delay: appends in flight during the last group (that group + what queued during
  // its sync), and while the drain waits, the queue length that ends the wait (0: none).
  size_t last_in_flight_ GUARDED_BY(mu_) = 0;
  size_t fill_target_ GUARDED_BY(mu_) = 0;
  std::condition_variable fill_cv_;
  int64_t sync_ewma_micros_ GUARDED_BY(mu_) = 0;  // smoothed fdatasync time
  Status write_error_ GUARDED_BY(mu_);  // sticky: set by the first failed group; while set
                                        // (and not removed_) counted in refusing_partitions
  bool removed_ GUARDED_BY(mu_) = false;
  // The writer's encode buffer, reused across groups so a large group does not allocate
  // (and page-fault) a fresh buffer each time. Writer role only.
  std::string group_buf_;
};

}  // namespace pinpipe::log
