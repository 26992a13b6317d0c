// ProduceRoutes::ProduceV3: POST /v3/clusters/{cluster}/topics/{topic}/records. One record
// per JSON document; a chunked request streams many, and each piece of body that arrives is
// decoded, appended (one Append per partition for all its complete records) and answered with
// one delivery report per record, in order, separated by newlines.
// Per Confluent, the HTTP status is 200 once the stream is accepted; a bad record gets a
// failed report ({"error_code":4xx,"message":...}) and the stream goes on. Head-level problems
// (media type, topic) refuse the request before any record is read.
#include <memory>
#include <variant>
#include <vector>

#include "api/json_stream.h"
#include "api/kafka_rest/append.h"
#include "api/kafka_rest/produce_routes.h"
#include "api/kafka_rest/record_check.h"
#include "api/kafka_rest/v3_produce.h"
#include "base/clock.h"

namespace pinpipe::api::kafka_rest {
namespace {

constexpr size_t kMaxRecordBytes = 1 << 20;

class V3Stream final : public http::BodyStream {
 public:
  V3Stream(const ProduceRoutes* routes, log::TopicLog* log, std::string cluster,
           std::string topic, int32_t partitions)
      : routes_(routes),
        log_(log),
        cluster_(std::move(cluster)),
        topic_(std::move(topic)),
        partitions_(partitions),
        splitter_(kMaxRecordBytes) {}

  void OnData(std::string_view data, http::ChunkWriter& out) override {
    if (broken_) return;
    std::vector<std::string> docs;
    Status s = splitter_.Feed(data, &docs);
    Process(docs, out);
    if (!s.ok()) Fail(s, out);
  }

  void OnEnd(http::ChunkWriter& out) override {
    if (broken_) return;
    if (Status s = splitter_.Finish(); !s.ok()) Fail(s, out);
  }

 private:
  void Emit(const std::string& report, http::ChunkWriter& out) {
    if (written_ > 0) out.Write("\n");
    out.Write(report);
    written_++;
  }

  void Fail(const Status& s, http::ChunkWriter& out) {
    broken_ = true;
    ErrorReply e = s.code() == StatusCode::kResourceExhausted
                       ? kafka_errors::EntityTooLarge(s.message())
                       : kafka_errors::MalformedJson(s.message());
    Emit(RenderV3Failure(e), out);
  }

  void Process(const std::vector<std::string>& docs, http::ChunkWriter& out) {
    if (docs.empty()) return;
    auto table = routes_->ValidatedTable(topic_);
    int64_t now_ms = Clock::Real()->NowMicros() / 1000;
    std::vector<std::optional<ErrorReply>> errors(docs.size());
    std::vector<V3Delivery> deliveries(docs.size());
    std::vector<log::Record> records;
    std::vector<std::optional<int32_t>> where;
    std::vector<size_t> record_doc;  // records[k] came from docs[record_doc[k]]
    for (size_t i = 0; i < docs.size(); i++) {
      auto decoded = DecodeV3Record(docs[i]);
      if (auto* e = std::get_if<ErrorReply>(&decoded)) {
        errors[i] = *e;
        continue;
      }
      V3Record& r = std::get<V3Record>(decoded);
      if (r.partition_id && *r.partition_id >= partitions_) {
        errors[i] = kafka_errors::PartitionNotFound();
        continue;
      }
      if (table) {
        auto why = r.value ? InvalidRecordReason(*table, r.value->bytes)
                           : std::optional<std::string>("null value");
        if (why) {
          errors[i] = kafka_errors::JsonConversion("the value is not a valid " +
                                                   std::string(model::TableName(*table)) +
                                                   " record: " + *why);
          continue;
        }
      }
      log::Record rec;
      if (r.key) rec.key = r.key->bytes;
      if (r.value) rec.value = r.value->bytes;
      for (auto& [name, value] : r.headers) rec.headers.push_back({name, value});
      rec.timestamp_ms = r.timestamp_ms.value_or(now_ms);
      V3Delivery& d = deliveries[i];
      d.cluster_id = cluster_;
      d.topic = topic_;
      d.timestamp_ms = rec.timestamp_ms;
      if (r.key) d.key = std::make_pair(r.key->type, r.key->bytes.size());
      if (r.value) d.value = std::make_pair(r.value->type, r.value->bytes.size());
      records.push_back(std::move(rec));
      where.push_back(r.partition_id);
      record_doc.push_back(i);
    }
    std::vector<AppendOutcome> outcomes = AppendGrouped(log_, topic_, records, where);
    uint64_t ok = 0;
    uint64_t bytes = 0;
    for (size_t k = 0; k < outcomes.size(); k++) {
      size_t i = record_doc[k];
      if (outcomes[k].position) {
        ok++;
        bytes += (deliveries[i].key ? deliveries[i].key->second : 0) +
                 (deliveries[i].value ? deliveries[i].value->second : 0);
        deliveries[i].partition = outcomes[k].position->partition;
        deliveries[i].offset = outcomes[k].position->offset;
      } else {
        errors[i] = outcomes[k].error;
      }
    }
    routes_->CountProduced(ok, bytes);
    for (size_t i = 0; i < docs.size(); i++) {
      Emit(errors[i] ? RenderV3Failure(*errors[i]) : RenderV3Delivery(deliveries[i]), out);
    }
  }

  const ProduceRoutes* routes_;
  log::TopicLog* log_;
  const std::string cluster_;
  const std::string topic_;
  const int32_t partitions_;
  JsonStreamSplitter splitter_;
  bool broken_ = false;
  int64_t written_ = 0;
};

http::StreamStart Refuse(const ErrorReply& e) {
  http::StreamStart start;
  start.head.status = e.http_status;
  start.head.content_type = "application/json";
  start.head.body = RenderV3Failure(e);
  return start;
}

}  // namespace

http::StreamStart ProduceRoutes::ProduceV3(const http::Request& head) const {
  std::string_view content_type = head.header("content-type").value_or("");
  std::string type(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  if (!http::EqualsIgnoreCase(type, "application/json")) {
    return Refuse(kafka_errors::UnsupportedMediaType());
  }
  std::string_view topic = head.param("topic");
  int32_t partitions = 0;
  if (auto err = EnsureTopic(topic, &partitions)) return Refuse(*err);
  http::StreamStart start;
  start.head.status = 200;
  start.head.content_type = "application/json";
  start.stream = std::make_unique<V3Stream>(this, log_, std::string(head.param("cluster")),
                                            std::string(topic), partitions);
  return start;
}

}  // namespace pinpipe::api::kafka_rest
