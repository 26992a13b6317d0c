#include "delta/checkpoint.h"

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "base/json_writer.h"
#include "delta/log_files.h"
#include "delta/snapshot.h"
#include "engine/parquet.h"

namespace pinpipe::delta {
namespace {

// The checkpoint's columns as DuckDB types (the Parquet schema of docs/delta_layout.md §4).
constexpr std::string_view kColumns =
    "{txn: 'STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)', "
    "add: 'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, "
    "modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, tags MAP(VARCHAR, VARCHAR))', "
    "remove: 'STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN)', "
    "metaData: 'STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, "
    "format STRUCT(provider VARCHAR, options MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, "
    "partitionColumns VARCHAR[], configuration MAP(VARCHAR, VARCHAR), createdTime BIGINT)', "
    "protocol: 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER)'}";

}  // namespace

std::vector<Action> CheckpointActions(const Snapshot& snapshot, int64_t now_ms) {
  std::vector<Action> rows;
  rows.emplace_back(snapshot.protocol);
  rows.emplace_back(snapshot.metadata);
  for (const auto& [app, txn] : snapshot.txns) rows.emplace_back(txn);
  for (const auto& [path, add] : snapshot.files) rows.emplace_back(add);
  for (const auto& [path, remove] : snapshot.tombstones) {
    if (remove.deletion_timestamp.value_or(0) + kTombstoneRetentionMs <= now_ms) continue;
    RemoveFile tombstone = remove;
    tombstone.size.reset();  // checkpoint tombstones carry path, deletionTimestamp, dataChange
    rows.emplace_back(std::move(tombstone));
  }
  return rows;
}

Result<CheckpointInfo> WriteCheckpoint(engine::Session& session, objstore::ObjectStore& store,
                                       std::string_view root, const Snapshot& snapshot,
                                       int64_t now_ms) {
  std::vector<Action> rows = CheckpointActions(snapshot, now_ms);
  CheckpointInfo info;
  info.version = snapshot.version;
  info.size = static_cast<int64_t>(rows.size());
  for (const Action& a : rows) info.num_of_add_files += std::holds_alternative<AddFile>(a) ? 1 : 0;

  // The rows go to DuckDB as newline-delimited JSON read with the checkpoint's struct types.
  std::string json_path = session.NewScratchPath(".json");
  {
    std::ofstream out(json_path, std::ios::binary | std::ios::trunc);
    std::string text = SerializeActions(rows);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) return ErrnoError("write", json_path, errno);
  }
  std::string select = "SELECT txn, add, remove, metaData, protocol FROM read_json(" +
                       engine::QuoteLiteral(json_path) + ", format = 'newline_delimited', " +
                       "columns = " + std::string(kColumns) + ")";
  Result<uint64_t> size =
      engine::WriteParquetObject(session, select, store, CheckpointKey(root, snapshot.version));
  std::error_code ec;
  std::filesystem::remove(json_path, ec);
  if (!size.ok()) return size.status();
  info.size_in_bytes = static_cast<int64_t>(*size);

  std::string last;
  JsonWriter w(&last);
  w.BeginObject().Key("version").Int(info.version).Key("size").Int(info.size);
  w.Key("sizeInBytes").Int(info.size_in_bytes).Key("numOfAddFiles").Int(info.num_of_add_files);
  w.EndObject();
  RETURN_IF_ERROR(store.Put(LastCheckpointKey(root), last));
  return info;
}

Result<std::vector<Action>> ReadCheckpoint(engine::Session& session, objstore::ObjectStore& store,
                                           std::string_view root, int64_t version) {
  ASSIGN_OR_RETURN(std::vector<std::string> paths,
                   engine::LocalPaths(session, store, {CheckpointKey(root, version)}));
  // Each row as one JSON object: {"txn":null,"add":{...},...}; ParseAction takes the non-null
  // action column, so checkpoints with other column sets (Spark's) read the same way.
  Result<engine::QueryResult> result = session.Query(
      "SELECT to_json(cp)::VARCHAR FROM read_parquet(" + engine::QuoteLiteral(paths[0]) + ") cp");
  if (!result.ok()) {
    return result.status().WithContext("checkpoint " + std::to_string(version));
  }
  std::vector<Action> actions;
  for (const auto& row : result->rows) {
    ASSIGN_OR_RETURN(std::optional<Action> a, ParseAction(row[0].s));
    if (a) actions.push_back(std::move(*a));
  }
  return actions;
}

}  // namespace pinpipe::delta
