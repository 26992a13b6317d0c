#include "api/kafka_rest/v3_produce.h"

#include <simdjson.h>

#include <ctime>
#include <limits>

#include "base/base64.h"
#include "base/json_writer.h"
#include "model/datetime.h"

namespace pinpipe::api::kafka_rest {
namespace {

namespace dom = simdjson::dom;
using kafka_errors::Unprocessable;

std::optional<ErrorReply> DecodeData(dom::element v, std::string_view field,
                                     std::optional<V3Data>* out) {
  if (v.is_null()) return std::nullopt;
  dom::object obj;
  if (v.get_object().get(obj) != simdjson::SUCCESS) {
    return Unprocessable(std::string(field) + " must be an object {\"type\", \"data\"}");
  }
  V3Data data;
  std::optional<dom::element> payload;
  for (auto f : obj) {
    if (f.key == "type") {
      std::string_view t;
      if (f.value.get_string().get(t) != simdjson::SUCCESS) {
        return Unprocessable(std::string(field) + ".type must be a string");
      }
      data.type = std::string(t);
    } else if (f.key == "data") {
      payload = f.value;
    } else {
      return Unprocessable("Unrecognized field: " + std::string(f.key));
    }
  }
  if (data.type.empty()) data.type = "JSON";
  if (!payload) return Unprocessable(std::string(field) + ".data is missing");
  if (data.type == "JSON") {
    data.bytes = simdjson::minify(*payload);
  } else if (data.type == "BINARY" || data.type == "STRING") {
    std::string_view s;
    if (payload->get_string().get(s) != simdjson::SUCCESS) {
      return Unprocessable(std::string(field) + ".data must be a string for type " + data.type);
    }
    if (data.type == "STRING") {
      data.bytes = std::string(s);
    } else {
      Result<std::string> bytes = Base64Decode(s);
      if (!bytes.ok()) {
        return Unprocessable(std::string(field) + ".data: " + std::string(bytes.status().message()));
      }
      data.bytes = std::move(bytes).value();
    }
  } else {
    return Unprocessable(std::string(field) + ".type " + data.type +
                         " needs a Schema Registry; use BINARY, JSON or STRING");
  }
  *out = std::move(data);
  return std::nullopt;
}

std::optional<ErrorReply> DecodeHeaders(dom::element v, V3Record* rec) {
  dom::array arr;
  if (v.get_array().get(arr) != simdjson::SUCCESS) return Unprocessable("headers must be an array");
  for (dom::element h : arr) {
    std::string_view name;
    std::string_view value;
    if (h["name"].get_string().get(name) != simdjson::SUCCESS) {
      return Unprocessable("each header needs a string \"name\"");
    }
    std::string decoded;
    if (h["value"].get_string().get(value) == simdjson::SUCCESS) {
      Result<std::string> bytes = Base64Decode(value);
      if (!bytes.ok()) return Unprocessable("header " + std::string(name) + ": invalid base64");
      decoded = std::move(bytes).value();
    }
    rec->headers.emplace_back(std::string(name), std::move(decoded));
  }
  return std::nullopt;
}

}  // namespace

std::variant<V3Record, ErrorReply> DecodeV3Record(std::string_view json) {
  thread_local dom::parser parser;
  dom::element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root); err != simdjson::SUCCESS) {
    ErrorReply e = kafka_errors::MalformedJson(std::string("Malformed JSON: ") +
                                               simdjson::error_message(err));
    return e;
  }
  dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return Unprocessable("a record must be a JSON object");
  }
  V3Record rec;
  for (auto f : obj) {
    std::string_view k = f.key;
    if (k == "partition_id") {
      if (f.value.is_null()) continue;
      int64_t p;
      if (f.value.get_int64().get(p) != simdjson::SUCCESS || p < 0 ||
          p > std::numeric_limits<int32_t>::max()) {
        return Unprocessable("partition_id must be a non-negative integer");
      }
      rec.partition_id = static_cast<int32_t>(p);
    } else if (k == "headers") {
      if (auto err = DecodeHeaders(f.value, &rec)) return *err;
    } else if (k == "key" || k == "value") {
      if (auto err = DecodeData(f.value, k, k == "key" ? &rec.key : &rec.value)) return *err;
    } else if (k == "timestamp") {
      if (f.value.is_null()) continue;
      std::string_view ts;
      if (f.value.get_string().get(ts) != simdjson::SUCCESS) {
        return Unprocessable("timestamp must be an RFC 3339 string");
      }
      Result<model::TimestampMicros> micros = model::ParseTimestamp(ts);
      if (!micros.ok()) return Unprocessable("timestamp: " + std::string(micros.status().message()));
      rec.timestamp_ms = *micros / 1000;
    } else {
      return Unprocessable("Unrecognized field: " + std::string(k));
    }
  }
  return rec;
}

namespace {

// Java's Instant.toString for a millisecond instant: fraction only when nonzero.
std::string FormatInstant(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf);
  if (ms % 1000 != 0) {
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(ms % 1000));
    out += frac;
  }
  return out + "Z";
}

}  // namespace

std::string RenderV3Delivery(const V3Delivery& d) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject()
      .Key("error_code").Int(200)
      .Key("cluster_id").String(d.cluster_id)
      .Key("topic_name").String(d.topic)
      .Key("partition_id").Int(d.partition)
      .Key("offset").Int(d.offset)
      .Key("timestamp").String(FormatInstant(d.timestamp_ms));
  if (d.key) {
    w.Key("key").BeginObject().Key("type").String(d.key->first).Key("size")
        .Int(static_cast<int64_t>(d.key->second)).EndObject();
  }
  if (d.value) {
    w.Key("value").BeginObject().Key("type").String(d.value->first).Key("size")
        .Int(static_cast<int64_t>(d.value->second)).EndObject();
  }
  w.EndObject();
  return out;
}

std::string RenderV3Failure(const ErrorReply& e) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("error_code").Int(e.http_status).Key("message").String(e.message).EndObject();
  return out;
}

}  // namespace pinpipe::api::kafka_rest
