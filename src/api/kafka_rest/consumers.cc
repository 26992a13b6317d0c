#include "api/kafka_rest/consumers.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include <simdjson.h>

#include "api/kafka_rest/consumer_instance.h"
#include "api/kafka_rest/consumer_requests.h"
#include "base/base64.h"
#include "base/json_writer.h"
#include "base/uuid.h"
#include "log/names.h"

namespace pinpipe::api::kafka_rest {

// The manager's bookkeeping around one instance's state.
struct ConsumerManager::Instance {
  Instance(log::TopicLog* log, std::string group, std::string name, ConsumerConfig config)
      : state(log, std::move(group), std::move(name), std::move(config)) {}
  ConsumerInstance state;    // under state.mu()
  int in_flight = 0;         // guarded by ConsumerManager::mu_
  int64_t last_used_us = 0;  // guarded by ConsumerManager::mu_ (monotonic clock)
};

// Marks an instance in use for the duration of a request (so it never expires mid-request).
class ConsumerManager::Lease {
 public:
  Lease(ConsumerManager* m, std::shared_ptr<Instance> inst) : m_(m), inst_(std::move(inst)) {}
  ~Lease() {
    std::lock_guard<std::mutex> l(m_->mu_);
    inst_->in_flight--;
    inst_->last_used_us = m_->clock_->MonotonicMicros();
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

 private:
  ConsumerManager* m_;
  std::shared_ptr<Instance> inst_;
};

namespace {

// How long a long poll sleeps between looks at the log.
constexpr int64_t kPollStepMicros = 10'000;

std::string LowerMediaType(std::string_view value) {
  std::string_view t = value.substr(0, value.find(';'));
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  std::string out(t);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Request bodies may be any v2 vendor type (as Confluent's @Consumes), or plain JSON.
std::optional<http::Response> CheckContentType(const http::Request& req) {
  if (IsBlank(req.body())) return std::nullopt;
  auto header = req.header("content-type");
  if (!header) return std::nullopt;
  std::string type = LowerMediaType(*header);
  if (type == kV2Json || type == "application/json" || type == "application/octet-stream" ||
      ParseProduceContentType(type)) {
    return std::nullopt;
  }
  return ErrorResponse(kafka_errors::UnsupportedMediaType());
}

// The response type for every consumer endpoint but records: any v2 type the client accepts,
// including the embedded-format ones Confluent's consumer resource also produces.
Negotiated NegotiateConsumer(const http::Request& req) {
  if (ParseRecordsAccept(req.header("accept").value_or(""))) return Negotiated{true, kV2Json, {}};
  return NegotiateOr406(req);
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string NewInstanceId(std::mt19937_64& rng) {
  const uint64_t hi = rng();
  return "rest-consumer-" + FormatUuidV4(hi, rng());
}

// A stored key or value in the json format: the stored JSON text itself. Text that is not
// JSON (e.g. produced with the binary format) is sent as a JSON string rather than failing
// the poll; an empty value (the log's null) is null.
void WriteJsonData(JsonWriter& w, const std::string* data) {
  if (!data || data->empty()) {
    w.Null();
    return;
  }
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element unused;
  if (parser.parse(data->data(), data->size()).get(unused) == simdjson::SUCCESS) {
    w.Raw(*data);
  } else {
    w.String(*data);
  }
}

void WriteBinaryData(JsonWriter& w, const std::string* data) {
  if (!data) {
    w.Null();
    return;
  }
  w.String(Base64Encode(*data));
}

std::string RenderRecords(const std::vector<FetchedRecord>& records, EmbeddedFormat format) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  for (const FetchedRecord& r : records) {
    w.BeginObject().Key("topic").String(r.topic).Key("key");
    const std::string* key = r.key ? &*r.key : nullptr;
    if (format == EmbeddedFormat::kJson) {
      WriteJsonData(w, key);
      w.Key("value");
      WriteJsonData(w, &r.value);
    } else {
      WriteBinaryData(w, key);
      w.Key("value");
      WriteBinaryData(w, &r.value);
    }
    w.Key("partition").Int(r.partition).Key("offset").Int(r.offset).EndObject();
  }
  w.EndArray();
  return out;
}

void WritePartitions(JsonWriter& w, const std::vector<TopicPartition>& partitions) {
  w.BeginArray();
  for (const auto& tp : partitions) {
    w.BeginObject().Key("topic").String(tp.topic).Key("partition").Int(tp.partition).EndObject();
  }
  w.EndArray();
}

}  // namespace

ConsumerManager::ConsumerManager(log::TopicLog* log, Clock* clock, KafkaRestOptions options)
    : log_(log), clock_(clock), options_(std::move(options)), rng_(std::random_device{}()) {}

ConsumerManager::~ConsumerManager() = default;

size_t ConsumerManager::instance_count() const {
  std::lock_guard<std::mutex> l(mu_);
  return instances_.size();
}

void ConsumerManager::ExpireIdle() {
  const int64_t now = clock_->MonotonicMicros();
  const int64_t timeout_us = options_.consumer_instance_timeout_ms * 1000;
  std::vector<std::shared_ptr<Instance>> expired;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto it = instances_.begin(); it != instances_.end();) {
      Instance& inst = *it->second;
      if (inst.in_flight == 0 && now - inst.last_used_us > timeout_us) {
        expired.push_back(it->second);
        it = instances_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& inst : expired) {
    std::lock_guard<std::mutex> l(inst->state.mu());
    // Best effort, as a Kafka consumer's close: nobody is left to report the failure to.
    CloseInstance(*inst).IgnoreError();
  }
}

Status ConsumerManager::CloseAll() {
  stopping_.store(true);
  std::vector<std::shared_ptr<Instance>> all;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& [key, inst] : instances_) all.push_back(inst);
  }
  Status first;
  for (auto& inst : all) {
    std::lock_guard<std::mutex> l(inst->state.mu());
    if (Status s = CloseInstance(*inst); !s.ok() && first.ok()) first = s;
  }
  return first;
}

Status ConsumerManager::CloseInstance(Instance& inst) {
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = instances_.find({inst.state.group(), inst.state.name()});
    if (it != instances_.end() && it->second.get() == &inst) instances_.erase(it);
  }
  if (inst.state.closed()) return Status::OK();
  MaybeError err = inst.state.AutoCommit();
  inst.state.set_closed();
  if (err) {
    return InternalError("auto commit of consumer " + inst.state.name() + ": " + err->message);
  }
  return Status::OK();
}

Status ConsumerManager::Register(http::Router& router) {
  auto add = [&](std::string_view method, std::string_view pattern,
                 http::Response (ConsumerManager::*fn)(const http::Request&)) {
    return router.Add(method, pattern,
                      [this, fn](const http::Request& r) { return (this->*fn)(r); });
  };
  const std::string base = "/consumers/{group}/instances/{instance}";
  RETURN_IF_ERROR(add("POST", "/consumers/{group}", &ConsumerManager::Create));
  RETURN_IF_ERROR(add("DELETE", base, &ConsumerManager::Delete));
  RETURN_IF_ERROR(add("POST", base + "/subscription", &ConsumerManager::Subscribe));
  RETURN_IF_ERROR(add("GET", base + "/subscription", &ConsumerManager::GetSubscription));
  RETURN_IF_ERROR(add("DELETE", base + "/subscription", &ConsumerManager::Unsubscribe));
  RETURN_IF_ERROR(add("POST", base + "/assignments", &ConsumerManager::Assign));
  RETURN_IF_ERROR(add("GET", base + "/assignments", &ConsumerManager::GetAssignment));
  RETURN_IF_ERROR(add("POST", base + "/positions", &ConsumerManager::Seek));
  RETURN_IF_ERROR(router.Add("POST", base + "/positions/beginning",
                             [this](const http::Request& r) { return SeekToEdge(r, true); }));
  RETURN_IF_ERROR(router.Add("POST", base + "/positions/end",
                             [this](const http::Request& r) { return SeekToEdge(r, false); }));
  RETURN_IF_ERROR(add("POST", base + "/offsets", &ConsumerManager::Commit));
  RETURN_IF_ERROR(add("GET", base + "/offsets", &ConsumerManager::GetCommitted));
  RETURN_IF_ERROR(add("GET", base + "/records", &ConsumerManager::Records));
  return Status::OK();
}

http::Response ConsumerManager::Create(const http::Request& req) {
  ExpireIdle();
  Negotiated type = NegotiateConsumer(req);
  if (!type.ok) return type.error;
  if (auto refused = CheckContentType(req)) return *refused;
  std::string group(req.param("group"));
  if (Status s = log::ValidateName("group", group); !s.ok()) {
    return ErrorResponse(kafka_errors::InvalidConsumerConfig(s.message()));
  }
  auto decoded = DecodeCreateConsumer(req.body());
  if (auto* err = std::get_if<ErrorReply>(&decoded)) return ErrorResponse(*err);
  ConsumerConfig config = std::get<ConsumerConfig>(std::move(decoded));
  if (config.name) {
    // Instance names appear in URLs; Kafka's name rule keeps them plain.
    if (Status s = log::ValidateName("consumer instance name", *config.name); !s.ok()) {
      return ErrorResponse(kafka_errors::InvalidConsumerConfig(s.message()));
    }
  }
  std::string name;
  {
    std::lock_guard<std::mutex> l(mu_);
    name = config.name ? *config.name : NewInstanceId(rng_);
    auto key = std::make_pair(group, name);
    if (instances_.contains(key)) {
      return ErrorResponse(kafka_errors::ConsumerInstanceExists());
    }
    auto inst = std::make_shared<Instance>(log_, group, name, std::move(config));
    inst->last_used_us = clock_->MonotonicMicros();
    instances_.emplace(std::move(key), std::move(inst));
  }
  // Without a configured advertised URL, the base URI is where the client reached us: its
  // Host header plus the base path (API Gateway stage) the request came through.
  std::string base_url = options_.advertised_url;
  if (base_url.empty()) {
    std::string_view target = req.target().substr(0, req.target().find('?'));
    std::string_view stage = target.substr(0, target.size() - std::min(target.size(), req.path().size()));
    base_url = "http://" + std::string(req.header("host").value_or("127.0.0.1")) + std::string(stage);
  }
  std::string out;
  JsonWriter w(&out);
  w.BeginObject()
      .Key("instance_id")
      .String(name)
      .Key("base_uri")
      .String(base_url + "/consumers/" + group + "/instances/" + name)
      .EndObject();
  return JsonResponse(200, std::move(out), type.content_type);
}

// Runs `fn(state)` on the instance the request names, with the instance's mutex held and a
// lease that keeps it from expiring; 40403 if there is no such (open) instance.
template <typename Fn>
http::Response ConsumerManager::WithInstance(const http::Request& req, Fn&& fn) {
  ExpireIdle();
  std::shared_ptr<Instance> inst;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it =
        instances_.find({std::string(req.param("group")), std::string(req.param("instance"))});
    if (it == instances_.end()) return ErrorResponse(kafka_errors::ConsumerInstanceNotFound());
    inst = it->second;
    inst->in_flight++;
    inst->last_used_us = clock_->MonotonicMicros();
  }
  Lease lease(this, inst);
  std::lock_guard<std::mutex> l(inst->state.mu());
  if (inst->state.closed()) return ErrorResponse(kafka_errors::ConsumerInstanceNotFound());
  return fn(*inst);
}

