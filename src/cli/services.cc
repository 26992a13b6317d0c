#include "cli/services.h"

#include <filesystem>

#include "io/posix_file_system.h"

namespace pinpipe::cli {

Result<std::unique_ptr<log::EmbeddedTopicLog>> OpenLog(const Config& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return IOError("cannot create the data dir '" + config.data_dir + "': " + ec.message());
  auto log = log::EmbeddedTopicLog::Open(io::PosixFileSystem::Default(), config.LogDir(),
                                         Clock::Real(),
                                         static_cast<int>(config.log.max_syncs_in_flight));
  if (!log.ok() && log.status().code() == StatusCode::kUnavailable) {
    return Status(StatusCode::kUnavailable,
                  std::string(log.status().message()) +
                      " (is `pinpipe up` running on this data dir? use its HTTP API meanwhile)");
  }
  return log;
}

log::TopicConfig TopicSettings(const Config& config, int32_t partitions) {
  log::TopicConfig t;
  t.partitions = partitions;
  t.retention_ms = config.log.retention_ms;
  t.retention_bytes = config.log.retention_bytes;
  t.segment_bytes = config.log.segment_bytes;
  return t;
}

Result<std::vector<std::string>> EnsurePipelineTopics(log::TopicLog& log, const Config& config) {
  std::vector<std::string> created;
  for (const char* table : {"pin", "geo", "user"}) {
    std::string topic = config.Topic(table);
    Status s = log.CreateTopic(topic, TopicSettings(config, static_cast<int32_t>(config.log.partitions)));
    if (s.ok()) {
      created.push_back(topic);
    } else if (s.code() != StatusCode::kAlreadyExists) {
      return s.WithContext("creating topic " + topic);
    }
  }
  return created;
}

Result<std::unique_ptr<api::ApiServer>> StartApi(
    log::EmbeddedTopicLog* log, const Config& config, const std::string& listen,
    std::vector<std::function<std::string()>> extra_metrics,
    std::function<std::string()> schedule_json) {
  api::ApiServerOptions o;
  RETURN_IF_ERROR(ParseHostPort(listen.empty() ? config.api.listen : listen, &o.http.host,
                                &o.http.port));
  o.http.io_threads = static_cast<int>(config.api.io_threads);
  o.http.handler_threads = static_cast<int>(config.api.handler_threads);
  o.http.base_path = config.api.base_path;
  o.http.api_key = config.api.api_key;
  o.http.max_body_bytes = static_cast<uint64_t>(config.api.max_body_bytes);
  o.http.max_connections = static_cast<uint32_t>(config.api.max_connections);
  o.kafka.user_id = config.user_id;
  o.kafka.auto_create_topics = config.api.auto_create_topics;
  o.kafka.auto_create_partitions = static_cast<int32_t>(config.log.partitions);
  o.kafka.validate_records = config.api.validate_records;
  o.log_stats = [log] { return log->stats(); };
  o.extra_metrics = std::move(extra_metrics);
  o.schedule_json = std::move(schedule_json);
  auto server = api::ApiServer::Start(log, Clock::Real(), o);
  if (!server.ok()) return server.status().WithContext("starting the API on " + o.http.host + ":" + std::to_string(o.http.port));
  return server;
}

}  // namespace pinpipe::cli
