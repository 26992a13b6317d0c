#include "source/mysql_source.h"

#include <charconv>
#include <cstring>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

namespace pinpipe::source {
namespace {

constexpr const char* kTables[] = {"pinterest_data", "geolocation_data", "user_data"};
constexpr int kColumns[] = {12, 5, 5};

constexpr const char* kCreate[] = {
    "CREATE TABLE pinterest_data (`index` INT, unique_id TEXT, title TEXT, description TEXT, "
    "poster_name TEXT, follower_count TEXT, tag_list TEXT, is_image_or_video TEXT, "
    "image_src TEXT, downloaded INT, save_location TEXT, category TEXT) "
    "DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE geolocation_data (ind INT, `timestamp` DATETIME, latitude DOUBLE, "
    "longitude DOUBLE, country TEXT) DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE user_data (ind INT, first_name TEXT, last_name TEXT, age INT, "
    "date_joined DATETIME) DEFAULT CHARSET=utf8mb4",
};

// One multi-row INSERT is flushed at this size, far below max_allowed_packet (16 MiB).
constexpr size_t kStatementBytes = 1 << 20;

// The one place libmariadb errors become a Status.
Status MysqlError(MYSQL* db, std::string_view what) {
  const unsigned code = mysql_errno(db);
  const std::string message =
      std::string(what) + ": " + mysql_error(db) + " (" + std::to_string(code) + ")";
  switch (code) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_UNKNOWN_HOST:
    case ER_CON_COUNT_ERROR:
      return UnavailableError(message);
    case ER_ACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
    case ER_TABLEACCESS_DENIED_ERROR:
      return Status(StatusCode::kPermissionDenied, message);
    case ER_BAD_DB_ERROR:
    case ER_NO_SUCH_TABLE:
      return NotFoundError(message);
    case ER_TABLE_EXISTS_ERROR:
      return AlreadyExistsError(message);
    case ER_LOCK_DEADLOCK:
    case ER_LOCK_WAIT_TIMEOUT:
      return AbortedError(message);
    case CR_OUT_OF_MEMORY:
      return ResourceExhaustedError(message);
    default:
      return InternalError(message);
  }
}

bool HexDigit(char c, int* value) {
  if (c >= '0' && c <= '9')
    *value = c - '0';
  else if (c >= 'a' && c <= 'f')
    *value = c - 'a' + 10;
  else if (c >= 'A' && c <= 'F')
    *value = c - 'A' + 10;
  else
    return false;
  return true;
}

Result<std::string> PercentDecode(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    int hi = 0, lo = 0;
    if (in[i] != '%') {
      out.push_back(in[i]);
    } else if (i + 2 < in.size() && HexDigit(in[i + 1], &hi) && HexDigit(in[i + 2], &lo)) {
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      return InvalidArgumentError("bad percent-escape in MySQL URL");
    }
  }
  return out;
}

template <typename T>
std::optional<T> ParseNumber(const std::optional<std::string>& cell) {
  if (!cell.has_value()) return std::nullopt;
  T value{};
  const char* end = cell->data() + cell->size();
  const auto [ptr, ec] = std::from_chars(cell->data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

void AppendInt(const std::optional<int64_t>& v, std::string* sql) {
  if (!v.has_value()) {
    sql->append("NULL");
    return;
  }
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof(buf), *v);
  sql->append(buf, res.ptr);
}

void AppendDouble(const std::optional<double>& v, std::string* sql) {
  if (!v.has_value()) {
    sql->append("NULL");
    return;
  }
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof(buf), *v);  // shortest round-trip form
  sql->append(buf, res.ptr);
  // "e0" makes the literal a DOUBLE rather than a DECIMAL.
  if (std::memchr(buf, 'e', static_cast<size_t>(res.ptr - buf)) == nullptr) sql->append("e0");
}

}  // namespace

Result<MysqlUrl> ParseMysqlUrl(std::string_view url) {
  constexpr std::string_view kScheme = "mysql://";
  if (!url.starts_with(kScheme)) {
    return InvalidArgumentError("not a mysql:// URL: " + std::string(url));
  }
  std::string_view rest = url.substr(kScheme.size());
  MysqlUrl out;
  const size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const size_t colon = userinfo.find(':');
    ASSIGN_OR_RETURN(out.user, PercentDecode(userinfo.substr(0, colon)));
    if (colon != std::string_view::npos) {
      ASSIGN_OR_RETURN(out.password, PercentDecode(userinfo.substr(colon + 1)));
    }
    rest = rest.substr(at + 1);
  }
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash + 1 == rest.size()) {
    return InvalidArgumentError("MySQL URL names no database (mysql://user:pass@host:port/db)");
  }
  out.database = std::string(rest.substr(slash + 1));
  if (out.database.find_first_of("/?#") != std::string::npos) {
    return InvalidArgumentError("bad database name in MySQL URL: '" + out.database + "'");
  }
  std::string_view hostport = rest.substr(0, slash);
  const size_t colon = hostport.rfind(':');
  if (colon != std::string_view::npos) {
    const std::string_view port = hostport.substr(colon + 1);
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) {
      return InvalidArgumentError("bad port in MySQL URL: '" + std::string(port) + "'");
    }
    out.port = static_cast<uint16_t>(value);
    hostport = hostport.substr(0, colon);
  }
  if (hostport.empty()) return InvalidArgumentError("MySQL URL names no host");
  out.host = std::string(hostport);
  return out;
}

