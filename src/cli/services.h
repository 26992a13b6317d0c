// The long-running pieces, wired from the configuration: the embedded topic log and the HTTP
// API. `pinpipe up`, `demo`, `topics` and `consume` share them so each part is set up one way.
//
// Thread-safety: as the objects returned; the functions themselves keep no state.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/api_server.h"
#include "base/result.h"
#include "cli/config.h"
#include "log/embedded_topic_log.h"

namespace pinpipe::cli {

// Opens (creating) the embedded log in <data_dir>/log. Unavailable when another pinpipe
// process holds it.
Result<std::unique_ptr<log::EmbeddedTopicLog>> OpenLog(const Config& config);

// Creates the pipeline's topics <user_id>.pin|geo|user when absent (SPEC §4), with
// log.partitions partitions and the configured retention. Returns the names it created.
Result<std::vector<std::string>> EnsurePipelineTopics(log::TopicLog& log, const Config& config);

// The topic settings of the configuration.
log::TopicConfig TopicSettings(const Config& config, int32_t partitions);

// Starts the HTTP API on `log` as configured. `listen` overrides api.listen when not empty.
// `extra_metrics` are appended to /metrics (ApiServerOptions::extra_metrics); `schedule_json`
// serves GET /api/schedule.
Result<std::unique_ptr<api::ApiServer>> StartApi(
    log::EmbeddedTopicLog* log, const Config& config, const std::string& listen = "",
    std::vector<std::function<std::string()>> extra_metrics = {},
    std::function<std::string()> schedule_json = {});

}  // namespace pinpipe::cli
