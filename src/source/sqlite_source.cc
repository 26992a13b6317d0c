#include "source/sqlite_source.h"

#include <filesystem>
#include <string_view>
#include <system_error>

#include <sqlite3.h>

namespace pinpipe::source {
namespace {

constexpr const char* kCreatePin =
    "CREATE TABLE pinterest_data (\"index\" INTEGER, unique_id TEXT, title TEXT, "
    "description TEXT, poster_name TEXT, follower_count TEXT, tag_list TEXT, "
    "is_image_or_video TEXT, image_src TEXT, downloaded INTEGER, save_location TEXT, "
    "category TEXT)";
constexpr const char* kCreateGeo =
    "CREATE TABLE geolocation_data (ind INTEGER, \"timestamp\" DATETIME, latitude REAL, "
    "longitude REAL, country TEXT)";
constexpr const char* kCreateUser =
    "CREATE TABLE user_data (ind INTEGER, first_name TEXT, last_name TEXT, age INTEGER, "
    "date_joined DATETIME)";

constexpr const char* kStatementSql[] = {
    "INSERT INTO pinterest_data VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "INSERT INTO geolocation_data VALUES (?, ?, ?, ?, ?)",
    "INSERT INTO user_data VALUES (?, ?, ?, ?, ?)",
    "SELECT * FROM pinterest_data LIMIT ?, 1",
    "SELECT * FROM geolocation_data LIMIT ?, 1",
    "SELECT * FROM user_data LIMIT ?, 1",
};

// The one place SQLite result codes become a Status.
Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  const std::string message =
      std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return UnavailableError(message);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
      return IOError(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return CorruptionError(message);
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Status(StatusCode::kPermissionDenied, message);
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
    case SQLITE_CONSTRAINT:
      return InvalidArgumentError(message);
    case SQLITE_ERROR:
      if (db != nullptr && std::string_view(sqlite3_errmsg(db)).starts_with("no such table")) {
        return NotFoundError(message);
      }
      return InternalError(message);
    default:
      return InternalError(message);
  }
}

int BindText(sqlite3_stmt* stmt, int i, const std::optional<std::string>& v) {
  if (!v.has_value()) return sqlite3_bind_null(stmt, i);
  // SQLITE_STATIC: the posts outlive the step that reads the bound values.
  return sqlite3_bind_text(stmt, i, v->data(), static_cast<int>(v->size()), SQLITE_STATIC);
}
int BindInt(sqlite3_stmt* stmt, int i, const std::optional<int64_t>& v) {
  return v.has_value() ? sqlite3_bind_int64(stmt, i, *v) : sqlite3_bind_null(stmt, i);
}
int BindDouble(sqlite3_stmt* stmt, int i, const std::optional<double>& v) {
  return v.has_value() ? sqlite3_bind_double(stmt, i, *v) : sqlite3_bind_null(stmt, i);
}

std::optional<std::string> ColumnText(sqlite3_stmt* stmt, int i) {
  if (sqlite3_column_type(stmt, i) == SQLITE_NULL) return std::nullopt;
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
}
std::optional<int64_t> ColumnInt(sqlite3_stmt* stmt, int i) {
  if (sqlite3_column_type(stmt, i) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(stmt, i);
}
std::optional<double> ColumnDouble(sqlite3_stmt* stmt, int i) {
  if (sqlite3_column_type(stmt, i) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_double(stmt, i);
}

}  // namespace

Result<std::unique_ptr<SqliteSource>> SqliteSource::Open(const std::string& path) {
  if (path.empty()) return InvalidArgumentError("empty SQLite database path");
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return ErrnoError("create directory", parent.string(), ec.value());
  }
  // Memory statistics cost a global mutex per allocation; pinpipe never reads them. Only
  // possible before SQLite initialises; a later call fails harmlessly with SQLITE_MISUSE.
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteError(db, rc, "open " + path);
    sqlite3_close(db);
    return status;
  }
  std::unique_ptr<SqliteSource> source(new SqliteSource(db, path));
  sqlite3_busy_timeout(db, 5000);
  // Only takes effect on a new file (before WAL mode is set): large pages mean fewer page
  // writes per row when seeding and cheaper sequential scans for `LIMIT n, 1`.
  RETURN_IF_ERROR(source->Exec("PRAGMA page_size=65536"));
  RETURN_IF_ERROR(source->Exec("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(source->Exec("PRAGMA synchronous=NORMAL"));
  RETURN_IF_ERROR(source->Exec("PRAGMA cache_size=-32768"));
  return source;
}

SqliteSource::~SqliteSource() {
  FinalizeStatements();
  sqlite3_close(db_);
}

std::string SqliteSource::Describe() const { return "sqlite:" + path_; }

Status SqliteSource::Exec(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, std::string(Describe()) + ": " + sql);
  return Status::OK();
}

Result<sqlite3_stmt*> SqliteSource::Statement(Stmt which) {
  sqlite3_stmt*& stmt = stmts_[which];
  if (stmt == nullptr) {
    const int rc = sqlite3_prepare_v3(db_, kStatementSql[which], -1, SQLITE_PREPARE_PERSISTENT,
                                      &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, Describe() + ": " + kStatementSql[which]);
  } else {
    sqlite3_reset(stmt);
  }
  return stmt;
}

void SqliteSource::FinalizeStatements() {
  for (sqlite3_stmt*& stmt : stmts_) {
    sqlite3_finalize(stmt);
    stmt = nullptr;
  }
}

Status SqliteSource::CreateTables(bool replace) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_,
                              "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
                              "('pinterest_data', 'geolocation_data', 'user_data') ORDER BY name",
                              -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, Describe() + ": list tables");
  std::string existing;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (!existing.empty()) existing += ", ";
    existing += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return SqliteError(db_, rc, Describe() + ": list tables");
  if (!existing.empty() && !replace) {
    return AlreadyExistsError("source tables already exist in " + Describe() + ": " + existing);
  }
  FinalizeStatements();
  RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Status status = Exec("DROP TABLE IF EXISTS pinterest_data");
  if (status.ok()) status = Exec("DROP TABLE IF EXISTS geolocation_data");
  if (status.ok()) status = Exec("DROP TABLE IF EXISTS user_data");
  if (status.ok()) status = Exec(kCreatePin);
  if (status.ok()) status = Exec(kCreateGeo);
  if (status.ok()) status = Exec(kCreateUser);
  if (status.ok()) return Exec("COMMIT");
  Exec("ROLLBACK").IgnoreError();
  return status;
}

