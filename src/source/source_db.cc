#include "source/source_db.h"

#include <string_view>

#include "source/mysql_source.h"
#include "source/sqlite_source.h"

namespace pinpipe::source {

Result<std::unique_ptr<SourceDb>> SourceDb::Open(const std::string& url) {
  const std::string_view u = url;
  if (u.empty()) return InvalidArgumentError("empty source URL");
  if (u.starts_with("mysql://")) {
    ASSIGN_OR_RETURN(MysqlUrl parsed, ParseMysqlUrl(u));
    ASSIGN_OR_RETURN(std::unique_ptr<MysqlSource> db, MysqlSource::Open(parsed));
    return std::unique_ptr<SourceDb>(std::move(db));
  }
  std::string path;
  if (u.starts_with("sqlite://")) {
    path = u.substr(std::string_view("sqlite://").size());  // sqlite:///abs → /abs
  } else if (u.starts_with("sqlite:")) {
    path = u.substr(std::string_view("sqlite:").size());
  } else if (const size_t scheme = u.find("://"); scheme != std::string_view::npos) {
    return InvalidArgumentError("unsupported source URL '" + url + "': use a file path, " +
                                "sqlite:PATH or mysql://user:pass@host:port/db");
  } else {
    path = url;
  }
  if (path.empty()) return InvalidArgumentError("source URL '" + url + "' names no file");
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteSource> db, SqliteSource::Open(path));
  return std::unique_ptr<SourceDb>(std::move(db));
}

}  // namespace pinpipe::source
