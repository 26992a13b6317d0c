#include "io/posix_file_system.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

namespace pinpipe::io {
namespace {

// ENOENT is kNotFound (the FileSystem contract); every other errno is kIOError.
Status PosixError(std::string_view op, const std::string& path, int err) {
  if (err == ENOENT) {
    return NotFoundError(std::string(op) + " '" + path + "': no such file or directory");
  }
  return ErrnoError(op, path, err);
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size), disk_end_(size) {}
  ~PosixWritableFile() override { Close().IgnoreError(); }

  Status Append(std::string_view data) override {
    if (fd_ < 0) return IOError("append to closed file " + path_);
    while (!data.empty()) {
      const uint64_t at = size_.load(std::memory_order_relaxed);
      // Once preallocated, appends overwrite the zeros at their position (no O_APPEND).
      ssize_t n = positional_ ? ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(at))
                              : ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return PosixError("write", path_, errno);
      }
      size_.store(at + static_cast<uint64_t>(n), std::memory_order_relaxed);
      disk_end_ = std::max(disk_end_, at + static_cast<uint64_t>(n));
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::OK();
  }

  Status Sync() override {
    if (fd_ < 0) return IOError("sync of closed file " + path_);
    if (::fdatasync(fd_) != 0) return PosixError("fdatasync", path_, errno);
    return Status::OK();
  }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    Status s;
    const uint64_t size = size_.load(std::memory_order_relaxed);
    if (disk_end_ > size) {  // cut the preallocated zeros off, durably
      if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
        s = PosixError("ftruncate", path_, errno);
      } else if (::fsync(fd_) != 0) {  // the cut must be durable (fdatasync would do on
                                       // Linux, which flushes size changes; fsync is plain)
        s = PosixError("fsync", path_, errno);
      }
    }
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0 && s.ok()) s = PosixError("close", path_, errno);
    return s;
  }

  uint64_t Size() const override { return size_.load(std::memory_order_relaxed); }

  Status Preallocate(uint64_t end) override {
    if (fd_ < 0) return IOError("preallocate of closed file " + path_);
    if (end <= disk_end_ || CopiesOnWrite()) return Status::OK();
    if (!positional_) {
      int flags = ::fcntl(fd_, F_GETFL);
      if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_APPEND) != 0) {
        return PosixError("fcntl", path_, errno);
      }
      positional_ = true;
    }
    static constexpr size_t kZeros = 64 << 10;
    static const char zeros[kZeros] = {};
    while (disk_end_ < end) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(kZeros, end - disk_end_));
      ssize_t w = ::pwrite(fd_, zeros, n, static_cast<off_t>(disk_end_));
      if (w < 0) {
        if (errno == EINTR) continue;
        return PosixError("write", path_, errno);
      }
      disk_end_ += static_cast<uint64_t>(w);
    }
    return Status::OK();
  }

 private:
  const std::string path_;
  int fd_;
  std::atomic<uint64_t> size_;  // appended bytes; read by Size() from any thread
  uint64_t disk_end_;           // the file's length on disk: size_ plus preallocated zeros
  bool positional_ = false;     // O_APPEND cleared: appends pwrite at size_
  int cow_ = -1;                // CopiesOnWrite() once known: 0 or 1

  // On a copy-on-write file system (btrfs, ZFS, bcachefs) an overwrite allocates new
  // blocks like an append, so zeros ahead would only double the writes: Preallocate skips.
  bool CopiesOnWrite() {
    if (cow_ < 0) {
      struct statfs st;
      cow_ = ::fstatfs(fd_, &st) == 0 &&
             (st.f_type == 0x9123683e /* btrfs */ || st.f_type == 0x2fc12fc1 /* zfs */ ||
              st.f_type == static_cast<decltype(st.f_type)>(0xca451a4e) /* bcachefs */);
    }
    return cow_ == 1;
  }
};

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixSequentialFile() override { ::close(fd_); }

  Status Read(size_t n, std::string* out) override {
    out->resize(n);
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::read(fd_, out->data() + got, n - got);
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError("read", path_, errno);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    out->resize(got);
    return Status::OK();
  }

  Status Skip(uint64_t n) override {
    if (::lseek(fd_, static_cast<off_t>(n), SEEK_CUR) < 0) {
      return PosixError("lseek", path_, errno);
    }
    return Status::OK();
  }

 private:
  const std::string path_;
  const int fd_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    out->resize(n);
    ASSIGN_OR_RETURN(size_t got, ReadInto(offset, n, out->data()));
    out->resize(got);
    return Status::OK();
  }

  Result<size_t> ReadInto(uint64_t offset, size_t n, char* dst) const override {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, dst + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError("pread", path_, errno);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    return got;
  }

 private:
  const std::string path_;
  const int fd_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  const int fd_;
};

Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, int extra_flags) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | extra_flags, 0644);
  if (fd < 0) return PosixError("open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return PosixError("fstat", path, err);
  }
  return std::unique_ptr<WritableFile>(
      new PosixWritableFile(path, fd, static_cast<uint64_t>(st.st_size)));
}

}  // namespace