http::Response ConsumerManager::Delete(const http::Request& req) {
  return WithInstance(req, [&](Instance& inst) {
    if (Status s = CloseInstance(inst); !s.ok()) {
      return ErrorResponse(kafka_errors::KafkaError(s.message()));
    }
    return NoContent();
  });
}

http::Response ConsumerManager::Subscribe(const http::Request& req) {
  Negotiated type = NegotiateConsumer(req);
  if (!type.ok) return type.error;
  if (auto refused = CheckContentType(req)) return *refused;
  return WithInstance(req, [&](Instance& inst) {
    auto decoded = DecodeSubscription(req.body());
    if (auto* err = std::get_if<ErrorReply>(&decoded)) return ErrorResponse(*err);
    if (auto err = inst.state.Subscribe(std::get<SubscriptionRequest>(decoded))) {
      return ErrorResponse(*err);
    }
    return NoContent();
  });
}

http::Response ConsumerManager::GetSubscription(const http::Request& req) {
  Negotiated type = NegotiateConsumer(req);
  if (!type.ok) return type.error;
  return WithInstance(req, [&](Instance& inst) {
    auto topics = inst.state.SubscribedTopics();
    if (auto* err = std::get_if<ErrorReply>(&topics)) return ErrorResponse(*err);
    std::string out;
    JsonWriter w(&out);
    w.BeginObject().Key("topics").BeginArray();
    for (const auto& t : std::get<std::vector<std::string>>(topics)) w.String(t);
    w.EndArray().EndObject();
    return JsonResponse(200, std::move(out), type.content_type);
  });
}

