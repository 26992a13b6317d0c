#include "api/api_server.h"

#include <cinttypes>
#include <cstdio>

#include "api/kafka_rest/consumers.h"
#include "api/kafka_rest/metadata_routes.h"
#include "api/kafka_rest/produce_routes.h"

namespace pinpipe::api {

using kafka_rest::ErrorResponse;

struct ApiServer::Impl {
  Impl(log::TopicLog* l, Clock* c, ApiServerOptions o)
      : log(l),
        clock(c),
        options(std::move(o)),
        produce(l, options.kafka),
        consumers(l, c, options.kafka) {}

  log::TopicLog* log;
  Clock* clock;
  ApiServerOptions options;
  kafka_rest::ProduceRoutes produce;
  kafka_rest::ConsumerManager consumers;
  std::unique_ptr<http::Server> server;
};

namespace {

void Counter(std::string* out, const char* name, const char* help, uint64_t value,
             const char* type = "counter") {
  char buf[256];
  std::snprintf(buf, sizeof buf, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name, help, name,
                type, name, value);
  *out += buf;
}

http::Response Text(int status, std::string body, std::string type) {
  http::Response r;
  r.status = status;
  r.content_type = std::move(type);
  r.body = std::move(body);
  return r;
}

http::ServerHooks KafkaShapedHooks(uint64_t max_body_bytes) {
  http::ServerHooks hooks;
  hooks.not_found = [](const http::Request&) {
    return ErrorResponse(kafka_errors::NotFoundPath());
  };
  hooks.method_not_allowed = [](const http::Request&, std::string_view allow) {
    http::Response r = ErrorResponse(kafka_errors::MethodNotAllowed());
    r.headers.push_back({"Allow", std::string(allow)});
    return r;
  };
  hooks.payload_too_large = [max_body_bytes](const http::Request&) {
    return ErrorResponse(kafka_errors::EntityTooLarge(
        "The request body is larger than the maximum of " + std::to_string(max_body_bytes) +
        " bytes the server accepts."));
  };
  hooks.bad_request = [](const http::Request&, std::string_view why) {
    return ErrorResponse(kafka_errors::MalformedJson(why));
  };
  return hooks;
}

}  // namespace

ApiServer::ApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ApiServer::~ApiServer() {
  if (impl_->server) impl_->server->Stop(std::chrono::milliseconds(0)).IgnoreError();
}

Result<std::unique_ptr<ApiServer>> ApiServer::Start(log::TopicLog* log, Clock* clock,
                                                    ApiServerOptions options) {
  // Consumers long-poll and v3 streams append synchronously: blocking handlers never run on
  // the io threads. v2 produce is deferred (it answers from the log's commit thread).
  if (options.http.handler_threads <= 0) options.http.handler_threads = 16;
  auto impl = std::make_unique<Impl>(log, clock, std::move(options));
  Impl* raw = impl.get();
  auto api = std::unique_ptr<ApiServer>(new ApiServer(std::move(impl)));

  http::Router router;
  RETURN_IF_ERROR(raw->produce.Register(router));
  RETURN_IF_ERROR(kafka_rest::RegisterMetadataRoutes(router, log, raw->options.kafka));
  RETURN_IF_ERROR(raw->consumers.Register(router));
  http::RouteOptions ops;
  ops.skip_api_key = true;
  RETURN_IF_ERROR(router.Add(
      "GET", "/healthz",
      [](const http::Request&) { return Text(200, "{\"status\":\"ok\"}", "application/json"); },
      ops));
  const ApiServer* self = api.get();
  RETURN_IF_ERROR(router.Add(
      "GET", "/metrics",
      [self](const http::Request&) {
        return Text(200, self->MetricsText(), "text/plain; version=0.0.4");
      },
      ops));

  if (raw->options.schedule_json) {
    RETURN_IF_ERROR(router.Add("GET", "/api/schedule", [raw](const http::Request&) {
      return Text(200, raw->options.schedule_json(), "application/json");
    }));
  }

  http::ServerHooks hooks = KafkaShapedHooks(raw->options.http.max_body_bytes);
  // Consumer instances end with the server: long polls return, auto commits are written.
  hooks.on_drain = [raw] { raw->consumers.CloseAll().IgnoreError(); };

  ASSIGN_OR_RETURN(raw->server, http::Server::Open(raw->options.http, std::move(router), hooks));
  RETURN_IF_ERROR(raw->server->Start());
  return api;
}

uint16_t ApiServer::port() const { return impl_->server->port(); }

Status ApiServer::Stop(std::chrono::milliseconds grace) { return impl_->server->Stop(grace); }

std::string ApiServer::MetricsText() const {
  std::string out;
  http::MetricsSnapshot m = impl_->server->metrics();
  static const char* kClasses[] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
  out += "# HELP pinpipe_http_requests_total HTTP requests answered, by status class.\n";
  out += "# TYPE pinpipe_http_requests_total counter\n";
  char buf[256];
  for (int k = 0; k < 6; k++) {
    std::snprintf(buf, sizeof buf, "pinpipe_http_requests_total{code=\"%s\"} %" PRIu64 "\n",
                  kClasses[k], m.requests_by_class[k]);
    out += buf;
  }
  Counter(&out, "pinpipe_http_bytes_read_total", "Request bytes received.", m.bytes_read);
  Counter(&out, "pinpipe_http_bytes_written_total", "Response bytes sent.", m.bytes_written);
  Counter(&out, "pinpipe_http_connections_active", "Open connections.", m.connections_active,
          "gauge");
  Counter(&out, "pinpipe_http_connections_refused_total", "Connections over the limit.",
          m.connections_refused);
  Counter(&out, "pinpipe_http_timeouts_total", "Connections closed by a timeout.", m.timeouts);
  out += "# HELP pinpipe_http_request_duration_seconds Request latency.\n";
  out += "# TYPE pinpipe_http_request_duration_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < m.latency_buckets.size(); i++) {
    cumulative += m.latency_buckets[i];
    if (i < http::kLatencyBucketsMicros.size()) {
      std::snprintf(buf, sizeof buf,
                    "pinpipe_http_request_duration_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
                    static_cast<double>(http::kLatencyBucketsMicros[i]) / 1e6, cumulative);
    } else {
      std::snprintf(buf, sizeof buf,
                    "pinpipe_http_request_duration_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n",
                    cumulative);
    }
    out += buf;
  }
  std::snprintf(buf, sizeof buf,
                "pinpipe_http_request_duration_seconds_sum %g\n"
                "pinpipe_http_request_duration_seconds_count %" PRIu64 "\n",
                static_cast<double>(m.latency_sum_micros) / 1e6, m.latency_count);
  out += buf;

