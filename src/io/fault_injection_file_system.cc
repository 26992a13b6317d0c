#include "io/fault_injection_file_system.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

namespace pinpipe::io {
namespace {

std::string Normalize(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

uint64_t Mix(uint64_t x) {  // splitmix64 finalizer
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultInjectionFileSystem* fs, std::string path,
                    std::unique_ptr<WritableFile> base)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}

  Status Append(std::string_view data) override {
    size_t allowed = data.size();
    Status s = fs_->BeforeWrite(data.size(), &allowed);
    if (!s.ok()) {
      if (allowed > 0) base_->Append(data.substr(0, allowed)).IgnoreError();
      fs_->OnWritten(path_, base_->Size());
      return s;
    }
    RETURN_IF_ERROR(base_->Append(data));
    fs_->OnWritten(path_, base_->Size());
    return Status::OK();
  }
  Status Sync() override {
    RETURN_IF_ERROR(fs_->BeforeSync(/*is_file_sync=*/true));
    // A sync covers what was appended before it began, not what another thread appends
    // while it runs (the log writes the next group during a sync); and the zeros
    // preallocated before it began.
    const uint64_t covered = base_->Size();
    const uint64_t zeros = zero_end_.load();
    RETURN_IF_ERROR(base_->Sync());
    fs_->OnSynced(path_, covered, zeros);
    return Status::OK();
  }
  // With zeros past the data, Close cuts them off and syncs (file_system.h): a sync here, so
  // it may fail as one, and only once it succeeds are the cut and the data durable.
  Status Close() override {
    if (closed_) return Status::OK();
    closed_ = true;
    const uint64_t size = base_->Size();
    if (zero_end_.load() <= size) return base_->Close();
    Status synced = fs_->BeforeSync(/*is_file_sync=*/true);
    Status closed = base_->Close();
    if (synced.ok() && closed.ok()) fs_->OnSynced(path_, size, size, /*cut_zeros=*/true);
    return synced.ok() ? closed : synced;
  }
  uint64_t Size() const override { return base_->Size(); }
  // A write of zeros: FailNthWrite may fail it, after zero-filling half the way.
  Status Preallocate(uint64_t end) override {
    const uint64_t from = std::max(zero_end_.load(), base_->Size());
    if (end <= from) return Status::OK();
    size_t allowed = static_cast<size_t>(end - from);
    Status s = fs_->BeforeWrite(allowed, &allowed);
    const uint64_t reached = s.ok() ? end : from + allowed;
    if (reached > from) {
      RETURN_IF_ERROR(base_->Preallocate(reached));
      zero_end_.store(reached);
      fs_->OnPreallocated();
    }
    return s;
  }

 private:
  FaultInjectionFileSystem* const fs_;
  const std::string path_;
  const std::unique_ptr<WritableFile> base_;
  std::atomic<uint64_t> zero_end_{0};  // how far Preallocate zero-filled (Sync reads it)
  bool closed_ = false;
};

class FaultSequentialFile final : public SequentialFile {
 public:
  FaultSequentialFile(const FaultInjectionFileSystem* fs, std::unique_ptr<SequentialFile> b)
      : fs_(fs), base_(std::move(b)) {}
  Status Read(size_t n, std::string* out) override {
    RETURN_IF_ERROR(fs_->CheckActive());
    return base_->Read(n, out);
  }
  Status Skip(uint64_t n) override {
    RETURN_IF_ERROR(fs_->CheckActive());
    return base_->Skip(n);
  }

 private:
  const FaultInjectionFileSystem* const fs_;
  const std::unique_ptr<SequentialFile> base_;
};

class FaultRandomAccessFile final : public RandomAccessFile {
 public:
  FaultRandomAccessFile(const FaultInjectionFileSystem* fs,
                        std::unique_ptr<RandomAccessFile> b)
      : fs_(fs), base_(std::move(b)) {}
  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    RETURN_IF_ERROR(fs_->CheckActive());
    return base_->Read(offset, n, out);
  }
  Result<size_t> ReadInto(uint64_t offset, size_t n, char* dst) const override {
    RETURN_IF_ERROR(fs_->CheckActive());
    return base_->ReadInto(offset, n, dst);
  }

