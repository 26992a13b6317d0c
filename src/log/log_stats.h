// Log statistics for /metrics: LogStats is a snapshot; LogCounters holds the relaxed atomics
// the partitions of one EmbeddedTopicLog bump (a few increments per group commit, one per
// Append). Counters are cumulative over the life of the log object: they survive topic
// deletion (a deleted topic's appends stay counted) and start again at zero when the log is
// reopened. The one gauge, refusing_partitions, counts live partitions only.
//
// Thread-safety: every method may be called from any thread. A snapshot reads each counter
// on its own (relaxed), so counters updated together may be caught a moment apart.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace pinpipe::log {

// Upper bounds (inclusive) of the group-commit size histogram buckets (appends merged into
// one write+fdatasync); one more bucket (+Inf) follows.
inline constexpr std::array<uint64_t, 7> kGroupCommitSizeBounds = {1, 2, 4, 8, 16, 32, 64};

struct LogStats {
  uint64_t appends = 0;           // Partition::Append calls (one per partition an Append reached,
                                  // counted on arrival, whatever their outcome)
  uint64_t records_appended = 0;  // records in batches written and synced (acknowledged)
  uint64_t bytes_appended = 0;    // encoded batch bytes written and synced (segment bytes)
  uint64_t syncs = 0;             // group-commit fdatasync calls, failed ones included (not
                                  // the index/directory syncs of rolls, retention, topics)
  uint64_t group_commits = 0;     // leader rounds that wrote at least one batch
  uint64_t overlapped_syncs = 0;  // syncs begun while another group of the same partition
                                  // was still in its sync (pipelined group commit)
  // Non-cumulative: group_commit_sizes[i] counts groups of n appends with
  // kGroupCommitSizeBounds[i-1] < n <= kGroupCommitSizeBounds[i]; the last is n > 64.
  // Their sum is group_commits.
  std::array<uint64_t, kGroupCommitSizeBounds.size() + 1> group_commit_sizes{};
  uint64_t sync_micros_sum = 0;  // fdatasync latency (the log's Clock, monotonic)
  uint64_t sync_micros_count = 0;
  uint64_t retention_segments_deleted = 0;  // by EnforceRetention
  uint64_t refusing_partitions = 0;  // gauge: live partitions refusing writes after I/O error
};

class LogCounters {
 public:
  // Index into LogStats::group_commit_sizes for a group of `appends` (>= 1) appends.
  static size_t GroupSizeBucket(uint64_t appends);

  void Append() { Inc(appends_, 1); }
  // A leader is about to write a group of `appends` batches.
  void GroupCommit(uint64_t appends);
  void Sync(uint64_t micros) {
    Inc(syncs_, 1);
    Inc(sync_micros_sum_, micros);
  }
  void Written(uint64_t records, uint64_t bytes) {
    Inc(records_, records);
    Inc(bytes_, bytes);
  }
  void OverlappedSync() { Inc(overlapped_syncs_, 1); }
  void RetentionDeleted(uint64_t segments) { Inc(retention_deleted_, segments); }
  void RefusingChanged(int delta) { refusing_.fetch_add(delta, std::memory_order_relaxed); }

  LogStats Snapshot() const;

 private:
  static void Inc(std::atomic<uint64_t>& c, uint64_t n) {
    c.fetch_add(n, std::memory_order_relaxed);
  }

  std::atomic<uint64_t> appends_{0}, records_{0}, bytes_{0};
  std::atomic<uint64_t> syncs_{0}, sync_micros_sum_{0}, group_commits_{0};
  std::array<std::atomic<uint64_t>, kGroupCommitSizeBounds.size() + 1> group_sizes_{};
  std::atomic<uint64_t> retention_deleted_{0}, overlapped_syncs_{0};
  std::atomic<int64_t> refusing_{0};
};

}  // namespace pinpipe::log
