#include "batch/batch_job.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>
#include <variant>

#include "base/json_writer.h"
#include "batch/object_cleaner.h"
#include "batch/raw_objects.h"
#include "delta/schema.h"
#include "delta/table.h"
#include "delta/log_files.h"
#include "delta/uuid.h"
#include "engine/appender.h"
#include "engine/parquet.h"
#include "model/records.h"

namespace pinpipe::batch {
namespace {

constexpr model::Table kTables[] = {model::Table::kPin, model::Table::kGeo, model::Table::kUser};
constexpr size_t kFlushRows = 16384;

std::string CleanTableName(model::Table table) {
  return "cleaned_" + std::string(model::TableName(table));
}

Status DeletePrefix(objstore::ObjectStore& lake, const std::string& prefix) {
  ASSIGN_OR_RETURN(std::vector<objstore::ObjectInfo> objects, objstore::ListAll(lake, prefix));
  for (const objstore::ObjectInfo& object : objects) RETURN_IF_ERROR(lake.Delete(object.key));
  return Status::OK();
}

// Where each partition of `topic` continues: the txn versions of appIds "<topic>/<p>".
std::map<int32_t, int64_t> ProcessedOffsets(const delta::Snapshot& snapshot,
                                            std::string_view topic) {
  std::map<int32_t, int64_t> from;
  std::string head = std::string(topic) + "/";
  for (const auto& [app_id, txn] : snapshot.txns) {
    if (!app_id.starts_with(head)) continue;
    std::string_view p = std::string_view(app_id).substr(head.size());
    int32_t partition = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), partition);
    if (ec == std::errc() && end == p.data() + p.size()) from[partition] = txn.version;
  }
  return from;
}

// Cleaned rows of one table on their way into a DuckDB staging table, in chunks.
class Stager {
 public:
  Stager(engine::Session& session, std::string name) : session_(session), name_(std::move(name)) {}

  Status Add(model::CleanRow row) {
    std::visit([this](auto& clean) { Buffer<std::decay_t<decltype(clean)>>().push_back(std::move(clean)); },
               row);
    ++rows_;
    return ++pending_ >= kFlushRows ? Flush() : Status::OK();
  }

  Status Flush() {
    pending_ = 0;
    if (!pins_.empty()) RETURN_IF_ERROR(engine::AppendRows(session_, name_, pins_));
    if (!geos_.empty()) RETURN_IF_ERROR(engine::AppendRows(session_, name_, geos_));
    if (!users_.empty()) RETURN_IF_ERROR(engine::AppendRows(session_, name_, users_));
    pins_.clear();
    geos_.clear();
    users_.clear();
    return Status::OK();
  }

  int64_t rows() const { return rows_; }

 private:
  template <typename Row>
  std::vector<Row>& Buffer() {
    if constexpr (std::is_same_v<Row, model::CleanPin>) return pins_;
    else if constexpr (std::is_same_v<Row, model::CleanGeo>) return geos_;
    else return users_;
  }

  engine::Session& session_;
  const std::string name_;
  std::vector<model::CleanPin> pins_;
  std::vector<model::CleanGeo> geos_;
  std::vector<model::CleanUser> users_;
  size_t pending_ = 0;
  int64_t rows_ = 0;
};

