// delta::Table: a writer and reader of one Delta table at `root` in an ObjectStore
// (docs/delta_layout.md). It keeps the snapshot it last saw; Commit makes the next version
// with put-if-absent and, when another writer got there first, reloads and retries as §3 of
// the doc says. Data files are written through the engine (DuckDB) with the Delta types.
//
// Errors of Commit: kAlreadyExists — one of the request's txns (appId, version) is not newer than the
// table's (the work is already committed; not retried); kAborted — a commit that removes files
// or changes metadata lost a race (recompute on Refresh()ed state), or too many lost races;
// kUnimplemented — the table needs a newer writer protocol; store errors as they come.
//
// Thread-safety: none; one Table per thread, used on the thread of its Session. Any number of
// Tables (in this process or others) may write the same table concurrently.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "delta/actions.h"
#include "delta/schema.h"
#include "delta/snapshot.h"
#include "delta/uuid.h"
#include "engine/session.h"
#include "objstore/object_store.h"

namespace pinpipe::delta {

struct TableOptions {
  Clock* clock = nullptr;        // modification/commit times; the real clock when null
  UuidSource uuid;               // table ids and file names; RandomUuid when empty
  int checkpoint_interval = 10;  // checkpoint after versions that are multiples; 0 = never
  int max_commit_attempts = 100;
  std::string engine_info = "pinpipe";
};

struct CommitRequest {
  std::vector<AddFile> adds;
  std::vector<RemoveFile> removes;  // each must be a live file of the snapshot
  std::vector<Txn> txns;            // distinct appIds; lastUpdated is filled in when absent
  std::optional<Metadata> metadata; // a schema/configuration change
  std::string operation = "WRITE";
  StringMap operation_parameters = {{"mode", "Append"}, {"partitionBy", "[]"}};
};

struct CommitResult {
  int64_t version = 0;
  int attempts = 1;
  Status checkpoint;  // a failed checkpoint does not fail the (durable) commit
};

class Table {
 public:
  // The existing table at `root`; kNotFound if there is none.
  static Result<std::unique_ptr<Table>> Open(objstore::ObjectStore& store,
                                             engine::Session& session, std::string root,
                                             TableOptions options = {});
  // Creates the table (version 0: protocol 1/2 and metaData) unless it exists; an existing
  // table must have `schema` (else kFailedPrecondition).
  static Result<std::unique_ptr<Table>> OpenOrCreate(objstore::ObjectStore& store,
                                                     engine::Session& session, std::string root,
                                                     const Schema& schema,
                                                     TableOptions options = {},
                                                     StringMap configuration = {});

  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  const Snapshot& snapshot() const { return snapshot_; }
  const std::string& root() const { return root_; }

  // Reads the commits made since the snapshot.
  Status Refresh();

  // Commits the request as the next version (see the header comment for the errors).
  Result<CommitResult> Commit(CommitRequest request);

  // Writes the rows of `select_sql` (columns named as the schema's; extra columns are dropped)
  // as a new Parquet data file, cast to the schema's types, and returns its `add` (with
  // stats). The file is durable but not part of the table until committed.
  Result<AddFile> WriteDataFile(std::string_view select_sql);

  // Removes for every live file (to replace the table's contents in one commit).
  std::vector<RemoveFile> RemoveAll() const;

  // CREATE OR REPLACE VIEW `view_name` over the snapshot's live files.
  Status CreateView(std::string_view view_name);

 private:
  Table(objstore::ObjectStore& store, engine::Session& session, std::string root,
        TableOptions options);
  int64_t NowMs();
  std::string NewUuid();

  objstore::ObjectStore& store_;
  engine::Session& session_;
  const std::string root_;
  TableOptions options_;
  Snapshot snapshot_;
};

// CREATE OR REPLACE VIEW `view_name` AS the rows of `snapshot`'s live files under `root`, every
// column cast to its DuckDB type (an empty table gives an empty view with the schema).
Status CreateSnapshotView(engine::Session& session, objstore::ObjectStore& store,
                          std::string_view root, const Snapshot& snapshot,
                          std::string_view view_name);

// The `stats` JSON of the rows of DuckDB relation `relation` (a table or view name) with
// `schema` (docs/delta_layout.md §2).
Result<std::string> ComputeStats(engine::Session& session, std::string_view relation,
                                 const Schema& schema);

}  // namespace pinpipe::delta
