// TopicLog: the durable, partitioned topic log behind the ingest API, the sink and the
// stream job (SPEC §4). Backends: EmbeddedTopicLog (embedded_topic_log.h, files in a data
// dir) and, later, Kafka. Both must pass one behaviour suite.
//
// Contracts shared by every backend:
// - Append returns only when its records are durable (fsynced / acked by all replicas).
//   The records of one Append to one partition are all-or-nothing and get dense offsets.
// - Offsets of a partition start at its start offset (which retention moves forward) and
//   end at its end offset, the offset the next record will get.
// - Committed group offsets are "the next offset to consume" (Kafka's meaning) and are
//   durable when CommitOffsets returns.
// - Topic and group names follow Kafka's rule (names.h); a bad one is kInvalidArgument.
// - Unknown topic: kNotFound; partition out of range: kNotFound ("partition"); offset
//   outside [start, end]: kOutOfRange; I/O failure: kIOError, after which the partition
//   refuses appends with kFailedPrecondition until the log is reopened.
//
// Thread-safety: every method may be called concurrently from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "log/record.h"
#include "log/record_batch.h"
#include "log/record_view.h"

namespace pinpipe::log {

struct TopicConfig {
  int32_t partitions = 1;
  int64_t retention_bytes = -1;                   // per partition; -1 = unlimited
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;  // -1 = unlimited
  int64_t segment_bytes = 1LL << 30;              // (0, 2 GiB]
  friend bool operator==(const TopicConfig&, const TopicConfig&) = default;
};

struct PartitionOffsets {
  int32_t partition = 0;
  int64_t start_offset = 0;  // oldest offset still stored
  int64_t end_offset = 0;    // offset of the next record appended
};

struct TopicDescription {
  std::string name;
  TopicConfig config;
  std::vector<PartitionOffsets> partitions;  // by partition number
};

// Where Append puts records.
struct PartitionChoice {
  // Every record to this partition.
  static PartitionChoice Explicit(int32_t p) { return {p}; }
  // Records with a key go to murmur2(key) mod partitions (Kafka's default partitioner);
  // records without one go, together, to the next partition in round-robin order.
  static PartitionChoice ByKey() { return {std::nullopt}; }
  std::optional<int32_t> partition;
};

// Where one appended record landed.
struct RecordPosition {
  int32_t partition = 0;
  int64_t offset = 0;
  friend bool operator==(const RecordPosition&, const RecordPosition&) = default;
};

struct GroupOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;  // the next offset to consume
};

class TopicLog {
 public:
  virtual ~TopicLog() = default;

  // kAlreadyExists if the topic exists; kInvalidArgument for a bad name or config.
  virtual Status CreateTopic(std::string_view topic, const TopicConfig& config) = 0;
  virtual Status DeleteTopic(std::string_view topic) = 0;
  // Sorted by name.
  virtual Result<std::vector<std::string>> ListTopics() = 0;
  virtual Result<TopicDescription> DescribeTopic(std::string_view topic) = 0;
  // How many partitions `topic` has (kNotFound if none): what a produce needs per request,
  // without DescribeTopic's offsets. The default asks DescribeTopic.
  virtual Result<int32_t> PartitionCount(std::string_view topic) {
    ASSIGN_OR_RETURN(TopicDescription d, DescribeTopic(topic));
    return static_cast<int32_t>(d.partitions.size());
  }

  // Appends `records` (at least one); returns one position per record, in order. Records
  // routed to the same partition are written as one batch there; a multi-partition Append
  // is atomic per partition, not across partitions. Durable on return.
  virtual Result<std::vector<RecordPosition>> Append(std::string_view topic, PartitionChoice where,
                                                     std::span<const Record> records) = 0;

  using AppendCallback = std::function<void(Result<std::vector<RecordPosition>>)>;
  // Append without waiting, for callers that must not block a thread per request (the HTTP
  // io thread): takes the records, returns, and calls `done` exactly once with what Append
  // would have returned, when the records are durable or have failed. `done` may run on this
  // thread before AppendAsync returns (errors found up front) or on a thread of the backend;
  // it must be quick, and must not call Append (AppendAsync is fine). The default runs Append
  // here, for backends without an asynchronous path.
  virtual void AppendAsync(std::string_view topic, PartitionChoice where,
                           std::vector<Record> records, AppendCallback done) {
    done(Append(topic, where, records));
  }

  // AppendAsync for a batch the caller encoded (BatchBuilder: records stamped when built, no
  // headers), so the log's writer copies it into place instead of encoding each record.
  // Every record goes to `partition`, or, when it is nullopt, all of them to the next
  // partition in round-robin order: keys do not route here, so a batch whose records have
  // keys needs an explicit partition when the topic has several (kInvalidArgument
  // otherwise). The default decodes the batch and calls AppendAsync.
  virtual void AppendEncodedAsync(std::string_view topic, std::optional<int32_t> partition,
                                  EncodedBatch batch, AppendCallback done);

  // Records of one partition from `offset`: at most max_bytes of payload, but at least one
  // record when offset < end. Empty at the end offset.
  virtual Result<std::vector<StoredRecord>> Read(std::string_view topic, int32_t partition,
                                                 int64_t offset, size_t max_bytes) = 0;
  // The records Read returns, as views into *out (cleared first; record_view.h), for
  // consumers that go through many records and keep none (the sink). The default copies what
  // Read returns; the embedded log reads straight into *out's buffers.
  virtual Status ReadViews(std::string_view topic, int32_t partition, int64_t offset,
                           size_t max_bytes, RecordViews* out) {
    out->Clear();
    ASSIGN_OR_RETURN(std::vector<StoredRecord> records, Read(topic, partition, offset, max_bytes));
    out->AddCopies(records);
    return Status::OK();
  }
  virtual Result<PartitionOffsets> GetOffsets(std::string_view topic, int32_t partition) = 0;

  // Durably records the group's next offsets (all of them or none).
  virtual Status CommitOffsets(std::string_view group, std::span<const GroupOffset> offsets) = 0;
  Status CommitOffset(std::string_view group, std::string_view topic, int32_t partition,
                      int64_t offset) {
    GroupOffset o{std::string(topic), partition, offset};
    return CommitOffsets(group, std::span<const GroupOffset>(&o, 1));
  }
  // nullopt when the group never committed this partition.
  virtual Result<std::optional<int64_t>> FetchCommitted(std::string_view group,
                                                        std::string_view topic,
                                                        int32_t partition) = 0;
  // Every committed offset of the group, sorted by (topic, partition). kNotFound if none.
  virtual Result<std::vector<GroupOffset>> FetchGroup(std::string_view group) = 0;
  // Groups with committed offsets, sorted.
  virtual Result<std::vector<std::string>> ListGroups() = 0;
};

}  // namespace pinpipe::log
