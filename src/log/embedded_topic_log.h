// EmbeddedTopicLog: the TopicLog kept in a local data directory (docs/log_format.md §1):
// topics of Partitions (partition.h), topic.meta files, consumer group offset files.
//
// Ownership: `fs` and `clock` are borrowed and must outlive the log. The data dir is locked
// (LOCK) for the lifetime of the object, so two processes never share it.
// Retention is not run by a thread of the log's own: the owner calls EnforceRetention(), or
// starts a RetentionRunner (retention_runner.h) that calls it every interval.
// Statistics for /metrics: stats() (log_stats.h), cumulative over this object's life.
//
// Threads: AppendAsync's group commits run on a CommitPool of up to kCommitThreads threads,
// started on demand (a log that is only read starts none) and joined by the destructor,
// which first waits for every queued append to complete.
//
// Thread-safety: all methods may be called concurrently. topics_mu_ guards the topic map
// and is held across topic creation/deletion (rare); appends and reads hold it only to look a
// topic up, then work on the Partition (which has its own lock). groups_mu_ guards the group
// map and serializes the rewrite of group files.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "base/clock.h"
#include "base/thread_annotations.h"
#include "io/file_system.h"
#include "log/log_stats.h"
#include "log/partition.h"
#include "log/topic_log.h"

namespace pinpipe::log {

class EmbeddedTopicLog final : public TopicLog {
 public:
  // Partitions written at once by different threads: beyond this, partitions take turns.
  static constexpr int kCommitThreads = 8;

  // Opens or creates the log in `data_dir` (its parent must exist) and recovers every
  // partition. kUnavailable if another process holds the data dir; kCorruption if a
  // metadata file or a sealed segment is damaged.
  // `max_syncs_in_flight` (1-64): groups of one partition that may be in their fdatasync at
  // once (PartitionOptions; pipelined group commit).
  static Result<std::unique_ptr<EmbeddedTopicLog>> Open(
      io::FileSystem* fs, std::string data_dir, Clock* clock = Clock::Real(),
      int max_syncs_in_flight = PartitionOptions{}.max_syncs_in_flight);
  EmbeddedTopicLog(const EmbeddedTopicLog&) = delete;
  EmbeddedTopicLog& operator=(const EmbeddedTopicLog&) = delete;
  ~EmbeddedTopicLog() override;

  Status CreateTopic(std::string_view topic, const TopicConfig& config) override;
  Status DeleteTopic(std::string_view topic) override;
  Result<std::vector<std::string>> ListTopics() override;
  Result<TopicDescription> DescribeTopic(std::string_view topic) override;
  Result<int32_t> PartitionCount(std::string_view topic) override;
  Result<std::vector<RecordPosition>> Append(std::string_view topic, PartitionChoice where,
                                             std::span<const Record> records) override;
  // Callbacks run on a CommitPool thread (or here, for an unknown topic or partition).
  void AppendAsync(std::string_view topic, PartitionChoice where, std::vector<Record> records,
                   AppendCallback done) override;
  void AppendEncodedAsync(std::string_view topic, std::optional<int32_t> partition,
                          EncodedBatch batch, AppendCallback done) override;
  Result<std::vector<StoredRecord>> Read(std::string_view topic, int32_t partition, int64_t offset,
                                         size_t max_bytes) override;
  Status ReadViews(std::string_view topic, int32_t partition, int64_t offset, size_t max_bytes,
                   RecordViews* out) override;
  Result<PartitionOffsets> GetOffsets(std::string_view topic, int32_t partition) override;
  Status CommitOffsets(std::string_view group, std::span<const GroupOffset> offsets) override;
  Result<std::optional<int64_t>> FetchCommitted(std::string_view group, std::string_view topic,
                                                int32_t partition) override;
  Result<std::vector<GroupOffset>> FetchGroup(std::string_view group) override;
  Result<std::vector<std::string>> ListGroups() override;

  // Applies the retention of every partition of every topic (by bytes and by age, against
  // the Clock given to Open) and returns the number of segments deleted. Sealed segments
  // only: the active segment of a partition is never deleted, so start <= end holds. Tries
  // every partition even if one fails; then returns the first error (what the others deleted
  // stays deleted).
  Result<int> EnforceRetention();
  // A snapshot of the counters (relaxed atomics, no lock): cheap enough for every scrape.
  // Counters include topics deleted since Open; refusing_partitions covers live ones only.
  LogStats stats() const { return counters_.Snapshot(); }
  // Bytes of torn tails recovery cut away when this log was opened (for logs and tests).
  uint64_t recovered_truncated_bytes() const { return recovered_truncated_bytes_; }

 private:
  struct Topic {
    std::string name;
    TopicConfig config;
    std::vector<std::unique_ptr<Partition>> partitions;
    std::atomic<uint32_t> round_robin{0};
  };
  using GroupMap = std::map<std::pair<std::string, int32_t>, int64_t>;

  EmbeddedTopicLog(io::FileSystem* fs, std::string data_dir, Clock* clock);
  Status Load();
  Result<std::shared_ptr<Topic>> OpenTopic(const std::string& name, const TopicConfig& config);
  // Shared: an Append or Read in flight keeps a deleted topic's objects alive.
  Result<std::shared_ptr<Topic>> FindTopic(std::string_view name) LOCKS_EXCLUDED(topics_mu_);
  Result<Partition*> FindPartition(const Topic& topic, int32_t partition);
  // The partition of each record; InvalidArgument/NotFound as Append returns them.
  Result<std::vector<int32_t>> Route(Topic& topic, PartitionChoice where,
                                     std::span<const Record> records);
  Status RemoveTree(const std::string& path);
  std::string TopicDir(std::string_view name) const;
  std::string GroupPath(std::string_view group) const;

  // Constant after construction.
  io::FileSystem* const fs_;
  const std::string dir_;
  const std::string topics_dir_;
  const std::string groups_dir_;
  Clock* const clock_;
  int max_syncs_in_flight_ = PartitionOptions{}.max_syncs_in_flight;  // set by Open
  std::unique_ptr<io::FileLock> lock_;
  uint64_t recovered_truncated_bytes_ = 0;
  // Shared by every Partition (declared before topics_, so they outlive them).
  LogCounters counters_;
  CommitPool pool_{kCommitThreads};

  std::mutex topics_mu_;
  std::map<std::string, std::shared_ptr<Topic>, std::less<>> topics_ GUARDED_BY(topics_mu_);
  std::mutex groups_mu_;
  std::map<std::string, GroupMap, std::less<>> groups_ GUARDED_BY(groups_mu_);
};

}  // namespace pinpipe::log
