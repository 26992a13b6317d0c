#include "objstore/open.h"

#include <filesystem>
#include <map>
#include <mutex>

#include "io/posix_file_system.h"
#include "objstore/local_object_store.h"
#include "objstore/memory_object_store.h"

namespace pinpipe::objstore {
namespace {

// Forwards to a MemoryObjectStore shared through the registry.
class SharedMemoryStore final : public ObjectStore {
 public:
  explicit SharedMemoryStore(std::shared_ptr<MemoryObjectStore> s) : s_(std::move(s)) {}
  Status Put(std::string_view key, std::string_view data, const PutOptions& o) override {
    return s_->Put(key, data, o);
  }
  Result<std::string> Get(std::string_view key) override { return s_->Get(key); }
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t n) override {
    return s_->GetRange(key, offset, n);
  }
  Result<ObjectInfo> Head(std::string_view key) override { return s_->Head(key); }
  Result<ListPage> List(std::string_view prefix, std::string_view token, int max) override {
    return s_->List(prefix, token, max);
  }
  Status Delete(std::string_view key) override { return s_->Delete(key); }
  std::string Url() const override { return s_->Url(); }

 private:
  std::shared_ptr<MemoryObjectStore> s_;
};

std::shared_ptr<MemoryObjectStore> NamedMemoryStore(const std::string& name) {
  static std::mutex mu;
  static auto* stores = new std::map<std::string, std::shared_ptr<MemoryObjectStore>>();
  std::lock_guard<std::mutex> l(mu);
  auto& slot = (*stores)[name];
  if (slot == nullptr) slot = std::make_shared<MemoryObjectStore>(name);
  return slot;
}

std::string Absolute(const std::string& path, const std::string& base_dir) {
  std::filesystem::path p(path);
  if (p.is_relative()) {
    std::error_code ec;
    p = (base_dir.empty() ? std::filesystem::current_path(ec) : std::filesystem::path(base_dir)) /
        p;
  }
  std::string out = p.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

Result<StoreUrl> ParseStoreUrl(std::string_view url, const std::string& base_dir) {
  StoreUrl out;
  const std::string text(url);
  if (text.empty()) return InvalidArgumentError("empty object store URL");
  const size_t sep = text.find("://");
  if (sep == std::string::npos) {
    out.kind = StoreUrl::Kind::kLocal;
    out.path = Absolute(text, base_dir);
    return out;
  }
  const std::string scheme = text.substr(0, sep);
  const std::string rest = text.substr(sep + 3);
  if (scheme == "file") {
    if (rest.empty() || rest.front() != '/') {
      return InvalidArgumentError("object store URL '" + text +
                                  "': a file URL is file:///absolute/path");
    }
    out.kind = StoreUrl::Kind::kLocal;
    out.path = Absolute(rest, "");
    return out;
  }
  if (scheme == "mem") {
    if (rest.empty()) return InvalidArgumentError("object store URL '" + text + "' has no name");
    out.kind = StoreUrl::Kind::kMemory;
    out.path = rest;
    return out;
  }
  if (scheme == "s3") {
    const size_t slash = rest.find('/');
    out.kind = StoreUrl::Kind::kS3;
    out.bucket = rest.substr(0, slash);
    if (slash != std::string::npos) out.prefix = rest.substr(slash + 1);
    while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
    if (out.bucket.empty()) {
      return InvalidArgumentError("object store URL '" + text +
                                  "' has no bucket (s3://bucket/prefix)");
    }
    return out;
  }
  return InvalidArgumentError("object store URL '" + text +
                              "': unknown scheme (use file://, s3://, mem:// or a path)");
}

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(std::string_view url,
                                                     const OpenOptions& options) {
  ASSIGN_OR_RETURN(StoreUrl parsed, ParseStoreUrl(url, options.base_dir));
  switch (parsed.kind) {
    case StoreUrl::Kind::kLocal: {
      io::FileSystem* fs = options.fs != nullptr ? options.fs : io::PosixFileSystem::Default();
      ASSIGN_OR_RETURN(auto store, LocalObjectStore::Open(fs, parsed.path));
      return std::unique_ptr<ObjectStore>(std::move(store));
    }
    case StoreUrl::Kind::kMemory:
      return std::unique_ptr<ObjectStore>(new SharedMemoryStore(NamedMemoryStore(parsed.path)));
    case StoreUrl::Kind::kS3: {
      ASSIGN_OR_RETURN(auto store, S3ObjectStore::Open(parsed.bucket, parsed.prefix, options.s3));
      return std::unique_ptr<ObjectStore>(std::move(store));
    }
  }
  return InternalError("unreachable");
}

}  // namespace pinpipe::objstore
