// SourceDb: the source database the emulator reads posts from — the three tables
// `pinterest_data`, `geolocation_data`, `user_data` with the original columns, column order
// and types (reference/source-data.md). Backends: SQLite (embedded default) and MySQL/MariaDB.
//
// URL forms accepted by Open:
//   /path/to/source.db, sqlite:///abs/path.db, sqlite:relative.db  → SQLite
//   mysql://user:pass@host:port/db (port optional, default 3306)    → MySQL/MariaDB
//
// Thread-safety: one SourceDb is used by one thread at a time; open one per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/result.h"
#include "model/records.h"

namespace pinpipe::source {

class SourceDb {
 public:
  virtual ~SourceDb() = default;

  // Opens (for SQLite: creating the file and its directory if absent) the database at `url`.
  static Result<std::unique_ptr<SourceDb>> Open(const std::string& url);

  // Creates the three tables; with `replace`, drops existing ones first. Without it, existing
  // tables are an AlreadyExists error.
  virtual Status CreateTables(bool replace) = 0;

  // Appends posts (one row per table each) in one transaction: all or nothing.
  virtual Status InsertPosts(std::span<const model::Post> posts) = 0;

  // Brackets a long series of InsertPosts (pinpipe seed). Until EndBulkLoad a backend may
  // trade crash safety for speed: SQLite keeps its rollback journal in memory and skips
  // fsync, so a crash mid-seed can leave a damaged file (seed again with --replace, or delete
  // it). InsertPosts stays all-or-nothing on errors. EndBulkLoad restores the normal mode
  // and makes the data durable.
  virtual Status BeginBulkLoad() { return Status::OK(); }
  virtual Status EndBulkLoad() { return Status::OK(); }

  // Rows in `pinterest_data`.
  virtual Result<int64_t> RowCount() = 0;

  // The rows at row `offset` of each table, read as the original emulator does
  // (`SELECT * FROM <table> LIMIT offset, 1`, one query per table). OutOfRange past the end.
  virtual Result<model::Post> ReadPost(int64_t offset) = 0;

  // A short description for messages: "sqlite:/path/source.db", "mysql://user@host:3306/db".
  virtual std::string Describe() const = 0;
};

}  // namespace pinpipe::source
