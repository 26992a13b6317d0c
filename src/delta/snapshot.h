// The state of a Delta table at one version (docs/delta_layout.md §5): protocol, metadata and
// schema, the live data files, the tombstones and the txn version of each appId; and the
// reader that builds it from the newest checkpoint plus the JSON commits after it.
//
// Snapshot is a plain value. LoadSnapshot/UpdateSnapshot use a Session (checkpoints are
// Parquet), so they run on the session's thread; the store may be shared.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "delta/actions.h"
#include "delta/schema.h"
#include "engine/session.h"
#include "objstore/object_store.h"

namespace pinpipe::delta {

// The newest reader and writer protocol versions pinpipe implements.
constexpr int32_t kReaderVersion = 1;
constexpr int32_t kWriterVersion = 2;

struct Snapshot {
  int64_t version = -1;  // -1 before any action
  Protocol protocol;
  Metadata metadata;
  Schema schema;  // parsed from metadata.schema_string
  std::map<std::string, AddFile> files;          // live files by path
  std::map<std::string, RemoveFile> tombstones;  // removed files by path
  std::map<std::string, Txn> txns;               // latest txn by appId
  int64_t checkpoint_version = -1;               // the checkpoint replay started from, or -1

  // The last committed version of `app_id`, if it ever committed.
  std::optional<int64_t> TxnVersion(std::string_view app_id) const;
  int64_t NumRecords() const;  // sum of numRecords over files with stats

  // Applies one action by the reconciliation rules (commitInfo is ignored). Fails with
  // kUnimplemented for a protocol newer than pinpipe reads, kCorruption for a bad schema.
  Status Apply(const Action& action);

  // Equal table state: version, protocol, metadata, files, txns, and tombstones by path and
  // deletion time (a checkpoint keeps no more of a tombstone).
  friend bool operator==(const Snapshot& a, const Snapshot& b);
};

struct LoadOptions {
  std::optional<int64_t> version;  // time travel: the state at this version (default: latest)
  bool use_checkpoints = true;     // false: replay every commit from version 0
};

// kNotFound if there is no table at `root` (no commit file); kCorruption for a gap in the
// versions or an unreadable action.
Result<Snapshot> LoadSnapshot(objstore::ObjectStore& store, engine::Session& session,
                              std::string_view root, const LoadOptions& options = {});

// Applies the commits made after `snapshot->version` (none: unchanged).
Status UpdateSnapshot(objstore::ObjectStore& store, std::string_view root, Snapshot* snapshot);

}  // namespace pinpipe::delta
