// engine::Session: one in-memory DuckDB database and one connection to it, behind pinpipe's
// Status. The engine/ module is the only code that includes duckdb.h; DuckDB's errors become a
// Status in one place (duckdb_status.cc).
//
// Every session runs with TimeZone=UTC, so TIMESTAMPTZ values print and extract (year(),
// date_trunc) in UTC, and owns a scratch directory (removed when the session closes) for
// Parquet files on their way to or from an object store.
//
// Thread-safety: a Session is used by one thread at a time (DuckDB parallelises each query
// internally over `threads`). Use one session per thread for concurrent work.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "engine/value.h"

namespace pinpipe::engine {

struct SessionOptions {
  int threads = 0;              // DuckDB worker threads; 0 = DuckDB's default (the cores)
  std::string memory_limit;     // e.g. "2GB"; empty = DuckDB's default (80% of RAM)
  std::string scratch_parent;   // where the scratch directory goes; empty = $TMPDIR or /tmp
};

class Session {
 public:
  static Result<std::unique_ptr<Session>> Open(const SessionOptions& options = {});
  ~Session();

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs one or more statements, discarding any rows.
  Status Execute(std::string_view sql);
  // Runs a query and returns all its rows. Columns of a type TypeKind cannot hold (STRUCT,
  // MAP, INTERVAL, ...) are kUnimplemented naming the column: cast them in the SQL.
  Result<QueryResult> Query(std::string_view sql);
  // The columns a query would return, without running it to completion.
  Result<std::vector<Column>> Describe(std::string_view select_sql);

  // A directory private to this session (exists until the session is destroyed).
  const std::string& scratch_dir() const { return scratch_dir_; }
  // A fresh path inside scratch_dir() ending in `suffix` (the file is not created).
  std::string NewScratchPath(std::string_view suffix);

  // For engine/ internals only (appender, result reader): the duckdb_connection.
  void* raw_connection() const { return connection_; }

 private:
  Session() = default;

  void* database_ = nullptr;    // duckdb_database
  void* connection_ = nullptr;  // duckdb_connection
  std::string scratch_dir_;
  uint64_t scratch_counter_ = 0;
};

// Quotes an SQL identifier ("a""b") and a string literal ('it''s').
std::string QuoteIdentifier(std::string_view name);
std::string QuoteLiteral(std::string_view text);

}  // namespace pinpipe::engine
