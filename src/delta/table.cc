#include "delta/table.h"

#include "delta/checkpoint.h"
#include "delta/log_files.h"
#include "engine/parquet.h"

namespace pinpipe::delta {
namespace {

std::string CastList(const Schema& schema, bool null_values) {
  std::string out;
  for (const Field& f : schema) {
    if (!out.empty()) out += ", ";
    std::string c = engine::QuoteIdentifier(f.name);
    out += "CAST(" + (null_values ? std::string("NULL") : c) + " AS " + DuckDbType(f) + ") AS " + c;
  }
  return out;
}

}  // namespace

Table::Table(objstore::ObjectStore& store, engine::Session& session, std::string root,
             TableOptions options)
    : store_(store), session_(session), root_(std::move(root)), options_(std::move(options)) {
  if (options_.clock == nullptr) options_.clock = Clock::Real();
  if (!options_.uuid) options_.uuid = RandomUuid;
}

int64_t Table::NowMs() { return options_.clock->NowMicros() / 1000; }
std::string Table::NewUuid() { return options_.uuid(); }

Result<std::unique_ptr<Table>> Table::Open(objstore::ObjectStore& store, engine::Session& session,
                                           std::string root, TableOptions options) {
  std::unique_ptr<Table> table(new Table(store, session, std::move(root), std::move(options)));
  ASSIGN_OR_RETURN(table->snapshot_, LoadSnapshot(store, session, table->root_));
  return table;
}

Result<std::unique_ptr<Table>> Table::OpenOrCreate(objstore::ObjectStore& store,
                                                   engine::Session& session, std::string root,
                                                   const Schema& schema, TableOptions options,
                                                   StringMap configuration) {
  std::unique_ptr<Table> table(new Table(store, session, std::move(root), std::move(options)));
  Result<Snapshot> existing = LoadSnapshot(store, session, table->root_);
  if (!existing.ok() && existing.status().code() != StatusCode::kNotFound) {
    return existing.status();
  }
  if (!existing.ok()) {
    int64_t now = table->NowMs();
    Metadata md;
    md.id = table->NewUuid();
    md.schema_string = ToSchemaString(schema);
    md.configuration = std::move(configuration);
    md.created_time = now;
    CommitInfo info;
    info.timestamp = now;
    info.operation = "CREATE TABLE";
    info.operation_parameters = {{"partitionBy", "[]"}};
    info.is_blind_append = true;
    info.engine_info = table->options_.engine_info;
    std::vector<Action> actions = {info, Protocol{kReaderVersion, kWriterVersion}, md};
    Status put = store.Put(CommitKey(table->root_, 0), SerializeActions(actions), {.if_absent = true});
    if (!put.ok() && put.code() != StatusCode::kAlreadyExists) return put;
    // Created now, or by a writer that raced us: either way read what is there.
    existing = LoadSnapshot(store, session, table->root_);
    if (!existing.ok()) return existing.status();
  }
  if (existing->schema != schema) {
    return FailedPreconditionError("delta table " + table->root_ +
                                   " exists with another schema: " + existing->metadata.schema_string);
  }
  table->snapshot_ = std::move(existing).value();
  return table;
}

Status Table::Refresh() { return UpdateSnapshot(store_, root_, &snapshot_); }

Result<CommitResult> Table::Commit(CommitRequest request) {
  if (snapshot_.protocol.min_writer_version > kWriterVersion) {
    return UnimplementedError("delta table " + root_ + " needs writer version " +
                              std::to_string(snapshot_.protocol.min_writer_version));
  }
  const bool blind = request.removes.empty() && !request.metadata;
  const int64_t read_version = snapshot_.version;
  const int64_t now = NowMs();
  for (Txn& txn : request.txns) {
    if (!txn.last_updated) txn.last_updated = now;
  }
  CommitResult result;
  for (result.attempts = 1; result.attempts <= options_.max_commit_attempts; ++result.attempts) {
    for (const Txn& txn : request.txns) {
      std::optional<int64_t> have = snapshot_.TxnVersion(txn.app_id);
      if (have && *have >= txn.version) {
        return AlreadyExistsError("delta table " + root_ + ": txn " + txn.app_id + " version " +
                                  std::to_string(txn.version) +
                                  " is already committed (table has " + std::to_string(*have) + ")");
      }
    }
    if (!blind && snapshot_.version != read_version) {
      return AbortedError("delta table " + root_ + " changed since version " +
                          std::to_string(read_version) + " (now " +
                          std::to_string(snapshot_.version) + "); recompute and retry");
    }
    for (const RemoveFile& r : request.removes) {
      if (snapshot_.files.count(r.path) == 0) {
        return AbortedError("delta table " + root_ + ": " + r.path + " is not a live file");
      }
    }
    const int64_t version = snapshot_.version + 1;
    CommitInfo info;
    info.timestamp = now;
    info.operation = request.operation;
    info.operation_parameters = request.operation_parameters;
    info.read_version = snapshot_.version;
    info.is_blind_append = blind;
    info.engine_info = options_.engine_info;
    std::vector<Action> actions = {info};
    if (request.metadata) actions.emplace_back(*request.metadata);
    for (const Txn& txn : request.txns) actions.emplace_back(txn);
    for (const AddFile& a : request.adds) actions.emplace_back(a);
    for (const RemoveFile& r : request.removes) actions.emplace_back(r);
    const std::string bytes = SerializeActions(actions);

    Status put = store_.Put(CommitKey(root_, version), bytes, {.if_absent = true});
    if (put.code() == StatusCode::kAlreadyExists) {
      // Lost the race, or an earlier attempt of ours landed although its reply was lost (S3):
      // the commit's bytes are unique (time, file UUIDs), so equal bytes mean it is ours.
      Result<std::string> there = store_.Get(CommitKey(root_, version));
      if (!(there.ok() && *there == bytes)) {
        RETURN_IF_ERROR(Refresh());
        continue;
      }
      put = Status::OK();
    }
    RETURN_IF_ERROR(put);
    for (const Action& a : actions) RETURN_IF_ERROR(snapshot_.Apply(a));
    snapshot_.version = version;
    result.version = version;
    if (options_.checkpoint_interval > 0 && version % options_.checkpoint_interval == 0) {
      result.checkpoint = WriteCheckpoint(session_, store_, root_, snapshot_, now).status();
    }
    return result;
  }
  return AbortedError("delta table " + root_ + ": gave up after " +
                      std::to_string(options_.max_commit_attempts) + " lost commit races");
}

Result<AddFile> Table::WriteDataFile(std::string_view select_sql) {
  const std::string staging = "__pinpipe_delta_write";
  RETURN_IF_ERROR(session_.Execute("CREATE OR REPLACE TEMP TABLE " + staging + " AS SELECT " +
                                   CastList(snapshot_.schema, false) + " FROM (" +
                                   std::string(select_sql) + ")"));
  AddFile add;
  add.path = "part-00000-" + NewUuid() + ".c000.snappy.parquet";
  Result<uint64_t> size = engine::WriteParquetObject(session_, "SELECT * FROM " + staging, store_,
                                                     JoinKey(root_, add.path));
  Result<std::string> stats = size.ok() ? ComputeStats(session_, staging, snapshot_.schema)
                                        : Result<std::string>(size.status());
  session_.Execute("DROP TABLE IF EXISTS " + staging).IgnoreError();
  if (!size.ok()) return size.status();
  if (!stats.ok()) return stats.status();
  add.size = static_cast<int64_t>(*size);
  add.modification_time = NowMs();
  add.data_change = true;
  add.stats = std::move(stats).value();
  return add;
}

std::vector<RemoveFile> Table::RemoveAll() const {
  std::vector<RemoveFile> removes;
  int64_t now = options_.clock->NowMicros() / 1000;
  for (const auto& [path, add] : snapshot_.files) {
    removes.push_back(RemoveFile{path, now, true, add.size});
  }
  return removes;
}

Status Table::CreateView(std::string_view view_name) {
  return CreateSnapshotView(session_, store_, root_, snapshot_, view_name);
}

Status CreateSnapshotView(engine::Session& session, objstore::ObjectStore& store,
                          std::string_view root, const Snapshot& snapshot,
                          std::string_view view_name) {
  std::string sql = "CREATE OR REPLACE VIEW " + engine::QuoteIdentifier(view_name) + " AS SELECT ";
  if (snapshot.files.empty()) {
    sql += CastList(snapshot.schema, true) + " WHERE false";
  } else {
    std::vector<std::string> keys;
    for (const auto& [path, add] : snapshot.files) keys.push_back(JoinKey(root, path));
    ASSIGN_OR_RETURN(std::vector<std::string> paths, engine::LocalPaths(session, store, keys));
    sql += CastList(snapshot.schema, false) + " FROM " + engine::ReadParquetSql(paths);
  }
  return session.Execute(sql);
}

}  // namespace pinpipe::delta
