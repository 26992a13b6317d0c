#include "engine/parquet.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace pinpipe::engine {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError("open", path, errno);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return ErrnoError("read", path, errno);
  return std::move(buffer).str();
}

Status WriteWholeFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return ErrnoError("open", path, errno);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return ErrnoError("write", path, errno);
  return Status::OK();
}

}  // namespace

std::string LocalDirOfUrl(std::string_view url) {
  constexpr std::string_view kScheme = "file://";
  if (url.substr(0, kScheme.size()) != kScheme) return "";
  std::string_view rest = url.substr(kScheme.size());
  std::string out;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && HexDigit(rest[i + 1]) >= 0 &&
        HexDigit(rest[i + 2]) >= 0) {
      out += static_cast<char>(HexDigit(rest[i + 1]) * 16 + HexDigit(rest[i + 2]));
      i += 2;
    } else {
      out += rest[i];
    }
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

Result<uint64_t> CopyToParquet(Session& session, std::string_view select_sql,
                               const std::string& path) {
  RETURN_IF_ERROR(session.Execute("COPY (" + std::string(select_sql) + ") TO " +
                                  QuoteLiteral(path) +
                                  " (FORMAT parquet, COMPRESSION snappy)"));
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return ErrnoError("stat", path, ec.value());
  return size;
}

Result<uint64_t> WriteParquetObject(Session& session, std::string_view select_sql,
                                    objstore::ObjectStore& store, std::string_view key) {
  std::string path = session.NewScratchPath(".parquet");
  Result<uint64_t> size = CopyToParquet(session, select_sql, path);
  Status status = size.status();
  if (status.ok()) {
    Result<std::string> bytes = ReadWholeFile(path);
    status = bytes.ok() ? store.Put(key, *bytes) : bytes.status();
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (!status.ok()) return status;
  return size;
}

Result<std::vector<std::string>> LocalPaths(Session& session, objstore::ObjectStore& store,
                                            const std::vector<std::string>& keys) {
  std::vector<std::string> paths;
  paths.reserve(keys.size());
  std::string dir = LocalDirOfUrl(store.Url());
  for (const std::string& key : keys) {
    RETURN_IF_ERROR(objstore::ValidateKey(key));
    if (!dir.empty()) {
      paths.push_back(dir + "/" + key);
      continue;
    }
    ASSIGN_OR_RETURN(std::string bytes, store.Get(key));
    std::string path = session.NewScratchPath(".parquet");
    RETURN_IF_ERROR(WriteWholeFile(path, bytes));
    paths.push_back(std::move(path));
  }
  return paths;
}

std::string ReadParquetSql(const std::vector<std::string>& paths) {
  std::string out = "read_parquet([";
  for (size_t i = 0; i < paths.size(); ++i) {
    if (i > 0) out += ", ";
    out += QuoteLiteral(paths[i]);
  }
  return out + "], union_by_name = true)";
}

}  // namespace pinpipe::engine