http::Response ConsumerManager::Unsubscribe(const http::Request& req) {
  return WithInstance(req, [&](Instance& inst) {
    if (auto err = inst.state.Unsubscribe()) return ErrorResponse(*err);
    return NoContent();
  });
}

http::Response ConsumerManager::Assign(const http::Request& req) {
  Negotiated type = NegotiateConsumer(req);
  if (!type.ok) return type.error;
  if (auto refused = CheckContentType(req)) return *refused;
  return WithInstance(req, [&](Instance& inst) {
    auto decoded = DecodePartitions(req.body());
    if (auto* err = std::get_if<ErrorReply>(&decoded)) return ErrorResponse(*err);
    if (auto err = inst.state.Assign(std::get<std::vector<TopicPartition>>(std::move(decoded)))) {
      return ErrorResponse(*err);
    }
    return NoContent();
  });
}

http::Response ConsumerManager::GetAssignment(const http::Request& req) {
  Negotiated type = NegotiateConsumer(req);
  if (!type.ok) return type.error;
  return WithInstance(req, [&](Instance& inst) {
    auto assigned = inst.state.Assignment();
    if (auto* err = std::get_if<ErrorReply>(&assigned)) return ErrorResponse(*err);
    std::string out;
    JsonWriter w(&out);
    w.BeginObject().Key("partitions");
    WritePartitions(w, std::get<std::vector<TopicPartition>>(assigned));
    w.EndObject();
    return JsonResponse(200, std::move(out), type.content_type);
  });
}

