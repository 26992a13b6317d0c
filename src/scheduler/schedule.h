// Schedule: when a job fires — "@hourly", "@daily", "@weekly", "@monthly", "@yearly" or a
// 5-field cron expression (minute hour day-of-month month day-of-week; `*`, lists, ranges,
// steps, month and weekday names), evaluated on the wall clock of a TimeZone.
//
// Meaning, as Airflow's CronDataIntervalTimetable: the fire times are the instants whose local
// wall time matches the expression. A fire time in a DST gap moves past the gap; a wall time
// that occurs twice fires once, at its first occurrence (TimeZone::FromLocal). When both
// day-of-month and day-of-week are restricted, a day matching either fires (Vixie cron,
// croniter).
//
// Instants are Unix seconds. Thread-safety: an immutable value.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "scheduler/time_zone.h"

namespace pinpipe::scheduler {

class Schedule {
 public:
  // InvalidArgument naming the bad field; also for an expression that never fires
  // ("0 0 30 2 *").
  static Result<Schedule> Parse(std::string_view expression, TimeZone zone);

  const std::string& expression() const { return expression_; }
  const TimeZone& zone() const { return zone_; }

  // The first fire time strictly after `t`; nullopt only beyond year 9999.
  std::optional<int64_t> Next(int64_t t) const;
  // The last fire time strictly before `t`.
  std::optional<int64_t> Prev(int64_t t) const;
  // True if `t` is a fire time.
  bool IsFireTime(int64_t t) const;

 private:
  Schedule(std::string expression, TimeZone zone) : expression_(std::move(expression)), zone_(std::move(zone)) {}
  bool DayMatches(int64_t year, int month, int day) const;
  // Naive wall-clock search for the next/previous matching minute (local seconds).
  std::optional<int64_t> NextLocal(int64_t local) const;
  std::optional<int64_t> PrevLocal(int64_t local) const;

  std::string expression_;
  TimeZone zone_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;    // 1..31
  std::bitset<13> months_;  // 1..12
  std::bitset<7> weekdays_; // 0 = Sunday
  bool dom_star_ = true;
  bool dow_star_ = true;
};

}  // namespace pinpipe::scheduler
