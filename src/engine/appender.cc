#include "engine/appender.h"

#include <cstring>
#include <optional>
#include <vector>

#include "engine/duckdb_internal.h"

namespace pinpipe::engine {
namespace {

// A data chunk being filled row by row, column by column.
class ChunkWriter {
 public:
  explicit ChunkWriter(const std::vector<duckdb_type>& column_types) {
    std::vector<duckdb_logical_type> types;
    for (duckdb_type t : column_types) {
      if (t == DUCKDB_TYPE_LIST) {
        duckdb_logical_type child = duckdb_create_logical_type(DUCKDB_TYPE_DOUBLE);
        types.push_back(duckdb_create_list_type(child));
        duckdb_destroy_logical_type(&child);
      } else {
        types.push_back(duckdb_create_logical_type(t));
      }
    }
    chunk_ = duckdb_create_data_chunk(types.data(), types.size());
    for (auto& t : types) duckdb_destroy_logical_type(&t);
    capacity_ = duckdb_vector_size();
    Reset();
  }
  ~ChunkWriter() { duckdb_destroy_data_chunk(&chunk_); }
  ChunkWriter(const ChunkWriter&) = delete;
  ChunkWriter& operator=(const ChunkWriter&) = delete;

  idx_t capacity() const { return capacity_; }
  duckdb_data_chunk chunk() { return chunk_; }

  void Reset() {
    duckdb_data_chunk_reset(chunk_);
    idx_t n = duckdb_data_chunk_get_column_count(chunk_);
    vectors_.assign(n, nullptr);
    validity_.assign(n, nullptr);
    for (idx_t c = 0; c < n; ++c) {
      vectors_[c] = duckdb_data_chunk_get_vector(chunk_, c);
      duckdb_vector_ensure_validity_writable(vectors_[c]);
      validity_[c] = duckdb_vector_get_validity(vectors_[c]);
    }
    list_size_ = 0;
  }

  void Int64(idx_t c, idx_t row, std::optional<int64_t> v) {
    if (!v) return Null(c, row);
    static_cast<int64_t*>(duckdb_vector_get_data(vectors_[c]))[row] = *v;
  }
  void Int32(idx_t c, idx_t row, std::optional<int32_t> v) {
    if (!v) return Null(c, row);
    static_cast<int32_t*>(duckdb_vector_get_data(vectors_[c]))[row] = *v;
  }
  void Timestamp(idx_t c, idx_t row, std::optional<int64_t> micros) {
    if (!micros) return Null(c, row);
    static_cast<duckdb_timestamp*>(duckdb_vector_get_data(vectors_[c]))[row].micros = *micros;
  }
  void String(idx_t c, idx_t row, const std::optional<std::string>& v) {
    if (!v) return Null(c, row);
    duckdb_vector_assign_string_element_len(vectors_[c], row, v->data(), v->size());
  }
  // A DOUBLE[] cell (one list column per chunk: the child offsets are this writer's).
  Status DoubleList(idx_t c, idx_t row, const std::optional<std::array<double, 2>>& v) {
    if (!v) {
      Null(c, row);
      auto* entries = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(vectors_[c]));
      entries[row] = {list_size_, 0};
      return Status::OK();
    }
    duckdb_vector vec = vectors_[c];
    if (duckdb_list_vector_reserve(vec, list_size_ + v->size()) != DuckDBSuccess ||
        duckdb_list_vector_set_size(vec, list_size_ + v->size()) != DuckDBSuccess) {
      return ResourceExhaustedError("duckdb: cannot grow a list vector");
    }
    duckdb_vector child = duckdb_list_vector_get_child(vec);
    auto* values = static_cast<double*>(duckdb_vector_get_data(child));
    std::memcpy(values + list_size_, v->data(), v->size() * sizeof(double));
    auto* entries = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(vec));
    entries[row] = {list_size_, v->size()};
    list_size_ += v->size();
    return Status::OK();
  }

 private:
  void Null(idx_t c, idx_t row) { duckdb_validity_set_row_invalid(validity_[c], row); }

  duckdb_data_chunk chunk_;
  idx_t capacity_ = 0;
  std::vector<duckdb_vector> vectors_;
  std::vector<uint64_t*> validity_;
  idx_t list_size_ = 0;
};

struct ColumnDef {
  const char* name;
  duckdb_type type;
  const char* sql;
};

