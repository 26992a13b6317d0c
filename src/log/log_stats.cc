#include "log/log_stats.h"

#include <algorithm>
#include <bit>

namespace pinpipe::log {

size_t LogCounters::GroupSizeBucket(uint64_t appends) {
  // Bounds are the powers of two 1..64: n falls in bucket ceil(log2(n)), capped at +Inf.
  const size_t bucket = appends <= 1 ? 0 : std::bit_width(appends - 1);
  return std::min(bucket, kGroupCommitSizeBounds.size());
}

void LogCounters::GroupCommit(uint64_t appends) {
  Inc(group_commits_, 1);
  Inc(group_sizes_[GroupSizeBucket(appends)], 1);
}

LogStats LogCounters::Snapshot() const {
  constexpr auto kRelaxed = std::memory_order_relaxed;
  LogStats s;
  s.appends = appends_.load(kRelaxed);
  s.records_appended = records_.load(kRelaxed);
  s.bytes_appended = bytes_.load(kRelaxed);
  s.syncs = syncs_.load(kRelaxed);
  s.group_commits = group_commits_.load(kRelaxed);
  s.overlapped_syncs = overlapped_syncs_.load(kRelaxed);
  for (size_t i = 0; i < group_sizes_.size(); ++i) {
    s.group_commit_sizes[i] = group_sizes_[i].load(kRelaxed);
  }
  s.sync_micros_sum = sync_micros_sum_.load(kRelaxed);
  s.sync_micros_count = s.syncs;
  s.retention_segments_deleted = retention_deleted_.load(kRelaxed);
  s.refusing_partitions = static_cast<uint64_t>(std::max<int64_t>(0, refusing_.load(kRelaxed)));
  return s;
}

}  // namespace pinpipe::log
