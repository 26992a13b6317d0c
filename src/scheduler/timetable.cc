#include "scheduler/timetable.h"

#include <algorithm>

#include "scheduler/civil_time.h"

namespace pinpipe::scheduler {
namespace {

constexpr int64_t kMicros = 1'000'000;

// Seconds, rounding towards -inf, so a time inside a second compares right.
int64_t FloorSeconds(int64_t micros) {
  return micros >= 0 ? micros / kMicros : -((-micros + kMicros - 1) / kMicros);
}

}  // namespace

Result<Timetable> Timetable::Create(const JobSpec& spec) {
  ASSIGN_OR_RETURN(TimeZone zone, TimeZone::Load(spec.timezone));
  auto schedule = Schedule::Parse(spec.schedule, std::move(zone));
  if (!schedule.ok()) return schedule.status().WithContext("job '" + spec.name + "'");
  if (spec.catchup && !spec.start_date) {
    return InvalidArgumentError("job '" + spec.name + "': catchup needs a start_date");
  }
  if (spec.start_date && spec.end_date && *spec.end_date < *spec.start_date) {
    return InvalidArgumentError("job '" + spec.name + "': end_date is before start_date");
  }
  if (spec.retries < 0 || spec.max_active_runs < 1 || spec.retry_delay < 0 ||
      spec.execution_timeout < 0) {
    return InvalidArgumentError("job '" + spec.name +
                                "': retries, retry_delay and execution_timeout must be >= 0 and "
                                "max_active_runs >= 1");
  }
  return Timetable(spec, std::move(*schedule));
}

std::optional<int64_t> Timetable::AlignUp(int64_t t) const {
  // First fire time >= t: the next one after the second before t (t rounded up to seconds).
  int64_t s = FloorSeconds(t);
  if (s * kMicros < t) s++;
  std::optional<int64_t> n = schedule_.Next(s - 1);
  if (!n) return std::nullopt;
  return *n * kMicros;
}

std::optional<DataInterval> Timetable::NextDue(std::optional<int64_t> last_scheduled_end,
                                               int64_t now) const {
  std::optional<DataInterval> next = NextInterval(last_scheduled_end, now);
  if (!next || next->end > now) return std::nullopt;
  return next;
}

std::optional<DataInterval> Timetable::NextInterval(std::optional<int64_t> last_scheduled_end,
                                                    int64_t now) const {
  std::optional<int64_t> start;
  if (last_scheduled_end) {
    start = *last_scheduled_end;
  } else if (spec_.start_date) {
    start = AlignUp(*spec_.start_date);
    if (!start) return std::nullopt;
  }
  if (!spec_.catchup || !start) {
    // Skip to the latest complete interval, but never back before `start`.
    std::optional<DataInterval> latest = LatestComplete(now);
    if (latest && (!start || latest->start > *start)) start = latest->start;
  }
  if (!start) return std::nullopt;
  if (spec_.end_date && *start > *spec_.end_date) return std::nullopt;
  std::optional<int64_t> end = schedule_.Next(*start / kMicros);
  if (!end) return std::nullopt;
  return DataInterval{*start, *end * kMicros};
}

Result<DataInterval> Timetable::IntervalAt(int64_t logical_date) const {
  if (logical_date % kMicros != 0 || !schedule_.IsFireTime(logical_date / kMicros)) {
    return InvalidArgumentError(FormatUtc(FloorSeconds(logical_date)) + " is not a fire time of '" +
                                schedule_.expression() + "' in " + schedule_.zone().name());
  }
  std::optional<int64_t> end = schedule_.Next(logical_date / kMicros);
  if (!end) return OutOfRangeError("no interval after " + FormatUtc(logical_date / kMicros));
  return DataInterval{logical_date, *end * kMicros};
}

std::optional<DataInterval> Timetable::LatestComplete(int64_t now) const {
  std::optional<int64_t> end = schedule_.Prev(FloorSeconds(now) + 1);  // latest fire <= now
  if (!end) return std::nullopt;
  std::optional<int64_t> start = schedule_.Prev(*end);
  if (!start) return std::nullopt;
  return DataInterval{*start * kMicros, *end * kMicros};
}

std::vector<int64_t> Timetable::FireTimesBetween(int64_t from, int64_t to, size_t limit) const {
  std::vector<int64_t> out;
  std::optional<int64_t> t = AlignUp(from);
  while (t && *t <= to && out.size() < limit) {
    out.push_back(*t);
    std::optional<int64_t> n = schedule_.Next(*t / kMicros);
    if (!n) break;
    t = *n * kMicros;
  }
  return out;
}

std::string Timetable::Ds(int64_t micros) const {
  return FormatDate(schedule_.zone().ToLocal(FloorSeconds(micros)));
}

Result<int64_t> ParseWhen(std::string_view text, const TimeZone& zone) {
  bool has_offset = false;
  int32_t offset = 0;
  ASSIGN_OR_RETURN(int64_t wall, ParseDateTime(text, &has_offset, &offset));
  int64_t instant = has_offset ? wall - offset : zone.FromLocal(wall);
  return instant * kMicros;
}

}  // namespace pinpipe::scheduler
