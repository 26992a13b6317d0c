// Sink: the S3-sink connector (SPEC §5): the topics matching topics_regex → objects in the
// Confluent S3 sink layout (object_key.h), one JSON value per line, consumed as the group
// connect-<name>.
//
// Exactly once (docs/guarantees.md, "Sink"): objects are cut by PartitionWriter at points
// that depend only on offsets, timestamps and sizes; a partition's group offset is committed
// only after every object before it was put (Put is durable on return); a restart resumes at
// the committed offset, which is always a cut point, and re-puts the same bytes under the same
// keys. Failed puts and commits are retried with backoff and never skipped. A record that is
// not JSON stops the sink (errors_tolerance none) or is appended to the dead-letter topic with
// its reason in headers (all), at least once.
//
// Per pass, each partition: read up to read_max_bytes from its position, cut, put the
// finished objects; then one CommitOffsets for every partition that moved. Open objects are
// held in memory (bounded by flush_size / max_buffer_bytes per partition) and dropped on stop
// (they are re-read after a restart, since their offsets were not committed).
//
// Ownership: `log`, `store` and `clock` are borrowed and must outlive the Sink.
// Thread-safety: Run and Drain from one thread at a time; stats() and MetricsText() from any
// thread (stats_mu_).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/thread_annotations.h"
#include "log/topic_log.h"
#include "objstore/object_store.h"
#include "sink/json_line.h"
#include "sink/partition_writer.h"
#include "sink/sink_options.h"

namespace pinpipe::sink {

struct TopicCounters {
  int64_t records = 0;      // records written into objects
  int64_t objects = 0;      // objects put
  int64_t bytes = 0;        // object bytes put
  int64_t dlq_records = 0;  // records sent to the dead-letter topic
};

struct PartitionProgress {
  std::string topic;
  int32_t partition = 0;
  int64_t committed = 0;  // the group's committed offset (next to consume)
  int64_t position = 0;   // next offset to read
};

struct SinkStats {
  std::map<std::string, TopicCounters> topics;  // by topic
  std::vector<PartitionProgress> partitions;    // sorted by (topic, partition)
  int64_t retries = 0;                          // failed puts/commits/reads retried
  int64_t records_lost_to_retention = 0;        // deleted by retention before the sink read them
  TopicCounters Total() const;
};

class Sink {
 public:
  // kInvalidArgument if the options do not Validate().
  static Result<std::unique_ptr<Sink>> Create(log::TopicLog* log, objstore::ObjectStore* store,
                                              Clock* clock, SinkOptions options);
  ~Sink();
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  // Runs until `stop` is set (OK), re-reading the topic list every topic_refresh_ms. Returns
  // early with kFailedPrecondition for a bad record under errors_tolerance none, or with the
  // last error when max_attempts > 0 is exhausted.
  Status Run(const std::atomic<bool>& stop);

  // The --once mode: consumes every record present when it starts, cuts the open objects at
  // the end (when cut_tails; a cut that depends on the moment, see CutNow) and commits. OK:
  // the counters of this drain.
  Result<SinkStats> Drain(bool cut_tails = true, const std::atomic<bool>* stop = nullptr);

  SinkStats stats() const LOCKS_EXCLUDED(stats_mu_);
  // Prometheus text: pinpipe_sink_{records,objects,bytes,dlq_records}_total{topic},
  // pinpipe_sink_retries_total, pinpipe_sink_lag{topic,partition} (end offset - committed).
  std::string MetricsText() const LOCKS_EXCLUDED(stats_mu_);

 private:
  struct Partition {
    std::unique_ptr<PartitionWriter> writer;
    int64_t committed = -1;  // what the group holds; -1: nothing yet
    int64_t durable = 0;     // may be committed: every object before it was put
    int64_t schedule_due_ms = -1;  // wall-clock rotation of the open object, -1: none
  };
  using Key = std::pair<std::string, int32_t>;
  using Limits = std::map<Key, int64_t>;

  Sink(log::TopicLog* log, objstore::ObjectStore* store, Clock* clock, SinkOptions options,
       std::regex topics);

  Status RefreshTopics(const std::atomic<bool>* stop);
  // One pass over the partitions (reading only below `limits` when given). OK(true) when a
  // record was consumed.
  Result<bool> Pass(const std::atomic<bool>* stop, const Limits* limits);
  // Reads, cuts and puts one partition's next records; adds a commit when it moved.
  Result<bool> Step(const Key& key, Partition& p, const std::atomic<bool>* stop, int64_t limit);
  Status HandleBadRecord(const Key& key, const log::StoredRecord& r, const Status& why,
                         const std::atomic<bool>* stop);
  Status PutAll(const Key& key, std::vector<ObjectChunk>& chunks, const std::atomic<bool>* stop);
  Status CommitMoved(const std::atomic<bool>* stop);
  void MaybeScheduledCut(Partition& p, std::vector<ObjectChunk>* out);
  // Retention deleted records below the position: write what is open, continue at the start.
  Result<bool> SkipRetentionGap(const Key& key, Partition& p, const std::atomic<bool>* stop);
  // Forgets what was read after the durable offset (after a failed put or DLQ append).
  void ResetToDurable(const Key& key, Partition& p);
  void Publish(const Key& key, const Partition& p) LOCKS_EXCLUDED(stats_mu_);
  // Runs fn until OK, sleeping with exponential backoff; see SinkOptions::max_attempts.
  template <typename Fn>
  Status Retry(const std::string& what, const std::atomic<bool>* stop, Fn&& fn);
  // False when stopped first.
  bool SleepMs(int64_t ms, const std::atomic<bool>* stop);
  void Warn(const std::string& message);

  // Constant after construction.
  log::TopicLog* const log_;
  objstore::ObjectStore* const store_;
  Clock* const clock_;
  const SinkOptions options_;
  const std::regex topics_;
  const std::string group_;
  const std::string dlq_topic_;

  // Owned by the thread in Run/Drain.
  std::map<Key, Partition> partitions_;
  JsonLineChecker checker_;
  std::string scratch_;
  bool dlq_ready_ = false;
  bool bad_record_ = false;  // a bad record under errors_tolerance none: Run stops

  mutable std::mutex stats_mu_;
  SinkStats stats_ GUARDED_BY(stats_mu_);  // .partitions unused: see progress_
  std::map<Key, PartitionProgress> progress_ GUARDED_BY(stats_mu_);
};

}  // namespace pinpipe::sink
