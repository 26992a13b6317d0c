// Classic V1 checkpoints (docs/delta_layout.md §4): the snapshot as one Parquet file of
// action rows, written and read with DuckDB, and the `_last_checkpoint` pointer.
//
// Runs on the session's thread; the store may be shared.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "delta/actions.h"
#include "engine/session.h"
#include "objstore/object_store.h"

namespace pinpipe::delta {

struct Snapshot;

// How long a tombstone is kept in checkpoints (delta.deletedFileRetentionDuration's default).
constexpr int64_t kTombstoneRetentionMs = 7LL * 24 * 3600 * 1000;

struct CheckpointInfo {
  int64_t version = 0;
  int64_t size = 0;           // action rows
  int64_t size_in_bytes = 0;  // of the Parquet file
  int64_t num_of_add_files = 0;
};

// The rows of a checkpoint of `snapshot`: protocol, metaData, txns by appId, adds by path,
// tombstones newer than now_ms - kTombstoneRetentionMs by path (without size).
std::vector<Action> CheckpointActions(const Snapshot& snapshot, int64_t now_ms);

// Writes `<version>.checkpoint.parquet` of `snapshot`, then `_last_checkpoint`.
Result<CheckpointInfo> WriteCheckpoint(engine::Session& session, objstore::ObjectStore& store,
                                       std::string_view root, const Snapshot& snapshot,
                                       int64_t now_ms);

// The actions of the checkpoint at `version`.
Result<std::vector<Action>> ReadCheckpoint(engine::Session& session, objstore::ObjectStore& store,
                                           std::string_view root, int64_t version);

}  // namespace pinpipe::delta
