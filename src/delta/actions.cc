#include "delta/actions.h"

#include <simdjson.h>

#include "base/json_writer.h"

namespace pinpipe::delta {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

void WriteMap(JsonWriter& w, const StringMap& map) {
  w.BeginObject();
  for (const auto& [k, v] : map) w.Key(k).String(v);
  w.EndObject();
}

void Write(JsonWriter& w, const Protocol& p) {
  w.Key("protocol").BeginObject();
  w.Key("minReaderVersion").Int(p.min_reader_version);
  w.Key("minWriterVersion").Int(p.min_writer_version);
  w.EndObject();
}

void Write(JsonWriter& w, const Metadata& m) {
  w.Key("metaData").BeginObject();
  w.Key("id").String(m.id);
  if (m.name) w.Key("name").String(*m.name);
  if (m.description) w.Key("description").String(*m.description);
  w.Key("format").BeginObject().Key("provider").String(m.format_provider).Key("options");
  WriteMap(w, m.format_options);
  w.EndObject();
  w.Key("schemaString").String(m.schema_string);
  w.Key("partitionColumns").BeginArray();
  for (const auto& c : m.partition_columns) w.String(c);
  w.EndArray();
  w.Key("configuration");
  WriteMap(w, m.configuration);
  if (m.created_time) w.Key("createdTime").Int(*m.created_time);
  w.EndObject();
}

void Write(JsonWriter& w, const AddFile& a) {
  w.Key("add").BeginObject();
  w.Key("path").String(a.path);
  w.Key("partitionValues");
  WriteMap(w, a.partition_values);
  w.Key("size").Int(a.size);
  w.Key("modificationTime").Int(a.modification_time);
  w.Key("dataChange").Bool(a.data_change);
  if (a.stats) w.Key("stats").String(*a.stats);
  w.EndObject();
}

void Write(JsonWriter& w, const RemoveFile& r) {
  w.Key("remove").BeginObject();
  w.Key("path").String(r.path);
  if (r.deletion_timestamp) w.Key("deletionTimestamp").Int(*r.deletion_timestamp);
  w.Key("dataChange").Bool(r.data_change);
  if (r.size) {
    w.Key("extendedFileMetadata").Bool(true);
    w.Key("partitionValues").BeginObject().EndObject();
    w.Key("size").Int(*r.size);
  }
  w.EndObject();
}

void Write(JsonWriter& w, const Txn& t) {
  w.Key("txn").BeginObject();
  w.Key("appId").String(t.app_id);
  w.Key("version").Int(t.version);
  if (t.last_updated) w.Key("lastUpdated").Int(*t.last_updated);
  w.EndObject();
}

void Write(JsonWriter& w, const CommitInfo& c) {
  w.Key("commitInfo").BeginObject();
  w.Key("timestamp").Int(c.timestamp);
  w.Key("operation").String(c.operation);
  w.Key("operationParameters");
  WriteMap(w, c.operation_parameters);
  if (c.read_version) w.Key("readVersion").Int(*c.read_version);
  w.Key("isBlindAppend").Bool(c.is_blind_append);
  w.Key("engineInfo").String(c.engine_info);
  w.EndObject();
}

Status Corrupt(std::string_view what) { return CorruptionError("delta log: " + std::string(what)); }

// Field readers: a missing field or a JSON null is "absent".
bool Present(const object& obj, std::string_view key, element* out) {
  return obj[key].get(*out) == simdjson::SUCCESS && !out->is_null();
}

Result<std::string> RequiredString(const object& obj, std::string_view action, std::string_view key) {
  element e;
  std::string_view s;
  if (!Present(obj, key, &e) || e.get(s) != simdjson::SUCCESS) {
    return Corrupt(std::string(action) + " without string \"" + std::string(key) + "\"");
  }
  return std::string(s);
}

std::optional<std::string> OptionalString(const object& obj, std::string_view key) {
  element e;
  std::string_view s;
  if (!Present(obj, key, &e) || e.get(s) != simdjson::SUCCESS) return std::nullopt;
  return std::string(s);
}

std::optional<int64_t> OptionalInt(const object& obj, std::string_view key) {
  element e;
  int64_t v = 0;
  if (!Present(obj, key, &e) || e.get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

Result<int64_t> RequiredInt(const object& obj, std::string_view action, std::string_view key) {
  std::optional<int64_t> v = OptionalInt(obj, key);
  if (!v) return Corrupt(std::string(action) + " without integer \"" + std::string(key) + "\"");
  return *v;
}

bool BoolOr(const object& obj, std::string_view key, bool fallback) {
  element e;
  bool v = false;
  if (!Present(obj, key, &e) || e.get(v) != simdjson::SUCCESS) return fallback;
  return v;
}

// A JSON object of strings; non-string values keep their JSON text.
StringMap ReadMap(const object& obj, std::string_view key) {
  StringMap out;
  element e;
  object m;
  if (!Present(obj, key, &e) || e.get(m) != simdjson::SUCCESS) return out;
  for (auto field : m) {
    std::string_view s;
    if (field.value.get(s) == simdjson::SUCCESS) {
      out.emplace_back(std::string(field.key), std::string(s));
    } else {
      out.emplace_back(std::string(field.key), simdjson::minify(field.value));
    }
  }
  return out;
}

Result<Action> ParseMetadata(const object& m) {
  Metadata md;
  ASSIGN_OR_RETURN(md.id, RequiredString(m, "metaData", "id"));
  md.name = OptionalString(m, "name");
  md.description = OptionalString(m, "description");
  element e;
  object format;
  if (Present(m, "format", &e) && e.get(format) == simdjson::SUCCESS) {
    md.format_provider = OptionalString(format, "provider").value_or("parquet");
    md.format_options = ReadMap(format, "options");
  }
  ASSIGN_OR_RETURN(md.schema_string, RequiredString(m, "metaData", "schemaString"));
  simdjson::dom::array cols;
  if (Present(m, "partitionColumns", &e) && e.get(cols) == simdjson::SUCCESS) {
    for (element c : cols) {
      std::string_view s;
      if (c.get(s) == simdjson::SUCCESS) md.partition_columns.emplace_back(s);
    }
  }
  md.configuration = ReadMap(m, "configuration");
  md.created_time = OptionalInt(m, "createdTime");
  return Action(std::move(md));
}

Result<std::optional<Action>> ParseBody(std::string_view kind, const object& body) {
  if (kind == "protocol") {
    Protocol p;
    ASSIGN_OR_RETURN(int64_t r, RequiredInt(body, "protocol", "minReaderVersion"));
    ASSIGN_OR_RETURN(int64_t w, RequiredInt(body, "protocol", "minWriterVersion"));
    p.min_reader_version = static_cast<int32_t>(r);
    p.min_writer_version = static_cast<int32_t>(w);
    return std::optional<Action>(p);
  }
  if (kind == "metaData") {
    ASSIGN_OR_RETURN(Action a, ParseMetadata(body));
    return std::optional<Action>(std::move(a));
  }
  if (kind == "add") {
    AddFile a;
    ASSIGN_OR_RETURN(a.path, RequiredString(body, "add", "path"));
    a.partition_values = ReadMap(body, "partitionValues");
    ASSIGN_OR_RETURN(a.size, RequiredInt(body, "add", "size"));
    a.modification_time = OptionalInt(body, "modificationTime").value_or(0);
    a.data_change = BoolOr(body, "dataChange", true);
    a.stats = OptionalString(body, "stats");
    return std::optional<Action>(std::move(a));
  }
  if (kind == "remove") {
    RemoveFile r;
    ASSIGN_OR_RETURN(r.path, RequiredString(body, "remove", "path"));
    r.deletion_timestamp = OptionalInt(body, "deletionTimestamp");
    r.data_change = BoolOr(body, "dataChange", true);
    r.size = OptionalInt(body, "size");
    return std::optional<Action>(std::move(r));
  }
  if (kind == "txn") {
    Txn t;
    ASSIGN_OR_RETURN(t.app_id, RequiredString(body, "txn", "appId"));
    ASSIGN_OR_RETURN(t.version, RequiredInt(body, "txn", "version"));
    t.last_updated = OptionalInt(body, "lastUpdated");
    return std::optional<Action>(std::move(t));
  }
  if (kind == "commitInfo") {
    CommitInfo c;
    c.timestamp = OptionalInt(body, "timestamp").value_or(0);
    c.operation = OptionalString(body, "operation").value_or("");
    c.operation_parameters = ReadMap(body, "operationParameters");
    c.read_version = OptionalInt(body, "readVersion");
    c.is_blind_append = BoolOr(body, "isBlindAppend", false);
    c.engine_info = OptionalString(body, "engineInfo").value_or("");
    return std::optional<Action>(std::move(c));
  }
  return std::optional<Action>();
}

}  // namespace

std::string SerializeAction(const Action& action) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  std::visit([&](const auto& a) { Write(w, a); }, action);
  w.EndObject();
  return out;
}

std::string SerializeActions(const std::vector<Action>& actions) {
  std::string out;
  for (const Action& a : actions) {
    out += SerializeAction(a);
    out += '\n';
  }
  return out;
}

Result<std::optional<Action>> ParseAction(std::string_view line) {
  size_t first = line.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::optional<Action>();
  thread_local simdjson::dom::parser parser;
  element doc;
  if (parser.parse(line.data(), line.size(), true).get(doc) != simdjson::SUCCESS) {
    return Corrupt("an action line is not JSON");
  }
  object obj;
  if (doc.get(obj) != simdjson::SUCCESS) return Corrupt("an action line is not a JSON object");
  for (auto field : obj) {
    if (field.value.is_null()) continue;  // checkpoint rows: the other action columns
    object body;
    if (field.value.get(body) != simdjson::SUCCESS) {
      return Corrupt("action \"" + std::string(field.key) + "\" is not an object");
    }
    ASSIGN_OR_RETURN(std::optional<Action> action, ParseBody(field.key, body));
    if (action) return action;
  }
  return std::optional<Action>();
}

Result<std::vector<Action>> ParseActions(std::string_view text) {
  std::vector<Action> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ASSIGN_OR_RETURN(std::optional<Action> a, ParseAction(text.substr(start, end - start)));
    if (a) out.push_back(std::move(*a));
    start = end + 1;
  }
  return out;
}

}  // namespace pinpipe::delta