Status SqliteSource::InsertOne(const model::Post& post) {
  const auto step = [this](sqlite3_stmt* stmt, int bind_rc, const char* table) -> Status {
    const int rc = bind_rc == SQLITE_OK ? sqlite3_step(stmt) : bind_rc;
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, Describe() + ": insert into " + table);
    return Status::OK();
  };
  const model::RawPin& p = post.pin;
  ASSIGN_OR_RETURN(sqlite3_stmt * pin, Statement(kInsertPin));
  int rc = sqlite3_bind_int64(pin, 1, p.index);
  rc |= BindText(pin, 2, p.unique_id);
  rc |= BindText(pin, 3, p.title);
  rc |= BindText(pin, 4, p.description);
  rc |= BindText(pin, 5, p.poster_name);
  rc |= BindText(pin, 6, p.follower_count);
  rc |= BindText(pin, 7, p.tag_list);
  rc |= BindText(pin, 8, p.is_image_or_video);
  rc |= BindText(pin, 9, p.image_src);
  rc |= BindInt(pin, 10, p.downloaded);
  rc |= BindText(pin, 11, p.save_location);
  rc |= BindText(pin, 12, p.category);
  RETURN_IF_ERROR(step(pin, rc, "pinterest_data"));

  const model::RawGeo& g = post.geo;
  ASSIGN_OR_RETURN(sqlite3_stmt * geo, Statement(kInsertGeo));
  rc = sqlite3_bind_int64(geo, 1, g.ind);
  rc |= BindText(geo, 2, g.timestamp);
  rc |= BindDouble(geo, 3, g.latitude);
  rc |= BindDouble(geo, 4, g.longitude);
  rc |= BindText(geo, 5, g.country);
  RETURN_IF_ERROR(step(geo, rc, "geolocation_data"));

  const model::RawUser& u = post.user;
  ASSIGN_OR_RETURN(sqlite3_stmt * user, Statement(kInsertUser));
  rc = sqlite3_bind_int64(user, 1, u.ind);
  rc |= BindText(user, 2, u.first_name);
  rc |= BindText(user, 3, u.last_name);
  rc |= BindInt(user, 4, u.age);
  rc |= BindText(user, 5, u.date_joined);
  return step(user, rc, "user_data");
}