http::Response ConsumerManager::Seek(const http::Request& req) {
  Negotiated type = NegotiateConsumer(req);
  if (!type.ok) return type.error;
  if (auto refused = CheckContentType(req)) return *refused;
  return WithInstance(req, [&](Instance& inst) {
    auto decoded = DecodeOffsets(req.body());
    if (auto* err = std::get_if<ErrorReply>(&decoded)) return ErrorResponse(*err);
    if (auto err = inst.state.Seek(std::get<std::vector<TopicPartitionOffset>>(decoded))) {
      return ErrorResponse(*err);
    }
    return NoContent();
  });
}

http::Response ConsumerManager::SeekToEdge(const http::Request& req, bool beginning) {
  Negotiated type = NegotiateConsumer(req);
  if (!type.ok) return type.error;
  if (auto refused = CheckContentType(req)) return *refused;
  return WithInstance(req, [&](Instance& inst) {
    auto decoded = DecodePartitions(req.body());
    if (auto* err = std::get_if<ErrorReply>(&decoded)) return ErrorResponse(*err);
    if (auto err =
            inst.state.SeekToEdge(std::get<std::vector<TopicPartition>>(decoded), beginning)) {
      return ErrorResponse(*err);
    }
    return NoContent();
  });
}

http::Response ConsumerManager::Commit(const http::Request& req) {
  Negotiated type = NegotiateConsumer(req);
  if (!type.ok) return type.error;
  if (auto refused = CheckContentType(req)) return *refused;
  return WithInstance(req, [&](Instance& inst) {
    MaybeError err;
    if (IsBlank(req.body())) {
      err = inst.state.CommitPositions();
    } else {
      auto decoded = DecodeOffsets(req.body());
      if (auto* bad = std::get_if<ErrorReply>(&decoded)) return ErrorResponse(*bad);
      err = inst.state.CommitExplicit(std::get<std::vector<TopicPartitionOffset>>(decoded));
    }
    if (err) return ErrorResponse(*err);
    // Confluent answers with its (always empty) list of commit results.
    return JsonResponse(200, "[]", type.content_type);
  });
}

