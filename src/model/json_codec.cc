#include "model/json_codec.h"

#include <charconv>
#include <cmath>
#include <limits>

#include <simdjson.h>

#include "model/datetime.h"

namespace pinpipe::model {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::string_view TrimAscii(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view TypeName(element_type t) {
  switch (t) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
    default:
      return "a number";
  }
}

bool ParseDoubleText(std::string_view s, double* out) {
  s = TrimAscii(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

bool IntegralDouble(double d, int64_t* out) {
  // 2^63 is exactly representable; anything >= it does not fit.
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != std::floor(d)) {
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

bool ParseIntText(std::string_view s, int64_t* out) {
  s = TrimAscii(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && ptr == s.data() + s.size()) {
    *out = v;
    return true;
  }
  double d = 0;
  return ParseDoubleText(s, &d) && IntegralDouble(d, out);
}

// Value conversions: false when the value is present but cannot be converted.
bool ToInt(element v, std::optional<int64_t>* out) {
  *out = std::nullopt;
  int64_t i = 0;
  switch (v.type()) {
    case element_type::NULL_VALUE:
      return true;
    case element_type::INT64:
      if (v.get_int64().get(i)) return false;
      break;
    case element_type::DOUBLE: {
      double d = 0;
      if (v.get_double().get(d) || !IntegralDouble(d, &i)) return false;
      break;
    }
    case element_type::STRING: {
      std::string_view s;
      if (v.get_string().get(s) || !ParseIntText(s, &i)) return false;
      break;
    }
    default:
      return false;  // UINT64 beyond int64, bool, array, object
  }
  *out = i;
  return true;
}

bool ToDouble(element v, std::optional<double>* out) {
  *out = std::nullopt;
  double d = 0;
  switch (v.type()) {
    case element_type::NULL_VALUE:
      return true;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      if (v.get_double().get(d)) return false;
      break;
    case element_type::STRING: {
      std::string_view s;
      if (v.get_string().get(s) || !ParseDoubleText(s, &d)) return false;
      break;
    }
    default:
      return false;
  }
  *out = d;
  return true;
}

bool ToText(element v, std::optional<std::string>* out) {
  *out = std::nullopt;
  switch (v.type()) {
    case element_type::NULL_VALUE:
      return true;
    case element_type::STRING: {
      std::string_view s;
      if (v.get_string().get(s)) return false;
      *out = std::string(s);
      return true;
    }
    case element_type::INT64: {
      int64_t i = 0;
      if (v.get_int64().get(i)) return false;
      *out = std::to_string(i);
      return true;
    }
    case element_type::UINT64: {
      uint64_t u = 0;
      if (v.get_uint64().get(u)) return false;
      *out = std::to_string(u);
      return true;
    }
    case element_type::DOUBLE: {
      double d = 0;
      if (v.get_double().get(d)) return false;
      std::string s;
      AppendJsonDouble(&s, d, JsonStyle::kPython);
      *out = std::move(s);
      return true;
    }
    case element_type::BOOL: {
      bool b = false;
      if (v.get_bool().get(b)) return false;
      *out = b ? "true" : "false";
      return true;
    }
    default:
      return false;  // array, object
  }
}

// The row key: `index` or `ind`, the same in every table.
class KeyReader {
 public:
  explicit KeyReader(std::string_view preferred) : preferred_(preferred) {}

  static bool IsKey(std::string_view name) { return name == "index" || name == "ind"; }

  Status Read(std::string_view name, element v) {
    std::optional<int64_t> value;
    if (v.type() == element_type::NULL_VALUE) {
      return InvalidArgumentError("key '" + std::string(name) + "' is null");
    }
    if (!ToInt(v, &value)) {
      return InvalidArgumentError("key '" + std::string(name) + "' is not an integer (it is " +
                                  std::string(TypeName(v.type())) + ")");
    }
    if (seen_name_ != "" && seen_name_ != name && *value != value_) {
      return InvalidArgumentError("keys 'index' and 'ind' disagree");
    }
    seen_name_ = name;
    value_ = *value;
    return Status::OK();
  }

  Result<int64_t> Get() const {
    if (seen_name_.empty()) {
      std::string other = preferred_ == "index" ? "ind" : "index";
      return InvalidArgumentError("missing key '" + std::string(preferred_) + "' (or '" + other +
                                  "')");
    }
    return value_;
  }

 private:
  std::string_view preferred_;
  std::string_view seen_name_;
  int64_t value_ = 0;
};

void CountRejected(QualityCounters* q, std::string_view column) {
  if (q != nullptr) q->CountRejected(column);
}

template <typename T, typename Conv>
void Field(element v, std::optional<T>* out, Conv conv, QualityCounters* q,
           std::string_view clean_column) {
  if (!conv(v, out)) {
    *out = std::nullopt;
    if (!clean_column.empty()) CountRejected(q, clean_column);
  }
}

void QuotedTimestamp(JsonWriter& w, std::optional<TimestampMicros> t) {
  if (!t.has_value()) {
    w.Null();
    return;
  }
  std::string s = "\"";
  AppendIso8601(&s, *t);
  s.push_back('"');
  w.Raw(s);
}

template <typename T>
void OptString(JsonWriter& w, const std::optional<T>& v) {
  if (v.has_value()) {
    w.String(*v);
  } else {
    w.Null();
  }
}

void OptInt(JsonWriter& w, std::optional<int64_t> v) {
  if (v.has_value()) {
    w.Int(*v);
  } else {
    w.Null();
  }
}

void OptDouble(JsonWriter& w, std::optional<double> v) {
  if (v.has_value()) {
    w.Double(*v);
  } else {
    w.Null();
  }
}

// Python's default=str prints a datetime as "YYYY-MM-DD HH:MM:SS[.ffffff]"; raw text that is
// already a datetime is normalized to that, anything else is sent as held.
void RawDatetime(JsonWriter& w, const std::optional<std::string>& v, JsonStyle style) {
  if (!v.has_value()) {
    w.Null();
    return;
  }
  if (style == JsonStyle::kPython) {
    Result<TimestampMicros> t = ParseTimestamp(*v);
    if (t.ok()) {
      std::string s;
      AppendPythonDatetime(&s, *t);
      w.String(s);
      return;
    }
  }
  w.String(*v);
}

}  // namespace

struct RecordDecoder::Impl {
  simdjson::dom::parser parser;
  std::string buffer;

  // Parses `json` as one JSON object; the object lives until the next call.
  Result<simdjson::dom::object> Parse(std::string_view json) {
    buffer.reserve(json.size() + simdjson::SIMDJSON_PADDING);
    buffer.assign(json.data(), json.size());
    element doc;
    simdjson::error_code err = parser.parse(buffer.data(), buffer.size(), false).get(doc);
    if (err) {
      return InvalidArgumentError("invalid JSON: " + std::string(simdjson::error_message(err)));
    }
    if (doc.type() != element_type::OBJECT) {
      return InvalidArgumentError("not a JSON object (it is " + std::string(TypeName(doc.type())) +
                                  ")");
    }
    simdjson::dom::object obj;
    if (doc.get_object().get(obj)) return InvalidArgumentError("not a JSON object");
    return obj;
  }
};

RecordDecoder::RecordDecoder() : impl_(std::make_unique<Impl>()) {}
RecordDecoder::~RecordDecoder() = default;

Result<RawPin> RecordDecoder::DecodePin(std::string_view json, QualityCounters* q) {
  ASSIGN_OR_RETURN(simdjson::dom::object obj, impl_->Parse(json));
  RawPin row;
  KeyReader key("index");
  for (simdjson::dom::key_value_pair field : obj) {
    std::string_view k = field.key;
    element v = field.value;
    if (KeyReader::IsKey(k)) {
      RETURN_IF_ERROR(key.Read(k, v));
    } else if (k == "unique_id") {
      Field(v, &row.unique_id, ToText, q, k);
    } else if (k == "title") {
      Field(v, &row.title, ToText, q, k);
    } else if (k == "description") {
      Field(v, &row.description, ToText, q, k);
    } else if (k == "poster_name") {
      Field(v, &row.poster_name, ToText, q, k);
    } else if (k == "follower_count") {
      Field(v, &row.follower_count, ToText, q, k);
    } else if (k == "tag_list") {
      Field(v, &row.tag_list, ToText, q, k);
    } else if (k == "is_image_or_video") {
      Field(v, &row.is_image_or_video, ToText, q, k);
    } else if (k == "image_src") {
      Field(v, &row.image_src, ToText, q, k);
    } else if (k == "downloaded") {
      Field(v, &row.downloaded, ToInt, q, "");  // dropped by cleaning: nothing to count
    } else if (k == "save_location") {
      Field(v, &row.save_location, ToText, q, k);
    } else if (k == "category") {
      Field(v, &row.category, ToText, q, k);
    }
  }
  ASSIGN_OR_RETURN(row.index, key.Get());
  return row;
}

Result<RawGeo> RecordDecoder::DecodeGeo(std::string_view json, QualityCounters* q) {
  ASSIGN_OR_RETURN(simdjson::dom::object obj, impl_->Parse(json));
  RawGeo row;
  KeyReader key("ind");
  for (simdjson::dom::key_value_pair field : obj) {
    std::string_view k = field.key;
    element v = field.value;
    if (KeyReader::IsKey(k)) {
      RETURN_IF_ERROR(key.Read(k, v));
    } else if (k == "timestamp") {
      Field(v, &row.timestamp, ToText, q, k);
    } else if (k == "latitude") {
      Field(v, &row.latitude, ToDouble, q, "coordinates");
    } else if (k == "longitude") {
      Field(v, &row.longitude, ToDouble, q, "coordinates");
    } else if (k == "country") {
      Field(v, &row.country, ToText, q, k);
    }
  }
  ASSIGN_OR_RETURN(row.ind, key.Get());
  return row;
}

Result<RawUser> RecordDecoder::DecodeUser(std::string_view json, QualityCounters* q) {
  ASSIGN_OR_RETURN(simdjson::dom::object obj, impl_->Parse(json));
  RawUser row;
  KeyReader key("ind");
  for (simdjson::dom::key_value_pair field : obj) {
    std::string_view k = field.key;
    element v = field.value;
    if (KeyReader::IsKey(k)) {
      RETURN_IF_ERROR(key.Read(k, v));
    } else if (k == "first_name") {
      Field(v, &row.first_name, ToText, q, "user_name");
    } else if (k == "last_name") {
      Field(v, &row.last_name, ToText, q, "user_name");
    } else if (k == "age") {
      Field(v, &row.age, ToInt, q, k);
    } else if (k == "date_joined") {
      Field(v, &row.date_joined, ToText, q, k);
    }
  }
  ASSIGN_OR_RETURN(row.ind, key.Get());
  return row;
}

namespace {
RecordDecoder& ThreadDecoder() {
  thread_local RecordDecoder decoder;
  return decoder;
}
}  // namespace

Result<RawPin> DecodeRawPin(std::string_view json, QualityCounters* quality) {
  return ThreadDecoder().DecodePin(json, quality);
}
Result<RawGeo> DecodeRawGeo(std::string_view json, QualityCounters* quality) {
  return ThreadDecoder().DecodeGeo(json, quality);
}
Result<RawUser> DecodeRawUser(std::string_view json, QualityCounters* quality) {
  return ThreadDecoder().DecodeUser(json, quality);
}

void AppendRawJson(std::string* out, const RawPin& row, JsonStyle style) {
  JsonWriter w(out, style);
  w.BeginObject();
  w.Key("index").Int(row.index);
  w.Key("unique_id");
  OptString(w, row.unique_id);
  w.Key("title");
  OptString(w, row.title);
  w.Key("description");
  OptString(w, row.description);
  w.Key("poster_name");
  OptString(w, row.poster_name);
  w.Key("follower_count");
  OptString(w, row.follower_count);
  w.Key("tag_list");
  OptString(w, row.tag_list);
  w.Key("is_image_or_video");
  OptString(w, row.is_image_or_video);
  w.Key("image_src");
  OptString(w, row.image_src);
  w.Key("downloaded");
  OptInt(w, row.downloaded);
  w.Key("save_location");
  OptString(w, row.save_location);
  w.Key("category");
  OptString(w, row.category);
  w.EndObject();
}

void AppendRawJson(std::string* out, const RawGeo& row, JsonStyle style) {
  JsonWriter w(out, style);
  w.BeginObject();
  w.Key("ind").Int(row.ind);
  w.Key("timestamp");
  RawDatetime(w, row.timestamp, style);
  w.Key("latitude");
  OptDouble(w, row.latitude);
  w.Key("longitude");
  OptDouble(w, row.longitude);
  w.Key("country");
  OptString(w, row.country);
  w.EndObject();
}

void AppendRawJson(std::string* out, const RawUser& row, JsonStyle style) {
  JsonWriter w(out, style);
  w.BeginObject();
  w.Key("ind").Int(row.ind);
  w.Key("first_name");
  OptString(w, row.first_name);
  w.Key("last_name");
  OptString(w, row.last_name);
  w.Key("age");
  OptInt(w, row.age);
  w.Key("date_joined");
  RawDatetime(w, row.date_joined, style);
  w.EndObject();
}

void AppendCleanJson(std::string* out, const CleanPin& row) {
  JsonWriter w(out);
  w.BeginObject();
  w.Key("ind").Int(row.ind);
  w.Key("unique_id");
  OptString(w, row.unique_id);
  w.Key("title");
  OptString(w, row.title);
  w.Key("description");
  OptString(w, row.description);
  w.Key("follower_count");
  OptInt(w, row.follower_count);
  w.Key("poster_name");
  OptString(w, row.poster_name);
  w.Key("tag_list");
  OptString(w, row.tag_list);
  w.Key("is_image_or_video");
  OptString(w, row.is_image_or_video);
  w.Key("image_src");
  OptString(w, row.image_src);
  w.Key("save_location");
  OptString(w, row.save_location);
  w.Key("category");
  OptString(w, row.category);
  w.EndObject();
}

void AppendCleanJson(std::string* out, const CleanGeo& row) {
  JsonWriter w(out);
  w.BeginObject();
  w.Key("ind").Int(row.ind);
  w.Key("country");
  OptString(w, row.country);
  w.Key("coordinates");
  if (row.coordinates.has_value()) {
    w.BeginArray().Double((*row.coordinates)[0]).Double((*row.coordinates)[1]).EndArray();
  } else {
    w.Null();
  }
  w.Key("timestamp");
  QuotedTimestamp(w, row.timestamp);
  w.EndObject();
}

void AppendCleanJson(std::string* out, const CleanUser& row) {
  JsonWriter w(out);
  w.BeginObject();
  w.Key("ind").Int(row.ind);
  w.Key("user_name");
  OptString(w, row.user_name);
  w.Key("age");
  if (row.age.has_value()) {
    w.Int(*row.age);
  } else {
    w.Null();
  }
  w.Key("date_joined");
  QuotedTimestamp(w, row.date_joined);
  w.EndObject();
}

}  // namespace pinpipe::model
