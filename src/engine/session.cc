#include "engine/session.h"

#include <stdlib.h>  // mkdtemp

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "engine/duckdb_internal.h"

namespace pinpipe::engine {
namespace {

Status SetConfig(duckdb_config config, const char* name, const std::string& value) {
  if (duckdb_set_config(config, name, value.c_str()) != DuckDBSuccess) {
    return InvalidArgumentError("duckdb: bad setting " + std::string(name) + "=" + value);
  }
  return Status::OK();
}

Result<std::string> MakeScratchDir(const std::string& parent_option) {
  std::string parent = parent_option;
  if (parent.empty()) {
    const char* tmp = std::getenv("TMPDIR");  // NOLINT(concurrency-mt-unsafe)
    parent = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  std::string templ = parent + "/pinpipe-engine-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) return ErrnoError("mkdtemp", templ, errno);
  return templ;
}

}  // namespace

Result<std::unique_ptr<Session>> Session::Open(const SessionOptions& options) {
  std::unique_ptr<Session> session(new Session());
  ASSIGN_OR_RETURN(session->scratch_dir_, MakeScratchDir(options.scratch_parent));

  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) != DuckDBSuccess) return InternalError("duckdb: no config");
  Status s = SetConfig(config, "autoinstall_known_extensions", "false");
  if (s.ok() && options.threads > 0) s = SetConfig(config, "threads", std::to_string(options.threads));
  if (s.ok() && !options.memory_limit.empty()) s = SetConfig(config, "memory_limit", options.memory_limit);
  if (s.ok()) s = SetConfig(config, "temp_directory", session->scratch_dir_ + "/spill");
  if (!s.ok()) {
    duckdb_destroy_config(&config);
    return s;
  }
  duckdb_database db = nullptr;
  char* error = nullptr;
  duckdb_state state = duckdb_open_ext(nullptr, &db, config, &error);
  duckdb_destroy_config(&config);
  if (state != DuckDBSuccess) {
    Status open_error = InternalError("duckdb: open: " + std::string(error != nullptr ? error : "?"));
    if (error != nullptr) duckdb_free(error);
    return open_error;
  }
  session->database_ = db;
  duckdb_connection con = nullptr;
  if (duckdb_connect(db, &con) != DuckDBSuccess) return InternalError("duckdb: connect failed");
  session->connection_ = con;
  RETURN_IF_ERROR(session->Execute("SET TimeZone = 'UTC'"));
  return session;
}

Session::~Session() {
  if (connection_ != nullptr) {
    auto con = static_cast<duckdb_connection>(connection_);
    duckdb_disconnect(&con);
  }
  if (database_ != nullptr) {
    auto db = static_cast<duckdb_database>(database_);
    duckdb_close(&db);
  }
  if (!scratch_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(scratch_dir_, ec);  // best effort
  }
}

Status Session::Execute(std::string_view sql) {
  duckdb_result result;
  std::string text(sql);
  if (duckdb_query(internal::Connection(*this), text.c_str(), &result) != DuckDBSuccess) {
    Status s = internal::QueryError(&result, "");
    duckdb_destroy_result(&result);
    return s;
  }
  duckdb_destroy_result(&result);
  return Status::OK();
}

Result<QueryResult> Session::Query(std::string_view sql) {
  duckdb_result result;
  std::string text(sql);
  if (duckdb_query(internal::Connection(*this), text.c_str(), &result) != DuckDBSuccess) {
    Status s = internal::QueryError(&result, "");
    duckdb_destroy_result(&result);
    return s;
  }
  Result<QueryResult> rows = internal::ReadResult(&result);
  duckdb_destroy_result(&result);
  return rows;
}

Result<std::vector<Column>> Session::Describe(std::string_view select_sql) {
  std::string text = "SELECT * FROM (" + std::string(select_sql) + ") LIMIT 0";
  duckdb_result result;
  if (duckdb_query(internal::Connection(*this), text.c_str(), &result) != DuckDBSuccess) {
    Status s = internal::QueryError(&result, "");
    duckdb_destroy_result(&result);
    return s;
  }
  std::vector<Column> columns;
  for (idx_t c = 0; c < duckdb_column_count(&result); ++c) {
    duckdb_logical_type type = duckdb_column_logical_type(&result, c);
    columns.push_back({duckdb_column_name(&result, c), internal::TypeOf(type)});
    duckdb_destroy_logical_type(&type);
  }
  duckdb_destroy_result(&result);
  return columns;
}

std::string Session::NewScratchPath(std::string_view suffix) {
  return scratch_dir_ + "/f" + std::to_string(++scratch_counter_) + std::string(suffix);
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QuoteLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace pinpipe::engine
