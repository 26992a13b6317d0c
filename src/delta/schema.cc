#include "delta/schema.h"

#include <simdjson.h>

#include "base/json_writer.h"

namespace pinpipe::delta {
namespace {

bool KnownPrimitive(std::string_view t) {
  return t == "long" || t == "integer" || t == "double" || t == "string" || t == "boolean" ||
         t == "date" || t == "timestamp";
}

Result<std::string> PrimitiveOf(engine::TypeKind kind, bool with_tz, std::string_view column) {
  (void)with_tz;  // both TIMESTAMP and TIMESTAMPTZ become Delta timestamp (cast on write)
  switch (kind) {
    case engine::TypeKind::kBoolean: return std::string("boolean");
    case engine::TypeKind::kInteger: return std::string("integer");
    case engine::TypeKind::kBigint: return std::string("long");
    case engine::TypeKind::kDouble: return std::string("double");
    case engine::TypeKind::kVarchar: return std::string("string");
    case engine::TypeKind::kDate: return std::string("date");
    case engine::TypeKind::kTimestamp: return std::string("timestamp");
    default:
      return InvalidArgumentError("column \"" + std::string(column) +
                                  "\" has a type with no Delta mapping in pinpipe");
  }
}

}  // namespace

std::string ToSchemaString(const Schema& schema) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("type").String("struct").Key("fields").BeginArray();
  for (const Field& f : schema) {
    w.BeginObject().Key("name").String(f.name).Key("type");
    if (f.is_array) {
      w.BeginObject().Key("type").String("array").Key("elementType").String(f.type);
      w.Key("containsNull").Bool(true).EndObject();
    } else {
      w.String(f.type);
    }
    w.Key("nullable").Bool(f.nullable).Key("metadata").BeginObject().EndObject().EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

Result<Schema> ParseSchemaString(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size(), true).get(doc) != simdjson::SUCCESS) {
    return CorruptionError("delta schema: not JSON");
  }
  simdjson::dom::array fields;
  if (doc["fields"].get(fields) != simdjson::SUCCESS) {
    return CorruptionError("delta schema: no \"fields\" array");
  }
  Schema schema;
  for (simdjson::dom::element f : fields) {
    Field field;
    std::string_view name;
    if (f["name"].get(name) != simdjson::SUCCESS) return CorruptionError("delta schema: field without name");
    field.name = std::string(name);
    bool nullable = true;
    if (f["nullable"].get(nullable) == simdjson::SUCCESS) field.nullable = nullable;
    std::string_view type;
    simdjson::dom::object complex;
    if (f["type"].get(type) == simdjson::SUCCESS) {
      field.type = std::string(type);
    } else if (f["type"].get(complex) == simdjson::SUCCESS) {
      std::string_view kind, element;
      if (complex["type"].get(kind) != simdjson::SUCCESS || kind != "array" ||
          complex["elementType"].get(element) != simdjson::SUCCESS) {
        return UnimplementedError("delta schema: column \"" + field.name +
                                  "\" has a nested type pinpipe does not handle");
      }
      field.type = std::string(element);
      field.is_array = true;
    } else {
      return CorruptionError("delta schema: field \"" + field.name + "\" without a type");
    }
    if (!KnownPrimitive(field.type)) {
      return UnimplementedError("delta schema: column \"" + field.name + "\" has type " +
                                field.type + ", which pinpipe does not handle");
    }
    schema.push_back(std::move(field));
  }
  return schema;
}

std::string DuckDbType(const Field& field) {
  std::string t;
  if (field.type == "long") t = "BIGINT";
  else if (field.type == "integer") t = "INTEGER";
  else if (field.type == "double") t = "DOUBLE";
  else if (field.type == "string") t = "VARCHAR";
  else if (field.type == "boolean") t = "BOOLEAN";
  else if (field.type == "date") t = "DATE";
  else if (field.type == "timestamp") t = "TIMESTAMPTZ";
  else t = "VARCHAR";
  return field.is_array ? t + "[]" : t;
}

Result<Schema> SchemaFromColumns(const std::vector<engine::Column>& columns) {
  Schema schema;
  for (const engine::Column& c : columns) {
    Field f;
    f.name = c.name;
    if (c.type.kind == engine::TypeKind::kList) {
      ASSIGN_OR_RETURN(f.type, PrimitiveOf(c.type.element, false, c.name));
      f.is_array = true;
    } else {
      ASSIGN_OR_RETURN(f.type, PrimitiveOf(c.type.kind, c.type.with_time_zone, c.name));
    }
    schema.push_back(std::move(f));
  }
  return schema;
}

Schema CleanTableSchema(model::Table table) {
  auto s = [](const char* name, const char* type) { return Field{name, type, false, true}; };
  switch (table) {
    case model::Table::kPin:
      return {s("ind", "long"), s("unique_id", "string"), s("title", "string"),
              s("description", "string"), s("follower_count", "long"),
              s("poster_name", "string"), s("tag_list", "string"),
              s("is_image_or_video", "string"), s("image_src", "string"),
              s("save_location", "string"), s("category", "string")};
    case model::Table::kGeo:
      return {s("ind", "long"), s("country", "string"), Field{"coordinates", "double", true, true},
              s("timestamp", "timestamp")};
    case model::Table::kUser:
      return {s("ind", "long"), s("user_name", "string"), s("age", "integer"),
              s("date_joined", "timestamp")};
  }
  return {};
}

}  // namespace pinpipe::delta
