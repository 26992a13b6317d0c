// KafkaRestSink: sends posts to a Kafka REST Proxy v2 as the original emulator does —
// `POST <api>/topics/<user_id>.pin|.geo|.user` with `Content-Type:
// application/vnd.kafka.json.v2+json` and the body json.dumps({"records": [{"value": row}]},
// default=str) — to pinpipe's API, Confluent's proxy, or an API Gateway stage in front of it.
//
// Beyond the original: `concurrency` connections (one worker thread each), `batch` posts per
// request (K records per topic request), retries with exponential backoff on 5xx and on
// connection errors (at least once: a request whose response was lost may be written twice),
// and per-request latencies for the summary.
//
// Thread-safety: Send and Flush are called from one thread (the emulator's); stats() from any.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "source/post_sink.h"

namespace pinpipe::source {

struct HttpSinkOptions {
  std::string api_url;  // e.g. http://127.0.0.1:8082 or https://x.execute-api.../test
  std::string user_id;  // topics are <user_id>.pin, .geo, .user
  std::string api_key;  // sent as x-api-key when not empty
  int concurrency = 1;
  int batch = 1;  // posts per request
  int max_retries = 5;
  int64_t initial_backoff_ms = 50;
  int64_t timeout_ms = 30000;
  // When set and true (e.g. on SIGTERM), retries stop and queued posts are dropped as failed,
  // so the sink stops promptly even when the API is gone. Must outlive the sink.
  const std::atomic<bool>* cancel = nullptr;
};

struct HttpSinkStats {
  int64_t posts_sent = 0;    // all three records acknowledged
  int64_t posts_failed = 0;  // some record not acknowledged after the retries
  int64_t requests = 0;
  int64_t retries = 0;
  int64_t p50_micros = 0;  // request latency, including retries
  int64_t p99_micros = 0;
  std::string first_error;  // the first failure's reason, for the summary
};

class KafkaRestSink final : public PostSink {
 public:
  static Result<std::unique_ptr<KafkaRestSink>> Create(HttpSinkOptions options);
  ~KafkaRestSink() override;

  // Queues the post; blocks while 2 × concurrency batches are waiting (backpressure).
  Status Send(const model::Post& post) override;
  // Sends the partial batch and waits until every queued request is done.
  Status Flush() override;
  HttpSinkStats stats() const;

 private:
  struct Batch {
    std::vector<model::Post> posts;
  };
  explicit KafkaRestSink(HttpSinkOptions options) : options_(std::move(options)) {}
  void Worker();
  // Sends one batch's three requests; returns the error of the first that failed for good.
  Status SendBatch(class HttpSender& sender, const Batch& batch);

  const HttpSinkOptions options_;
  Batch pending_;  // the batch being filled by Send (emulator thread only)

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;     // guarded by mu_
  int in_flight_ = 0;           // guarded by mu_
  bool closing_ = false;        // guarded by mu_
  HttpSinkStats stats_;         // guarded by mu_ (latencies kept apart)
  std::vector<int64_t> latencies_;  // guarded by mu_
  std::vector<std::thread> workers_;
};

}  // namespace pinpipe::source
