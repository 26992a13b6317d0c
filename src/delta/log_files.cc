#include "delta/log_files.h"

#include <algorithm>
#include <cstdio>

namespace pinpipe::delta {
namespace {

std::string Version20(int64_t version) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020lld", static_cast<long long>(version));
  return buf;
}

// The version of "<20 digits><suffix>", or -1.
int64_t ParseVersioned(std::string_view name, std::string_view suffix) {
  if (name.size() != 20 + suffix.size() || name.substr(20) != suffix) return -1;
  int64_t v = 0;
  for (char c : name.substr(0, 20)) {
    if (c < '0' || c > '9') return -1;
    if (v > (INT64_MAX - 9) / 10) return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

std::string JoinKey(std::string_view root, std::string_view rel) {
  if (root.empty()) return std::string(rel);
  return std::string(root) + "/" + std::string(rel);
}

std::string CommitKey(std::string_view root, int64_t version) {
  return JoinKey(root, "_delta_log/" + Version20(version) + ".json");
}

std::string CheckpointKey(std::string_view root, int64_t version) {
  return JoinKey(root, "_delta_log/" + Version20(version) + ".checkpoint.parquet");
}

std::string LastCheckpointKey(std::string_view root) {
  return JoinKey(root, "_delta_log/_last_checkpoint");
}

Result<LogListing> ListLog(objstore::ObjectStore& store, std::string_view root) {
  std::string prefix = JoinKey(root, "_delta_log/");
  ASSIGN_OR_RETURN(std::vector<objstore::ObjectInfo> objects, objstore::ListAll(store, prefix));
  LogListing listing;
  for (const objstore::ObjectInfo& info : objects) {
    std::string_view name = std::string_view(info.key).substr(prefix.size());
    if (int64_t v = ParseVersioned(name, ".json"); v >= 0) {
      listing.commits.push_back(v);
    } else if (int64_t c = ParseVersioned(name, ".checkpoint.parquet"); c >= 0) {
      listing.checkpoints.push_back(c);
    }
  }
  std::sort(listing.commits.begin(), listing.commits.end());
  std::sort(listing.checkpoints.begin(), listing.checkpoints.end());
  return listing;
}

}  // namespace pinpipe::delta
