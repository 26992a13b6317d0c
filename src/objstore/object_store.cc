#include "objstore/object_store.h"

#include <utility>

namespace pinpipe::objstore {

Status ValidateKey(std::string_view key) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("invalid object key \"" + std::string(key.substr(0, 200)) +
                                   "\": " + std::string(why));
  };
  if (key.empty()) return bad("empty");
  if (key.size() > 1024) return bad("longer than 1024 bytes");
  if (key.front() == '/') return bad("starts with '/'");
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view segment = key.substr(start, end - start);
    if (segment.empty()) return bad("has an empty path segment");
    if (segment == "." || segment == "..") return bad("has a '.' or '..' segment");
    start = end + 1;
  }
  if (key.find('\0') != std::string_view::npos) return bad("contains NUL");
  return Status::OK();
}

Result<std::vector<ObjectInfo>> ListAll(ObjectStore& store, std::string_view prefix) {
  std::vector<ObjectInfo> all;
  std::string token;
  while (true) {
    ASSIGN_OR_RETURN(ListPage page, store.List(prefix, token));
    for (ObjectInfo& info : page.objects) all.push_back(std::move(info));
    if (page.next.empty()) return all;
    token = std::move(page.next);
  }
}

}  // namespace pinpipe::objstore
