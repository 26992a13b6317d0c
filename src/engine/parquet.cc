#include "engine/parquet.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "objstore/local_object_store.h"

namespace pinpipe::engine {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return ErrnoError("stat", path, e);
  }
  // One buffer of the file's size, filled by pread: no stream buffer, no regrowth.
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = n < 0 ? errno : EIO;
      ::close(fd);
      return ErrnoError("read", path, e);
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return out;
}

Status SyncPath(const std::string& path, bool directory) {
  int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open", path, errno);
  int rc = directory ? ::fsync(fd) : ::fdatasync(fd);
  int e = errno;
  ::close(fd);
  if (rc != 0) return ErrnoError(directory ? "fsync" : "fdatasync", path, e);
  return Status::OK();
}

// Creates the directories from `root` down to `path`'s parent, syncing each new entry.
Status MakeParents(const std::string& root, const std::string& path) {
  for (size_t slash = path.find('/', root.size() + 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    const std::string dir = path.substr(0, slash);
    if (::mkdir(dir.c_str(), 0755) == 0) {
      RETURN_IF_ERROR(SyncPath(dir.substr(0, dir.rfind('/')), true));
    } else if (errno != EEXIST) {
      return ErrnoError("mkdir", dir, errno);
    }
  }
  return Status::OK();
}

// A `file://` store: DuckDB writes the file in the store's temp directory (same file system),
// which is synced and renamed onto the key, as the local store's Put does with its bytes —
// without reading the file back into memory and writing it a second time.
Result<uint64_t> WriteLocalParquetObject(Session& session, std::string_view select_sql,
                                         const std::string& root, std::string_view key) {
  const std::string temp_dir = root + "/" + objstore::LocalObjectStore::kTempDir;
  if (::mkdir(temp_dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return ErrnoError("mkdir", temp_dir, errno);
  }
  std::string name = session.NewScratchPath(".parquet");
  name = name.substr(name.rfind('/') + 1);
  const std::string temp = temp_dir + "/parquet-" + std::to_string(::getpid()) + "-" +
                           std::to_string(reinterpret_cast<uintptr_t>(&session)) + "-" + name;
  const std::string path = root + "/" + std::string(key);
  Result<uint64_t> size = CopyToParquet(session, select_sql, temp);
  Status status = size.status();
  if (status.ok()) status = SyncPath(temp, false);
  if (status.ok()) status = MakeParents(root, path);
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    status = ErrnoError("rename", temp, errno);
  }
  if (!status.ok()) {
    std::error_code ec;
    std::filesystem::remove(temp, ec);
    return status;
  }
  RETURN_IF_ERROR(SyncPath(path.substr(0, path.rfind('/')), true));  // the rename is durable
  return size;
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
  RETURN_IF_ERROR(objstore::ValidateKey(key));
  if (std::string root = LocalDirOfUrl(store.Url()); !root.empty()) {
    return WriteLocalParquetObject(session, select_sql, root, key);
  }
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
