#include "cli/sink_wiring.h"

#include <cinttypes>

#include "cli/store_wiring.h"

namespace pinpipe::cli {

Result<sink::SinkOptions> SinkOptionsFrom(const Config& config) {
  sink::SinkOptions o;
  o.name = config.sink.name;
  o.topics_regex = config.SinkTopicsRegex();
  o.flush_size = config.sink.flush_size;
  o.rotate_interval_ms = config.sink.rotate_interval_ms;
  o.rotate_schedule_interval_ms = config.sink.rotate_schedule_interval_ms;
  o.max_buffer_bytes = config.sink.max_buffer_bytes;
  RETURN_IF_ERROR(sink::ParseErrorsTolerance(config.sink.errors_tolerance, &o.errors_tolerance));
  o.dlq_topic = config.sink.dlq_topic;
  o.max_in_flight_puts = config.sink.max_in_flight_puts;
  o.max_in_flight_bytes = config.sink.max_in_flight_bytes;
  o.commit_interval_ms = config.sink.commit_interval_ms;
  RETURN_IF_ERROR(sink::Validate(o));
  return o;
}

Result<std::unique_ptr<objstore::ObjectStore>> OpenLake(const Config& config,
                                                        const std::string& url) {
  return OpenConfiguredStore(config, url);
}

void PrintSinkSummary(std::FILE* out, const sink::SinkStats& stats, const char* indent) {
  for (const auto& [topic, c] : stats.topics) {
    std::fprintf(out, "%s%-24s %" PRId64 " records in %" PRId64 " objects, %" PRId64 " bytes",
                 indent, topic.c_str(), c.records, c.objects, c.bytes);
    if (c.dlq_records > 0) std::fprintf(out, ", %" PRId64 " to the DLQ", c.dlq_records);
    std::fprintf(out, "\n");
  }
}

Result<std::unique_ptr<SinkService>> SinkService::Start(log::TopicLog* log, const Config& config) {
  ASSIGN_OR_RETURN(sink::SinkOptions options, SinkOptionsFrom(config));
  std::unique_ptr<SinkService> s(new SinkService());
  ASSIGN_OR_RETURN(s->store_, OpenLake(config));
  ASSIGN_OR_RETURN(s->sink_, sink::Sink::Create(log, s->store_.get(), Clock::Real(), options));
  s->runner_ = std::make_unique<sink::SinkRunner>(s->sink_.get(), [](const Status& why) {
    std::fprintf(stderr, "pinpipe up: the sink stopped: %s\n", std::string(why.message()).c_str());
  });
  RETURN_IF_ERROR(s->runner_->Start());
  return s;
}

SinkService::~SinkService() {
  if (runner_) runner_->Stop().IgnoreError();
}

Status SinkService::Stop() { return runner_ ? runner_->Stop() : Status::OK(); }

}  // namespace pinpipe::cli
