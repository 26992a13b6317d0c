// Reading DuckDB results (vectors of data chunks) into engine::QueryResult.
#include <cmath>
#include <string>

#include "engine/duckdb_internal.h"

namespace pinpipe::engine::internal {
namespace {

TypeKind KindOf(duckdb_type id) {
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN: return TypeKind::kBoolean;
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT: return TypeKind::kInteger;
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT: return TypeKind::kBigint;
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL: return TypeKind::kDouble;
    case DUCKDB_TYPE_VARCHAR: return TypeKind::kVarchar;
    case DUCKDB_TYPE_BLOB: return TypeKind::kBlob;
    case DUCKDB_TYPE_DATE: return TypeKind::kDate;
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
    case DUCKDB_TYPE_TIMESTAMP_TZ: return TypeKind::kTimestamp;
    case DUCKDB_TYPE_LIST: return TypeKind::kList;
    default: return TypeKind::kOther;
  }
}

const char* SqlName(duckdb_type id) {
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN: return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT: return "TINYINT";
    case DUCKDB_TYPE_SMALLINT: return "SMALLINT";
    case DUCKDB_TYPE_INTEGER: return "INTEGER";
    case DUCKDB_TYPE_BIGINT: return "BIGINT";
    case DUCKDB_TYPE_UTINYINT: return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT: return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER: return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT: return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT: return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT: return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT: return "FLOAT";
    case DUCKDB_TYPE_DOUBLE: return "DOUBLE";
    case DUCKDB_TYPE_DECIMAL: return "DECIMAL";
    case DUCKDB_TYPE_VARCHAR: return "VARCHAR";
    case DUCKDB_TYPE_BLOB: return "BLOB";
    case DUCKDB_TYPE_DATE: return "DATE";
    case DUCKDB_TYPE_TIME: return "TIME";
    case DUCKDB_TYPE_INTERVAL: return "INTERVAL";
    case DUCKDB_TYPE_TIMESTAMP: return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_S: return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS: return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS: return "TIMESTAMP_NS";
    case DUCKDB_TYPE_TIMESTAMP_TZ: return "TIMESTAMPTZ";
    case DUCKDB_TYPE_STRUCT: return "STRUCT";
    case DUCKDB_TYPE_MAP: return "MAP";
    case DUCKDB_TYPE_ARRAY: return "ARRAY";
    case DUCKDB_TYPE_UUID: return "UUID";
    case DUCKDB_TYPE_ENUM: return "ENUM";
    case DUCKDB_TYPE_UNION: return "UNION";
    case DUCKDB_TYPE_SQLNULL: return "NULL";
    default: return "OTHER";
  }
}

double HugeToDouble(duckdb_hugeint h) { return duckdb_hugeint_to_double(h); }

Value HugeValue(duckdb_hugeint h) {
  // Fits in int64 when the upper word is the sign extension of the lower word's top bit.
  auto low = static_cast<int64_t>(h.lower);
  if ((h.upper == 0 && low >= 0) || (h.upper == -1 && low < 0)) return Value::Int(low);
  return Value::Double(HugeToDouble(h));
}

double Pow10(int n) { return std::pow(10.0, n); }

// One cell of `vec` (of logical type `type`) at `row`; the caller checked validity.
Value Cell(duckdb_vector vec, duckdb_logical_type type, idx_t row);

Value ListCell(duckdb_vector vec, duckdb_logical_type type, idx_t row) {
  auto* entries = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(vec));
  duckdb_vector child = duckdb_list_vector_get_child(vec);
  duckdb_logical_type child_type = duckdb_list_type_child_type(type);
  uint64_t* validity = duckdb_vector_get_validity(child);
  std::vector<Value> items;
  items.reserve(entries[row].length);
  for (idx_t k = 0; k < entries[row].length; ++k) {
    idx_t at = entries[row].offset + k;
    if (validity != nullptr && !duckdb_validity_row_is_valid(validity, at)) {
      items.push_back(Value::Null());
    } else {
      items.push_back(Cell(child, child_type, at));
    }
  }
  duckdb_destroy_logical_type(&child_type);
  return Value::List(std::move(items));
}