const std::vector<ColumnDef>& Columns(model::Table table) {
  static const std::vector<ColumnDef> pin = {
      {"ind", DUCKDB_TYPE_BIGINT, "BIGINT"},
      {"unique_id", DUCKDB_TYPE_VARCHAR, "VARCHAR"},
      {"title", DUCKDB_TYPE_VARCHAR, "VARCHAR"},
      {"description", DUCKDB_TYPE_VARCHAR, "VARCHAR"},
      {"follower_count", DUCKDB_TYPE_BIGINT, "BIGINT"},
      {"poster_name", DUCKDB_TYPE_VARCHAR, "VARCHAR"},
      {"tag_list", DUCKDB_TYPE_VARCHAR, "VARCHAR"},
      {"is_image_or_video", DUCKDB_TYPE_VARCHAR, "VARCHAR"},
      {"image_src", DUCKDB_TYPE_VARCHAR, "VARCHAR"},
      {"save_location", DUCKDB_TYPE_VARCHAR, "VARCHAR"},
      {"category", DUCKDB_TYPE_VARCHAR, "VARCHAR"},
  };
  static const std::vector<ColumnDef> geo = {
      {"ind", DUCKDB_TYPE_BIGINT, "BIGINT"},
      {"country", DUCKDB_TYPE_VARCHAR, "VARCHAR"},
      {"coordinates", DUCKDB_TYPE_LIST, "DOUBLE[]"},
      {"timestamp", DUCKDB_TYPE_TIMESTAMP_TZ, "TIMESTAMPTZ"},
  };
  static const std::vector<ColumnDef> user = {
      {"ind", DUCKDB_TYPE_BIGINT, "BIGINT"},
      {"user_name", DUCKDB_TYPE_VARCHAR, "VARCHAR"},
      {"age", DUCKDB_TYPE_INTEGER, "INTEGER"},
      {"date_joined", DUCKDB_TYPE_TIMESTAMP_TZ, "TIMESTAMPTZ"},
  };
  switch (table) {
    case model::Table::kPin: return pin;
    case model::Table::kGeo: return geo;
    case model::Table::kUser: return user;
  }
  return pin;
}

Status FillRow(ChunkWriter& w, idx_t r, const model::CleanPin& p) {
  w.Int64(0, r, p.ind);
  w.String(1, r, p.unique_id);
  w.String(2, r, p.title);
  w.String(3, r, p.description);
  w.Int64(4, r, p.follower_count);
  w.String(5, r, p.poster_name);
  w.String(6, r, p.tag_list);
  w.String(7, r, p.is_image_or_video);
  w.String(8, r, p.image_src);
  w.String(9, r, p.save_location);
  w.String(10, r, p.category);
  return Status::OK();
}

Status FillRow(ChunkWriter& w, idx_t r, const model::CleanGeo& g) {
  w.Int64(0, r, g.ind);
  w.String(1, r, g.country);
  RETURN_IF_ERROR(w.DoubleList(2, r, g.coordinates));
  w.Timestamp(3, r, g.timestamp);
  return Status::OK();
}

Status FillRow(ChunkWriter& w, idx_t r, const model::CleanUser& u) {
  w.Int64(0, r, u.ind);
  w.String(1, r, u.user_name);
  w.Int32(2, r, u.age);
  w.Timestamp(3, r, u.date_joined);
  return Status::OK();
}

template <typename Record>
Status Append(Session& session, std::string_view name, model::Table table,
              std::span<const Record> rows) {
  std::vector<duckdb_type> types;
  for (const ColumnDef& def : Columns(table)) types.push_back(def.type);
  duckdb_appender appender = nullptr;
  std::string table_name(name);
  std::string context = "appending to " + table_name;
  if (duckdb_appender_create(internal::Connection(session), nullptr, table_name.c_str(),
                             &appender) != DuckDBSuccess) {
    Status s = internal::AppenderError(appender, context);
    duckdb_appender_destroy(&appender);
    return s;
  }
  if (duckdb_appender_column_count(appender) != types.size()) {
    duckdb_appender_destroy(&appender);
    return InvalidArgumentError(context + ": the table does not have the cleaned columns");
  }
  Status status;
  ChunkWriter writer(types);
  size_t at = 0;
  while (status.ok() && at < rows.size()) {
    writer.Reset();
    idx_t n = std::min<size_t>(writer.capacity(), rows.size() - at);
    for (idx_t r = 0; r < n && status.ok(); ++r) status = FillRow(writer, r, rows[at + r]);
    if (!status.ok()) break;
    duckdb_data_chunk_set_size(writer.chunk(), n);
    if (duckdb_append_data_chunk(appender, writer.chunk()) != DuckDBSuccess) {
      status = internal::AppenderError(appender, context);
    }
    at += n;
  }
  if (status.ok() && duckdb_appender_close(appender) != DuckDBSuccess) {
    status = internal::AppenderError(appender, context);
  }
  duckdb_appender_destroy(&appender);
  return status;
}

}  // namespace

std::string CleanColumnsSql(model::Table table) {
  std::string out;
  for (const ColumnDef& def : Columns(table)) {
    if (!out.empty()) out += ", ";
    out += QuoteIdentifier(def.name) + " " + def.sql;
  }
  return out;
}

Status CreateCleanTable(Session& session, std::string_view name, model::Table table,
                        bool temporary) {
  return session.Execute(std::string("CREATE ") + (temporary ? "TEMP " : "") +
                         "TABLE IF NOT EXISTS " + QuoteIdentifier(name) + " (" +
                         CleanColumnsSql(table) + ")");
}

Status AppendRows(Session& session, std::string_view name, std::span<const model::CleanPin> rows) {
  return Append(session, name, model::Table::kPin, rows);
}
Status AppendRows(Session& session, std::string_view name, std::span<const model::CleanGeo> rows) {
  return Append(session, name, model::Table::kGeo, rows);
}
Status AppendRows(Session& session, std::string_view name, std::span<const model::CleanUser> rows) {
  return Append(session, name, model::Table::kUser, rows);
}

}  // namespace pinpipe::engine
