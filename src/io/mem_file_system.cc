#include "io/mem_file_system.h"

#include <algorithm>
#include <atomic>

#include "base/clock.h"

namespace pinpipe::io {
namespace {

using Data = MemFileSystem::Data;

int64_t NowMs() { return Clock::Real()->NowMicros() / 1000; }

std::shared_ptr<Data> NewData() {
  auto data = std::make_shared<Data>();
  std::lock_guard<std::mutex> l(data->mu);
  data->mtime_ms = NowMs();
  return data;
}

std::string Normalize(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

Status NoSuchFile(std::string_view op, const std::string& path) {
  return NotFoundError(std::string(op) + " '" + path + "': no such file or directory");
}

class MemWritableFile final : public WritableFile {
 public:
  explicit MemWritableFile(std::shared_ptr<Data> data) : data_(std::move(data)) {
    std::lock_guard<std::mutex> l(data_->mu);
    size_.store(data_->bytes.size());
  }

  // Appends at Size(): over preallocated zeros first, then at the end of the bytes.
  Status Append(std::string_view bytes) override {
    if (closed_) return IOError("append to a closed file");
    std::lock_guard<std::mutex> l(data_->mu);
    std::string& b = data_->bytes;
    const size_t at = size_.load();
    if (b.size() < at) b.resize(at, '\0');  // truncated under the writer: a hole, as on disk
    const size_t over = std::min(bytes.size(), b.size() - at);
    b.replace(at, over, bytes.substr(0, over));
    b.append(bytes.substr(over));
    size_.store(at + bytes.size());
    data_->mtime_ms = NowMs();
    return Status::OK();
  }
  Status Sync() override {
    if (closed_) return IOError("sync of a closed file");
    return Status::OK();
  }
  Status Close() override {
    if (closed_) return Status::OK();
    closed_ = true;
    std::lock_guard<std::mutex> l(data_->mu);
    if (preallocated_ && data_->bytes.size() > size_.load()) data_->bytes.resize(size_.load());
    return Status::OK();
  }
  uint64_t Size() const override { return size_.load(); }
  Status Preallocate(uint64_t end) override {
    if (closed_) return IOError("preallocate of a closed file");
    std::lock_guard<std::mutex> l(data_->mu);
    if (data_->bytes.size() < end) data_->bytes.resize(end, '\0');
    preallocated_ = true;
    return Status::OK();
  }

 private:
  const std::shared_ptr<Data> data_;
  std::atomic<uint64_t> size_;  // appended bytes; the zeros of Preallocate may follow them
  bool closed_ = false;
  bool preallocated_ = false;  // Close cuts the file back to size_ only then (as posix)
};

class MemSequentialFile final : public SequentialFile {
 public:
  explicit MemSequentialFile(std::shared_ptr<Data> data) : data_(std::move(data)) {}

  Status Read(size_t n, std::string* out) override {
    std::lock_guard<std::mutex> l(data_->mu);
    const std::string& b = data_->bytes;
    size_t start = std::min<uint64_t>(pos_, b.size());
    size_t len = std::min(n, b.size() - start);
    out->assign(b, start, len);
    pos_ += len;
    return Status::OK();
  }
  Status Skip(uint64_t n) override {
    pos_ += n;
    return Status::OK();
  }

 private:
  const std::shared_ptr<Data> data_;
  uint64_t pos_ = 0;
};

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  explicit MemRandomAccessFile(std::shared_ptr<Data> data) : data_(std::move(data)) {}

  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    std::lock_guard<std::mutex> l(data_->mu);
    const std::string& b = data_->bytes;
    if (offset >= b.size()) {
      out->clear();
      return Status::OK();
    }
    out->assign(b, static_cast<size_t>(offset), std::min<uint64_t>(n, b.size() - offset));
    return Status::OK();
  }

 private:
  const std::shared_ptr<Data> data_;
};

}  // namespace

class MemFileSystem::Lock final : public FileLock {
 public:
  Lock(MemFileSystem* fs, std::string path) : fs_(fs), path_(std::move(path)) {}
  ~Lock() override { fs_->Unlock(path_); }

 private:
  MemFileSystem* const fs_;
  const std::string path_;
};

MemFileSystem::MemFileSystem() { dirs_.insert("/"); }
MemFileSystem::~MemFileSystem() = default;

Result<std::shared_ptr<Data>> MemFileSystem::Find(const std::string& path) {
  auto it = files_.find(Normalize(path));
  if (it == files_.end()) return NoSuchFile("open", path);
  return it->second;
}

Status MemFileSystem::CheckParent(const std::string& path) {
  std::string parent = DirName(Normalize(path));
  if (parent == "." || dirs_.count(parent) > 0) return Status::OK();
  return NoSuchFile("create", path);
}

Result<std::unique_ptr<WritableFile>> MemFileSystem::NewWritableFile(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  RETURN_IF_ERROR(CheckParent(path));
  if (dirs_.count(Normalize(path)) > 0) return IOError("open '" + path + "': is a directory");
  auto data = NewData();
  files_[Normalize(path)] = data;
  return std::unique_ptr<WritableFile>(new MemWritableFile(std::move(data)));
}

