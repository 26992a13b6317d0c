#include "scheduler/run_store.h"

#include <variant>

#include <sqlite3.h>

namespace pinpipe::scheduler {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  job TEXT NOT NULL,
  logical_date INTEGER NOT NULL,
  run_type TEXT NOT NULL,
  state TEXT NOT NULL,
  interval_start INTEGER NOT NULL,
  interval_end INTEGER NOT NULL,
  try_number INTEGER NOT NULL,
  max_tries INTEGER NOT NULL,
  queued_at INTEGER NOT NULL,
  start_time INTEGER NOT NULL,
  end_time INTEGER NOT NULL,
  next_try_at INTEGER NOT NULL,
  summary TEXT NOT NULL,
  error TEXT NOT NULL,
  log_path TEXT NOT NULL,
  PRIMARY KEY (job, logical_date)
);
CREATE INDEX IF NOT EXISTS runs_state ON runs (state);
)sql";

constexpr const char* kColumns =
    "job, logical_date, run_type, state, interval_start, interval_end, try_number, max_tries, "
    "queued_at, start_time, end_time, next_try_at, summary, error, log_path";

using Arg = std::variant<int64_t, std::string>;

// The one place SQLite result codes become a Status.
Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string message = std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return UnavailableError(message);
    case SQLITE_CONSTRAINT:
      return AlreadyExistsError(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return CorruptionError(message);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
      return IOError(message);
    default:
      return InternalError(message);
  }
}

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Status Bind(const std::vector<Arg>& args) {
    if (rc_ != SQLITE_OK) return SqliteError(db_, rc_, "preparing a statement");
    for (size_t i = 0; i < args.size(); i++) {
      int idx = static_cast<int>(i) + 1;
      int rc = std::holds_alternative<int64_t>(args[i])
                   ? sqlite3_bind_int64(stmt_, idx, std::get<int64_t>(args[i]))
                   : sqlite3_bind_text(stmt_, idx, std::get<std::string>(args[i]).c_str(), -1,
                                       SQLITE_TRANSIENT);
      if (rc != SQLITE_OK) return SqliteError(db_, rc, "binding");
    }
    return Status::OK();
  }
  // SQLITE_ROW → true, SQLITE_DONE → false.
  Result<bool> Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return SqliteError(db_, rc, "run history");
  }
  int64_t Int(int col) { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p != nullptr ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : "";
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

RunRecord ReadRow(Stmt& s) {
  RunRecord r;
  r.job = s.Text(0);
  r.logical_date = s.Int(1);
  r.run_type = s.Text(2);
  r.state = ParseRunState(s.Text(3)).value_or(RunState::kFailed);
  r.interval_start = s.Int(4);
  r.interval_end = s.Int(5);
  r.try_number = static_cast<int>(s.Int(6));
  r.max_tries = static_cast<int>(s.Int(7));
  r.queued_at = s.Int(8);
  r.start_time = s.Int(9);
  r.end_time = s.Int(10);
  r.next_try_at = s.Int(11);
  r.summary = s.Text(12);
  r.error = s.Text(13);
  r.log_path = s.Text(14);
  return r;
}

std::vector<Arg> RowArgs(const RunRecord& r) {
  return {r.job, r.logical_date, r.run_type, std::string(RunStateName(r.state)),
          r.interval_start, r.interval_end, static_cast<int64_t>(r.try_number),
          static_cast<int64_t>(r.max_tries), r.queued_at, r.start_time, r.end_time,
          r.next_try_at, r.summary, r.error, r.log_path};
}

Result<std::vector<RunRecord>> QueryRows(sqlite3* db, const std::string& sql,
                                         const std::vector<Arg>& args) {
  Stmt s(db, sql);
  RETURN_IF_ERROR(s.Bind(args));
  std::vector<RunRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadRow(s));
  }
  return out;
}

Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::OK();
  std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return SqliteError(nullptr, rc, msg);
}

}  // namespace

std::string_view RunStateName(RunState s) {
  switch (s) {
    case RunState::kQueued: return "queued";
    case RunState::kRunning: return "running";
    case RunState::kSuccess: return "success";
    case RunState::kFailed: return "failed";
    case RunState::kUpForRetry: return "up_for_retry";
  }
  return "failed";
}

std::optional<RunState> ParseRunState(std::string_view name) {
  for (RunState s : {RunState::kQueued, RunState::kRunning, RunState::kSuccess, RunState::kFailed,
                     RunState::kUpForRetry}) {
    if (RunStateName(s) == name) return s;
  }
  return std::nullopt;
}