 private:
  const FaultInjectionFileSystem* const fs_;
  const std::unique_ptr<RandomAccessFile> base_;
};

}  // namespace

Status FaultInjectionFileSystem::CheckActive() const {
  if (!active_.load()) return IOError("file system is inactive (simulated power loss)");
  return Status::OK();
}

Status FaultInjectionFileSystem::BeforeWrite(size_t n, size_t* allowed) {
  writes_.fetch_add(1);
  if (!active_.load()) {
    *allowed = 0;
    return IOError("write on inactive file system (simulated power loss)");
  }
  std::lock_guard<std::mutex> l(mu_);
  int64_t c = write_countdown_.load();
  if (c > 0) {
    write_countdown_.store(c - 1);
    if (c == 1) {
      *allowed = n / 2;
      return IOError("injected write failure");
    }
  }
  return Status::OK();
}

Status FaultInjectionFileSystem::BeforeSync(bool is_file_sync) {
  (is_file_sync ? file_syncs_ : dir_syncs_).fetch_add(1);
  RETURN_IF_ERROR(CheckActive());
  if (is_file_sync && sync_delay_micros_.load() > 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(sync_delay_micros_.load()));
  }
  std::lock_guard<std::mutex> l(mu_);
  int64_t c = sync_countdown_.load();
  if (c > 0) {
    sync_countdown_.store(c - 1);
    if (c == 1) return IOError("injected sync failure");
  }
  return Status::OK();
}

void FaultInjectionFileSystem::OnWritten(const std::string& path, uint64_t new_size) {
  std::lock_guard<std::mutex> l(mu_);
  files_[Normalize(path)].size = new_size;
}

void FaultInjectionFileSystem::OnSynced(const std::string& path, uint64_t size, uint64_t zero_end,
                                        bool cut_zeros) {
  std::lock_guard<std::mutex> l(mu_);
  FileState& st = files_[Normalize(path)];
  st.synced = std::max(st.synced, size);
  st.size = std::max(st.size, size);
  st.zeros_synced = cut_zeros ? 0 : std::max(st.zeros_synced, zero_end);
}

void FaultInjectionFileSystem::OnPreallocated() { preallocations_.fetch_add(1); }

void FaultInjectionFileSystem::RememberPrior(const std::string& raw_path) {
  const std::string path = Normalize(raw_path);
  if (unsynced_names_.count(path) > 0) return;
  PriorEntry prior;
  if (base_->FileExists(path)) {
    if (base_->GetChildren(path).ok()) {
      prior.kind = PriorEntry::kDir;
    } else {
      prior.kind = PriorEntry::kFile;
      ReadFileToString(base_, path, &prior.contents).IgnoreError();
      auto it = files_.find(path);
      if (it != files_.end() && prior.contents.size() > it->second.synced) {
        prior.contents.resize(it->second.synced);
      }
    }
  }
  unsynced_names_[path] = std::move(prior);
}

Status FaultInjectionFileSystem::RemoveTree(const std::string& path) {
  auto children = base_->GetChildren(path);
  if (!children.ok()) return base_->RemoveFile(path);
  for (const std::string& child : *children) RETURN_IF_ERROR(RemoveTree(JoinPath(path, child)));
  return base_->RemoveDir(path);
}

Status FaultInjectionFileSystem::RestorePrior(const std::string& path, const PriorEntry& prior) {
  if (prior.kind == PriorEntry::kDir) return base_->CreateDir(path);
  if (!base_->FileExists(DirName(path))) return Status::OK();  // its directory is gone too
  ASSIGN_OR_RETURN(auto file, base_->NewWritableFile(path));
  RETURN_IF_ERROR(file->Append(prior.contents));
  return file->Close();
}