Status SqliteSource::InsertPosts(std::span<const model::Post> posts) {
  RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Status status;
  for (const model::Post& post : posts) {
    status = InsertOne(post);
    if (!status.ok()) break;
  }
  // Unbind before COMMIT returns: the bound text belongs to the caller's posts.
  for (int i = kInsertPin; i <= kInsertUser; ++i) {
    if (stmts_[i] != nullptr) {
      sqlite3_reset(stmts_[i]);
      sqlite3_clear_bindings(stmts_[i]);
    }
  }
  if (status.ok()) return Exec("COMMIT");
  Exec("ROLLBACK").IgnoreError();
  return status;
}

Status SqliteSource::BeginBulkLoad() {
  // Appends touch few existing pages, so an in-memory rollback journal is tiny, and it avoids
  // WAL's second copy of every page at checkpoint time.
  RETURN_IF_ERROR(Exec("PRAGMA journal_mode=MEMORY"));
  RETURN_IF_ERROR(Exec("PRAGMA cache_size=-262144"));  // a whole chunk stays in memory
  return Exec("PRAGMA synchronous=OFF");
}

Status SqliteSource::EndBulkLoad() {
  RETURN_IF_ERROR(Exec("PRAGMA synchronous=FULL"));
  RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL"));  // syncs the file
  RETURN_IF_ERROR(Exec("PRAGMA cache_size=-32768"));
  return Exec("PRAGMA synchronous=NORMAL");
}

Result<int64_t> SqliteSource::RowCount() {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, "SELECT COUNT(*) FROM pinterest_data", -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, Describe() + ": count rows");
  rc = sqlite3_step(stmt);
  const int64_t count = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) return SqliteError(db_, rc, Describe() + ": count rows");
  return count;
}

Result<model::Post> SqliteSource::ReadPost(int64_t offset) {
  if (offset < 0) return OutOfRangeError("negative row offset " + std::to_string(offset));
  static constexpr const char* kTables[] = {"pinterest_data", "geolocation_data", "user_data"};
  model::Post post;
  for (int t = 0; t < 3; ++t) {
    ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Statement(static_cast<Stmt>(kReadPin + t)));
    int rc = sqlite3_bind_int64(stmt, 1, offset);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
      sqlite3_reset(stmt);
      return OutOfRangeError("row offset " + std::to_string(offset) + " is past the end of " +
                             kTables[t] + " in " + Describe());
    }
    if (rc != SQLITE_ROW) {
      return SqliteError(db_, rc, Describe() + ": read " + kTables[t]);
    }
    if (t == 0) {
      model::RawPin& p = post.pin;
      p.index = sqlite3_column_int64(stmt, 0);
      p.unique_id = ColumnText(stmt, 1);
      p.title = ColumnText(stmt, 2);
      p.description = ColumnText(stmt, 3);
      p.poster_name = ColumnText(stmt, 4);
      p.follower_count = ColumnText(stmt, 5);
      p.tag_list = ColumnText(stmt, 6);
      p.is_image_or_video = ColumnText(stmt, 7);
      p.image_src = ColumnText(stmt, 8);
      p.downloaded = ColumnInt(stmt, 9);
      p.save_location = ColumnText(stmt, 10);
      p.category = ColumnText(stmt, 11);
    } else if (t == 1) {
      model::RawGeo& g = post.geo;
      g.ind = sqlite3_column_int64(stmt, 0);
      g.timestamp = ColumnText(stmt, 1);
      g.latitude = ColumnDouble(stmt, 2);
      g.longitude = ColumnDouble(stmt, 3);
      g.country = ColumnText(stmt, 4);
    } else {
      model::RawUser& u = post.user;
      u.ind = sqlite3_column_int64(stmt, 0);
      u.first_name = ColumnText(stmt, 1);
      u.last_name = ColumnText(stmt, 2);
      u.age = ColumnInt(stmt, 3);
      u.date_joined = ColumnText(stmt, 4);
    }
    sqlite3_reset(stmt);
  }
  return post;
}

}  // namespace pinpipe::source
