// ConsumerInstance: the state of one Kafka REST v2 consumer instance — its subscription or
// manual assignment, its fetch positions, what it last committed — and the operations of the
// consumer API on it. ConsumerManager (consumers.h) owns instances and speaks HTTP; the rules
// (start positions, auto commit, no rebalancing) are stated there and in docs/http_api.md.
//
// Errors are returned as the Kafka REST reply to send (ErrorReply): 40903 for mixing
// subscription kinds or seeking an unassigned partition, 40401/40402 for unknown
// topics/partitions where Kafka would fail, 5000x for log failures.
//
// Thread-safety: none of its own. The owner holds mu() for every call except the accessors of
// constant state (group(), name(), config()).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "api/error_reply.h"
#include "api/kafka_rest/consumer_requests.h"
#include "log/topic_log.h"

namespace pinpipe::api::kafka_rest {

struct FetchedRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;
  std::string value;
};

using MaybeError = std::optional<ErrorReply>;

class ConsumerInstance {
 public:
  // `log` is borrowed and must outlive the instance.
  ConsumerInstance(log::TopicLog* log, std::string group, std::string name, ConsumerConfig config);
  ConsumerInstance(const ConsumerInstance&) = delete;
  ConsumerInstance& operator=(const ConsumerInstance&) = delete;

  const std::string& group() const { return group_; }
  const std::string& name() const { return name_; }
  const ConsumerConfig& config() const { return config_; }
  std::mutex& mu() { return mu_; }

  // Closed instances were deleted or expired; every request on them answers 40403.
  bool closed() const { return closed_; }
  void set_closed() { closed_ = true; }

  // Replaces the subscription (auto-committing first). An empty topic list unsubscribes.
  MaybeError Subscribe(const SubscriptionRequest& s);
  // Auto-commits, then forgets the subscription or assignment and every position.
  MaybeError Unsubscribe();
  // The subscribed topics; for a pattern, the existing topics it matches now.
  Decoded<std::vector<std::string>> SubscribedTopics();
  // Manual assignment (auto-committing first). An empty list unassigns.
  MaybeError Assign(std::vector<TopicPartition> partitions);
  // The partitions this instance reads: the manual assignment, or every partition of the
  // existing subscribed topics. Sorted.
  Decoded<std::vector<TopicPartition>> Assignment();

  // Seeks; all-or-nothing. 40903 if a partition is not assigned.
  MaybeError Seek(const std::vector<TopicPartitionOffset>& offsets);
  MaybeError SeekToEdge(const std::vector<TopicPartition>& partitions, bool beginning);

  // The auto commit: commits positions that moved since they were last committed. No-op
  // when auto commit is off or nothing moved.
  MaybeError AutoCommit();
  // Commits every known position (POST .../offsets with no body).
  MaybeError CommitPositions();
  // Commits offset + 1 of each entry (Confluent's v2 meaning: the last record consumed).
  MaybeError CommitExplicit(const std::vector<TopicPartitionOffset>& offsets);

  // One pass over the assigned partitions, starting after the partition read last (so a busy
  // partition cannot starve the others). Appends records to *out while out->size() <
  // max_records and *bytes (key + value bytes) stays within max_bytes — but always at least
  // one record — and advances the positions past them.
  MaybeError FetchOnce(size_t max_records, size_t max_bytes, std::vector<FetchedRecord>* out,
                       size_t* bytes);

 private:
  enum class Mode { kNone, kTopics, kPattern, kAssigned };

  bool Matches(const std::string& topic) const;
  // Sets the position of `tp` from the group's commit or auto.offset.reset. `at_subscribe`:
  // the partition existed when the instance subscribed (latest = its end offset then);
  // otherwise it appeared later and starts at its start offset.
  Status InitPosition(const TopicPartition& tp, bool at_subscribe);
  // After the assignment changed: drops positions of partitions no longer assigned and sets
  // those of the new ones.
  MaybeError Reposition();
  MaybeError CheckAssigned(const std::vector<TopicPartition>& partitions);
  MaybeError CommitMap(const std::map<TopicPartition, int64_t>& offsets);

  // Constant after construction.
  log::TopicLog* const log_;
  const std::string group_;
  const std::string name_;
  const ConsumerConfig config_;

  std::mutex mu_;
  bool closed_ = false;
  Mode mode_ = Mode::kNone;
  std::vector<std::string> topics_;              // kTopics, sorted, unique
  std::string pattern_text_;                     // kPattern
  std::optional<std::regex> pattern_;            // kPattern
  std::vector<TopicPartition> assigned_;         // kAssigned, sorted, unique
  std::map<TopicPartition, int64_t> positions_;  // next offset to fetch
  std::map<TopicPartition, int64_t> committed_;  // last committed (or loaded) by this instance
  size_t cursor_ = 0;                            // where the next FetchOnce starts
};

// The reply for a failed TopicLog call: kNotFound → 40401 or 40402 (the log names the
// partition), kInvalidArgument → 40002, else 50002/50003.
ErrorReply LogErrorReply(const Status& s);

}  // namespace pinpipe::api::kafka_rest
