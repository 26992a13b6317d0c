#include "api/kafka_rest/metadata_routes.h"

#include <charconv>

#include "base/json_writer.h"

namespace pinpipe::api::kafka_rest {
namespace {

void WritePartition(JsonWriter& w, int32_t partition, int32_t broker) {
  w.BeginObject()
      .Key("partition").Int(partition)
      .Key("leader").Int(broker)
      .Key("replicas").BeginArray()
      .BeginObject().Key("broker").Int(broker).Key("leader").Bool(true).Key("in_sync").Bool(true)
      .EndObject()
      .EndArray()
      .EndObject();
}

http::Response TopicError(const Status& s) {
  if (s.code() == StatusCode::kNotFound || s.code() == StatusCode::kInvalidArgument) {
    return ErrorResponse(kafka_errors::TopicNotFound());
  }
  return ErrorResponse(KafkaErrorFromStatus(s));
}

std::optional<int32_t> PartitionParam(const http::Request& req, const log::TopicDescription& d) {
  std::string_view text = req.param("partition");
  int32_t p = -1;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
  if (ec != std::errc() || ptr != text.data() + text.size() || p < 0 ||
      p >= static_cast<int32_t>(d.partitions.size())) {
    return std::nullopt;
  }
  return p;
}

}  // namespace

Status RegisterMetadataRoutes(http::Router& router, log::TopicLog* log,
                              const KafkaRestOptions& options) {
  const int32_t broker = options.broker_id;
  RETURN_IF_ERROR(router.Add("GET", "/topics", [log](const http::Request& req) {
    Negotiated type = NegotiateOr406(req);
    if (!type.ok) return type.error;
    auto topics = log->ListTopics();
    if (!topics.ok()) return ErrorResponse(KafkaErrorFromStatus(topics.status()));
    std::string out;
    JsonWriter w(&out);
    w.BeginArray();
    for (const auto& t : *topics) w.String(t);
    w.EndArray();
    return JsonResponse(200, std::move(out), type.content_type);
  }));
  RETURN_IF_ERROR(router.Add("GET", "/topics/{topic}", [log, broker](const http::Request& req) {
    Negotiated type = NegotiateOr406(req);
    if (!type.ok) return type.error;
    auto d = log->DescribeTopic(req.param("topic"));
    if (!d.ok()) return TopicError(d.status());
    std::string out;
    JsonWriter w(&out);
    w.BeginObject().Key("name").String(d->name).Key("configs").BeginObject();
    w.Key("cleanup.policy").String("delete");
    w.Key("retention.bytes").String(std::to_string(d->config.retention_bytes));
    w.Key("retention.ms").String(std::to_string(d->config.retention_ms));
    w.Key("segment.bytes").String(std::to_string(d->config.segment_bytes));
    w.EndObject().Key("partitions").BeginArray();
    for (const auto& p : d->partitions) WritePartition(w, p.partition, broker);
    w.EndArray().EndObject();
    return JsonResponse(200, std::move(out), type.content_type);
  }));
  RETURN_IF_ERROR(router.Add("GET", "/topics/{topic}/partitions",
                             [log, broker](const http::Request& req) {
    Negotiated type = NegotiateOr406(req);
    if (!type.ok) return type.error;
    auto d = log->DescribeTopic(req.param("topic"));
    if (!d.ok()) return TopicError(d.status());
    std::string out;
    JsonWriter w(&out);
    w.BeginArray();
    for (const auto& p : d->partitions) WritePartition(w, p.partition, broker);
    w.EndArray();
    return JsonResponse(200, std::move(out), type.content_type);
  }));
  RETURN_IF_ERROR(router.Add("GET", "/topics/{topic}/partitions/{partition}",
                             [log, broker](const http::Request& req) {
    Negotiated type = NegotiateOr406(req);
    if (!type.ok) return type.error;
    auto d = log->DescribeTopic(req.param("topic"));
    if (!d.ok()) return TopicError(d.status());
    auto p = PartitionParam(req, *d);
    if (!p) return ErrorResponse(kafka_errors::PartitionNotFound());
    std::string out;
    JsonWriter w(&out);
    WritePartition(w, *p, broker);
    return JsonResponse(200, std::move(out), type.content_type);
  }));
  RETURN_IF_ERROR(router.Add("GET", "/topics/{topic}/partitions/{partition}/offsets",
                             [log](const http::Request& req) {
    Negotiated type = NegotiateOr406(req);
    if (!type.ok) return type.error;
    auto d = log->DescribeTopic(req.param("topic"));
    if (!d.ok()) return TopicError(d.status());
    auto p = PartitionParam(req, *d);
    if (!p) return ErrorResponse(kafka_errors::PartitionNotFound());
    const auto& offsets = d->partitions[static_cast<size_t>(*p)];
    std::string out;
    JsonWriter w(&out);
    w.BeginObject()
        .Key("beginning_offset").Int(offsets.start_offset)
        .Key("end_offset").Int(offsets.end_offset)
        .EndObject();
    return JsonResponse(200, std::move(out), type.content_type);
  }));
  return router.Add("GET", "/brokers", [broker](const http::Request& req) {
    Negotiated type = NegotiateOr406(req);
    if (!type.ok) return type.error;
    std::string out;
    JsonWriter w(&out);
    w.BeginObject().Key("brokers").BeginArray().Int(broker).EndArray().EndObject();
    return JsonResponse(200, std::move(out), type.content_type);
  });
}

}  // namespace pinpipe::api::kafka_rest
