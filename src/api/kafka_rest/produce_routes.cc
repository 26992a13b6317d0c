#include "api/kafka_rest/produce_routes.h"

#include <charconv>
#include <variant>
#include <vector>

#include <simdjson.h>

#include "api/kafka_rest/append.h"
#include "api/kafka_rest/produce_request.h"
#include "base/json_writer.h"
#include "log/names.h"

namespace pinpipe::api::kafka_rest {
namespace {

std::optional<int32_t> ParsePartition(std::string_view text) {
  int32_t p = -1;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
  if (ec != std::errc() || ptr != text.data() + text.size() || p < 0) return std::nullopt;
  return p;
}

// Written piece by piece rather than through JsonWriter: a 100-record request answers 100
// offsets, and this was a visible share of a batched produce (the bytes are the same).
std::string RenderProduceResponse(const std::vector<AppendOutcome>& outcomes) {
  std::string out;
  out.reserve(80 + outcomes.size() * 64);
  out.append(R"({"offsets":[)");
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const AppendOutcome& o = outcomes[i];
    if (i > 0) out.push_back(',');
    if (o.position) {
      out.append(R"({"partition":)");
      AppendJsonInt(&out, o.position->partition);
      out.append(R"(,"offset":)");
      AppendJsonInt(&out, o.position->offset);
      out.append(R"(,"error_code":null,"error":null})");
    } else {
      out.append(R"({"partition":null,"offset":null,"error_code":)");
      AppendJsonInt(&out, o.error->error_code);
      out.append(R"(,"error":)");
      AppendJsonString(&out, o.error->message, /*ensure_ascii=*/false);
      out.push_back('}');
    }
  }
  out.append(R"(],"key_schema_id":null,"value_schema_id":null})");
  return out;
}

}  // namespace

std::optional<model::Table> ProduceRoutes::ValidatedTable(std::string_view topic) const {
  if (!options_.validate_records) return std::nullopt;
  std::string_view prefix = options_.user_id;
  if (topic.size() <= prefix.size() + 1 || topic.substr(0, prefix.size()) != prefix ||
      topic[prefix.size()] != '.') {
    return std::nullopt;
  }
  return model::ParseTableName(topic.substr(prefix.size() + 1));
}

std::optional<ErrorReply> ProduceRoutes::EnsureTopic(std::string_view topic,
                                                     int32_t* partitions) const {
  auto count = log_->PartitionCount(topic);
  if (count.ok()) {  // an existing topic's name is valid
    *partitions = *count;
    return std::nullopt;
  }
  if (Status s = log::ValidateName("topic", topic); !s.ok()) {
    return kafka_errors::InvalidTopic(s.message());
  }
  if (count.status().code() != StatusCode::kNotFound) return KafkaErrorFromStatus(count.status());
  if (!options_.auto_create_topics) return kafka_errors::TopicNotFound();
  log::TopicConfig config;
  config.partitions = options_.auto_create_partitions;
  Status created = log_->CreateTopic(topic, config);
  if (!created.ok() && created.code() != StatusCode::kAlreadyExists) {
    return KafkaErrorFromStatus(created);
  }
  count = log_->PartitionCount(topic);
  if (!count.ok()) return KafkaErrorFromStatus(count.status());
  *partitions = *count;
  return std::nullopt;
}

