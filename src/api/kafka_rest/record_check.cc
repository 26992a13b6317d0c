#include "api/kafka_rest/record_check.h"

#include <charconv>
#include <cmath>
#include <cstdint>

#include "model/json_codec.h"

namespace pinpipe::api::kafka_rest {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// The helpers below mirror model/json_codec.cc's KeyReader and ToInt (the refusal rules only).

std::string_view TypeName(element_type t) {
  switch (t) {
    case element_type::ARRAY: return "an array";
    case element_type::OBJECT: return "an object";
    case element_type::STRING: return "a string";
    case element_type::BOOL: return "a boolean";
    case element_type::NULL_VALUE: return "null";
    default: return "a number";
  }
}

std::string_view Trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

bool Integral(double d, int64_t* out) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != std::floor(d)) {
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

bool IntFromText(std::string_view s, int64_t* out) {
  s = Trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (ec == std::errc() && ptr == s.data() + s.size()) return true;
  double d = 0;
  auto [dptr, dec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (dec != std::errc() || dptr != s.data() + s.size() || !std::isfinite(d)) return false;
  return Integral(d, out);
}

bool ToInt(element v, int64_t* out) {
  switch (v.type()) {
    case element_type::INT64:
      return v.get_int64().get(*out) == simdjson::SUCCESS;
    case element_type::DOUBLE: {
      double d = 0;
      return v.get_double().get(d) == simdjson::SUCCESS && Integral(d, out);
    }
    case element_type::STRING: {
      std::string_view s;
      return v.get_string().get(s) == simdjson::SUCCESS && IntFromText(s, out);
    }
    default:
      return false;  // UINT64 beyond int64, bool, array, object
  }
}

}  // namespace

std::optional<std::string> InvalidRecordReason(model::Table table, element value) {
  simdjson::dom::object obj;
  if (value.get_object().get(obj) != simdjson::SUCCESS) {
    return "not a JSON object (it is " + std::string(TypeName(value.type())) + ")";
  }
  std::string_view seen;
  int64_t key = 0;
  for (simdjson::dom::key_value_pair field : obj) {
    std::string_view name = field.key;
    if (name != "index" && name != "ind") continue;
    element v = field.value;
    if (v.type() == element_type::NULL_VALUE) return "key '" + std::string(name) + "' is null";
    int64_t k = 0;
    if (!ToInt(v, &k)) {
      return "key '" + std::string(name) + "' is not an integer (it is " +
             std::string(TypeName(v.type())) + ")";
    }
    if (!seen.empty() && seen != name && k != key) return "keys 'index' and 'ind' disagree";
    seen = name;
    key = k;
  }
  if (seen.empty()) {
    return table == model::Table::kPin ? "missing key 'index' (or 'ind')"
                                       : "missing key 'ind' (or 'index')";
  }
  return std::nullopt;
}

std::optional<std::string> InvalidRecordReason(model::Table table, std::string_view json) {
  Status s;
  switch (table) {
    case model::Table::kPin: s = model::DecodeRawPin(json).status(); break;
    case model::Table::kGeo: s = model::DecodeRawGeo(json).status(); break;
    case model::Table::kUser: s = model::DecodeRawUser(json).status(); break;
  }
  if (s.ok()) return std::nullopt;
  return std::string(s.message());
}

}  // namespace pinpipe::api::kafka_rest