// The rows of `stage` (a table made by engine::CreateCleanTable) as a new data file of
// `table`. When the stage's columns are the table's, name for name and type for type (the
// cleaned tables' case), its rows go to Parquet as they are; Table::WriteDataFile would first
// copy them all through casts into another temp table.
Result<delta::AddFile> WriteStagedFile(objstore::ObjectStore& lake, engine::Session& session,
                                       delta::Table& table, const std::string& stage,
                                       Clock* clock) {
  const delta::Schema& schema = table.snapshot().schema;
  ASSIGN_OR_RETURN(std::vector<engine::Column> columns,
                   session.Describe("SELECT * FROM " + stage));
  bool same = columns.size() == schema.size();
  for (size_t c = 0; same && c < columns.size(); ++c) {
    same = columns[c].name == schema[c].name && columns[c].type.sql == delta::DuckDbType(schema[c]);
  }
  if (!same) return table.WriteDataFile("SELECT * FROM " + stage);
  delta::AddFile add;
  add.path = "part-00000-" + delta::RandomUuid() + ".c000.snappy.parquet";
  ASSIGN_OR_RETURN(uint64_t size,
                   engine::WriteParquetObject(session, "SELECT * FROM " + stage, lake,
                                              delta::JoinKey(table.root(), add.path)));
  ASSIGN_OR_RETURN(add.stats, delta::ComputeStats(session, stage, schema));
  add.size = static_cast<int64_t>(size);
  add.modification_time = clock->NowMicros() / 1000;
  add.data_change = true;
  return add;
}