Result<std::unique_ptr<MysqlSource>> MysqlSource::Open(const MysqlUrl& url) {
  static const int library_init = mysql_library_init(0, nullptr, nullptr);
  if (library_init != 0) return InternalError("libmariadb failed to initialise");
  MYSQL* db = mysql_init(nullptr);
  if (db == nullptr) return ResourceExhaustedError("mysql_init: out of memory");
  std::unique_ptr<MysqlSource> source(new MysqlSource(db, url));
  const unsigned timeout_seconds = 10;
  mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout_seconds);
  if (mysql_real_connect(db, url.host.c_str(), url.user.c_str(), url.password.c_str(),
                         url.database.c_str(), url.port, nullptr, 0) == nullptr) {
    return MysqlError(db, "connect to " + source->Describe());
  }
  return source;
}

MysqlSource::~MysqlSource() { mysql_close(db_); }

std::string MysqlSource::Describe() const {
  return "mysql://" + (url_.user.empty() ? "" : url_.user + "@") + url_.host + ":" +
         std::to_string(url_.port) + "/" + url_.database;
}

Status MysqlSource::Execute(std::string_view sql) {
  if (mysql_real_query(db_, sql.data(), sql.size()) != 0) {
    return MysqlError(db_, Describe() + ": " + std::string(sql.substr(0, 80)));
  }
  return Status::OK();
}

Result<std::vector<std::optional<std::string>>> MysqlSource::QueryRow(const std::string& sql,
                                                                      std::string_view table) {
  RETURN_IF_ERROR(Execute(sql));
  MYSQL_RES* result = mysql_store_result(db_);
  if (result == nullptr) return MysqlError(db_, Describe() + ": " + sql);
  MYSQL_ROW row = mysql_fetch_row(result);
  if (row == nullptr) {
    mysql_free_result(result);
    return OutOfRangeError("no row for '" + sql + "' in " + Describe() + " (" + std::string(table) +
                           ")");
  }
  const unsigned fields = mysql_num_fields(result);
  const unsigned long* lengths = mysql_fetch_lengths(result);
  std::vector<std::optional<std::string>> cells(fields);
  for (unsigned i = 0; i < fields; ++i) {
    if (row[i] != nullptr) cells[i].emplace(row[i], lengths[i]);
  }
  mysql_free_result(result);
  return cells;
}

Status MysqlSource::CreateTables(bool replace) {
  ASSIGN_OR_RETURN(
      auto existing,
      QueryRow("SELECT GROUP_CONCAT(table_name ORDER BY table_name SEPARATOR ', ') "
               "FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name "
               "IN ('pinterest_data', 'geolocation_data', 'user_data')",
               "information_schema.tables"));
  if (!existing.empty() && existing[0].has_value() && !replace) {
    return AlreadyExistsError("source tables already exist in " + Describe() + ": " + *existing[0]);
  }
  // MySQL DDL commits implicitly; a failure leaves whatever was done, and a retry with
  // replace repairs it.
  for (const char* table : kTables) {
    RETURN_IF_ERROR(Execute(std::string("DROP TABLE IF EXISTS ") + table));
  }
  for (const char* create : kCreate) RETURN_IF_ERROR(Execute(create));
  return Status::OK();
}

void MysqlSource::AppendQuoted(const std::optional<std::string>& value, std::string* sql) {
  if (!value.has_value()) {
    sql->append("NULL");
    return;
  }
  escape_buffer_.resize(value->size() * 2 + 1);
  const unsigned long n =
      mysql_real_escape_string(db_, escape_buffer_.data(), value->data(), value->size());
  sql->push_back('\'');
  sql->append(escape_buffer_.data(), n);
  sql->push_back('\'');
}

