#include "api/kafka_rest/produce_request.h"

#include <limits>

#include <simdjson.h>

#include "api/json_minify.h"
#include "api/kafka_rest/record_check.h"
#include "base/base64.h"

namespace pinpipe::api::kafka_rest {
namespace {

namespace dom = simdjson::dom;
using kafka_errors::Unprocessable;

std::string Where(size_t i, std::string_view field) {
  return "records[" + std::to_string(i) + "]." + std::string(field);
}

// Appends one key or value of record `i` to *data as the embedded format says, and where it
// is to *out.
std::optional<ErrorReply> DecodeData(dom::element v, EmbeddedFormat format, size_t i,
                                     std::string_view field, std::string* data,
                                     std::optional<ProduceRecord::Span>* out) {
  if (v.is_null()) {
    out->reset();
    return std::nullopt;
  }
  const size_t at = data->size();
  if (format == EmbeddedFormat::kJson) {
    AppendMinified(v, data);
    *out = ProduceRecord::Span{at, data->size() - at};
    return std::nullopt;
  }
  std::string_view text;
  if (v.get_string().get(text) != simdjson::SUCCESS) {
    return Unprocessable(Where(i, field) + ": the binary format takes a base64 string");
  }
  Result<std::string> bytes = Base64Decode(text);
  if (!bytes.ok())
    return Unprocessable(Where(i, field) + ": " + std::string(bytes.status().message()));
  data->append(*bytes);
  *out = ProduceRecord::Span{at, bytes->size()};
  return std::nullopt;
}

// `*value_element`: the record's value in the DOM (null if absent), for validation.
std::optional<ErrorReply> DecodeRecord(dom::element rec, EmbeddedFormat format, bool to_partition,
                                       size_t i, std::string* data, ProduceRecord* out,
                                       dom::element* value_element) {
  dom::object obj;
  if (rec.get_object().get(obj) != simdjson::SUCCESS) {
    return Unprocessable("records[" + std::to_string(i) + "] must be a JSON object");
  }
  for (auto field : obj) {
    std::string_view k = field.key;
    if (k == "key" || k == "value") {
      auto* slot = k == "key" ? &out->key : &out->value;
      if (k == "value") *value_element = field.value;
      if (auto err = DecodeData(field.value, format, i, k, data, slot)) return err;
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

// The 42203 refusal of record i's value.
ErrorReply NotARecord(size_t i, model::Table table, std::string_view why) {
  return kafka_errors::JsonConversion("records[" + std::to_string(i) + "].value is not a valid " +
                                      std::string(model::TableName(table)) +
                                      " record: " + std::string(why));
}

}  // namespace

std::variant<ProduceRequest, ErrorReply> DecodeProduceV2(std::string_view body,
                                                         EmbeddedFormat format, bool to_partition,
                                                         std::optional<model::Table> validate,
                                                         bool body_padded) {
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
  if (auto err =
          parser.parse(body.data(), body.size(), /*realloc_if_needed=*/!body_padded).get(root);
      err != simdjson::SUCCESS) {
    return kafka_errors::MalformedJson(std::string("Malformed JSON: ") +
                                       simdjson::error_message(err));
  }
  dom::object top;
  if (root.get_object().get(top) != simdjson::SUCCESS) {
    return Unprocessable("The request body must be a JSON object with a \"records\" array");
  }
  ProduceRequest req;
  std::vector<dom::element> values;  // each record's value in the DOM (null when absent)
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
      req.data.reserve(body.size());  // about what the values take, minified
      values.reserve(records.size());
      size_t i = 0;
      for (dom::element rec : records) {
        ProduceRecord r;
        dom::element value;
        if (auto err = DecodeRecord(rec, format, to_partition, i++, &req.data, &r, &value)) {
          return *err;
        }
        req.records.push_back(std::move(r));
        values.push_back(value);
      }
    } else if (k != "key_schema" && k != "key_schema_id" && k != "value_schema" &&
               k != "value_schema_id") {
      return Unprocessable("Unrecognized field: " + std::string(k));
    }
  }
  if (!saw_records || req.records.empty()) return Unprocessable("records may not be empty");
  if (validate) {
    for (size_t i = 0; i < req.records.size(); i++) {
      const std::optional<std::string_view> value = req.value(i);
      if (!value) return NotARecord(i, *validate, "null value");
      // The json format checks the parsed value; binary values are bytes, parsed here.
      std::optional<std::string> why = format == EmbeddedFormat::kJson
                                           ? InvalidRecordReason(*validate, values[i])
                                           : InvalidRecordReason(*validate, *value);
      if (why) return NotARecord(i, *validate, *why);
    }
  }
  return req;
}

}  // namespace pinpipe::api::kafka_rest
