// Fast loading of cleaned records into DuckDB tables: rows are written straight into the
// vectors of DuckDB data chunks (2048 rows each) and handed to DuckDB's appender one chunk at a
// time, never value by value.
//
// The tables have the cleaned columns of SPEC §6 in DuckDB types chosen so that a Parquet copy
// has the Delta types (docs/delta_layout.md §2): BIGINT, INTEGER, VARCHAR, DOUBLE[] and
// TIMESTAMPTZ (a TIMESTAMP would be written as Delta's timestamp_ntz).
//
// Thread-safety: as Session (one thread at a time per session).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/session.h"
#include "model/records.h"

namespace pinpipe::engine {

// "ind BIGINT, unique_id VARCHAR, ..." for CREATE TABLE.
std::string CleanColumnsSql(model::Table table);

// CREATE [TEMP] TABLE IF NOT EXISTS `name` with the cleaned columns of `table`.
Status CreateCleanTable(Session& session, std::string_view name, model::Table table,
                        bool temporary = true);

// Appends `rows` to table `name` (which has the cleaned columns of the record's table). On
// error some of the rows may have been appended (DuckDB's appender flushes as it goes): load
// into a fresh temp table and drop it on failure.
Status AppendRows(Session& session, std::string_view name, std::span<const model::CleanPin> rows);
Status AppendRows(Session& session, std::string_view name, std::span<const model::CleanGeo> rows);
Status AppendRows(Session& session, std::string_view name, std::span<const model::CleanUser> rows);

}  // namespace pinpipe::engine
