// Timetable: a JobSpec's schedule turned into data intervals, with Airflow's semantics
// (CronDataIntervalTimetable):
//   - a run for logical date D covers [D, next(D)) and is due once next(D) <= now;
//   - the first logical date is the first fire time at or after start_date;
//   - catchup=true creates every interval since the last scheduled one (or start_date);
//     catchup=false only the latest complete interval, never one before the last;
//   - no logical date after end_date.
//
// Times are Unix microseconds (fire times are whole minutes). Thread-safety: immutable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "scheduler/job_spec.h"
#include "scheduler/schedule.h"

namespace pinpipe::scheduler {

struct DataInterval {
  int64_t start = 0;  // = the logical date
  int64_t end = 0;
  friend bool operator==(const DataInterval&, const DataInterval&) = default;
};

class Timetable {
 public:
  // InvalidArgument for a bad schedule, catchup without start_date, end before start;
  // NotFound for an unknown time zone.
  static Result<Timetable> Create(const JobSpec& spec);

  // The next scheduled interval to create, given the end of the latest scheduled one
  // (nullopt: none yet), or nullopt when none is due at `now`.
  std::optional<DataInterval> NextDue(std::optional<int64_t> last_scheduled_end, int64_t now) const;
  // The next scheduled interval whether due or not (its end is when it will run); nullopt
  // after end_date.
  std::optional<DataInterval> NextInterval(std::optional<int64_t> last_scheduled_end,
                                           int64_t now) const;

  // [d, next(d)); InvalidArgument if d is not a fire time.
  Result<DataInterval> IntervalAt(int64_t logical_date) const;
  // The latest interval that has ended at `now` (a manual run's data interval, as Airflow's
  // infer_manual_data_interval).
  std::optional<DataInterval> LatestComplete(int64_t now) const;
  // Fire times in [from, to] (a backfill's logical dates), at most `limit`.
  std::vector<int64_t> FireTimesBetween(int64_t from, int64_t to, size_t limit) const;
  // The first fire time >= t.
  std::optional<int64_t> AlignUp(int64_t t) const;

  // "2024-03-31": the day of `micros` on the schedule's wall clock (Airflow's {{ ds }}).
  std::string Ds(int64_t micros) const;
  const Schedule& schedule() const { return schedule_; }
  const JobSpec& spec() const { return spec_; }

 private:
  Timetable(JobSpec spec, Schedule schedule) : spec_(std::move(spec)), schedule_(std::move(schedule)) {}
  JobSpec spec_;
  Schedule schedule_;
};

// Parses "2024-03-31" (midnight on `zone`'s wall clock), "2024-03-31T06:00" (wall clock) or
// an instant with "Z"/"+hh:mm", into Unix microseconds.
Result<int64_t> ParseWhen(std::string_view text, const TimeZone& zone);

}  // namespace pinpipe::scheduler