Result<std::unique_ptr<RunStore>> RunStore::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteError(db, rc, "opening the run history " + path);
    sqlite3_close(db);
    return s;
  }
  auto store = std::unique_ptr<RunStore>(new RunStore(db));
  sqlite3_busy_timeout(db, 10000);
  RETURN_IF_ERROR(Exec(db, "PRAGMA journal_mode=WAL").WithContext(path));
  RETURN_IF_ERROR(Exec(db, "PRAGMA synchronous=FULL").WithContext(path));
  RETURN_IF_ERROR(Exec(db, kSchema).WithContext(path));
  return store;
}

RunStore::~RunStore() { sqlite3_close(db_); }

Status RunStore::Insert(const RunRecord& run) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, std::string("INSERT INTO runs (") + kColumns +
                  ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  RETURN_IF_ERROR(s.Bind(RowArgs(run)));
  auto r = s.Step();
  if (!r.ok() && r.status().code() == StatusCode::kAlreadyExists) {
    return AlreadyExistsError("job '" + run.job + "' already has a run for that logical date");
  }
  return r.status();
}

Result<std::optional<RunRecord>> RunStore::Get(const std::string& job, int64_t logical_date) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(auto rows, QueryRows(db_, std::string("SELECT ") + kColumns +
                                                 " FROM runs WHERE job = ? AND logical_date = ?",
                                        {job, logical_date}));
  if (rows.empty()) return std::optional<RunRecord>();
  return std::optional<RunRecord>(std::move(rows.front()));
}

Status RunStore::Update(const RunRecord& run, RunState expected) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_,
         "UPDATE runs SET run_type = ?, state = ?, interval_start = ?, interval_end = ?, "
         "try_number = ?, max_tries = ?, queued_at = ?, start_time = ?, end_time = ?, "
         "next_try_at = ?, summary = ?, error = ?, log_path = ? "
         "WHERE job = ? AND logical_date = ? AND state = ?");
  std::vector<Arg> args = RowArgs(run);
  std::vector<Arg> ordered(args.begin() + 2, args.end());
  ordered.push_back(run.job);
  ordered.push_back(run.logical_date);
  ordered.push_back(std::string(RunStateName(expected)));
  RETURN_IF_ERROR(s.Bind(ordered));
  RETURN_IF_ERROR(s.Step().status());
  if (sqlite3_changes(db_) == 1) return Status::OK();
  Stmt probe(db_, "SELECT state FROM runs WHERE job = ? AND logical_date = ?");
  RETURN_IF_ERROR(probe.Bind({run.job, run.logical_date}));
  ASSIGN_OR_RETURN(bool found, probe.Step());
  if (!found) return NotFoundError("no run of job '" + run.job + "' for that logical date");
  return AbortedError("the run of job '" + run.job + "' is " + probe.Text(0) + ", not " +
                      std::string(RunStateName(expected)));
}

Result<std::vector<RunRecord>> RunStore::List(const std::string& job, size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = std::string("SELECT ") + kColumns + " FROM runs" +
                    (job.empty() ? "" : " WHERE job = ?") +
                    " ORDER BY logical_date DESC, job LIMIT " + std::to_string(limit);
  return QueryRows(db_, sql, job.empty() ? std::vector<Arg>{} : std::vector<Arg>{job});
}

Result<std::vector<RunRecord>> RunStore::ListInStates(const std::vector<RunState>& states) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string in;
  std::vector<Arg> args;
  for (RunState s : states) {
    in += in.empty() ? "?" : ",?";
    args.emplace_back(std::string(RunStateName(s)));
  }
  return QueryRows(db_, std::string("SELECT ") + kColumns + " FROM runs WHERE state IN (" + in +
                           ") ORDER BY logical_date, job",
                   args);
}

Result<std::optional<int64_t>> RunStore::LastScheduledEnd(const std::string& job) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT MAX(interval_end) FROM runs WHERE job = ? AND run_type IN ('scheduled', 'backfill')");
  RETURN_IF_ERROR(s.Bind({job}));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row || s.Text(0).empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(s.Int(0));
}

Result<std::vector<std::pair<RunState, int64_t>>> RunStore::CountByState(const std::string& job) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT state, COUNT(*) FROM runs WHERE job = ? GROUP BY state");
  RETURN_IF_ERROR(s.Bind({job}));
  std::vector<std::pair<RunState, int64_t>> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    if (auto st = ParseRunState(s.Text(0))) out.emplace_back(*st, s.Int(1));
  }
  return out;
}

}  // namespace pinpipe::scheduler