// The crash-test hook of batch_job.h: widens the window between a data file and its commit.
void PauseBeforeCommit() {
  static const int64_t ms = [] {
    const char* v = std::getenv("PINPIPE_BATCH_PAUSE_BEFORE_COMMIT_MS");  // NOLINT(concurrency-mt-unsafe)
    return v != nullptr ? std::strtoll(v, nullptr, 10) : 0;
  }();
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

std::string StageName(model::Table t) { return "__pinpipe_stage_" + std::string(model::TableName(t)); }

// Reads, cleans and dedups `objects` into the temp table `stage` (created here). Decoding and
// cleaning run on the fetch threads, one ObjectCleaner each; dedup (which needs the order) and
// staging on this thread.
Status StageObjects(objstore::ObjectStore& lake, engine::Session& session,
                    const BatchOptions& options, model::Table t,
                    const std::vector<RawObject>& objects, const std::string& stage,
                    InOrderDedup* dedup, TableRun* run, std::map<int32_t, int64_t>* next,
                    int64_t* rows) {
  RETURN_IF_ERROR(engine::CreateCleanTable(session, stage, t, /*temporary=*/true));
  Stager stager(session, stage);
  std::vector<std::unique_ptr<ObjectCleaner>> cleaners;
  const int threads = std::max(1, options.fetch_threads);
  for (int w = 0; w < threads; ++w) cleaners.push_back(std::make_unique<ObjectCleaner>(t));
  std::vector<CleanedObject> cleaned(objects.size());
  RETURN_IF_ERROR(FetchInOrder(
      lake, objects, threads,
      [&](int worker, size_t i, std::string bytes) {
        cleaners[worker]->Clean(bytes, &cleaned[i]);
        cleaned[i].bytes = static_cast<int64_t>(bytes.size());
        return Status::OK();
      },
      [&](size_t i) {
        CleanedObject object = std::move(cleaned[i]);
        const RawObject& raw = objects[i];
        run->objects++;
        run->bytes += object.bytes;
        RETURN_IF_ERROR(dedup->Take(object, [&](model::CleanRow&& row) {
          return stager.Add(std::move(row));
        }));
        int64_t& partition_next = (*next)[raw.partition];
        partition_next =
            std::max(partition_next, raw.start_offset + std::max<int64_t>(object.records, 1));
        return Status::OK();
      }));
  RETURN_IF_ERROR(stager.Flush());
  *rows = stager.rows();
  return Status::OK();
}

Status LoadTable(objstore::ObjectStore& lake, engine::Session& session,
                 const BatchOptions& options, model::Table t, TableRun* run,
                 std::string* committed_path) {
  const std::string root = options.tables_prefix + "/" + run->table;
  if (options.full_refresh) RETURN_IF_ERROR(DeletePrefix(lake, root + "/"));
  delta::TableOptions table_options;
  table_options.clock = options.clock;
  ASSIGN_OR_RETURN(std::unique_ptr<delta::Table> table,
                   delta::Table::OpenOrCreate(lake, session, root, delta::CleanTableSchema(t),
                                              table_options));
  const std::string topic = options.user_id + "." + std::string(model::TableName(t));
  ASSIGN_OR_RETURN(std::vector<RawObject> objects,
                   ListRawObjects(lake, topic, ProcessedOffsets(table->snapshot(), topic)));
  if (objects.empty()) return Status::OK();

  InOrderDedup dedup(t);
  std::map<int32_t, int64_t> next;  // per partition: the offset after the last record taken
  int64_t rows = 0;
  if (!table->snapshot().files.empty()) {  // first arrival wins across runs too
    RETURN_IF_ERROR(table->CreateView("__pinpipe_existing"));
    ASSIGN_OR_RETURN(engine::QueryResult existing,
                     session.Query("SELECT ind FROM __pinpipe_existing WHERE ind IS NOT NULL"));
    for (const std::vector<engine::Value>& row : existing.rows) dedup.MarkSeen(row[0].i);
  }

  const std::string stage = StageName(t);
  RETURN_IF_ERROR(session.Execute("DROP TABLE IF EXISTS " + stage));
  // The stage is created and filled in one transaction: DuckDB then moves the appended row
  // groups into the new table at commit instead of copying every value once more.
  RETURN_IF_ERROR(session.Execute("BEGIN TRANSACTION"));
  Status staged = StageObjects(lake, session, options, t, objects, stage, &dedup, run, &next,
                               &rows);
  staged = staged.ok() ? session.Execute("COMMIT") : staged;
  if (!staged.ok()) {
    session.Execute("ROLLBACK").IgnoreError();
    return staged;
  }


  delta::CommitRequest request;
  std::string added;
  if (rows > 0) {
    Clock* clock = options.clock != nullptr ? options.clock : Clock::Real();
    ASSIGN_OR_RETURN(delta::AddFile add, WriteStagedFile(lake, session, *table, stage, clock));
    added = add.path;
    request.adds.push_back(std::move(add));
  }
  for (const auto& [partition, offset] : next) {
    request.txns.push_back(delta::Txn{topic + "/" + std::to_string(partition), offset, {}});
  }
  PauseBeforeCommit();
  Result<delta::CommitResult> commit = table->Commit(std::move(request));
  if (commit.status().code() == StatusCode::kAlreadyExists) {
    // Our txn versions are in the table already: a commit whose reply was lost (the store
    // retried the put and found it there), or another run that took the same objects. Either
    // way the rows are committed exactly once.
    RETURN_IF_ERROR(table->Refresh());
    run->version = table->snapshot().version;
    added.clear();  // what is committed may not be our rows
  } else {
    RETURN_IF_ERROR(commit.status());
    run->version = commit->version;
  }
  run->rows_added = rows;
  run->quality += dedup.quality();
  *committed_path = std::move(added);
  return Status::OK();
}

// CREATE OR REPLACE VIEW `name` over the cleaned table at `root` for the analyses. The rows
// this run committed as `committed_path` are still in its stage table, so when that file is
// live the view reads them from there and only the table's other files from Parquet.
Status CreateCleanedView(objstore::ObjectStore& lake, engine::Session& session,
                         const std::string& root, model::Table t,
                         const std::string& committed_path, const std::string& name) {
  ASSIGN_OR_RETURN(std::unique_ptr<delta::Table> table, delta::Table::Open(lake, session, root));
  delta::Snapshot rest = table->snapshot();
  if (committed_path.empty() || rest.files.erase(committed_path) == 0) {
    return table->CreateView(name);
  }
  const std::string stage = StageName(t);
  if (rest.files.empty()) {
    return session.Execute("CREATE OR REPLACE VIEW " + name + " AS SELECT * FROM " + stage);
  }
  const std::string others = "__pinpipe_rest_" + std::string(model::TableName(t));
  RETURN_IF_ERROR(delta::CreateSnapshotView(session, lake, root, rest, others));
  return session.Execute("CREATE OR REPLACE VIEW " + name + " AS SELECT * FROM " + others +
                         " UNION ALL SELECT * FROM " + stage);
}

std::string TrimStatement(std::string_view sql) {
  while (!sql.empty() && (sql.back() == ';' || std::isspace(static_cast<unsigned char>(sql.back())))) {
    sql.remove_suffix(1);
  }
  return std::string(sql);
}

Status RunAnalysis(objstore::ObjectStore& lake, engine::Session& session,
                   const BatchOptions& options, const Analysis& analysis, AnalysisRun* run) {
  run->name = analysis.name;
  run->table = "analysis_" + analysis.name;
  const std::string scratch = "__pinpipe_analysis";
  Status created = session.Execute("CREATE OR REPLACE TEMP TABLE " + scratch + " AS " +
                                    TrimStatement(analysis.sql));
  if (!created.ok()) {
    return Status(created.code(), "analysis " + analysis.name + ": " + std::string(created.message()));
  }
  ASSIGN_OR_RETURN(run->result, session.Query("SELECT * FROM " + scratch));
  ASSIGN_OR_RETURN(delta::Schema schema, delta::SchemaFromColumns(run->result.columns));
  const std::string root = options.tables_prefix + "/" + run->table;
  delta::TableOptions table_options;
  table_options.clock = options.clock;
  Result<std::unique_ptr<delta::Table>> table =
      delta::Table::OpenOrCreate(lake, session, root, schema, table_options);
  if (table.status().code() == StatusCode::kFailedPrecondition) {  // the SQL's columns changed
    RETURN_IF_ERROR(DeletePrefix(lake, root + "/"));
    table = delta::Table::OpenOrCreate(lake, session, root, schema, table_options);
  }
  RETURN_IF_ERROR(table.status());
  delta::CommitRequest request;
  request.removes = (*table)->RemoveAll();
  ASSIGN_OR_RETURN(delta::AddFile add, (*table)->WriteDataFile("SELECT * FROM " + scratch));
  request.adds.push_back(std::move(add));
  request.operation_parameters = {{"mode", "Overwrite"}, {"partitionBy", "[]"}};
  RETURN_IF_ERROR((*table)->Commit(std::move(request)).status());
  return session.Execute("DROP TABLE IF EXISTS " + scratch);
}

}  // namespace

