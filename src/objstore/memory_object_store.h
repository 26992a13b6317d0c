// MemoryObjectStore: an ObjectStore held in a map, for tests. Puts are atomic and "durable" for
// the store's lifetime; mtimes come from the injected Clock (the real clock when none is given).
//
// Thread-safety: all methods may be called concurrently (one mutex).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "base/clock.h"
#include "objstore/object_store.h"

namespace pinpipe::objstore {

class MemoryObjectStore final : public ObjectStore {
 public:
  explicit MemoryObjectStore(std::string name = "test", Clock* clock = nullptr);

  Status Put(std::string_view key, std::string_view data,
             const PutOptions& options = {}) override;
  Result<std::string> Get(std::string_view key) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset,
                               uint64_t length) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Result<ListPage> List(std::string_view prefix, std::string_view token = {},
                        int max_keys = 1000) override;
  Status Delete(std::string_view key) override;
  std::string Url() const override { return "mem://" + name_; }

 private:
  struct Object {
    std::string data;
    int64_t mtime_ms = 0;
  };
  const std::string name_;
  Clock* const clock_;
  std::mutex mu_;
  std::map<std::string, Object, std::less<>> objects_;  // guarded by mu_
};

}  // namespace pinpipe::objstore
