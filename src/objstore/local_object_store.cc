#include "objstore/local_object_store.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include <unistd.h>

#include "base/clock.h"

namespace pinpipe::objstore {
namespace {

constexpr int64_t kStaleTempMs = 3600 * 1000;

// Whether the file `key` belongs in a listing of `prefix` continuing after `after`.
bool FileMayMatch(std::string_view key, std::string_view prefix, std::string_view after) {
  return key.starts_with(prefix) && (after.empty() || key > after);
}

// Whether some key under the directory `dir` (with its trailing '/') may.
bool DirMayMatch(std::string_view dir, std::string_view prefix, std::string_view after) {
  return (dir.starts_with(prefix) || prefix.starts_with(dir)) &&
         (after.empty() || dir > after || after.starts_with(dir));
}

}  // namespace

Result<std::unique_ptr<LocalObjectStore>> LocalObjectStore::Open(io::FileSystem* fs,
                                                                 std::string root) {
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (root.empty() || root.front() != '/') {
    return InvalidArgumentError("local object store root '" + root + "' is not absolute");
  }
  // Create the root and its missing parents, top-down.
  for (size_t pos = 1; pos <= root.size(); ++pos) {
    if (pos != root.size() && root[pos] != '/') continue;
    const std::string dir = root.substr(0, pos);
    if (!fs->FileExists(dir)) {
      RETURN_IF_ERROR(fs->CreateDir(dir));
      RETURN_IF_ERROR(fs->SyncDir(io::DirName(dir)));
    }
  }
  const std::string temp_dir = io::JoinPath(root, kTempDir);
  if (!fs->FileExists(temp_dir)) {
    RETURN_IF_ERROR(fs->CreateDir(temp_dir));
    RETURN_IF_ERROR(fs->SyncDir(root));
  }
  std::random_device rd;
  const uint64_t seed =
      (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ static_cast<uint64_t>(::getpid());
  std::unique_ptr<LocalObjectStore> store(new LocalObjectStore(fs, std::move(root), seed));
  RETURN_IF_ERROR(store->RemoveStaleTemps());
  return store;
}

Status LocalObjectStore::RemoveStaleTemps() {
  const std::string dir = io::JoinPath(root_, kTempDir);
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->GetChildren(dir));
  const int64_t now_ms = Clock::Real()->NowMicros() / 1000;
  for (const std::string& name : names) {
    const std::string path = io::JoinPath(dir, name);
    auto mtime = fs_->GetFileModificationTime(path);
    // Another writer may be using a young temp file, or may just have removed one.
    if (mtime.ok() && now_ms - *mtime > kStaleTempMs) fs_->RemoveFile(path).IgnoreError();
  }
  return Status::OK();
}

Status LocalObjectStore::CheckKey(std::string_view key) const {
  RETURN_IF_ERROR(ValidateKey(key));
  std::string_view first = key.substr(0, key.find('/'));
  if (first == kTempDir) {
    return InvalidArgumentError("invalid object key \"" + std::string(key) + "\": '" + kTempDir +
                                "' is reserved by the local store");
  }
  return Status::OK();
}

std::string LocalObjectStore::PathOf(std::string_view key) const {
  return root_ + "/" + std::string(key);
}

Status LocalObjectStore::NotFound(std::string_view key) const {
  return NotFoundError(Url() + "/" + std::string(key) + " not found");
}

bool LocalObjectStore::IsDir(const std::string& path) { return fs_->GetChildren(path).ok(); }

std::string LocalObjectStore::NewTempPath() {
  char name[48];
  std::snprintf(name, sizeof name, "%016llx-%llu", static_cast<unsigned long long>(temp_seed_),
                static_cast<unsigned long long>(temp_counter_.fetch_add(1)));
  return io::JoinPath(io::JoinPath(root_, kTempDir), name);
}

Status LocalObjectStore::MakeParents(std::string_view key) {
  size_t slash = key.find('/');
  while (slash != std::string_view::npos) {
    const std::string dir = PathOf(key.substr(0, slash));
    // Existence only: whether it is a directory is asked after a failure (NestingError), as
    // IsDir reads the whole directory, and these are the partition directories of the lake.
    if (!fs_->FileExists(dir)) {
      RETURN_IF_ERROR(fs_->CreateDir(dir));
      RETURN_IF_ERROR(SyncDirShared(io::DirName(dir)));  // the new entry survives power loss
    }
    slash = key.find('/', slash + 1);
  }
  return Status::OK();
}

Status LocalObjectStore::NestingError(std::string_view key, Status status) {
  size_t slash = key.find('/');
  while (slash != std::string_view::npos) {
    const std::string dir = PathOf(key.substr(0, slash));
    if (fs_->FileExists(dir) && !IsDir(dir)) {
      return FailedPreconditionError(Url() + ": cannot store '" + std::string(key) + "': '" +
                                     std::string(key.substr(0, slash)) +
                                     "' is an object, and a directory store cannot nest under it");
    }
    slash = key.find('/', slash + 1);
  }
  return status;
}

Status LocalObjectStore::SyncDirShared(const std::string& dir) {
  std::unique_lock<std::mutex> l(sync_mu_);
  DirSync& d = dir_syncs_[dir];
  // Everything done in `dir` before this point is covered by any sync that starts later.
  const uint64_t ticket = ++d.requested;
  while (d.synced < ticket && d.running) sync_cv_.wait(l);
  if (d.synced >= ticket) return Status::OK();
  d.running = true;
  const uint64_t covers = d.requested;
  l.unlock();
  Status s = fs_->SyncDir(dir);
  l.lock();
  d.running = false;
  if (s.ok()) d.synced = std::max(d.synced, covers);  // on failure each waiter tries its own
  sync_cv_.notify_all();
  return s;
}

Status LocalObjectStore::Put(std::string_view key, std::string_view data,
                             const PutOptions& options) {
  RETURN_IF_ERROR(CheckKey(key));
  if (Status s = MakeParents(key); !s.ok()) return NestingError(key, s);
  const std::string path = PathOf(key);
  if (IsDir(path)) {  // cheap unless it is one: opendir fails at once on a file
    return FailedPreconditionError(Url() + ": cannot store '" + std::string(key) +
                                   "': other objects are nested under it");
  }
  const std::string tmp = NewTempPath();
  Status s = [&]() -> Status {
    ASSIGN_OR_RETURN(auto file, fs_->NewWritableFile(tmp));
    RETURN_IF_ERROR(file->Append(data));
    RETURN_IF_ERROR(file->Sync());
    return file->Close();
  }();
  if (s.ok()) {
    if (options.if_absent) {
      s = fs_->LinkFile(tmp, path);
      if (s.code() == StatusCode::kAlreadyExists) {
        s = AlreadyExistsError(Url() + "/" + std::string(key) + " already exists");
      }
      fs_->RemoveFile(tmp).IgnoreError();  // the object keeps its own name
    } else {
      s = fs_->RenameFile(tmp, path);
    }
  }
  if (!s.ok()) {
    fs_->RemoveFile(tmp).IgnoreError();
    return s.code() == StatusCode::kAlreadyExists ? s : NestingError(key, s);
  }
  // One directory sync covers every put into the directory that renamed before it started.
  return SyncDirShared(io::DirName(path));
}

Result<std::string> LocalObjectStore::Get(std::string_view key) {
  return GetRange(key, 0, std::numeric_limits<uint64_t>::max());
}

Result<std::string> LocalObjectStore::GetRange(std::string_view key, uint64_t offset,
                                               uint64_t length) {
  RETURN_IF_ERROR(CheckKey(key));
  const std::string path = PathOf(key);
  auto file = fs_->NewRandomAccessFile(path);
  if (!file.ok()) {
    if (file.status().code() == StatusCode::kNotFound || IsDir(path)) return NotFound(key);
    return file.status();
  }
  // In chunks until a short read: the open file is the object as of the open, even if a
  // Put replaces the name meanwhile.
  constexpr uint64_t kChunk = 1 << 20;
  // The first read asks for the size the file had a moment ago, plus one byte to see its end
  // in the same call: most objects are small, and a 1 MiB buffer per read (allocated and
  // zeroed) cost more than the read itself.
  uint64_t first = kChunk;
  if (Result<uint64_t> size = fs_->GetFileSize(path); size.ok()) {
    first = std::min<uint64_t>(kChunk, (*size > offset ? *size - offset : 0) + 1);
  }
  std::string out;
  std::string chunk;
  while (out.size() < length) {
    const uint64_t want = std::min<uint64_t>(out.empty() ? first : kChunk, length - out.size());
    Status s = (*file)->Read(offset + out.size(), static_cast<size_t>(want), &chunk);
    if (!s.ok()) {
      if (IsDir(path)) return NotFound(key);
      return s;
    }
    out.append(chunk);
    if (chunk.size() < want) break;
  }
  return out;
}

Result<ObjectInfo> LocalObjectStore::Head(std::string_view key) {
  RETURN_IF_ERROR(CheckKey(key));
  const std::string path = PathOf(key);
  auto size = fs_->GetFileSize(path);
  if (size.status().code() == StatusCode::kNotFound || (size.ok() && IsDir(path))) {
    return NotFound(key);
  }
  if (!size.ok()) return size.status();
  auto mtime = fs_->GetFileModificationTime(path);
  if (mtime.status().code() == StatusCode::kNotFound) return NotFound(key);  // deleted since
  if (!mtime.ok()) return mtime.status();
  return ObjectInfo{std::string(key), *size, *mtime, ""};
}

Status LocalObjectStore::Delete(std::string_view key) {
  RETURN_IF_ERROR(CheckKey(key));
  const std::string path = PathOf(key);
  if (IsDir(path)) return Status::OK();  // not an object
  Status s = fs_->RemoveFile(path);
  if (s.code() == StatusCode::kNotFound) return Status::OK();
  RETURN_IF_ERROR(s);
  return SyncDirShared(io::DirName(path));
}

Result<ListPage> LocalObjectStore::List(std::string_view prefix, std::string_view token,
                                        int max_keys) {
  if (max_keys <= 0) return InvalidArgumentError("max_keys must be positive");
  ListPage page;
  // One more than asked: its presence says whether there is a next page.
  RETURN_IF_ERROR(Walk("", prefix, token, static_cast<size_t>(max_keys) + 1, &page.objects));
  if (page.objects.size() > static_cast<size_t>(max_keys)) {
    page.objects.pop_back();
    page.next = page.objects.back().key;
  }
  return page;
}

Status LocalObjectStore::Walk(const std::string& rel, std::string_view prefix,
                              std::string_view after, size_t limit, std::vector<ObjectInfo>* out) {
  const std::string dir = rel.empty() ? root_ : PathOf(rel);
  auto names = fs_->GetChildren(dir);
  if (names.status().code() == StatusCode::kNotFound) return Status::OK();  // removed meanwhile
  if (!names.ok()) return names.status();
  // Children in the byte order of the keys they lead to: a directory `d` yields keys `d/...`.
  // Telling a directory from a file costs a system call, and a listing of a big directory
  // comes in many pages, so only what a page can use is looked at: names that cannot lead to a
  // key past `after` under `prefix` are dropped unlooked, and being a directory changes a
  // name's place only next to names it is a prefix of, so only those are typed before sorting;
  // the rest are typed when reached, and the page stops at `limit`.
  struct Child {
    std::string key;  // for a directory, with its trailing '/'
    int type;         // -1 not looked at yet, 0 file, 1 directory
  };
  std::vector<Child> children;
  for (const std::string& name : *names) {
    if (rel.empty() && name == kTempDir) continue;
    std::string key = rel.empty() ? name : rel + "/" + name;
    if (FileMayMatch(key, prefix, after) || DirMayMatch(key + "/", prefix, after)) {
      children.push_back({std::move(key), -1});
    }
  }
  std::sort(children.begin(), children.end(),
            [](const Child& a, const Child& b) { return a.key < b.key; });
  for (size_t i = 0; i + 1 < children.size(); ++i) {
    if (!children[i + 1].key.starts_with(children[i].key)) continue;
    children[i].type = IsDir(PathOf(children[i].key)) ? 1 : 0;
    if (children[i].type == 1) children[i].key += '/';
  }
  std::sort(children.begin(), children.end(),
            [](const Child& a, const Child& b) { return a.key < b.key; });
  for (Child& c : children) {
    if (out->size() >= limit) return Status::OK();
    if (c.type < 0) {
      c.type = IsDir(PathOf(c.key)) ? 1 : 0;
      if (c.type == 1) c.key += '/';
    }
    if (c.type == 1) {
      // Descend only if some key under it can start with `prefix` and sort after `after`.
      if (DirMayMatch(c.key, prefix, after)) {
        RETURN_IF_ERROR(Walk(c.key.substr(0, c.key.size() - 1), prefix, after, limit, out));
      }
      continue;
    }
    if (!FileMayMatch(c.key, prefix, after)) continue;
    const std::string path = PathOf(c.key);
    auto size = fs_->GetFileSize(path);
    auto mtime = size.ok() ? fs_->GetFileModificationTime(path) : Result<int64_t>(size.status());
    if (mtime.status().code() == StatusCode::kNotFound) continue;  // deleted meanwhile
    if (!mtime.ok()) return mtime.status();
    out->push_back(ObjectInfo{c.key, *size, *mtime, ""});
  }
  return Status::OK();
}

}  // namespace pinpipe::objstore