PosixFileSystem* PosixFileSystem::Default() {
  static auto* fs = new PosixFileSystem();  // never destroyed: used until process exit
  return fs;
}

Result<std::unique_ptr<WritableFile>> PosixFileSystem::NewWritableFile(
    const std::string& path) {
  return OpenWritable(path, O_TRUNC);
}

Result<std::unique_ptr<WritableFile>> PosixFileSystem::NewAppendableFile(
    const std::string& path) {
  return OpenWritable(path, O_APPEND);
}

Result<std::unique_ptr<SequentialFile>> PosixFileSystem::NewSequentialFile(
    const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return PosixError("open", path, errno);
  return std::unique_ptr<SequentialFile>(new PosixSequentialFile(path, fd));
}

Result<std::unique_ptr<RandomAccessFile>> PosixFileSystem::NewRandomAccessFile(
    const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return PosixError("open", path, errno);
  return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(path, fd));
}

bool PosixFileSystem::FileExists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

Result<uint64_t> PosixFileSystem::GetFileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return PosixError("stat", path, errno);
  return static_cast<uint64_t>(st.st_size);
}

Result<int64_t> PosixFileSystem::GetFileModificationTime(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return PosixError("stat", path, errno);
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

Result<std::vector<std::string>> PosixFileSystem::GetChildren(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return PosixError("opendir", dir, errno);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(d);
  return names;
}

Status PosixFileSystem::CreateDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return PosixError("mkdir", dir, errno);
  }
  return Status::OK();
}

Status PosixFileSystem::RemoveDir(const std::string& dir) {
  if (::rmdir(dir.c_str()) != 0) return PosixError("rmdir", dir, errno);
  return Status::OK();
}

Status PosixFileSystem::RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return PosixError("unlink", path, errno);
  return Status::OK();
}

Status PosixFileSystem::RenameFile(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return PosixError("rename", from, errno);
  return Status::OK();
}

Status PosixFileSystem::LinkFile(const std::string& from, const std::string& to) {
  if (::link(from.c_str(), to.c_str()) != 0) {
    if (errno == EEXIST) return AlreadyExistsError("link '" + to + "': file exists");
    return PosixError("link", from, errno);
  }
  return Status::OK();
}

Status PosixFileSystem::TruncateFile(const std::string& path, uint64_t size) {
  if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
    return PosixError("truncate", path, errno);
  }
  return Status::OK();
}

Status PosixFileSystem::SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return PosixError("open", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return PosixError("fsync", dir, err);
  return Status::OK();
}

Result<std::unique_ptr<FileLock>> PosixFileSystem::LockFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return PosixError("open", path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return UnavailableError("lock " + path + " is held by another process");
    return PosixError("flock", path, err);
  }
  return std::unique_ptr<FileLock>(new PosixFileLock(fd));
}

}  // namespace pinpipe::io
