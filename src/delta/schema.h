// A Delta table schema (docs/delta_layout.md §2): top-level columns of primitive types or
// arrays of them, its Spark StructType JSON (metaData.schemaString), and its mapping to and
// from DuckDB types.
//
// Plain values and pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "engine/value.h"
#include "model/records.h"

namespace pinpipe::delta {

struct Field {
  std::string name;
  // A Delta primitive type name: "long", "integer", "double", "string", "boolean", "date",
  // "timestamp" (for an array, its element type).
  std::string type;
  bool is_array = false;
  bool nullable = true;
  friend bool operator==(const Field&, const Field&) = default;
};

using Schema = std::vector<Field>;

// Compact StructType JSON: {"type":"struct","fields":[{"name":"ind","type":"long",
// "nullable":true,"metadata":{}},...]}; arrays as {"type":"array","elementType":"double",
// "containsNull":true}.
std::string ToSchemaString(const Schema& schema);
// kCorruption for malformed JSON; kUnimplemented for types pinpipe does not handle (structs,
// maps, nested arrays, decimals, ...).
Result<Schema> ParseSchemaString(std::string_view json);

// The DuckDB type that holds a Delta type: BIGINT, INTEGER, DOUBLE, VARCHAR, BOOLEAN, DATE,
// TIMESTAMPTZ (Delta `timestamp` is adjusted to UTC), with "[]" for arrays.
std::string DuckDbType(const Field& field);

// The Delta schema of query columns; kInvalidArgument naming a column whose type has none.
Result<Schema> SchemaFromColumns(const std::vector<engine::Column>& columns);

// The schemas of cleaned_pin, cleaned_geo, cleaned_user (SPEC §6).
Schema CleanTableSchema(model::Table table);

}  // namespace pinpipe::delta
