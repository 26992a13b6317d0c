// Private to engine/: the only header that includes duckdb.h. DuckDB's errors are turned into
// a Status here and in duckdb_status.cc, nowhere else.
#pragma once

#include <string_view>

#include "base/result.h"
#include "base/status.h"
#include "engine/session.h"
#include "engine/value.h"
#include "duckdb.h"

namespace pinpipe::engine::internal {

inline duckdb_connection Connection(const Session& session) {
  return static_cast<duckdb_connection>(session.raw_connection());
}

// The Status of a failed query (its error type mapped to a StatusCode, its message kept).
Status QueryError(duckdb_result* result, std::string_view context);
// The Status of a failed appender call.
Status AppenderError(duckdb_appender appender, std::string_view context);
// The Status for DuckDB's error type `type` and `message`.
Status FromDuckError(duckdb_error_type type, std::string_view message);

ColumnType TypeOf(duckdb_logical_type type);
// Reads every chunk of a successful result into rows.
Result<QueryResult> ReadResult(duckdb_result* result);

}  // namespace pinpipe::engine::internal