Status MysqlSource::InsertRows(std::span<const model::Post> posts, int table) {
  const std::string head = std::string("INSERT INTO ") + kTables[table] + " VALUES ";
  std::string sql;
  sql.reserve(kStatementBytes + 64 * 1024);
  for (size_t i = 0; i < posts.size(); ++i) {
    sql.append(sql.empty() ? head : std::string_view(","));
    sql.push_back('(');
    if (table == 0) {
      const model::RawPin& p = posts[i].pin;
      AppendInt(p.index, &sql);
      for (const auto* text :
           {&p.unique_id, &p.title, &p.description, &p.poster_name, &p.follower_count, &p.tag_list,
            &p.is_image_or_video, &p.image_src}) {
        sql.push_back(',');
        AppendQuoted(*text, &sql);
      }
      sql.push_back(',');
      AppendInt(p.downloaded, &sql);
      sql.push_back(',');
      AppendQuoted(p.save_location, &sql);
      sql.push_back(',');
      AppendQuoted(p.category, &sql);
    } else if (table == 1) {
      const model::RawGeo& g = posts[i].geo;
      AppendInt(g.ind, &sql);
      sql.push_back(',');
      AppendQuoted(g.timestamp, &sql);
      sql.push_back(',');
      AppendDouble(g.latitude, &sql);
      sql.push_back(',');
      AppendDouble(g.longitude, &sql);
      sql.push_back(',');
      AppendQuoted(g.country, &sql);
    } else {
      const model::RawUser& u = posts[i].user;
      AppendInt(u.ind, &sql);
      sql.push_back(',');
      AppendQuoted(u.first_name, &sql);
      sql.push_back(',');
      AppendQuoted(u.last_name, &sql);
      sql.push_back(',');
      AppendInt(u.age, &sql);
      sql.push_back(',');
      AppendQuoted(u.date_joined, &sql);
    }
    sql.push_back(')');
    if (sql.size() >= kStatementBytes || i + 1 == posts.size()) {
      RETURN_IF_ERROR(Execute(sql));
      sql.clear();
    }
  }
  return Status::OK();
}

Status MysqlSource::InsertPosts(std::span<const model::Post> posts) {
  if (posts.empty()) return Status::OK();
  RETURN_IF_ERROR(Execute("START TRANSACTION"));
  Status status;
  for (int table = 0; table < 3 && status.ok(); ++table) status = InsertRows(posts, table);
  if (status.ok()) return Execute("COMMIT");
  Execute("ROLLBACK").IgnoreError();
  return status;
}

Result<int64_t> MysqlSource::RowCount() {
  ASSIGN_OR_RETURN(auto row, QueryRow("SELECT COUNT(*) FROM pinterest_data", "pinterest_data"));
  std::optional<int64_t> count = row.empty() ? std::nullopt : ParseNumber<int64_t>(row[0]);
  if (!count.has_value()) return InternalError("COUNT(*) returned no number in " + Describe());
  return *count;
}

Result<model::Post> MysqlSource::ReadPost(int64_t offset) {
  if (offset < 0) return OutOfRangeError("negative row offset " + std::to_string(offset));
  model::Post post;
  for (int t = 0; t < 3; ++t) {
    const std::string sql =
        std::string("SELECT * FROM ") + kTables[t] + " LIMIT " + std::to_string(offset) + ", 1";
    auto row = QueryRow(sql, kTables[t]);
    if (!row.ok() && row.status().code() == StatusCode::kOutOfRange) {
      return OutOfRangeError("row offset " + std::to_string(offset) + " is past the end of " +
                             kTables[t] + " in " + Describe());
    }
    if (!row.ok()) return std::move(row).status();
    auto& c = *row;
    if (c.size() != static_cast<size_t>(kColumns[t])) {
      return FailedPreconditionError(std::string(kTables[t]) + " in " + Describe() + " has " +
                                     std::to_string(c.size()) + " columns, expected " +
                                     std::to_string(kColumns[t]));
    }
    if (t == 0) {
      model::RawPin& p = post.pin;
      p.index = ParseNumber<int64_t>(c[0]).value_or(0);
      p.unique_id = std::move(c[1]);
      p.title = std::move(c[2]);
      p.description = std::move(c[3]);
      p.poster_name = std::move(c[4]);
      p.follower_count = std::move(c[5]);
      p.tag_list = std::move(c[6]);
      p.is_image_or_video = std::move(c[7]);
      p.image_src = std::move(c[8]);
      p.downloaded = ParseNumber<int64_t>(c[9]);
      p.save_location = std::move(c[10]);
      p.category = std::move(c[11]);
    } else if (t == 1) {
      model::RawGeo& g = post.geo;
      g.ind = ParseNumber<int64_t>(c[0]).value_or(0);
      g.timestamp = std::move(c[1]);
      g.latitude = ParseNumber<double>(c[2]);
      g.longitude = ParseNumber<double>(c[3]);
      g.country = std::move(c[4]);
    } else {
      model::RawUser& u = post.user;
      u.ind = ParseNumber<int64_t>(c[0]).value_or(0);
      u.first_name = std::move(c[1]);
      u.last_name = std::move(c[2]);
      u.age = ParseNumber<int64_t>(c[3]);
      u.date_joined = std::move(c[4]);
    }
  }
  return post;
}

}  // namespace pinpipe::source
