// SqliteSource: the source database in one SQLite file, with the original tables, column
// names, column order and types (CREATE statements in sqlite_source.cc).
//
// Opened in WAL mode with synchronous=NORMAL: seeding commits without an fsync per chunk, a
// crash can lose the last chunks but never corrupts the file, and emulators may read while a
// seed runs. Reads follow the original emulator: `SELECT * FROM <table> LIMIT offset, 1`.
//
// Thread-safety: one thread at a time (the SourceDb contract).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/result.h"
#include "source/source_db.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pinpipe::source {

class SqliteSource final : public SourceDb {
 public:
  // Opens or creates the database file at `path`, creating missing parent directories.
  static Result<std::unique_ptr<SqliteSource>> Open(const std::string& path);

  ~SqliteSource() override;
  SqliteSource(const SqliteSource&) = delete;
  SqliteSource& operator=(const SqliteSource&) = delete;

  Status CreateTables(bool replace) override;
  Status InsertPosts(std::span<const model::Post> posts) override;
  Status BeginBulkLoad() override;
  Status EndBulkLoad() override;
  Result<int64_t> RowCount() override;
  Result<model::Post> ReadPost(int64_t offset) override;
  std::string Describe() const override;

  // The raw handle, for tests that inspect the schema. Owned by this object.
  sqlite3* handle() const { return db_; }

 private:
  SqliteSource(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  // Cached statements: three inserts, then three `LIMIT ?, 1` reads, in table order.
  enum Stmt { kInsertPin, kInsertGeo, kInsertUser, kReadPin, kReadGeo, kReadUser, kStmtCount };

  Status Exec(const char* sql);
  // The cached statement `which`, prepared on first use and reset for reuse.
  Result<sqlite3_stmt*> Statement(Stmt which);
  Status InsertOne(const model::Post& post);
  // Finalized before tables are dropped, as a statement may hold a dropped schema.
  void FinalizeStatements();

  sqlite3* db_;
  std::string path_;
  std::array<sqlite3_stmt*, kStmtCount> stmts_{};
};

}  // namespace pinpipe::source