std::string RunSummaryKey(int64_t started_ms) {
  return "_pinpipe/batch_runs/" + std::to_string(started_ms) + ".json";
}

std::string BatchResult::QualityJson() const {
  std::string out = "{";
  out += "\"date\":";
  out += date.has_value() ? "\"" + *date + "\"" : "null";
  out += ",\"started_ms\":" + std::to_string(started_ms);
  out += ",\"finished_ms\":" + std::to_string(finished_ms);
  out += ",\"tables\":[";
  for (size_t i = 0; i < tables.size(); ++i) {
    const TableRun& t = tables[i];
    if (i > 0) out += ",";
    out += "{\"name\":\"" + t.table + "\",\"objects\":" + std::to_string(t.objects) +
           ",\"bytes\":" + std::to_string(t.bytes) + ",\"rows_added\":" +
           std::to_string(t.rows_added) + ",\"version\":" + std::to_string(t.version) +
           ",\"quality\":" + t.quality.ToJson() + "}";
  }
  out += "],\"analyses\":[";
  for (size_t i = 0; i < analyses.size(); ++i) {
    if (i > 0) out += ",";
    out += "{\"table\":\"" + analyses[i].table +
           "\",\"rows\":" + std::to_string(analyses[i].result.rows.size()) + "}";
  }
  out += "]}";
  return out;
}

