#include "scheduler/run_requests.h"

#include "scheduler/civil_time.h"

namespace pinpipe::scheduler {

Result<RunRecord> QueueManualRun(RunStore& store, const JobRegistry::Entry& job,
                                 std::optional<int64_t> logical_date, int64_t now) {
  const Timetable& tt = job.timetable;
  RunRecord r;
  r.job = job.spec().name;
  r.run_type = "manual";
  r.logical_date = logical_date ? *logical_date : now / 1'000'000 * 1'000'000;
  if (auto aligned = tt.IntervalAt(r.logical_date); logical_date && aligned.ok()) {
    r.interval_start = aligned->start;
    r.interval_end = aligned->end;
  } else if (auto latest = tt.LatestComplete(r.logical_date)) {
    r.interval_start = latest->start;
    r.interval_end = latest->end;
  } else {
    return OutOfRangeError("no data interval ends before " + FormatUtc(r.logical_date / 1'000'000));
  }
  r.max_tries = job.spec().retries + 1;
  r.queued_at = now;
  Status s = store.Insert(r);
  if (s.code() == StatusCode::kAlreadyExists) {
    return AlreadyExistsError("job '" + r.job + "' already has a run for " +
                              FormatUtc(r.logical_date / 1'000'000) +
                              " (one run per logical date; `pinpipe schedule clear` re-runs it)");
  }
  RETURN_IF_ERROR(s);
  return r;
}

Result<std::vector<RunRecord>> QueueBackfill(RunStore& store, const JobRegistry::Entry& job,
                                             int64_t from, int64_t to, int64_t now) {
  if (to < from) return InvalidArgumentError("backfill: --to is before --from");
  constexpr size_t kMax = 10000;
  std::vector<int64_t> dates = job.timetable.FireTimesBetween(from, to, kMax + 1);
  if (dates.size() > kMax) return InvalidArgumentError("backfill: more than 10000 runs in that range");
  std::vector<RunRecord> created;
  for (int64_t d : dates) {
    ASSIGN_OR_RETURN(DataInterval iv, job.timetable.IntervalAt(d));
    RunRecord r;
    r.job = job.spec().name;
    r.run_type = "backfill";
    r.logical_date = d;
    r.interval_start = iv.start;
    r.interval_end = iv.end;
    r.max_tries = job.spec().retries + 1;
    r.queued_at = now;
    Status s = store.Insert(r);
    if (s.code() == StatusCode::kAlreadyExists) continue;
    RETURN_IF_ERROR(s);
    created.push_back(r);
  }
  return created;
}

Result<RunRecord> ClearRun(RunStore& store, const JobRegistry::Entry& job, int64_t logical_date,
                           int64_t now) {
  const std::string& name = job.spec().name;
  ASSIGN_OR_RETURN(std::optional<RunRecord> found, store.Get(name, logical_date));
  if (!found) {
    return NotFoundError("job '" + name + "' has no run for " + FormatUtc(logical_date / 1'000'000));
  }
  if (found->state == RunState::kRunning) {
    return FailedPreconditionError("the run of '" + name + "' for " +
                                   FormatUtc(logical_date / 1'000'000) + " is running");
  }
  RunRecord r = *found;
  r.state = RunState::kQueued;
  r.max_tries = r.try_number + job.spec().retries + 1;
  r.queued_at = now;
  r.next_try_at = 0;
  r.error.clear();
  RETURN_IF_ERROR(store.Update(r, found->state));
  return r;
}

}  // namespace pinpipe::scheduler
