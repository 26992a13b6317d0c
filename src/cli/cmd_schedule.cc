// pinpipe schedule list|history|trigger|backfill|clear|run: the scheduler's run history and
// manual runs (docs/scheduler.md).
//
// trigger, backfill and clear write queued runs into <data_dir>/scheduler.db. When a scheduler
// is running on the data dir (`pinpipe up` holds <data_dir>/scheduler.lock) it picks them up
// on its next tick and the command waits for them to finish; when none is, the command takes
// the lock and runs them itself, in order. Either way it exits 0 when every run succeeded,
// 1 otherwise. If the running scheduler stops while the command waits, the command takes over.
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "cli/command.h"
#include "cli/scheduler_wiring.h"
#include "scheduler/run_requests.h"
#include "scheduler/scheduler_report.h"

namespace pinpipe::cli {
namespace {

using scheduler::RunRecord;

struct ScheduleFlags {
  std::string job;
  std::string date;
  std::string from, to;
  int64_t limit = 50;
  bool json = false;
};

struct Loaded {
  Config config;
  std::unique_ptr<scheduler::JobRegistry> registry;
};

Result<Loaded> Load(CommandContext& ctx) {
  Result<Config> config = ctx.Load();
  if (!config.ok()) return config.status();
  ASSIGN_OR_RETURN(auto registry, BuildJobRegistry(*config));
  return Loaded{std::move(*config), std::move(registry)};
}

// The run history of the data dir (created with the dir if missing).
Result<std::unique_ptr<scheduler::RunStore>> OpenHistory(const Config& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return IOError("cannot create the data dir '" + config.data_dir + "': " + ec.message());
  return scheduler::RunStore::Open(scheduler::RunStorePath(config.data_dir));
}

void PrintLog(const std::string& line) {
  std::fprintf(stderr, "pinpipe schedule: %s\n", line.c_str());
  std::fflush(stderr);
}

// Runs the queued runs here (no scheduler running) or waits for the running scheduler
// to finish them. Returns the final records.
Result<std::vector<RunRecord>> RunOrWait(const Loaded& l, const std::vector<RunRecord>& queued) {
  std::vector<RunRecord> done;
  auto store = OpenHistory(l.config);
  if (!store.ok()) return store.status();
  bool announced = false;
  for (const RunRecord& q : queued) {
    while (true) {
      ASSIGN_OR_RETURN(auto now, (*store)->Get(q.job, q.logical_date));
      if (!now) return NotFoundError("the run of '" + q.job + "' disappeared from the history");
      if (scheduler::IsTerminal(now->state)) {
        done.push_back(*now);
        std::printf("%s\n", scheduler::HistoryLine(*now).c_str());
        std::fflush(stdout);
        break;
      }
      auto lock = scheduler::LockSchedulerDir(l.config.data_dir);
      if (lock.ok()) {
        // No scheduler is running: run it (and the rest) in this process.
        scheduler::SchedulerOptions o;
        o.data_dir = l.config.data_dir;
        o.inline_runs = true;
        o.create_scheduled_runs = false;
        o.log = PrintLog;
        ASSIGN_OR_RETURN(auto s, scheduler::Scheduler::Open(l.registry.get(), Clock::Real(), o,
                                                            std::move(*lock)));
        auto final_run = s->RunToCompletion(q.job, q.logical_date);
        if (!final_run.ok() && final_run.status().code() != StatusCode::kFailedPrecondition) {
          return final_run.status();
        }
        continue;  // re-read, print, next
      }
      if (lock.status().code() != StatusCode::kUnavailable) return lock.status();
      if (!announced) {
        PrintLog("handed over to the running scheduler (pinpipe up); waiting for the run");
        announced = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }
  return done;
}

int ExitCodeOf(const std::vector<RunRecord>& runs) {
  for (const RunRecord& r : runs) {
    if (r.state != scheduler::RunState::kSuccess) return 1;
  }
  return 0;
}

Result<int64_t> ParseDateFor(const scheduler::JobRegistry::Entry& e, const std::string& text,
                             const char* flag) {
  auto t = scheduler::ParseWhen(text, e.timetable.schedule().zone());
  if (!t.ok()) return t.status().WithContext(flag);
  return t;
}

Status List(CommandContext& ctx) {
  ASSIGN_OR_RETURN(Loaded l, Load(ctx));
  ASSIGN_OR_RETURN(auto store, OpenHistory(l.config));
  ASSIGN_OR_RETURN(std::string text, scheduler::ListText(*store, *l.registry, Clock::Real()->NowMicros()));
  std::fputs(text.c_str(), stdout);
  return Status::OK();
}

Status History(CommandContext& ctx, const ScheduleFlags& f) {
  ASSIGN_OR_RETURN(Loaded l, Load(ctx));
  if (!f.job.empty()) RETURN_IF_ERROR(l.registry->Get(f.job).status());
  ASSIGN_OR_RETURN(auto store, OpenHistory(l.config));
  if (f.json) {
    ASSIGN_OR_RETURN(std::string json, scheduler::ScheduleJson(*store, *l.registry,
                                                               Clock::Real()->NowMicros(), false));
    std::printf("%s\n", json.c_str());
    return Status::OK();
  }
  ASSIGN_OR_RETURN(auto runs, store->List(f.job, static_cast<size_t>(f.limit > 0 ? f.limit : 50)));
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    std::printf("%s\n", scheduler::HistoryLine(*it).c_str());
  }
  if (runs.empty()) std::fprintf(stderr, "pinpipe schedule history: no runs yet\n");
  return Status::OK();
}

Status Trigger(CommandContext& ctx, const ScheduleFlags& f) {
  ASSIGN_OR_RETURN(Loaded l, Load(ctx));
  ASSIGN_OR_RETURN(const scheduler::JobRegistry::Entry* e, l.registry->Get(f.job));
  std::optional<int64_t> date;
  if (!f.date.empty()) {
    ASSIGN_OR_RETURN(date, ParseDateFor(*e, f.date, "--date"));
  }
  ASSIGN_OR_RETURN(auto store, OpenHistory(l.config));
  ASSIGN_OR_RETURN(RunRecord r, scheduler::QueueManualRun(*store, *e, date, Clock::Real()->NowMicros()));
  store.reset();
  ASSIGN_OR_RETURN(auto done, RunOrWait(l, {r}));
  ctx.exit_code = ExitCodeOf(done);
  return Status::OK();
}

Status Backfill(CommandContext& ctx, const ScheduleFlags& f) {
  ASSIGN_OR_RETURN(Loaded l, Load(ctx));
  ASSIGN_OR_RETURN(const scheduler::JobRegistry::Entry* e, l.registry->Get(f.job));
  ASSIGN_OR_RETURN(int64_t from, ParseDateFor(*e, f.from, "--from"));
  ASSIGN_OR_RETURN(int64_t to, ParseDateFor(*e, f.to, "--to"));
  ASSIGN_OR_RETURN(auto store, OpenHistory(l.config));
  ASSIGN_OR_RETURN(auto runs, scheduler::QueueBackfill(*store, *e, from, to, Clock::Real()->NowMicros()));
  store.reset();
  PrintLog("backfill of " + f.job + ": " + std::to_string(runs.size()) +
           " runs queued (dates that already have a run are left; clear them to re-run)");
  ASSIGN_OR_RETURN(auto done, RunOrWait(l, runs));
  ctx.exit_code = ExitCodeOf(done);
  return Status::OK();
}

Status Clear(CommandContext& ctx, const ScheduleFlags& f) {
  ASSIGN_OR_RETURN(Loaded l, Load(ctx));
  ASSIGN_OR_RETURN(const scheduler::JobRegistry::Entry* e, l.registry->Get(f.job));
  ASSIGN_OR_RETURN(int64_t date, ParseDateFor(*e, f.date, "--date"));
  ASSIGN_OR_RETURN(auto store, OpenHistory(l.config));
  ASSIGN_OR_RETURN(RunRecord r, scheduler::ClearRun(*store, *e, date, Clock::Real()->NowMicros()));
  store.reset();
  ASSIGN_OR_RETURN(auto done, RunOrWait(l, {r}));
  ctx.exit_code = ExitCodeOf(done);
  return Status::OK();
}

// The scheduler alone in the foreground (what `up` runs, without the API), until SIGINT/SIGTERM.
Status RunForeground(CommandContext& ctx) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  Result<Config> config = ctx.Load();
  if (!config.ok()) return config.status();
  ASSIGN_OR_RETURN(auto service, SchedulerService::Start(*config));
  PrintLog("scheduler running on " + config->data_dir + "; Ctrl-C stops");
  int sig = 0;
  sigwait(&signals, &sig);
  service->Stop();
  return Status::OK();
}

}  // namespace

void RegisterScheduleCommand(CLI::App& app, CommandContext& ctx) {
  auto f = std::make_shared<ScheduleFlags>();
  CLI::App* cmd = app.add_subcommand(
      "schedule", "The scheduler's jobs and run history; trigger, backfill and clear runs.");
  cmd->require_subcommand(1);
  auto wrap = [&ctx](const char* name, std::function<Status()> fn) {
    return [&ctx, name, fn] {
      Status s = fn();
      if (!s.ok()) {
        int code = s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kNotFound ||
                           s.code() == StatusCode::kAlreadyExists ||
                           s.code() == StatusCode::kFailedPrecondition
                       ? 2
                       : 1;
        if (ctx.exit_code == 0) ctx.Fail(std::string("schedule ") + name, s, code);
      }
    };
  };

  cmd->add_subcommand("list", "Jobs with their schedule, next run and last run.")
      ->callback(wrap("list", [&ctx] { return List(ctx); }));

  CLI::App* history = cmd->add_subcommand("history", "One line per run: job, logical date, state, tries, interval.");
  history->add_option("--job", f->job, "only this job");
  history->add_option("--limit", f->limit, "the newest N runs (default 50)");
  history->add_flag("--json", f->json, "the JSON of GET /api/schedule instead");
  history->callback(wrap("history", [&ctx, f] { return History(ctx, *f); }));

  CLI::App* trigger = cmd->add_subcommand(
      "trigger", "Run a job now (hands over to a running scheduler, else runs here); exits 0 on success.");
  trigger->add_option("job", f->job, "the job (e.g. batch)")->required();
  trigger->add_option("--date", f->date,
                      "logical date: YYYY-MM-DD (midnight in the job's zone) or ISO-8601; default now");
  trigger->callback(wrap("trigger", [&ctx, f] { return Trigger(ctx, *f); }));

  CLI::App* backfill = cmd->add_subcommand("backfill", "Run a job for every logical date in [--from, --to].");
  backfill->add_option("job", f->job, "the job")->required();
  backfill->add_option("--from", f->from, "first logical date (inclusive)")->required();
  backfill->add_option("--to", f->to, "last logical date (inclusive)")->required();
  backfill->callback(wrap("backfill", [&ctx, f] { return Backfill(ctx, *f); }));

  CLI::App* clear = cmd->add_subcommand("clear", "Re-run the run of a logical date with fresh tries.");
  clear->add_option("job", f->job, "the job")->required();
  clear->add_option("--date", f->date, "its logical date")->required();
  clear->callback(wrap("clear", [&ctx, f] { return Clear(ctx, *f); }));

  cmd->add_subcommand("run", "Run the scheduler alone in the foreground until SIGINT/SIGTERM.")
      ->callback(wrap("run", [&ctx] { return RunForeground(ctx); }));
}

}  // namespace pinpipe::cli