http::Response ConsumerManager::GetCommitted(const http::Request& req) {
  Negotiated type = NegotiateConsumer(req);
  if (!type.ok) return type.error;
  if (auto refused = CheckContentType(req)) return *refused;
  return WithInstance(req, [&](Instance& inst) {
    // Confluent answers a request without partitions with 40402.
    if (IsBlank(req.body())) return ErrorResponse(kafka_errors::PartitionNotFound());
    auto decoded = DecodePartitions(req.body());
    if (auto* err = std::get_if<ErrorReply>(&decoded)) return ErrorResponse(*err);
    std::string out;
    JsonWriter w(&out);
    w.BeginObject().Key("offsets").BeginArray();
    for (const TopicPartition& tp : std::get<std::vector<TopicPartition>>(decoded)) {
      auto committed = log_->FetchCommitted(inst.state.group(), tp.topic, tp.partition);
      if (!committed.ok()) return ErrorResponse(LogErrorReply(committed.status()));
      if (!*committed) continue;  // never committed: left out, as Kafka's committed() does
      w.BeginObject()
          .Key("topic")
          .String(tp.topic)
          .Key("partition")
          .Int(tp.partition)
          .Key("offset")
          .Int(**committed)
          .Key("metadata")
          .String("")
          .EndObject();
    }
    w.EndArray().EndObject();
    return JsonResponse(200, std::move(out), type.content_type);
  });
}

http::Response ConsumerManager::Records(const http::Request& req) {
  const std::string accept(req.header("accept").value_or(""));
  std::optional<EmbeddedFormat> format = ParseRecordsAccept(accept);
  if (!format) {
    // Confluent's binary read also produces application/vnd.kafka.v2+json (and so */*).
    if (!NegotiateV2Response(accept)) return ErrorResponse(kafka_errors::NotAcceptable());
    format = EmbeddedFormat::kBinary;
  }
  int64_t timeout = -1, max_bytes = -1;
  if (auto t = req.query_param("timeout")) {
    auto v = ParseInt(*t);
    if (!v) return ErrorResponse(kafka_errors::Unprocessable("timeout must be an integer"));
    timeout = *v;
  }
  if (auto m = req.query_param("max_bytes")) {
    auto v = ParseInt(*m);
    if (!v) return ErrorResponse(kafka_errors::Unprocessable("max_bytes must be an integer"));
    max_bytes = *v;
  }
  return WithInstance(req, [&](Instance& inst) {
    const ConsumerConfig& config = inst.state.config();
    if (config.format != *format) return ErrorResponse(kafka_errors::ConsumerFormatMismatch());
    const int64_t default_wait =
        config.request_timeout_ms.value_or(options_.consumer_request_timeout_ms);
    const int64_t wait_ms = timeout <= 0 ? default_wait : std::min(timeout, default_wait);
    const size_t byte_cap = static_cast<size_t>(
        max_bytes <= 0 ? options_.consumer_request_max_bytes
                       : std::min(max_bytes, options_.consumer_request_max_bytes));
    const size_t record_cap = static_cast<size_t>(std::max(options_.max_poll_records, 1));
    const size_t min_bytes =
        static_cast<size_t>(std::max<int64_t>(config.fetch_min_bytes.value_or(0), 0));

    // What earlier polls returned counts as consumed now that the client asks for more.
    if (auto err = inst.state.AutoCommit()) return ErrorResponse(*err);

    std::vector<FetchedRecord> records;
    size_t bytes = 0;
    const int64_t deadline = clock_->MonotonicMicros() + wait_ms * 1000;
    for (;;) {
      if (auto err = inst.state.FetchOnce(record_cap, byte_cap, &records, &bytes)) {
        if (records.empty()) return ErrorResponse(*err);
        break;  // positions already moved past what we have: deliver it
      }
      if (records.size() >= record_cap || bytes >= byte_cap) break;
      if (!records.empty() && bytes >= min_bytes) break;
      const int64_t now = clock_->MonotonicMicros();
      if (now >= deadline || stopping_.load()) break;
      clock_->SleepForMicros(std::min(kPollStepMicros, deadline - now));
    }
    std::string content_type =
        "application/vnd.kafka." + std::string(EmbeddedFormatName(config.format)) + ".v2+json";
    return JsonResponse(200, RenderRecords(records, config.format), content_type);
  });
}

}  // namespace pinpipe::api::kafka_rest
