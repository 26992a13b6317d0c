// ApiServer: pinpipe's HTTP ingest API — the Kafka REST v2/v3 front door, the ops endpoints
// (GET /healthz, GET /metrics) — on one http::Server over one TopicLog. Later front doors
// (Kinesis, API Gateway shapes, the dashboard) register their routes here too.
//
// Errors the server itself produces (404, 405, 413, bad path parameters) use Confluent's
// envelope, so a Kafka REST client always parses what it gets.
//
// Thread-safety: Start/Stop from one controlling thread; port() and MetricsText() from any.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/kafka_rest/common.h"
#include "base/clock.h"
#include "base/result.h"
#include "http/server.h"
#include "log/log_stats.h"
#include "log/topic_log.h"

namespace pinpipe::api {

struct ApiServerOptions {
  http::ServerOptions http;
  kafka_rest::KafkaRestOptions kafka;
  // The log backend's counters for /metrics (fsyncs, group-commit sizes); empty: not shown.
  std::function<log::LogStats()> log_stats;
  // More Prometheus text appended to /metrics (e.g. the sink's), each called per scrape from
  // a handler thread; whatever they capture must outlive the server.
  std::vector<std::function<std::string()>> extra_metrics;
  // The body of GET /api/schedule (the scheduler's jobs and runs, JSON), called per request
  // from a handler thread; empty: no such route.
  std::function<std::string()> schedule_json;
};

class ApiServer {
 public:
  // Builds the routes, binds, and starts serving. `log` and `clock` must outlive the server.
  static Result<std::unique_ptr<ApiServer>> Start(log::TopicLog* log, Clock* clock,
                                                  ApiServerOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  uint16_t port() const;
  // Graceful: finishes in-flight requests (whose records are then durable), then returns.
  Status Stop(std::chrono::milliseconds grace);

  // The Prometheus text exposition of GET /metrics.
  std::string MetricsText() const;

 private:
  struct Impl;
  explicit ApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pinpipe::api
