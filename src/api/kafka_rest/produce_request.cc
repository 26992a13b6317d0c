#include "api/kafka_rest/produce_request.h"

#include <simdjson.h>

#include <limits>

#include "base/base64.h"

namespace pinpipe::api::kafka_rest {
namespace {

namespace dom = simdjson::dom;
using kafka_errors::Unprocessable;

std::string Where(size_t i, std::string_view field) {
  return "records[" + std::to_string(i) + "]." + std::string(field);
}

// Stores one key or value of record `i` in `*out` as the embedded format says.
std::optional<ErrorReply> DecodeData(dom::element v, EmbeddedFormat format, size_t i,
                                     std::string_view field, std::optional<std::string>* out) {
  if (v.is_null()) {
    out->reset();
    return std::nullopt;
  }
  if (format == EmbeddedFormat::kJson) {
    *out = simdjson::minify(v);
    return std::nullopt;
  }
  std::string_view text;
  if (v.get_string().get(text) != simdjson::SUCCESS) {
    return Unprocessable(Where(i, field) + ": the binary format takes a base64 string");
  }
  Result<std::string> bytes = Base64Decode(text);
  if (!bytes.ok()) return Unprocessable(Where(i, field) + ": " + std::string(bytes.status().message()));
  *out = std::move(bytes).value();
  return std::nullopt;
}

std::optional<ErrorReply> DecodeRecord(dom::element rec, EmbeddedFormat format, bool to_partition,
                                       size_t i, ProduceRecord* out) {
  dom::object obj;
  if (rec.get_object().get(obj) != simdjson::SUCCESS) {
    return Unprocessable("records[" + std::to_string(i) + "] must be a JSON object");
  }
  for (auto field : obj) {
    std::string_view k = field.key;
    if (k == "key" || k == "value") {
      auto* slot = k == "key" ? &out->key : &out->value;
      if (auto err = DecodeData(field.value, format, i, k, slot)) return err;
    } else if (k == "partition" && !to_partition) {
      if (field.value.is_null()) continue;
      int64_t p;
      if (field.value.get_int64().get(p) != simdjson::SUCCESS || p < 0 ||
          p > std::numeric_limits<int32_t>::max()) {
        return Unprocessable(Where(i, "partition") + " must be a non-negative integer");
      }
      out->partition = static_cast<int32_t>(p);
    } else {
      return Unprocessable("Unrecognized field: " + std::string(k));
    }
  }
  return std::nullopt;
}

}  // namespace

std::variant<ProduceRequest, ErrorReply> DecodeProduceV2(std::string_view body,
                                                         EmbeddedFormat format, bool to_partition) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return kafka_errors::EmptyPayload();
  }
  if (format != EmbeddedFormat::kJson && format != EmbeddedFormat::kBinary) {
    return ErrorReply{422, 42202,
                      "The " + std::string(EmbeddedFormatName(format)) +
                          " embedded format needs a Schema Registry, which pinpipe does not "
                          "run; use application/vnd.kafka.json.v2+json or binary.",
                      true};
  }
  thread_local dom::parser parser;
  dom::element root;
  if (auto err = parser.parse(body.data(), body.size()).get(root); err != simdjson::SUCCESS) {
    return kafka_errors::MalformedJson(std::string("Malformed JSON: ") +
                                       simdjson::error_message(err));
  }
  dom::object top;
  if (root.get_object().get(top) != simdjson::SUCCESS) {
    return Unprocessable("The request body must be a JSON object with a \"records\" array");
  }
  ProduceRequest req;
  bool saw_records = false;
  for (auto field : top) {
    std::string_view k = field.key;
    if (k == "records") {
      dom::array records;
      if (field.value.get_array().get(records) != simdjson::SUCCESS) {
        return Unprocessable("records must be an array");
      }
      saw_records = true;
      req.records.reserve(records.size());
      size_t i = 0;
      for (dom::element rec : records) {
        ProduceRecord r;
        if (auto err = DecodeRecord(rec, format, to_partition, i++, &r)) return *err;
        req.records.push_back(std::move(r));
      }
    } else if (k != "key_schema" && k != "key_schema_id" && k != "value_schema" &&
               k != "value_schema_id") {
      return Unprocessable("Unrecognized field: " + std::string(k));
    }
  }
  if (!saw_records || req.records.empty()) return Unprocessable("records may not be empty");
  return req;
}

}  // namespace pinpipe::api::kafka_rest
