#include "objstore/memory_object_store.h"

#include <algorithm>

namespace pinpipe::objstore {

MemoryObjectStore::MemoryObjectStore(std::string name, Clock* clock)
    : name_(std::move(name)), clock_(clock != nullptr ? clock : Clock::Real()) {}

Status MemoryObjectStore::Put(std::string_view key, std::string_view data,
                              const PutOptions& options) {
  RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it != objects_.end() && options.if_absent) {
    return AlreadyExistsError(Url() + "/" + std::string(key) + " already exists");
  }
  Object object{std::string(data), clock_->NowMicros() / 1000};
  if (it == objects_.end()) {
    objects_.emplace(std::string(key), std::move(object));
  } else {
    it->second = std::move(object);
  }
  return Status::OK();
}

Result<std::string> MemoryObjectStore::Get(std::string_view key) {
  return GetRange(key, 0, UINT64_MAX);
}

Result<std::string> MemoryObjectStore::GetRange(std::string_view key, uint64_t offset,
                                                uint64_t length) {
  RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return NotFoundError(Url() + "/" + std::string(key) + " not found");
  const std::string& data = it->second.data;
  if (offset >= data.size()) return std::string();
  return data.substr(offset, std::min<uint64_t>(length, data.size() - offset));
}

Result<ObjectInfo> MemoryObjectStore::Head(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return NotFoundError(Url() + "/" + std::string(key) + " not found");
  return ObjectInfo{it->first, it->second.data.size(), it->second.mtime_ms, ""};
}

Result<ListPage> MemoryObjectStore::List(std::string_view prefix, std::string_view token,
                                         int max_keys) {
  if (max_keys <= 0) return InvalidArgumentError("max_keys must be positive");
  std::lock_guard lock(mu_);
  // The token is the last key of the previous page: continue strictly after it.
  auto it = token.empty() ? objects_.lower_bound(prefix) : objects_.upper_bound(token);
  ListPage page;
  for (; it != objects_.end() && it->first.starts_with(prefix); ++it) {
    if (static_cast<int>(page.objects.size()) == max_keys) {
      page.next = page.objects.back().key;
      break;
    }
    page.objects.push_back(ObjectInfo{it->first, it->second.data.size(), it->second.mtime_ms, ""});
  }
  return page;
}

Status MemoryObjectStore::Delete(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it != objects_.end()) objects_.erase(it);
  return Status::OK();
}

}  // namespace pinpipe::objstore