Status FaultInjectionFileSystem::DropUnsyncedData(std::optional<uint64_t> torn_seed) {
  std::map<std::string, FileState> files;
  std::map<std::string, PriorEntry> names;
  {
    std::lock_guard<std::mutex> l(mu_);
    files.swap(files_);
    names.swap(unsynced_names_);
    write_countdown_.store(0);
    sync_countdown_.store(0);
  }
  for (const auto& [path, st] : files) {
    auto size = base_->GetFileSize(path);
    if (!size.ok()) continue;  // removed since
    // The unsynced tail: the data appended since the last sync. Preallocated zeros past
    // the data are not part of it; those that a sync covered are restored below.
    const uint64_t end = st.zeros_synced > 0 ? std::min(*size, st.size) : *size;
    uint64_t keep = st.synced;
    uint64_t h = 0;
    if (torn_seed && end > st.synced) {
      h = Mix(*torn_seed ^ std::hash<std::string>()(path));
      switch (h % 4) {  // none, all, or part of the unsynced tail reached the disk
        case 0: keep = st.synced; break;
        case 1:
          keep = end;
          break;
        default:
          keep = st.synced + Mix(h ^ 1) % (end - st.synced + 1);
          break;
      }
    }
    if (*size > keep) RETURN_IF_ERROR(base_->TruncateFile(path, keep));
    if (keep > st.synced && (h >> 40) % 2 == 0) {
      // Unsynced pages promise nothing: damage one byte of the kept tail.
      std::string data;
      RETURN_IF_ERROR(ReadFileToString(base_, path, &data));
      data[st.synced + Mix(h) % (keep - st.synced)] ^= 0x5a;
      ASSIGN_OR_RETURN(auto file, base_->NewWritableFile(path));
      RETURN_IF_ERROR(file->Append(data));
      RETURN_IF_ERROR(file->Close());
    }
    if (st.zeros_synced > keep) {  // synced zeros stay zeros where no kept data covers them
      ASSIGN_OR_RETURN(auto file, base_->NewAppendableFile(path));
      RETURN_IF_ERROR(file->Append(std::string(st.zeros_synced - keep, '\0')));
      RETURN_IF_ERROR(file->Close());
    }
  }
  // Undo names: remove what did not exist (deepest first), then bring back what did
  // (shallowest first, so directories precede their files).
  std::vector<std::pair<std::string, PriorEntry>> order(names.begin(), names.end());
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.first.size() > b.first.size();
  });
  for (const auto& [path, prior] : order) {
    if (prior.kind == PriorEntry::kAbsent && base_->FileExists(path)) {
      RETURN_IF_ERROR(RemoveTree(path));
    }
  }
  std::reverse(order.begin(), order.end());
  for (const auto& [path, prior] : order) {
    if (prior.kind != PriorEntry::kAbsent) {
      if (base_->FileExists(path)) RETURN_IF_ERROR(RemoveTree(path));
      RETURN_IF_ERROR(RestorePrior(path, prior));
    }
  }
  return Status::OK();
}

Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::NewWritableFile(
    const std::string& path) {
  RETURN_IF_ERROR(CheckActive());
  std::lock_guard<std::mutex> l(mu_);
  if (!base_->FileExists(path)) RememberPrior(path);
  ASSIGN_OR_RETURN(auto file, base_->NewWritableFile(path));
  files_[Normalize(path)] = FileState{};
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, path, std::move(file)));
}

Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::NewAppendableFile(
    const std::string& path) {
  RETURN_IF_ERROR(CheckActive());
  std::lock_guard<std::mutex> l(mu_);
  if (!base_->FileExists(path)) RememberPrior(path);
  ASSIGN_OR_RETURN(auto file, base_->NewAppendableFile(path));
  auto [it, inserted] = files_.try_emplace(Normalize(path));
  if (inserted) it->second = FileState{file->Size(), file->Size()};  // existing bytes durable
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, path, std::move(file)));
}

Result<std::unique_ptr<SequentialFile>> FaultInjectionFileSystem::NewSequentialFile(
    const std::string& path) {
  RETURN_IF_ERROR(CheckActive());
  ASSIGN_OR_RETURN(auto file, base_->NewSequentialFile(path));
  return std::unique_ptr<SequentialFile>(new FaultSequentialFile(this, std::move(file)));
}

Result<std::unique_ptr<RandomAccessFile>> FaultInjectionFileSystem::NewRandomAccessFile(
    const std::string& path) {
  RETURN_IF_ERROR(CheckActive());
  ASSIGN_OR_RETURN(auto file, base_->NewRandomAccessFile(path));
  return std::unique_ptr<RandomAccessFile>(new FaultRandomAccessFile(this, std::move(file)));
}

