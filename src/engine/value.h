// The result of a query, in pinpipe's own types (no DuckDB type leaves engine/): column names
// and types, and rows of typed values. Enough to print tables, CSV and JSON and to map
// columns to Delta types.
//
// Plain values; safe to copy and to move between threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pinpipe::engine {

// The column types pinpipe distinguishes. Narrower integers widen to the nearest kind
// (TINYINT/SMALLINT/UTINYINT/USMALLINT read as kInteger; UINTEGER/UBIGINT/HUGEINT as kBigint;
// FLOAT/DECIMAL as kDouble); a kTimestamp carries whether DuckDB had a time zone on it.
enum class TypeKind {
  kBoolean,
  kInteger,    // 32-bit
  kBigint,     // 64-bit
  kDouble,
  kVarchar,
  kBlob,
  kDate,
  kTimestamp,  // microseconds since the Unix epoch
  kList,       // of `element`
  kOther,      // anything else (STRUCT, MAP, INTERVAL, ...): cast it in SQL to read it
};

struct ColumnType {
  TypeKind kind = TypeKind::kOther;
  bool with_time_zone = false;               // kTimestamp: TIMESTAMPTZ
  TypeKind element = TypeKind::kOther;       // kList: the element kind (lists of lists: kList)
  std::string sql;                           // DuckDB's spelling: "BIGINT", "DOUBLE[]", ...
  friend bool operator==(const ColumnType& a, const ColumnType& b) {
    return a.kind == b.kind && a.with_time_zone == b.with_time_zone && a.element == b.element;
  }
};

struct Column {
  std::string name;
  ColumnType type;
};

// One cell. Integers of every width are held in `i`; a date is days since 1970-01-01 in `i`; a
// timestamp is microseconds since the Unix epoch (UTC) in `i`.
struct Value {
  enum class Kind { kNull, kBool, kInt, kDouble, kString, kDate, kTimestamp, kList };
  Kind kind = Kind::kNull;
  int64_t i = 0;  // kBool (0/1), kInt, kDate, kTimestamp
  double d = 0;   // kDouble
  std::string s;  // kString (VARCHAR or BLOB bytes)
  std::vector<Value> list;

  static Value Null() { return {}; }
  static Value Bool(bool b) { Value v; v.kind = Kind::kBool; v.i = b ? 1 : 0; return v; }
  static Value Int(int64_t x) { Value v; v.kind = Kind::kInt; v.i = x; return v; }
  static Value Double(double x) { Value v; v.kind = Kind::kDouble; v.d = x; return v; }
  static Value String(std::string x) { Value v; v.kind = Kind::kString; v.s = std::move(x); return v; }
  static Value Date(int64_t days) { Value v; v.kind = Kind::kDate; v.i = days; return v; }
  static Value Timestamp(int64_t micros) { Value v; v.kind = Kind::kTimestamp; v.i = micros; return v; }
  static Value List(std::vector<Value> xs) { Value v; v.kind = Kind::kList; v.list = std::move(xs); return v; }

  bool is_null() const { return kind == Kind::kNull; }
  friend bool operator==(const Value&, const Value&) = default;
};

// Human-readable text of a value, as `pinpipe query` prints it: NULL as "NULL", timestamps as
// "2020-08-28 03:52:47" (UTC, fraction only when non-zero), dates "2020-08-28", doubles in
// their shortest round-trip form, lists as "[1.5, 2.0]".
std::string ToText(const Value& value);

struct QueryResult {
  std::vector<Column> columns;
  std::vector<std::vector<Value>> rows;  // rows[r][c]

  int ColumnIndex(std::string_view name) const;  // -1 if absent
};

}  // namespace pinpipe::engine
