// Appending a request's records to the log, grouped by destination partition, with one outcome
// per record in request order. Shared by the v2 and v3 produce routes.
#pragma once

#include <functional>
#include <optional>
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

}  // namespace pinpipe::api::kafka_rest