void ProduceRoutes::ProduceV2(const http::Request& req, bool to_partition,
                              http::Responder respond) const {
  auto prepared = PrepareV2(req, to_partition);
  if (auto* refused = std::get_if<http::Response>(&prepared)) {
    stats_.refused_requests.fetch_add(1, std::memory_order_relaxed);
    return respond(std::move(*refused));
  }
  PreparedV2& p = std::get<PreparedV2>(prepared);
  const ProduceRequest& request = p.request;
  const size_t n = request.records.size();
  // Per-record failures (an I/O error) still answer 200, with error codes in the offsets.
  AppendDone done = [this, respond = std::move(respond), sizes = std::move(p.sizes),
                     content_type = p.content_type](std::vector<AppendOutcome> outcomes) {
    uint64_t ok = 0;
    uint64_t bytes = 0;
    for (size_t i = 0; i < outcomes.size(); i++) {
      if (!outcomes[i].position) continue;
      ok++;
      bytes += sizes[i];
    }
    CountProduced(ok, bytes);
    respond(JsonResponse(200, RenderProduceResponse(outcomes), content_type));
  };
  std::vector<std::optional<std::string_view>> keys(n);
  for (size_t i = 0; i < n; i++) keys[i] = request.key(i);
  std::optional<int32_t> partition;
  if (UniformPartition(keys, p.where, p.partition_count, &partition)) {
    // The common case: encoded here, in one batch, straight from the decoded bytes.
    log::BatchBuilder builder(request.data.size() + 8 * n);
    for (size_t i = 0; i < n; i++) builder.Add(keys[i], request.value(i).value_or(""));
    return AppendBatchAsync(log_, req.param("topic"), partition, std::move(builder),
                            std::move(done));
  }
  std::vector<log::Record> records(n);
  for (size_t i = 0; i < n; i++) {
    if (keys[i]) records[i].key = std::string(*keys[i]);
    records[i].value = std::string(request.value(i).value_or(""));
  }
  AppendGroupedAsync(log_, req.param("topic"), std::move(records), p.where, std::move(done));
}

std::variant<ProduceRoutes::PreparedV2, http::Response> ProduceRoutes::PrepareV2(
    const http::Request& req, bool to_partition) const {
  auto format = ParseProduceContentType(req.header("content-type").value_or(""));
  if (!format) return ErrorResponse(kafka_errors::UnsupportedMediaType());
  Negotiated type = NegotiateOr406(req);
  if (!type.ok) return type.error;

  std::string_view topic = req.param("topic");
  std::optional<int32_t> path_partition;
  if (to_partition) {
    path_partition = ParsePartition(req.param("partition"));
    if (!path_partition) return ErrorResponse(kafka_errors::PartitionNotFound());
  }
  static_assert(http::kBodyPadding >= simdjson::SIMDJSON_PADDING);
  auto decoded = DecodeProduceV2(req.body(), *format, to_partition, ValidatedTable(topic),
                                 /*body_padded=*/true);
  if (auto* err = std::get_if<ErrorReply>(&decoded)) return ErrorResponse(*err);

  int32_t partitions = 0;
  if (auto err = EnsureTopic(topic, &partitions)) return ErrorResponse(*err);

  PreparedV2 p;
  p.request = std::move(std::get<ProduceRequest>(decoded));
  p.content_type = type.content_type;
  p.partition_count = partitions;
  const size_t n = p.request.records.size();
  p.where.resize(n);
  p.sizes.resize(n);
  for (size_t i = 0; i < n; i++) {
    const ProduceRecord& r = p.request.records[i];
    p.where[i] = path_partition ? path_partition : r.partition;
    if (p.where[i] && *p.where[i] >= partitions) {
      return ErrorResponse(kafka_errors::PartitionNotFound());
    }
    p.sizes[i] = (r.value ? r.value->size : 0) + (r.key ? r.key->size : 0);
  }
  return p;
}

Status ProduceRoutes::Register(http::Router& router) {
  RETURN_IF_ERROR(router.AddAsync("POST", "/topics/{topic}",
                                  [this](const http::Request& r, http::Responder respond) {
                                    ProduceV2(r, false, std::move(respond));
                                  }));
  RETURN_IF_ERROR(router.AddAsync("POST", "/topics/{topic}/partitions/{partition}",
                                  [this](const http::Request& r, http::Responder respond) {
                                    ProduceV2(r, true, std::move(respond));
                                  }));
  return router.AddStreaming("POST", "/v3/clusters/{cluster}/topics/{topic}/records",
                             [this](const http::Request& head) { return ProduceV3(head); });
}

}  // namespace pinpipe::api::kafka_rest
