// Parquet in and out of DuckDB, and the one place that decides how DuckDB reaches objects of
// an ObjectStore: DuckDB writes and reads local files only (the bundled libduckdb has no
// httpfs), so objects of a `file://` store are read and written in place (a write goes to the
// store's temp directory and is renamed onto its key, as LocalObjectStore::Put does) and every
// other store goes through files in the session's scratch directory.
//
// Thread-safety: as Session. The store may be shared with other threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "engine/session.h"
#include "objstore/object_store.h"

namespace pinpipe::engine {

// COPY (select_sql) TO `path` as Parquet (snappy). Returns the file's size in bytes.
Result<uint64_t> CopyToParquet(Session& session, std::string_view select_sql,
                               const std::string& path);

// Writes the rows of `select_sql` as a Parquet object `key` of `store`; the object is durable
// and whole on return, and a failure leaves no part of it. A `file://` store gets the file
// DuckDB wrote, fdatasynced and renamed onto the key (its directory fsynced); other stores a
// scratch file read back into one Put. Returns its size in bytes.
Result<uint64_t> WriteParquetObject(Session& session, std::string_view select_sql,
                                    objstore::ObjectStore& store, std::string_view key);

// Local paths through which DuckDB reads the objects `keys` of `store`, in order: the files
// themselves for a `file://` store, otherwise copies in the session's scratch directory.
Result<std::vector<std::string>> LocalPaths(Session& session, objstore::ObjectStore& store,
                                            const std::vector<std::string>& keys);

// `read_parquet(['a', 'b'], union_by_name = true)` for use in a FROM clause. `paths` must not
// be empty.
std::string ReadParquetSql(const std::vector<std::string>& paths);

// The local directory of a `file:///abs/dir` URL ("/abs/dir"), or empty for other URLs.
std::string LocalDirOfUrl(std::string_view url);

}  // namespace pinpipe::engine
