#include "scheduler/scheduler.h"

#include <filesystem>
#include <system_error>

#include "io/posix_file_system.h"
#include "scheduler/civil_time.h"

namespace pinpipe::scheduler {
namespace {

constexpr int64_t kMicros = 1'000'000;

std::string Compact(int64_t micros) {
  std::string s = FormatUtc(micros / kMicros);  // 2024-03-31T00:00:00Z
  std::string out;
  for (char c : s) {
    if (c != '-' && c != ':') out += c;
  }
  return out;  // 20240331T000000Z
}

std::string Describe(const RunRecord& r) {
  return r.job + " " + FormatUtc(r.logical_date / kMicros) + " (" + r.run_type + ")";
}

}  // namespace

std::string RunStorePath(const std::string& data_dir) { return io::JoinPath(data_dir, "scheduler.db"); }
std::string LogRoot(const std::string& data_dir) {
  return io::JoinPath(io::JoinPath(data_dir, "scheduler"), "logs");
}

Result<std::unique_ptr<io::FileLock>> LockSchedulerDir(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return IOError("cannot create the data dir '" + data_dir + "': " + ec.message());
  auto lock = io::PosixFileSystem::Default()->LockFile(io::JoinPath(data_dir, "scheduler.lock"));
  if (!lock.ok() && lock.status().code() == StatusCode::kUnavailable) {
    return UnavailableError("another scheduler is running on " + data_dir +
                            " (pinpipe up holds " + io::JoinPath(data_dir, "scheduler.lock") + ")");
  }
  return lock;
}

Scheduler::Scheduler(const JobRegistry* registry, Clock* clock, SchedulerOptions options,
                     std::unique_ptr<io::FileLock> lock, std::unique_ptr<RunStore> store)
    : registry_(registry), clock_(clock), options_(std::move(options)), lock_(std::move(lock)),
      store_(std::move(store)) {}

Scheduler::~Scheduler() { Stop(); }

Result<std::unique_ptr<Scheduler>> Scheduler::Open(const JobRegistry* registry, Clock* clock,
                                                   SchedulerOptions options,
                                                   std::unique_ptr<io::FileLock> lock) {
  if (!lock) {
    ASSIGN_OR_RETURN(lock, LockSchedulerDir(options.data_dir));
  }
  ASSIGN_OR_RETURN(auto store, RunStore::Open(RunStorePath(options.data_dir)));
  auto s = std::unique_ptr<Scheduler>(
      new Scheduler(registry, clock, std::move(options), std::move(lock), std::move(store)));
  RETURN_IF_ERROR(s->Recover());
  return s;
}

void Scheduler::Log(const std::string& line) const {
  if (options_.log) options_.log(line);
}

Status Scheduler::Recover() {
  ASSIGN_OR_RETURN(auto running, store_->ListInStates({RunState::kRunning}));
  int64_t now = clock_->NowMicros();
  for (RunRecord r : running) {
    r.end_time = now;
    r.error = "the scheduler stopped while try " + std::to_string(r.try_number) +
              " was running (crash or kill); the try counts as failed";
    const JobRegistry::Entry* e = registry_->Find(r.job);
    if (r.try_number < r.max_tries) {
      r.state = RunState::kUpForRetry;
      r.next_try_at = now + (e != nullptr ? RetryDelay(e->spec(), r.try_number) : 0);
    } else {
      r.state = RunState::kFailed;
    }
    RETURN_IF_ERROR(store_->Update(r, RunState::kRunning));
    Log("recovered " + Describe(r) + ": " + std::string(RunStateName(r.state)));
  }
  return Status::OK();
}

Status Scheduler::CreateDueRuns(const JobRegistry::Entry& entry, int64_t now) {
  const std::string& job = entry.spec().name;
  // Bounded, so a years-long catch-up cannot stall a tick; the rest come next tick.
  for (int i = 0; i < 1000; i++) {
    ASSIGN_OR_RETURN(std::optional<int64_t> last_end, store_->LastScheduledEnd(job));
    std::optional<DataInterval> due = entry.timetable.NextDue(last_end, now);
    if (!due) return Status::OK();
    RunRecord r;
    r.job = job;
    r.logical_date = due->start;
    r.run_type = "scheduled";
    r.state = RunState::kQueued;
    r.interval_start = due->start;
    r.interval_end = due->end;
    r.max_tries = entry.spec().retries + 1;
    r.queued_at = now;
    Status s = store_->Insert(r);
    if (s.code() == StatusCode::kAlreadyExists) {
      // A manual or backfill run holds this logical date: it counts as the scheduled one.
      ASSIGN_OR_RETURN(std::optional<RunRecord> existing, store_->Get(job, due->start));
      if (!existing) return s;
      RunRecord adopt = *existing;
      adopt.run_type = "scheduled";
      adopt.interval_end = due->end;
      RETURN_IF_ERROR(store_->Update(adopt, existing->state));
      continue;
    }
    RETURN_IF_ERROR(s);
    Log("queued " + Describe(r));
  }
  return Status::OK();
}

Status Scheduler::StartRuns(int64_t now) {
  // Inline, a try has ended before the next one starts, so the history is re-read after each
  // one; on threads one pass starts every run that has a slot.
  for (int pass = 0; pass < 100000; pass++) {
    ASSIGN_OR_RETURN(auto runs, store_->ListInStates({RunState::kQueued, RunState::kUpForRetry,
                                                      RunState::kRunning}));
    std::map<std::string, int> active;
    for (const RunRecord& r : runs) {
      if (r.state != RunState::kQueued) active[r.job]++;
    }
    bool started = false;
    for (RunRecord& r : runs) {
      const JobRegistry::Entry* e = registry_->Find(r.job);
      if (e == nullptr || r.state == RunState::kRunning) continue;
      bool go = r.state == RunState::kUpForRetry ? r.next_try_at <= now
                                                 : active[r.job] < e->spec().max_active_runs;
      if (!go) continue;
      if (r.state == RunState::kQueued) active[r.job]++;
      RETURN_IF_ERROR(StartTry(*e, r, now));
      started = true;
      if (options_.inline_runs) break;
    }
    if (!started || !options_.inline_runs) return Status::OK();
    now = clock_->NowMicros();
  }
  return Status::OK();
}

Status Scheduler::StartTry(const JobRegistry::Entry& entry, RunRecord run, int64_t now) {
  RunState was = run.state;
  run.state = RunState::kRunning;
  run.try_number++;
  run.start_time = now;
  run.end_time = 0;
  run.next_try_at = 0;
  run.error.clear();
  std::string dir = io::JoinPath(io::JoinPath(LogRoot(options_.data_dir), run.job), Compact(run.logical_date));
  run.log_path = io::JoinPath(dir, "try-" + std::to_string(run.try_number) + ".log");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IOError("cannot create the log dir " + dir + ": " + ec.message());
  Status claimed = store_->Update(run, was);
  if (claimed.code() == StatusCode::kAborted || claimed.code() == StatusCode::kNotFound) {
    return Status::OK();  // changed by another process (clear) since we listed it
  }
  RETURN_IF_ERROR(claimed);
  Log("started " + Describe(run) + " try " + std::to_string(run.try_number));

  const JobSpec& spec = entry.spec();
  auto token = std::make_unique<CancelToken>(
      clock_, spec.execution_timeout > 0 ? now + spec.execution_timeout : 0);
  JobRun jr;
  jr.job = run.job;
  jr.logical_date = run.logical_date;
  jr.interval_start = run.interval_start;
  jr.interval_end = run.interval_end;
  jr.ds = entry.timetable.Ds(run.logical_date);
  jr.run_type = run.run_type;
  jr.try_number = run.try_number;
  jr.log_path = run.log_path;
  jr.cancel = token.get();
  if (options_.inline_runs) {
    JobOutcome outcome = entry.job->Run(jr);
    return Finish(std::move(run), outcome, *token, false);
  }
  auto a = std::make_unique<Active>();
  Active* raw = a.get();
  a->run = run;
  a->token = std::move(token);
  std::lock_guard<std::mutex> lock(mu_);
  a->thread = std::thread([this, raw, jr, job = entry.job.get()] {
    JobOutcome outcome = job->Run(jr);
    std::lock_guard<std::mutex> l(mu_);
    raw->outcome = std::move(outcome);
    raw->done = true;
    cv_.notify_all();
  });
  active_[{run.job, run.logical_date}] = std::move(a);
  return Status::OK();
}

Status Scheduler::Finish(RunRecord run, const JobOutcome& outcome, const CancelToken& token,
                         bool shutdown) {
  int64_t now = clock_->NowMicros();
  run.end_time = now;
  const JobRegistry::Entry* e = registry_->Find(run.job);
  if (outcome.status.ok()) {
    run.state = RunState::kSuccess;
    run.summary = outcome.summary_json;
  } else if (shutdown && !token.timed_out()) {
    run.state = RunState::kQueued;  // cut short by Stop: not the job's failure
    run.try_number--;
    run.error = "interrupted by shutdown; runs again when the scheduler starts";
  } else {
    run.summary = outcome.summary_json;
    run.error = token.timed_out()
                    ? "execution timeout (" +
                          std::to_string(e != nullptr ? e->spec().execution_timeout / kMicros : 0) +
                          " s): " + std::string(outcome.status.message())
                    : std::string(outcome.status.message());
    if (run.try_number < run.max_tries) {
      run.state = RunState::kUpForRetry;
      run.next_try_at = now + (e != nullptr ? RetryDelay(e->spec(), run.try_number) : 0);
    } else {
      run.state = RunState::kFailed;
    }
  }
  RETURN_IF_ERROR(store_->Update(run, RunState::kRunning));
  Log("finished " + Describe(run) + " try " + std::to_string(run.try_number) + ": " +
      std::string(RunStateName(run.state)) + (run.error.empty() ? "" : " (" + run.error + ")"));
  return Status::OK();
}

Status Scheduler::ReapFinished(bool shutdown) {
  std::vector<std::unique_ptr<Active>> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = active_.begin(); it != active_.end();) {
      if (it->second->done) {
        done.push_back(std::move(it->second));
        it = active_.erase(it);
      } else {
        ++it;
      }
    }
  }
  Status first;
  for (auto& a : done) {
    a->thread.join();
    Status s = Finish(a->run, a->outcome, *a->token, shutdown);
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

Status Scheduler::Tick() {
  RETURN_IF_ERROR(ReapFinished(false));
  int64_t now = clock_->NowMicros();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [key, a] : active_) {
      if (a->token->timed_out()) a->token->Cancel();
    }
  }
  if (options_.create_scheduled_runs) {
    for (const std::string& name : registry_->Names()) {
      RETURN_IF_ERROR(CreateDueRuns(*registry_->Find(name), now));
    }
  }
  return StartRuns(now);
}