Result<std::unique_ptr<WritableFile>> MemFileSystem::NewAppendableFile(
    const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  auto existing = Find(path);
  if (existing.ok()) return std::unique_ptr<WritableFile>(new MemWritableFile(*existing));
  RETURN_IF_ERROR(CheckParent(path));
  auto data = NewData();
  files_[Normalize(path)] = data;
  return std::unique_ptr<WritableFile>(new MemWritableFile(std::move(data)));
}

Result<std::unique_ptr<SequentialFile>> MemFileSystem::NewSequentialFile(
    const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  ASSIGN_OR_RETURN(auto data, Find(path));
  return std::unique_ptr<SequentialFile>(new MemSequentialFile(std::move(data)));
}

Result<std::unique_ptr<RandomAccessFile>> MemFileSystem::NewRandomAccessFile(
    const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  ASSIGN_OR_RETURN(auto data, Find(path));
  return std::unique_ptr<RandomAccessFile>(new MemRandomAccessFile(std::move(data)));
}

bool MemFileSystem::FileExists(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  std::string p = Normalize(path);
  return files_.count(p) > 0 || dirs_.count(p) > 0;
}

Result<uint64_t> MemFileSystem::GetFileSize(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  ASSIGN_OR_RETURN(auto data, Find(path));
  std::lock_guard<std::mutex> dl(data->mu);
  return static_cast<uint64_t>(data->bytes.size());
}

Result<std::vector<std::string>> MemFileSystem::GetChildren(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  std::string d = Normalize(dir);
  if (dirs_.count(d) == 0) return NoSuchFile("opendir", dir);
  std::string prefix = d == "/" ? "/" : d + "/";
  std::vector<std::string> names;
  auto collect = [&](const std::string& p) {
    if (p.size() > prefix.size() && p.compare(0, prefix.size(), prefix) == 0 &&
        p.find('/', prefix.size()) == std::string::npos) {
      names.push_back(p.substr(prefix.size()));
    }
  };
  for (const auto& [p, unused] : files_) collect(p);
  for (const auto& p : dirs_) collect(p);
  return names;
}

Status MemFileSystem::CreateDir(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  std::string d = Normalize(dir);
  if (dirs_.count(d) > 0) return Status::OK();
  if (files_.count(d) > 0) return IOError("mkdir '" + dir + "': file exists");
  RETURN_IF_ERROR(CheckParent(d));
  dirs_.insert(d);
  return Status::OK();
}

Status MemFileSystem::RemoveDir(const std::string& dir) {
  std::string d = Normalize(dir);
  {
    std::lock_guard<std::mutex> l(mu_);
    if (dirs_.count(d) == 0) return NoSuchFile("rmdir", dir);
  }
  ASSIGN_OR_RETURN(auto children, GetChildren(d));
  if (!children.empty()) return IOError("rmdir '" + dir + "': directory not empty");
  std::lock_guard<std::mutex> l(mu_);
  dirs_.erase(d);
  return Status::OK();
}

Status MemFileSystem::RemoveFile(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  if (files_.erase(Normalize(path)) == 0) return NoSuchFile("unlink", path);
  return Status::OK();
}

Status MemFileSystem::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> l(mu_);
  ASSIGN_OR_RETURN(auto data, Find(from));
  RETURN_IF_ERROR(CheckParent(to));
  files_.erase(Normalize(from));
  files_[Normalize(to)] = std::move(data);
  return Status::OK();
}

Status MemFileSystem::LinkFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> l(mu_);
  ASSIGN_OR_RETURN(auto data, Find(from));
  RETURN_IF_ERROR(CheckParent(to));
  const std::string t = Normalize(to);
  if (files_.count(t) > 0 || dirs_.count(t) > 0) {
    return AlreadyExistsError("link '" + to + "': file exists");
  }
  files_[t] = std::move(data);
  return Status::OK();
}

Result<int64_t> MemFileSystem::GetFileModificationTime(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  ASSIGN_OR_RETURN(auto data, Find(path));
  std::lock_guard<std::mutex> dl(data->mu);
  return data->mtime_ms;
}

Status MemFileSystem::TruncateFile(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> l(mu_);
  ASSIGN_OR_RETURN(auto data, Find(path));
  std::lock_guard<std::mutex> dl(data->mu);
  data->bytes.resize(size, '\0');
  data->mtime_ms = NowMs();
  return Status::OK();
}

Status MemFileSystem::SyncDir(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  if (dirs_.count(Normalize(dir)) == 0) return NoSuchFile("open", dir);
  return Status::OK();
}

Result<std::unique_ptr<FileLock>> MemFileSystem::LockFile(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  std::string p = Normalize(path);
  if (locked_.count(p) > 0) return UnavailableError("lock " + path + " is already held");
  RETURN_IF_ERROR(CheckParent(p));
  if (files_.count(p) == 0) files_[p] = NewData();
  locked_.insert(p);
  return std::unique_ptr<FileLock>(new Lock(this, p));
}

void MemFileSystem::Unlock(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  locked_.erase(path);
}

}  // namespace pinpipe::io