std::string BatchResult::QualityText() const {
  std::string out;
  for (const TableRun& t : tables) {
    out += t.table + ": " + std::to_string(t.objects) + " objects, " +
           std::to_string(t.rows_added) + " rows added" +
           (t.version >= 0 ? " (Delta version " + std::to_string(t.version) + ")" : "") + "\n";
    if (t.quality.rows_read() > 0) out += "  " + t.quality.ToText();
    if (!out.empty() && out.back() != '\n') out += "\n";
  }
  return out;
}

Result<BatchResult> RunBatch(objstore::ObjectStore& lake, engine::Session& session,
                             const BatchOptions& options) {
  if (options.user_id.empty()) return InvalidArgumentError("batch: user_id is empty");
  Clock* clock = options.clock != nullptr ? options.clock : Clock::Real();
  BatchResult result;
  result.date = options.date;
  result.started_ms = clock->NowMicros() / 1000;
  std::array<std::string, 3> committed;  // per table: the data file this run committed
  Status status = [&]() -> Status {
    for (size_t i = 0; i < std::size(kTables); ++i) {
      TableRun run(kTables[i]);
      run.table = CleanTableName(kTables[i]);
      Status loaded = LoadTable(lake, session, options, kTables[i], &run, &committed[i]);
      if (!loaded.ok()) {
        return Status(loaded.code(), run.table + ": " + std::string(loaded.message()));
      }
      result.tables.push_back(std::move(run));
      if (!options.run_analyses || options.analyses.empty() || committed[i].empty()) {
        RETURN_IF_ERROR(session.Execute("DROP TABLE IF EXISTS " + StageName(kTables[i])));
        committed[i].clear();
      }
    }
    if (!options.run_analyses || options.analyses.empty()) return Status::OK();
    for (size_t i = 0; i < std::size(kTables); ++i) {
      RETURN_IF_ERROR(CreateCleanedView(lake, session,
                                        options.tables_prefix + "/" + CleanTableName(kTables[i]),
                                        kTables[i], committed[i], CleanTableName(kTables[i])));
    }
    for (const Analysis& analysis : options.analyses) {
      AnalysisRun run;
      RETURN_IF_ERROR(RunAnalysis(lake, session, options, analysis, &run));
      result.analyses.push_back(std::move(run));
    }
    return Status::OK();
  }();
  // The views and stage tables are this run's; the session may run more.
  for (model::Table t : kTables) {
    session.Execute("DROP VIEW IF EXISTS " + CleanTableName(t)).IgnoreError();
    session.Execute("DROP VIEW IF EXISTS __pinpipe_rest_" + std::string(model::TableName(t)))
        .IgnoreError();
    session.Execute("DROP TABLE IF EXISTS " + StageName(t)).IgnoreError();
  }
  RETURN_IF_ERROR(status);
  result.finished_ms = clock->NowMicros() / 1000;
  RETURN_IF_ERROR(lake.Put(RunSummaryKey(result.started_ms), result.QualityJson()));
  return result;
}

Result<std::vector<std::string>> CreateTableViews(objstore::ObjectStore& lake,
                                                  engine::Session& session,
                                                  std::string_view tables_prefix) {
  const std::string prefix = std::string(tables_prefix) + "/";
  ASSIGN_OR_RETURN(std::vector<objstore::ObjectInfo> objects, objstore::ListAll(lake, prefix));
  std::set<std::string> names;
  for (const objstore::ObjectInfo& object : objects) {
    std::string_view rest = std::string_view(object.key).substr(prefix.size());
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) continue;
    if (rest.substr(slash + 1).starts_with("_delta_log/")) names.emplace(rest.substr(0, slash));
  }
  std::vector<std::string> created;
  for (const std::string& name : names) {
    Result<std::unique_ptr<delta::Table>> table = delta::Table::Open(lake, session, prefix + name);
    if (table.status().code() == StatusCode::kNotFound) continue;  // a log without version 0
    RETURN_IF_ERROR(table.status());
    RETURN_IF_ERROR((*table)->CreateView(name));
    created.push_back(name);
  }
  return created;
}

}  // namespace pinpipe::batch
