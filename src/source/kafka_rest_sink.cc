#include "source/kafka_rest_sink.h"

#include <algorithm>
#include <chrono>

#include "base/clock.h"
#include "base/json_writer.h"
#include "model/json_codec.h"
#include "net/http_client.h"

namespace pinpipe::source {

// One worker's connection plus the retry policy.
class HttpSender {
 public:
  HttpSender(std::unique_ptr<net::HttpClient> client, const HttpSinkOptions& options)
      : client_(std::move(client)), options_(options) {}

  // POSTs `body` to `url` until a response that is not 5xx, or retries run out. *retries is
  // incremented per retry.
  bool cancelled() const {
    return options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed);
  }

  Status Post(const std::string& url, const std::string& body, int64_t* retries) {
    net::HttpRequest req;
    req.method = "POST";
    req.url = url;
    req.headers = {{"Content-Type", "application/vnd.kafka.json.v2+json"},
                   {"Accept", "application/vnd.kafka.v2+json"}};
    if (!options_.api_key.empty()) req.headers.emplace_back("x-api-key", options_.api_key);
    req.body = body;
    int64_t backoff = options_.initial_backoff_ms;
    for (int attempt = 0;; attempt++) {
      Result<net::HttpResponse> resp = client_->Send(req);
      Status outcome;
      if (!resp.ok()) {
        outcome = resp.status();
      } else if (resp->status >= 500) {
        outcome = UnavailableError("HTTP " + std::to_string(resp->status) + " from " + url + ": " +
                                   resp->body.substr(0, 200));
      } else if (resp->status != 200) {
        return FailedPreconditionError("HTTP " + std::to_string(resp->status) + " from " + url +
                                       ": " + resp->body.substr(0, 200));
      } else if (resp->body.find("\"error_code\":null") == std::string::npos &&
                 resp->body.find("\"error_code\":") != std::string::npos) {
        return FailedPreconditionError("a record was refused: " + resp->body.substr(0, 200));
      } else {
        return Status::OK();
      }
      if (outcome.code() != StatusCode::kUnavailable || attempt >= options_.max_retries) {
        return outcome;
      }
      if (cancelled()) return CancelledError("stopped while retrying: " + outcome.ToString());
      ++*retries;
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff));
      backoff = std::min<int64_t>(backoff * 2, 2000);
    }
  }

 private:
  std::unique_ptr<net::HttpClient> client_;
  const HttpSinkOptions& options_;
};

Result<std::unique_ptr<KafkaRestSink>> KafkaRestSink::Create(HttpSinkOptions options) {
  if (options.api_url.empty()) return InvalidArgumentError("the API URL is empty");
  if (options.concurrency < 1 || options.batch < 1) {
    return InvalidArgumentError("concurrency and batch must be at least 1");
  }
  while (!options.api_url.empty() && options.api_url.back() == '/') options.api_url.pop_back();
  auto sink = std::unique_ptr<KafkaRestSink>(new KafkaRestSink(std::move(options)));
  for (int i = 0; i < sink->options_.concurrency; i++) {
    sink->workers_.emplace_back([s = sink.get()] { s->Worker(); });
  }
  return sink;
}

KafkaRestSink::~KafkaRestSink() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

Status KafkaRestSink::Send(const model::Post& post) {
  pending_.posts.push_back(post);
  if (static_cast<int>(pending_.posts.size()) < options_.batch) return Status::OK();
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return queue_.size() < static_cast<size_t>(2 * options_.concurrency); });
  queue_.push_back(std::move(pending_));
  pending_ = Batch();
  cv_.notify_all();
  return Status::OK();
}

Status KafkaRestSink::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!pending_.posts.empty()) {
    queue_.push_back(std::move(pending_));
    pending_ = Batch();
    cv_.notify_all();
  }
  cv_.wait(lock, [&] { return queue_.empty() && in_flight_ == 0; });
  return Status::OK();
}

HttpSinkStats KafkaRestSink::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  HttpSinkStats s = stats_;
  std::vector<int64_t> sorted = latencies_;
  std::sort(sorted.begin(), sorted.end());
  if (!sorted.empty()) {
    s.p50_micros = sorted[(sorted.size() - 1) / 2];
    s.p99_micros = sorted[(sorted.size() - 1) * 99 / 100];
  }
  return s;
}

Status KafkaRestSink::SendBatch(HttpSender& sender, const Batch& batch) {
  static constexpr model::Table kTables[] = {model::Table::kPin, model::Table::kGeo,
                                            model::Table::kUser};
  for (model::Table table : kTables) {
    // json.dumps({"records": [{"value": row}, ...]}, default=str)
    std::string body = "{\"records\": [";
    for (size_t i = 0; i < batch.posts.size(); i++) {
      body += i == 0 ? "{\"value\": " : ", {\"value\": ";
      const model::Post& p = batch.posts[i];
      switch (table) {
        case model::Table::kPin: model::AppendRawJson(&body, p.pin, JsonStyle::kPython); break;
        case model::Table::kGeo: model::AppendRawJson(&body, p.geo, JsonStyle::kPython); break;
        case model::Table::kUser: model::AppendRawJson(&body, p.user, JsonStyle::kPython); break;
      }
      body += "}";
    }
    body += "]}";
    std::string url = options_.api_url + "/topics/" + options_.user_id + "." +
                      std::string(model::TableName(table));
    int64_t retries = 0;
    int64_t start = Clock::Real()->MonotonicMicros();
    Status s = sender.Post(url, body, &retries);
    int64_t took = Clock::Real()->MonotonicMicros() - start;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.requests++;
      stats_.retries += retries;
      latencies_.push_back(took);
    }
    RETURN_IF_ERROR(s);
  }
  return Status::OK();
}

void KafkaRestSink::Worker() {
  Result<std::unique_ptr<net::HttpClient>> client = net::HttpClient::Create(options_.timeout_ms);
  std::unique_ptr<HttpSender> sender;
  if (client.ok()) sender = std::make_unique<HttpSender>(std::move(client).value(), options_);
  for (;;) {
    Batch batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;
      batch = std::move(queue_.front());
      queue_.pop_front();
      in_flight_++;
      cv_.notify_all();
    }
    Status s;
    if (options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed)) {
      s = CancelledError("stopped before sending");
    } else {
      s = sender ? SendBatch(*sender, batch) : client.status();
    }
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_--;
    auto n = static_cast<int64_t>(batch.posts.size());
    if (s.ok()) {
      stats_.posts_sent += n;
    } else {
      stats_.posts_failed += n;
      if (stats_.first_error.empty()) stats_.first_error = s.ToString();
    }
    cv_.notify_all();
  }
}

}  // namespace pinpipe::source
