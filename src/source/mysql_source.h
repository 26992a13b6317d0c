// MysqlSource: the source database in MySQL or MariaDB (libmariadb), with the original
// schema in MySQL types (`index` INT, follower_count TEXT, `timestamp` DATETIME, latitude and
// longitude DOUBLE, ...), so pinpipe can read the original RDS database unchanged.
//
// Inserts are multi-row INSERT statements inside one transaction per InsertPosts call.
// Reads use the text protocol: DATETIME comes back as "YYYY-MM-DD HH:MM:SS" and DOUBLE in its
// shortest round-trip form, so both backends return identical rows for one seed.
//
// Thread-safety: one thread at a time (the SourceDb contract); libmariadb's library init runs
// once per process in Open.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "source/source_db.h"

struct st_mysql;

namespace pinpipe::source {

// The parts of mysql://user[:password]@host[:port]/database (user and password may be
// percent-encoded, e.g. %40 for '@').
struct MysqlUrl {
  std::string user;
  std::string password;
  std::string host;
  uint16_t port = 3306;
  std::string database;
};

// InvalidArgument naming the problem for anything else.
Result<MysqlUrl> ParseMysqlUrl(std::string_view url);

class MysqlSource final : public SourceDb {
 public:
  // Connects (utf8mb4, 10 s connect timeout). Unavailable if the server cannot be reached,
  // PermissionDenied for bad credentials, NotFound for a missing database.
  static Result<std::unique_ptr<MysqlSource>> Open(const MysqlUrl& url);

  ~MysqlSource() override;
  MysqlSource(const MysqlSource&) = delete;
  MysqlSource& operator=(const MysqlSource&) = delete;

  Status CreateTables(bool replace) override;
  Status InsertPosts(std::span<const model::Post> posts) override;
  Result<int64_t> RowCount() override;
  Result<model::Post> ReadPost(int64_t offset) override;
  std::string Describe() const override;

  // Runs one statement that returns no rows (tests and setup).
  Status Execute(std::string_view sql);

 private:
  MysqlSource(st_mysql* db, MysqlUrl url) : db_(db), url_(std::move(url)) {}
  Status InsertRows(std::span<const model::Post> posts, int table);
  void AppendQuoted(const std::optional<std::string>& value, std::string* sql);
  // The single row of `sql`, as text cells (nullopt for NULL). OutOfRange if no row.
  Result<std::vector<std::optional<std::string>>> QueryRow(const std::string& sql,
                                                           std::string_view table);

  st_mysql* db_;
  MysqlUrl url_;
  std::string escape_buffer_;
};

}  // namespace pinpipe::source