  const auto& ps = impl_->produce.stats();
  Counter(&out, "pinpipe_produce_records_total", "Records made durable by produce requests.",
          ps.records.load(std::memory_order_relaxed));
  Counter(&out, "pinpipe_produce_bytes_total", "Key and value bytes of those records.",
          ps.bytes.load(std::memory_order_relaxed));
  Counter(&out, "pinpipe_produce_refused_requests_total",
          "Produce requests refused whole (nothing written).",
          ps.refused_requests.load(std::memory_order_relaxed));

  if (impl_->options.log_stats) {
    log::LogStats ls = impl_->options.log_stats();
    Counter(&out, "pinpipe_log_appends_total", "Appends that reached a partition.", ls.appends);
    Counter(&out, "pinpipe_log_records_total", "Records written and synced.", ls.records_appended);
    Counter(&out, "pinpipe_log_bytes_total", "Batch bytes written and synced.", ls.bytes_appended);
    Counter(&out, "pinpipe_log_fsyncs_total", "fdatasync calls of group commits.", ls.syncs);
    Counter(&out, "pinpipe_log_overlapped_fsyncs_total",
            "Group-commit fdatasyncs begun while another of the same partition was running.",
            ls.overlapped_syncs);
    Counter(&out, "pinpipe_log_refusing_partitions",
            "Partitions refusing writes after an I/O error.", ls.refusing_partitions, "gauge");
    Counter(&out, "pinpipe_log_retention_segments_deleted_total",
            "Segments deleted by retention.", ls.retention_segments_deleted);
    out += "# HELP pinpipe_log_group_commit_size Appends merged into one write and fsync.\n";
    out += "# TYPE pinpipe_log_group_commit_size histogram\n";
    uint64_t cum = 0;
    for (size_t i = 0; i < ls.group_commit_sizes.size(); i++) {
      cum += ls.group_commit_sizes[i];
      std::string le = i < log::kGroupCommitSizeBounds.size()
                           ? std::to_string(log::kGroupCommitSizeBounds[i])
                           : std::string("+Inf");
      out += "pinpipe_log_group_commit_size_bucket{le=\"" + le + "\"} " + std::to_string(cum) + "\n";
    }
    out += "pinpipe_log_group_commit_size_count " + std::to_string(ls.group_commits) + "\n";
    out += "pinpipe_log_group_commit_size_sum " + std::to_string(ls.appends) + "\n";
    std::snprintf(buf, sizeof buf,
                  "# HELP pinpipe_log_fsync_seconds Time in fdatasync.\n"
                  "# TYPE pinpipe_log_fsync_seconds summary\n"
                  "pinpipe_log_fsync_seconds_sum %g\npinpipe_log_fsync_seconds_count %" PRIu64 "\n",
                  static_cast<double>(ls.sync_micros_sum) / 1e6, ls.sync_micros_count);
    out += buf;
  }

  out += "# HELP pinpipe_log_end_offset The next offset of each partition.\n";
  out += "# TYPE pinpipe_log_end_offset gauge\n";
  if (auto topics = impl_->log->ListTopics(); topics.ok()) {
    for (const auto& t : *topics) {
      auto d = impl_->log->DescribeTopic(t);
      if (!d.ok()) continue;
      for (const auto& p : d->partitions) {
        out += "pinpipe_log_end_offset{topic=\"" + t + "\",partition=\"" +
               std::to_string(p.partition) + "\"} " + std::to_string(p.end_offset) + "\n";
      }
    }
  }
  for (const auto& extra : impl_->options.extra_metrics) out += extra();
  return out;
}

}  // namespace pinpipe::api