Value Cell(duckdb_vector vec, duckdb_logical_type type, idx_t row) {
  void* data = duckdb_vector_get_data(vec);
  duckdb_type id = duckdb_get_type_id(type);
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN: return Value::Bool(static_cast<bool*>(data)[row]);
    case DUCKDB_TYPE_TINYINT: return Value::Int(static_cast<int8_t*>(data)[row]);
    case DUCKDB_TYPE_SMALLINT: return Value::Int(static_cast<int16_t*>(data)[row]);
    case DUCKDB_TYPE_INTEGER: return Value::Int(static_cast<int32_t*>(data)[row]);
    case DUCKDB_TYPE_BIGINT: return Value::Int(static_cast<int64_t*>(data)[row]);
    case DUCKDB_TYPE_UTINYINT: return Value::Int(static_cast<uint8_t*>(data)[row]);
    case DUCKDB_TYPE_USMALLINT: return Value::Int(static_cast<uint16_t*>(data)[row]);
    case DUCKDB_TYPE_UINTEGER: return Value::Int(static_cast<uint32_t*>(data)[row]);
    case DUCKDB_TYPE_UBIGINT: {
      uint64_t u = static_cast<uint64_t*>(data)[row];
      return u <= static_cast<uint64_t>(INT64_MAX) ? Value::Int(static_cast<int64_t>(u))
                                                  : Value::Double(static_cast<double>(u));
    }
    case DUCKDB_TYPE_HUGEINT: return HugeValue(static_cast<duckdb_hugeint*>(data)[row]);
    case DUCKDB_TYPE_UHUGEINT: {
      duckdb_uhugeint u = static_cast<duckdb_uhugeint*>(data)[row];
      if (u.upper == 0 && u.lower <= static_cast<uint64_t>(INT64_MAX)) {
        return Value::Int(static_cast<int64_t>(u.lower));
      }
      return Value::Double(duckdb_uhugeint_to_double(u));
    }
    case DUCKDB_TYPE_FLOAT: return Value::Double(static_cast<float*>(data)[row]);
    case DUCKDB_TYPE_DOUBLE: return Value::Double(static_cast<double*>(data)[row]);
    case DUCKDB_TYPE_DECIMAL: {
      double scale = Pow10(duckdb_decimal_scale(type));
      switch (duckdb_decimal_internal_type(type)) {
        case DUCKDB_TYPE_SMALLINT: return Value::Double(static_cast<int16_t*>(data)[row] / scale);
        case DUCKDB_TYPE_INTEGER: return Value::Double(static_cast<int32_t*>(data)[row] / scale);
        case DUCKDB_TYPE_BIGINT: return Value::Double(static_cast<double>(static_cast<int64_t*>(data)[row]) / scale);
        default: return Value::Double(HugeToDouble(static_cast<duckdb_hugeint*>(data)[row]) / scale);
      }
    }
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB: {
      auto* s = &static_cast<duckdb_string_t*>(data)[row];
      return Value::String(std::string(duckdb_string_t_data(s), duckdb_string_t_length(*s)));
    }
    case DUCKDB_TYPE_DATE: return Value::Date(static_cast<duckdb_date*>(data)[row].days);
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return Value::Timestamp(static_cast<duckdb_timestamp*>(data)[row].micros);
    case DUCKDB_TYPE_TIMESTAMP_S:
      return Value::Timestamp(static_cast<duckdb_timestamp_s*>(data)[row].seconds * 1000000);
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return Value::Timestamp(static_cast<duckdb_timestamp_ms*>(data)[row].millis * 1000);
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return Value::Timestamp(static_cast<duckdb_timestamp_ns*>(data)[row].nanos / 1000);
    case DUCKDB_TYPE_LIST: return ListCell(vec, type, row);
    default: return Value::Null();  // refused before reading (TypeOf gives kOther)
  }
}

bool Readable(duckdb_logical_type type) {
  duckdb_type id = duckdb_get_type_id(type);
  if (id == DUCKDB_TYPE_SQLNULL) return true;
  if (KindOf(id) == TypeKind::kOther) return false;
  if (id != DUCKDB_TYPE_LIST) return true;
  duckdb_logical_type child = duckdb_list_type_child_type(type);
  bool ok = Readable(child);
  duckdb_destroy_logical_type(&child);
  return ok;
}

}  // namespace

ColumnType TypeOf(duckdb_logical_type type) {
  ColumnType out;
  duckdb_type id = duckdb_get_type_id(type);
  out.kind = KindOf(id);
  out.with_time_zone = id == DUCKDB_TYPE_TIMESTAMP_TZ;
  out.sql = SqlName(id);
  if (id == DUCKDB_TYPE_LIST) {
    duckdb_logical_type child = duckdb_list_type_child_type(type);
    ColumnType element = TypeOf(child);
    duckdb_destroy_logical_type(&child);
    out.element = element.kind;
    out.sql = element.sql + "[]";
  } else if (id == DUCKDB_TYPE_DECIMAL) {
    out.sql = "DECIMAL(" + std::to_string(duckdb_decimal_width(type)) + "," +
              std::to_string(duckdb_decimal_scale(type)) + ")";
  }
  return out;
}

Result<QueryResult> ReadResult(duckdb_result* result) {
  QueryResult out;
  idx_t ncols = duckdb_column_count(result);
  std::vector<duckdb_logical_type> types(ncols);
  Status status;
  for (idx_t c = 0; c < ncols; ++c) {
    types[c] = duckdb_column_logical_type(result, c);
    out.columns.push_back({duckdb_column_name(result, c), TypeOf(types[c])});
    if (status.ok() && !Readable(types[c])) {
      status = UnimplementedError("column \"" + out.columns.back().name + "\" has type " +
                                  out.columns.back().type.sql +
                                  ", which pinpipe does not read: cast it (e.g. to VARCHAR)");
    }
  }
  while (status.ok()) {
    duckdb_data_chunk chunk = duckdb_fetch_chunk(*result);
    if (chunk == nullptr) break;
    idx_t n = duckdb_data_chunk_get_size(chunk);
    size_t first = out.rows.size();
    out.rows.resize(first + n, std::vector<Value>(ncols));
    for (idx_t c = 0; c < ncols; ++c) {
      duckdb_vector vec = duckdb_data_chunk_get_vector(chunk, c);
      uint64_t* validity = duckdb_vector_get_validity(vec);
      bool null_type = duckdb_get_type_id(types[c]) == DUCKDB_TYPE_SQLNULL;
      for (idx_t r = 0; r < n; ++r) {
        if (null_type || (validity != nullptr && !duckdb_validity_row_is_valid(validity, r))) continue;
        out.rows[first + r][c] = Cell(vec, types[c], r);
      }
    }
    duckdb_destroy_data_chunk(&chunk);
  }
  for (auto& t : types) duckdb_destroy_logical_type(&t);
  if (!status.ok()) return status;
  return out;
}

}  // namespace pinpipe::engine::internal
