#include "batch/batch_job.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <variant>

#include "base/json_writer.h"
#include "batch/raw_objects.h"
#include "delta/schema.h"
#include "delta/table.h"
#include "engine/appender.h"
#include "model/records.h"
#include "model/row_cleaner.h"

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

Status LoadTable(objstore::ObjectStore& lake, engine::Session& session,
                 const BatchOptions& options, model::Table t, TableRun* run) {
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

  model::RowCleaner cleaner(t);
  if (!table->snapshot().files.empty()) {  // first arrival wins across runs too
    RETURN_IF_ERROR(table->CreateView("__pinpipe_existing"));
    ASSIGN_OR_RETURN(engine::QueryResult existing,
                     session.Query("SELECT ind FROM __pinpipe_existing WHERE ind IS NOT NULL"));
    for (const std::vector<engine::Value>& row : existing.rows) cleaner.MarkSeen(row[0].i);
  }

  const std::string stage = "__pinpipe_stage_" + std::string(model::TableName(t));
  RETURN_IF_ERROR(session.Execute("DROP TABLE IF EXISTS " + stage));
  RETURN_IF_ERROR(engine::CreateCleanTable(session, stage, t, /*temporary=*/true));
  Stager stager(session, stage);
  std::map<int32_t, int64_t> next;  // per partition: the offset after the last record taken
  RETURN_IF_ERROR(FetchInOrder(
      lake, objects, options.fetch_threads, [&](const RawObject& object, std::string bytes) {
        run->objects++;
        run->bytes += static_cast<int64_t>(bytes.size());
        int64_t records = 0;
        std::string_view rest = bytes;
        while (!rest.empty()) {
          size_t newline = rest.find('\n');
          std::string_view line = rest.substr(0, newline);
          rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
          if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
          ++records;
          Result<std::optional<model::CleanRow>> row = cleaner.ProcessRow(line);
          if (!row.ok() || !row->has_value()) continue;  // counted as rejected or duplicate
          RETURN_IF_ERROR(stager.Add(std::move(**row)));
        }
        int64_t& partition_next = next[object.partition];
        partition_next =
            std::max(partition_next, object.start_offset + std::max<int64_t>(records, 1));
        return Status::OK();
      }));
  RETURN_IF_ERROR(stager.Flush());

  delta::CommitRequest request;
  if (stager.rows() > 0) {
    ASSIGN_OR_RETURN(delta::AddFile add, table->WriteDataFile("SELECT * FROM " + stage));
    request.adds.push_back(std::move(add));
  }
  for (const auto& [partition, offset] : next) {
    request.txns.push_back(delta::Txn{topic + "/" + std::to_string(partition), offset, {}});
  }
  session.Execute("DROP TABLE IF EXISTS " + stage).IgnoreError();
  Result<delta::CommitResult> commit = table->Commit(std::move(request));
  if (commit.status().code() == StatusCode::kAlreadyExists) {
    // Our txn versions are in the table already: a commit whose reply was lost (the store
    // retried the put and found it there), or another run that took the same objects. Either
    // way the rows are committed exactly once.
    RETURN_IF_ERROR(table->Refresh());
    run->version = table->snapshot().version;
  } else {
    RETURN_IF_ERROR(commit.status());
    run->version = commit->version;
  }
  run->rows_added = stager.rows();
  run->quality += cleaner.quality();
  return Status::OK();
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
  for (model::Table t : kTables) {
    TableRun run(t);
    run.table = CleanTableName(t);
    Status status = LoadTable(lake, session, options, t, &run);
    if (!status.ok()) {
      return Status(status.code(), run.table + ": " + std::string(status.message()));
    }
    result.tables.push_back(std::move(run));
  }
  if (options.run_analyses && !options.analyses.empty()) {
    for (model::Table t : kTables) {
      const std::string root = options.tables_prefix + "/" + CleanTableName(t);
      ASSIGN_OR_RETURN(std::unique_ptr<delta::Table> table,
                       delta::Table::Open(lake, session, root));
      RETURN_IF_ERROR(table->CreateView(CleanTableName(t)));
    }
    for (const Analysis& analysis : options.analyses) {
      AnalysisRun run;
      RETURN_IF_ERROR(RunAnalysis(lake, session, options, analysis, &run));
      result.analyses.push_back(std::move(run));
    }
  }
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
