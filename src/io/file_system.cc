#include "io/file_system.h"

#include <cstring>

namespace pinpipe::io {

std::string JoinPath(std::string_view a, std::string_view b) {
  std::string out(a);
  if (!out.empty() && out.back() != '/') out.push_back('/');
  while (!b.empty() && b.front() == '/') b.remove_prefix(1);
  out.append(b);
  return out;
}

std::string DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

Result<size_t> RandomAccessFile::ReadInto(uint64_t offset, size_t n, char* dst) const {
  std::string buf;
  RETURN_IF_ERROR(Read(offset, n, &buf));
  std::memcpy(dst, buf.data(), buf.size());
  return buf.size();
}

Status ReadFileToString(FileSystem* fs, const std::string& path, std::string* out) {
  ASSIGN_OR_RETURN(auto file, fs->NewSequentialFile(path));
  out->clear();
  std::string chunk;
  while (true) {
    RETURN_IF_ERROR(file->Read(1 << 16, &chunk));
    if (chunk.empty()) return Status::OK();
    out->append(chunk);
  }
}

Status WriteFileAtomically(FileSystem* fs, const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  {
    ASSIGN_OR_RETURN(auto file, fs->NewWritableFile(tmp));
    RETURN_IF_ERROR(file->Append(data));
    RETURN_IF_ERROR(file->Sync());
    RETURN_IF_ERROR(file->Close());
  }
  RETURN_IF_ERROR(fs->RenameFile(tmp, path));
  return fs->SyncDir(DirName(path));
}

}  // namespace pinpipe::io
