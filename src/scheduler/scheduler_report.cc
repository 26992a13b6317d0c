#include "scheduler/scheduler_report.h"

#include <cstdio>

#include "base/json_writer.h"
#include "scheduler/civil_time.h"

namespace pinpipe::scheduler {
namespace {

constexpr int64_t kMicros = 1'000'000;

std::string Iso(int64_t micros) { return micros == 0 ? "" : FormatUtc(micros / kMicros); }

void TimeOrNull(JsonWriter& w, const char* key, int64_t micros) {
  w.Key(key);
  if (micros == 0) {
    w.Null();
  } else {
    w.String(Iso(micros));
  }
}

void WriteRun(JsonWriter& w, const RunRecord& r, const JobRegistry& registry) {
  w.BeginObject();
  w.Key("job").String(r.job);
  w.Key("logical_date").String(Iso(r.logical_date));
  if (const JobRegistry::Entry* e = registry.Find(r.job)) w.Key("ds").String(e->timetable.Ds(r.logical_date));
  w.Key("run_type").String(r.run_type);
  w.Key("state").String(RunStateName(r.state));
  w.Key("data_interval_start").String(Iso(r.interval_start));
  w.Key("data_interval_end").String(Iso(r.interval_end));
  w.Key("try_number").Int(r.try_number);
  w.Key("max_tries").Int(r.max_tries);
  TimeOrNull(w, "queued_at", r.queued_at);
  TimeOrNull(w, "start_date", r.start_time);
  TimeOrNull(w, "end_date", r.end_time);
  TimeOrNull(w, "next_try_at", r.next_try_at);
  w.Key("duration_seconds");
  if (r.start_time != 0 && r.end_time >= r.start_time) {
    w.Double(static_cast<double>(r.end_time - r.start_time) / 1e6);
  } else {
    w.Null();
  }
  w.Key("summary");
  if (r.summary.empty()) {
    w.Null();
  } else {
    w.Raw(r.summary);  // validated as a JSON object when the job returned it
  }
  w.Key("error").String(r.error);
  w.Key("log").String(r.log_path);
  w.EndObject();
}

struct JobState {
  std::optional<RunRecord> last;          // newest logical date
  std::optional<RunRecord> last_success;  // newest successful
  std::optional<DataInterval> next;
};

Result<JobState> StateOf(RunStore& store, const JobRegistry::Entry& e, int64_t now) {
  JobState s;
  ASSIGN_OR_RETURN(auto runs, store.List(e.spec().name, 200));
  for (const RunRecord& r : runs) {
    if (!s.last) s.last = r;
    if (r.state == RunState::kSuccess && (!s.last_success || r.end_time > s.last_success->end_time)) {
      s.last_success = r;
    }
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> last_end, store.LastScheduledEnd(e.spec().name));
  s.next = e.timetable.NextInterval(last_end, now);
  return s;
}

}  // namespace

std::string HistoryLine(const RunRecord& r) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%-12s %-22s %-12s %-9s try %d/%d  [%s, %s)", r.job.c_str(),
                Iso(r.logical_date).c_str(), std::string(RunStateName(r.state)).c_str(),
                r.run_type.c_str(), r.try_number, r.max_tries, Iso(r.interval_start).c_str(),
                Iso(r.interval_end).c_str());
  std::string line = buf;
  if (r.start_time != 0 && r.end_time >= r.start_time) {
    std::snprintf(buf, sizeof buf, "  %.1fs", static_cast<double>(r.end_time - r.start_time) / 1e6);
    line += buf;
  }
  if (!r.error.empty()) line += "  error: " + r.error;
  return line;
}

Result<std::string> ListText(RunStore& store, const JobRegistry& registry, int64_t now) {
  std::string out;
  for (const std::string& name : registry.Names()) {
    const JobRegistry::Entry& e = *registry.Find(name);
    ASSIGN_OR_RETURN(JobState s, StateOf(store, e, now));
    const JobSpec& spec = e.spec();
    out += name + "  schedule " + spec.schedule + " (" + spec.timezone + ")  catchup " +
           (spec.catchup ? "on" : "off") + "  retries " + std::to_string(spec.retries) +
           "  max_active_runs " + std::to_string(spec.max_active_runs) + "\n";
    out += "  " + e.job->Describe() + "\n";
    if (s.next) {
      out += "  next: logical date " + Iso(s.next->start) + ", runs after " + Iso(s.next->end) + "\n";
    } else {
      out += "  next: none (past end_date)\n";
    }
    out += "  last: " + (s.last ? HistoryLine(*s.last) : std::string("no runs yet")) + "\n";
  }
  return out;
}

