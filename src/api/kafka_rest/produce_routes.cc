#include "api/kafka_rest/produce_routes.h"

#include <charconv>
#include <variant>
#include <vector>

#include "api/kafka_rest/append.h"
#include "api/kafka_rest/produce_request.h"
#include "base/json_writer.h"
#include "log/names.h"
#include "model/json_codec.h"

namespace pinpipe::api::kafka_rest {
namespace {

std::optional<int32_t> ParsePartition(std::string_view text) {
  int32_t p = -1;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
  if (ec != std::errc() || ptr != text.data() + text.size() || p < 0) return std::nullopt;
  return p;
}

std::string RenderProduceResponse(const std::vector<AppendOutcome>& outcomes) {
  std::string out;
  out.reserve(32 + outcomes.size() * 64);
  JsonWriter w(&out);
  w.BeginObject().Key("offsets").BeginArray();
  for (const AppendOutcome& o : outcomes) {
    w.BeginObject();
    if (o.position) {
      w.Key("partition").Int(o.position->partition).Key("offset").Int(o.position->offset);
      w.Key("error_code").Null().Key("error").Null();
    } else {
      w.Key("partition").Null().Key("offset").Null();
      w.Key("error_code").Int(o.error->error_code).Key("error").String(o.error->message);
    }
    w.EndObject();
  }
  w.EndArray().Key("key_schema_id").Null().Key("value_schema_id").Null().EndObject();
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

std::optional<std::string> ProduceRoutes::InvalidRecordReason(model::Table table,
                                                              std::string_view value) {
  Status s;
  switch (table) {
    case model::Table::kPin: s = model::DecodeRawPin(value).status(); break;
    case model::Table::kGeo: s = model::DecodeRawGeo(value).status(); break;
    case model::Table::kUser: s = model::DecodeRawUser(value).status(); break;
  }
  if (s.ok()) return std::nullopt;
  return std::string(s.message());
}

std::optional<ErrorReply> ProduceRoutes::EnsureTopic(std::string_view topic,
                                                     int32_t* partitions) const {
  if (Status s = log::ValidateName("topic", topic); !s.ok()) {
    return kafka_errors::InvalidTopic(s.message());
  }
  auto desc = log_->DescribeTopic(topic);
  if (desc.ok()) {
    *partitions = static_cast<int32_t>(desc->partitions.size());
    return std::nullopt;
  }
  if (desc.status().code() != StatusCode::kNotFound) return KafkaErrorFromStatus(desc.status());
  if (!options_.auto_create_topics) return kafka_errors::TopicNotFound();
  log::TopicConfig config;
  config.partitions = options_.auto_create_partitions;
  Status created = log_->CreateTopic(topic, config);
  if (!created.ok() && created.code() != StatusCode::kAlreadyExists) {
    return KafkaErrorFromStatus(created);
  }
  desc = log_->DescribeTopic(topic);
  if (!desc.ok()) return KafkaErrorFromStatus(desc.status());
  *partitions = static_cast<int32_t>(desc->partitions.size());
  return std::nullopt;
}

http::Response ProduceRoutes::ProduceV2(const http::Request& req, bool to_partition) const {
  http::Response resp = ProduceV2Unchecked(req, to_partition);
  if (resp.status != 200) stats_.refused_requests.fetch_add(1, std::memory_order_relaxed);
  return resp;
}

http::Response ProduceRoutes::ProduceV2Unchecked(const http::Request& req,
                                                 bool to_partition) const {
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
  auto decoded = DecodeProduceV2(req.body(), *format, to_partition);
  if (auto* err = std::get_if<ErrorReply>(&decoded)) return ErrorResponse(*err);
  ProduceRequest& request = std::get<ProduceRequest>(decoded);

  if (auto table = ValidatedTable(topic)) {
    for (size_t i = 0; i < request.records.size(); i++) {
      const auto& value = request.records[i].value;
      std::optional<std::string> why =
          value ? InvalidRecordReason(*table, *value) : std::optional<std::string>("null value");
      if (why) {
        return ErrorResponse(kafka_errors::JsonConversion(
            "records[" + std::to_string(i) + "].value is not a valid " +
            std::string(model::TableName(*table)) + " record: " + *why));
      }
    }
  }
  int32_t partitions = 0;
  if (auto err = EnsureTopic(topic, &partitions)) return ErrorResponse(*err);

  std::vector<log::Record> records(request.records.size());
  std::vector<std::optional<int32_t>> where(request.records.size());
  for (size_t i = 0; i < request.records.size(); i++) {
    ProduceRecord& r = request.records[i];
    where[i] = path_partition ? path_partition : r.partition;
    if (where[i] && *where[i] >= partitions) return ErrorResponse(kafka_errors::PartitionNotFound());
    records[i].key = std::move(r.key);
    records[i].value = r.value ? std::move(*r.value) : std::string();
  }
  std::vector<size_t> sizes;
  sizes.reserve(records.size());
  for (const log::Record& r : records) sizes.push_back(r.value.size() + (r.key ? r.key->size() : 0));
  std::vector<AppendOutcome> outcomes = AppendGrouped(log_, topic, records, where);
  uint64_t ok = 0;
  uint64_t bytes = 0;
  for (size_t i = 0; i < outcomes.size(); i++) {
    if (outcomes[i].position) {
      ok++;
      bytes += sizes[i];
    }
  }
  CountProduced(ok, bytes);
  return JsonResponse(200, RenderProduceResponse(outcomes), type.content_type);
}

Status ProduceRoutes::Register(http::Router& router) {
  RETURN_IF_ERROR(router.Add("POST", "/topics/{topic}",
                             [this](const http::Request& r) { return ProduceV2(r, false); }));
  RETURN_IF_ERROR(router.Add("POST", "/topics/{topic}/partitions/{partition}",
                             [this](const http::Request& r) { return ProduceV2(r, true); }));
  return router.AddStreaming("POST", "/v3/clusters/{cluster}/topics/{topic}/records",
                             [this](const http::Request& head) { return ProduceV3(head); });
}

}  // namespace pinpipe::api::kafka_rest
