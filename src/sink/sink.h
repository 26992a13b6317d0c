// Sink: the S3-sink connector (SPEC §5): the topics matching topics_regex → objects in the
// Confluent S3 sink layout (object_key.h), one JSON value per line, consumed as the group
// connect-<name>.
//
// Exactly once (docs/guarantees.md, "Sink"): objects are cut by PartitionWriter at points
// that depend only on offsets, timestamps and sizes; a partition's group offset is committed
// only up to the first object whose put has not finished (Put is durable on return), so with
// several puts in flight, one that finishes early never lets the offset pass one still
// running; a restart resumes at the committed offset, which is always a cut point, and
// re-puts the same bytes under the same keys. Failed puts and commits are retried with
// backoff and never skipped. A record that is not JSON stops the sink (errors_tolerance none)
// or is appended to the dead-letter topic with its reason in headers (all), at least once.
//
// Per pass, each partition: take up to read_max_bytes of checked records from its position
// (RecordFetcher: read and JSON-checked on the fetcher's thread while the previous step was
// cut, with the next step's read started at once), cut, hand the
// finished objects to the PutPool (up to max_in_flight_puts objects / max_in_flight_bytes
// put at once, across partitions and passes; the pass blocks only when that is full); then
// collect the finished puts and make one CommitOffsets for every partition whose durable
// offset moved, at most every commit_interval_ms. Open objects are held in memory (bounded by
// flush_size / max_buffer_bytes per partition) and dropped on stop (they are re-read after a
// restart, since their offsets were not committed).
//
// Ownership: `log`, `store` and `clock` are borrowed and must outlive the Sink.
// Thread-safety: Run and Drain from one thread at a time; stats() and MetricsText() from any
// thread (stats_mu_). Puts run on the pool's threads and touch only the store, stats_ and the
// warning callback (warn_mu_); reads ahead run on the fetcher's threads and touch only the log
// and the fetcher's spare buffers.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
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
#include "sink/record_fetcher.h"
#include "sink/partition_writer.h"
#include "sink/put_pool.h"
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
  // A put handed to the pool, in the order of its partition's offsets.
  struct InFlight {
    uint64_t tag = 0;
    int64_t start_offset = 0;
    bool done = false;    // put and durable
    bool failed = false;  // gave up (max_attempts) or cancelled
  };
  struct Partition {
    std::unique_ptr<PartitionWriter> writer;
    int64_t committed = -1;  // what the group holds; -1: nothing yet
    int64_t durable = 0;     // may be committed: every object before it was put
    // The writer's safe offset when its last objects were handed out: durable once every
    // object in flight is.
    int64_t issued = 0;
    std::deque<InFlight> in_flight;
    bool reset = false;  // a put failed or was dropped: re-read from `durable` once settled
    int64_t schedule_due_ms = -1;  // wall-clock rotation of the open object, -1: none
  };
  using Key = std::pair<std::string, int32_t>;
  using Limits = std::map<Key, int64_t>;
  // The read a Step starts ahead (RecordFetcher::Prefetch) for the step after it.
  struct NextRead {
    const Key* key = nullptr;  // null: the same partition, after the records just read
    int64_t position = 0;      // of `key`
    int64_t limit = INT64_MAX;  // nothing is read ahead at or past it
  };

  Sink(log::TopicLog* log, objstore::ObjectStore* store, Clock* clock, SinkOptions options,
       std::regex topics);

  Status RunLoop(const std::atomic<bool>& stop);
  Result<SinkStats> DrainPasses(bool cut_tails, const std::atomic<bool>* stop);
  Status RefreshTopics(const std::atomic<bool>* stop);
  // One pass over the partitions (reading only below `limits` when given). OK(true) when a
  // record was consumed.
  Result<bool> Pass(const std::atomic<bool>* stop, const Limits* limits);
  // Reads, cuts and puts one partition's next records; adds a commit when it moved.
  Result<bool> Step(const Key& key, Partition& p, const std::atomic<bool>* stop, int64_t limit,
                    const NextRead& next);
  // Appends the record at `offset` (read again whole, headers included) to the DLQ.
  Status HandleBadRecord(const Key& key, int64_t offset, const Status& why,
                         const std::atomic<bool>* stop);
  // Hands the chunks to the pool (blocking while it is full); fails with the first put that
  // gave up, leaving the rest of `chunks` unsent and the partition marked for reset.
  Status PutAll(const Key& key, Partition& p, std::vector<ObjectChunk>& chunks);
  // Books finished puts: counters, each partition's durable offset; remembers a failure.
  void Absorb(std::vector<PutPool::Done>& done);
  // The durable offset after the finished puts at the front of the partition's queue.
  static void Advance(Partition& p);
  // Waits for every put in flight; re-reads each partition marked for reset from its durable
  // offset; returns the put failure seen, if any (and forgets it).
  Status Settle();
  // After `failure`: settles, commits what is durable, returns `failure`.
  Status FailPass(Status failure, const std::atomic<bool>* stop);
  // `force`: now; else only when commit_interval_ms passed since the last commit.
  Status CommitMoved(const std::atomic<bool>* stop, bool force);
  void MaybeScheduledCut(Partition& p, std::vector<ObjectChunk>* out);
  // Retention deleted records below the position: write what is open, continue at the start.
  Result<bool> SkipRetentionGap(const Key& key, Partition& p, const std::atomic<bool>* stop);
  // Forgets what was read after the durable offset (after a failed put or DLQ append).
  void ResetToDurable(const Key& key, Partition& p);
  void Publish(const Key& key, const Partition& p) LOCKS_EXCLUDED(stats_mu_);
  // Runs fn until OK, sleeping with exponential backoff; see SinkOptions::max_attempts. Any
  // thread.
  template <typename Fn>
  Status Retry(const std::string& what, const std::atomic<bool>* stop, Fn&& fn);
  // False when stopped (or the Sink is being destroyed) first. Any thread.
  bool SleepMs(int64_t ms, const std::atomic<bool>* stop);
  // A put on a pool thread, with retries.
  Status PutWithRetry(const ObjectChunk& chunk);
  void Warn(const std::string& message) LOCKS_EXCLUDED(warn_mu_);

  // Constant after construction.
  log::TopicLog* const log_;
  objstore::ObjectStore* const store_;
  Clock* const clock_;
  const SinkOptions options_;
  const std::regex topics_;
  const std::string group_;
  const std::string dlq_topic_;

  // The stop flag of the Run or Drain in progress, for the puts on pool threads.
  std::atomic<const std::atomic<bool>*> stop_{nullptr};
  std::atomic<bool> closing_{false};  // the destructor cancels retries
  std::mutex warn_mu_;                // options_.warn is called by one thread at a time
  BufferRecycler buffers_;            // object buffers, back from their puts

  // Owned by the thread in Run/Drain.
  std::map<Key, Partition> partitions_;
  RecordFetcher fetcher_;  // reads and checks records, one step ahead
  bool dlq_ready_ = false;
  bool bad_record_ = false;  // a bad record under errors_tolerance none: Run stops
  uint64_t next_tag_ = 1;
  std::map<uint64_t, Key> tags_;  // puts in flight → their partition
  Status put_failure_;            // the first put that gave up, until Settle
  int64_t last_commit_ms_ = -1;   // monotonic
  std::unique_ptr<PutPool> pool_;  // declared last: destroyed first, while the rest lives

  mutable std::mutex stats_mu_;
  SinkStats stats_ GUARDED_BY(stats_mu_);  // .partitions unused: see progress_
  std::map<Key, PartitionProgress> progress_ GUARDED_BY(stats_mu_);
};

}  // namespace pinpipe::sink