Result<RunRecord> Scheduler::RunToCompletion(const std::string& job, int64_t logical_date) {
  if (!options_.inline_runs) return FailedPreconditionError("RunToCompletion needs inline_runs");
  ASSIGN_OR_RETURN(const JobRegistry::Entry* e, registry_->Get(job));
  while (true) {
    ASSIGN_OR_RETURN(std::optional<RunRecord> r, store_->Get(job, logical_date));
    if (!r) return NotFoundError("no run of job '" + job + "' for that logical date");
    if (IsTerminal(r->state)) return *r;
    if (r->state == RunState::kRunning) {
      return FailedPreconditionError("the run is already running");
    }
    int64_t now = clock_->NowMicros();
    if (r->state == RunState::kUpForRetry && r->next_try_at > now) {
      Log("waiting " + std::to_string((r->next_try_at - now + kMicros - 1) / kMicros) +
          " s before try " + std::to_string(r->try_number + 1));
      clock_->SleepForMicros(r->next_try_at - now);
      continue;
    }
    RETURN_IF_ERROR(StartTry(*e, *r, now));
  }
}

Status Scheduler::Start() {
  if (options_.inline_runs) return FailedPreconditionError("an inline scheduler has no loop");
  if (loop_.joinable()) return FailedPreconditionError("the scheduler is already started");
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
  }
  loop_ = std::thread([this] { Loop(); });
  return Status::OK();
}

void Scheduler::Loop() {
  while (true) {
    if (Status s = Tick(); !s.ok()) Log("tick failed: " + s.ToString());
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, options_.poll_interval, [this] {
      if (stop_) return true;
      for (const auto& [k, a] : active_) {
        if (a->done) return true;
      }
      return false;
    });
    if (stop_) return;
  }
}

void Scheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    for (auto& [key, a] : active_) a->token->Cancel();
    cv_.notify_all();
  }
  if (loop_.joinable()) loop_.join();
  // Wait for every try to return, then record them.
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] {
        for (const auto& [k, a] : active_) {
          if (!a->done) return false;
        }
        return true;
      });
      if (active_.empty()) break;
    }
    if (Status s = ReapFinished(true); !s.ok()) Log("recording interrupted tries: " + s.ToString());
  }
}

}  // namespace pinpipe::scheduler
