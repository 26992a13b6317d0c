// Names of the files of a table's `_delta_log/` (docs/delta_layout.md §1) and its listing.
//
// Pure functions, except ListLog (reads the store); thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "objstore/object_store.h"

namespace pinpipe::delta {

// `root` + "/" + `rel` ("rel" alone for the empty root).
std::string JoinKey(std::string_view root, std::string_view rel);
// <root>/_delta_log/<20-digit version>.json
std::string CommitKey(std::string_view root, int64_t version);
// <root>/_delta_log/<20-digit version>.checkpoint.parquet
std::string CheckpointKey(std::string_view root, int64_t version);
// <root>/_delta_log/_last_checkpoint
std::string LastCheckpointKey(std::string_view root);

struct LogListing {
  std::vector<int64_t> commits;      // versions with a commit file, ascending
  std::vector<int64_t> checkpoints;  // versions with a classic checkpoint, ascending
};

// What `_delta_log/` holds; other files (multi-part checkpoints, .crc, temp files) are skipped.
Result<LogListing> ListLog(objstore::ObjectStore& store, std::string_view root);

}  // namespace pinpipe::delta
