#include "batch/table_format.h"

#include <algorithm>

#include "base/json_writer.h"

namespace pinpipe::batch {
namespace {

bool RightAligned(const engine::Column& column) {
  using engine::TypeKind;
  TypeKind k = column.type.kind;
  return k == TypeKind::kInteger || k == TypeKind::kBigint || k == TypeKind::kDouble;
}

// Display width: UTF-8 code points (continuation bytes do not count).
size_t Width(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void Pad(std::string* out, size_t n) { out->append(n, ' '); }

std::string CsvField(const engine::Value& value) {
  if (value.is_null()) return "";
  std::string text = engine::ToText(value);
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void WriteJson(JsonWriter& json, const engine::Value& value) {
  using Kind = engine::Value::Kind;
  switch (value.kind) {
    case Kind::kNull: json.Null(); break;
    case Kind::kBool: json.Bool(value.i != 0); break;
    case Kind::kInt: json.Int(value.i); break;
    case Kind::kDouble: json.Double(value.d); break;
    case Kind::kString:
    case Kind::kDate:
    case Kind::kTimestamp: json.String(value.kind == Kind::kString ? value.s : engine::ToText(value)); break;
    case Kind::kList:
      json.BeginArray();
      for (const engine::Value& v : value.list) WriteJson(json, v);
      json.EndArray();
      break;
  }
}

}  // namespace

bool ParseOutputFormat(std::string_view text, OutputFormat* out) {
  if (text == "table") *out = OutputFormat::kTable;
  else if (text == "csv") *out = OutputFormat::kCsv;
  else if (text == "json") *out = OutputFormat::kJson;
  else return false;
  return true;
}

std::string FormatTable(const engine::QueryResult& result) {
  const size_t n = result.columns.size();
  std::vector<size_t> widths(n);
  std::vector<std::vector<std::string>> cells;
  for (size_t c = 0; c < n; ++c) widths[c] = Width(result.columns[c].name);
  for (const auto& row : result.rows) {
    std::vector<std::string>& texts = cells.emplace_back();
    for (size_t c = 0; c < n; ++c) {
      texts.push_back(engine::ToText(row[c]));
      widths[c] = std::max(widths[c], Width(texts.back()));
    }
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& texts, bool header) {
    for (size_t c = 0; c < n; ++c) {
      if (c > 0) out += "  ";
      size_t pad = widths[c] - Width(texts[c]);
      bool right = !header && RightAligned(result.columns[c]);
      if (right) Pad(&out, pad);
      out += texts[c];
      if (!right && c + 1 < n) Pad(&out, pad);
    }
    out += '\n';
  };
  std::vector<std::string> header;
  for (const engine::Column& column : result.columns) header.push_back(column.name);
  line(header, true);
  std::vector<std::string> rule;
  for (size_t c = 0; c < n; ++c) rule.emplace_back(widths[c], '-');
  line(rule, true);
  for (const auto& texts : cells) line(texts, false);
  out += "(" + std::to_string(result.rows.size()) + (result.rows.size() == 1 ? " row)\n" : " rows)\n");
  return out;
}

std::string FormatCsv(const engine::QueryResult& result) {
  std::string out;
  for (size_t c = 0; c < result.columns.size(); ++c) {
    if (c > 0) out += ',';
    out += CsvField(engine::Value::String(result.columns[c].name));
  }
  out += '\n';
  for (const auto& row : result.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out += ',';
      out += CsvField(row[c]);
    }
    out += '\n';
  }
  return out;
}

std::string FormatJsonLines(const engine::QueryResult& result) {
  std::string out;
  for (const auto& row : result.rows) {
    JsonWriter json(&out);
    json.BeginObject();
    for (size_t c = 0; c < row.size(); ++c) {
      json.Key(result.columns[c].name);
      WriteJson(json, row[c]);
    }
    json.EndObject();
    out += '\n';
  }
  return out;
}

std::string Format(const engine::QueryResult& result, OutputFormat format) {
  switch (format) {
    case OutputFormat::kTable: return FormatTable(result);
    case OutputFormat::kCsv: return FormatCsv(result);
    case OutputFormat::kJson: return FormatJsonLines(result);
  }
  return {};
}

}  // namespace pinpipe::batch
