// Appending a request's records to the log, grouped by destination partition, with one outcome
// per record in request order. Shared by the v2 and v3 produce routes.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "api/error_reply.h"
#include "log/topic_log.h"

namespace pinpipe::api::kafka_rest {

struct AppendOutcome {
  std::optional<log::RecordPosition> position;  // set on success
  std::optional<ErrorReply> error;              // set on failure
};

// Appends `records` (moved from) to `topic`: records with the same `partitions[i]` (nullopt:
// the log chooses, by key or round-robin) go in one Append, so they are durable together.
std::vector<AppendOutcome> AppendGrouped(log::TopicLog* log, std::string_view topic,
                                         std::vector<log::Record>& records,
                                         const std::vector<std::optional<int32_t>>& partitions);

// The same without waiting (TopicLog::AppendAsync): `done` gets the outcomes once every group
// is durable or failed, on the thread that completed the last group (a log commit thread, or
// this one if the log answered at once). It must be quick.
using AppendDone = std::function<void(std::vector<AppendOutcome>)>;
void AppendGroupedAsync(log::TopicLog* log, std::string_view topic,
                        std::vector<log::Record> records,
                        const std::vector<std::optional<int32_t>>& partitions, AppendDone done);

// The records of `batch` (built on this thread) to `partition` (nullopt: the log's
// round-robin pick; see TopicLog::AppendEncodedAsync), with AppendGroupedAsync's outcomes.
void AppendBatchAsync(log::TopicLog* log, std::string_view topic, std::optional<int32_t> partition,
                      log::BatchBuilder batch, AppendDone done);

// True when the records with these `keys` all go to one partition, as the log would route
// them: the same explicit partition for all (*out = it); else, with no explicit one, the
// partition their keys hash to (Kafka's murmur2) when every record has a key and all agree
// (*out = it), or the one the log picks round-robin when no record has a key (*out = nullopt).
bool UniformPartition(std::span<const std::optional<std::string_view>> keys,
                      const std::vector<std::optional<int32_t>>& partitions,
                      int32_t partition_count, std::optional<int32_t>* out);

}  // namespace pinpipe::api::kafka_rest