Result<std::string> ScheduleJson(RunStore& store, const JobRegistry& registry, int64_t now,
                                 bool scheduler_running) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("scheduler_running").Bool(scheduler_running);
  w.Key("now").String(Iso(now));
  w.Key("jobs").BeginArray();
  for (const std::string& name : registry.Names()) {
    const JobRegistry::Entry& e = *registry.Find(name);
    ASSIGN_OR_RETURN(JobState s, StateOf(store, e, now));
    const JobSpec& spec = e.spec();
    w.BeginObject();
    w.Key("name").String(name);
    w.Key("schedule").String(spec.schedule);
    w.Key("timezone").String(spec.timezone);
    w.Key("catchup").Bool(spec.catchup);
    w.Key("retries").Int(spec.retries);
    w.Key("retry_delay_seconds").Int(spec.retry_delay / kMicros);
    w.Key("max_active_runs").Int(spec.max_active_runs);
    w.Key("task").String(e.job->Describe());
    TimeOrNull(w, "next_logical_date", s.next ? s.next->start : 0);
    TimeOrNull(w, "next_run_after", s.next ? s.next->end : 0);
    w.Key("last_run");
    if (s.last) {
      WriteRun(w, *s.last, registry);
    } else {
      w.Null();
    }
    w.Key("last_success");
    if (s.last_success) {
      WriteRun(w, *s.last_success, registry);
    } else {
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("runs").BeginArray();
  ASSIGN_OR_RETURN(auto runs, store.List("", 50));
  for (const RunRecord& r : runs) WriteRun(w, r, registry);
  w.EndArray();
  w.EndObject();
  return out;
}

Result<std::string> ScheduleMetrics(RunStore& store, const JobRegistry& registry, int64_t now) {
  std::string out =
      "# HELP pinpipe_scheduler_runs Runs in the history, by job and state.\n"
      "# TYPE pinpipe_scheduler_runs gauge\n";
  std::string last_success =
      "# HELP pinpipe_scheduler_last_success_timestamp_seconds End of the latest successful run.\n"
      "# TYPE pinpipe_scheduler_last_success_timestamp_seconds gauge\n";
  std::string last_ok =
      "# HELP pinpipe_scheduler_last_run_success 1 if the newest finished run succeeded.\n"
      "# TYPE pinpipe_scheduler_last_run_success gauge\n";
  std::string next =
      "# HELP pinpipe_scheduler_next_run_timestamp_seconds When the next scheduled run is due.\n"
      "# TYPE pinpipe_scheduler_next_run_timestamp_seconds gauge\n";
  for (const std::string& name : registry.Names()) {
    const JobRegistry::Entry& e = *registry.Find(name);
    ASSIGN_OR_RETURN(auto counts, store.CountByState(name));
    for (RunState st : {RunState::kQueued, RunState::kRunning, RunState::kSuccess,
                        RunState::kFailed, RunState::kUpForRetry}) {
      int64_t n = 0;
      for (const auto& [s, c] : counts) {
        if (s == st) n = c;
      }
      out += "pinpipe_scheduler_runs{job=\"" + name + "\",state=\"" +
             std::string(RunStateName(st)) + "\"} " + std::to_string(n) + "\n";
    }
    ASSIGN_OR_RETURN(JobState s, StateOf(store, e, now));
    if (s.last_success) {
      last_success += "pinpipe_scheduler_last_success_timestamp_seconds{job=\"" + name + "\"} " +
                      std::to_string(s.last_success->end_time / kMicros) + "\n";
    }
    ASSIGN_OR_RETURN(auto recent, store.List(name, 50));
    for (const RunRecord& r : recent) {
      if (!IsTerminal(r.state)) continue;
      last_ok += "pinpipe_scheduler_last_run_success{job=\"" + name + "\"} " +
                 (r.state == RunState::kSuccess ? "1" : "0") + "\n";
      break;
    }
    if (s.next) {
      next += "pinpipe_scheduler_next_run_timestamp_seconds{job=\"" + name + "\"} " +
              std::to_string(s.next->end / kMicros) + "\n";
    }
  }
  return out + last_success + last_ok + next;
}

}  // namespace pinpipe::scheduler