bool FaultInjectionFileSystem::FileExists(const std::string& path) {
  return active_.load() && base_->FileExists(path);
}

Result<uint64_t> FaultInjectionFileSystem::GetFileSize(const std::string& path) {
  RETURN_IF_ERROR(CheckActive());
  return base_->GetFileSize(path);
}

Result<std::vector<std::string>> FaultInjectionFileSystem::GetChildren(const std::string& dir) {
  RETURN_IF_ERROR(CheckActive());
  return base_->GetChildren(dir);
}

Status FaultInjectionFileSystem::CreateDir(const std::string& dir) {
  RETURN_IF_ERROR(CheckActive());
  std::lock_guard<std::mutex> l(mu_);
  if (!base_->FileExists(dir)) RememberPrior(dir);
  return base_->CreateDir(dir);
}

Status FaultInjectionFileSystem::RemoveDir(const std::string& dir) {
  RETURN_IF_ERROR(CheckActive());
  std::lock_guard<std::mutex> l(mu_);
  RememberPrior(dir);
  return base_->RemoveDir(dir);
}

Status FaultInjectionFileSystem::RemoveFile(const std::string& path) {
  RETURN_IF_ERROR(CheckActive());
  std::lock_guard<std::mutex> l(mu_);
  RememberPrior(path);
  RETURN_IF_ERROR(base_->RemoveFile(path));
  files_.erase(Normalize(path));
  return Status::OK();
}

Status FaultInjectionFileSystem::RenameFile(const std::string& from, const std::string& to) {
  RETURN_IF_ERROR(CheckActive());
  std::lock_guard<std::mutex> l(mu_);
  RememberPrior(from);
  RememberPrior(to);
  RETURN_IF_ERROR(base_->RenameFile(from, to));
  auto it = files_.find(Normalize(from));
  FileState moved{};
  if (it != files_.end()) {
    moved = it->second;
    files_.erase(it);
  } else if (auto size = base_->GetFileSize(to); size.ok()) {
    moved = FileState{*size, *size};
  }
  files_[Normalize(to)] = moved;
  return Status::OK();
}

Status FaultInjectionFileSystem::LinkFile(const std::string& from, const std::string& to) {
  RETURN_IF_ERROR(CheckActive());
  std::lock_guard<std::mutex> l(mu_);
  if (!base_->FileExists(to)) RememberPrior(to);
  RETURN_IF_ERROR(base_->LinkFile(from, to));
  auto it = files_.find(Normalize(from));
  if (it != files_.end()) files_[Normalize(to)] = it->second;
  return Status::OK();
}

Result<int64_t> FaultInjectionFileSystem::GetFileModificationTime(const std::string& path) {
  RETURN_IF_ERROR(CheckActive());
  return base_->GetFileModificationTime(path);
}

Status FaultInjectionFileSystem::TruncateFile(const std::string& path, uint64_t size) {
  RETURN_IF_ERROR(CheckActive());
  std::lock_guard<std::mutex> l(mu_);
  RETURN_IF_ERROR(base_->TruncateFile(path, size));
  auto it = files_.find(Normalize(path));
  if (it != files_.end()) {  // modelled as durable at once (the log syncs after it anyway)
    it->second.size = std::min(it->second.size, size);
    it->second.synced = std::min(it->second.synced, size);
    it->second.zeros_synced = std::min(it->second.zeros_synced, size);
  }
  return Status::OK();
}

Status FaultInjectionFileSystem::SyncDir(const std::string& dir) {
  RETURN_IF_ERROR(BeforeSync(/*is_file_sync=*/false));
  RETURN_IF_ERROR(base_->SyncDir(dir));
  std::lock_guard<std::mutex> l(mu_);
  const std::string d = Normalize(dir);
  for (auto it = unsynced_names_.begin(); it != unsynced_names_.end();) {
    it = DirName(it->first) == d ? unsynced_names_.erase(it) : std::next(it);
  }
  return Status::OK();
}

Result<std::unique_ptr<FileLock>> FaultInjectionFileSystem::LockFile(const std::string& path) {
  RETURN_IF_ERROR(CheckActive());
  return base_->LockFile(path);
}

}  // namespace pinpipe::io
