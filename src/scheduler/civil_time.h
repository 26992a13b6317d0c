// Calendar arithmetic on the proleptic Gregorian calendar (Howard Hinnant's days_from_civil),
// for the time-zone rules and cron matching. "Local seconds" below are seconds of a wall clock
// counted as if it were UTC: local = utc + offset.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"

namespace pinpipe::scheduler {

struct CivilTime {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
};

// Days since 1970-01-01 of a date.
int64_t DaysFromCivil(int64_t year, int month, int day);
// Seconds since the epoch of a civil time (taken as UTC).
int64_t SecondsFromCivil(const CivilTime& c);
CivilTime CivilFromSeconds(int64_t seconds);
// 0 = Sunday .. 6 = Saturday.
int WeekdayFromDays(int64_t days);
int DaysInMonth(int64_t year, int month);

// "2024-03-31T02:30:00Z" (UTC instants in seconds).
std::string FormatUtc(int64_t seconds);
// "2024-03-31" of the wall clock in local seconds.
std::string FormatDate(int64_t local_seconds);

// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]" or "YYYY-MM-DD HH:MM[:SS]" into wall-clock
// seconds (no zone applied). A trailing "Z" or "+HH:MM"/"-HH:MM" is returned in *offset_seconds
// and *has_offset (so the caller can tell an instant from a wall time). InvalidArgument otherwise.
Result<int64_t> ParseDateTime(std::string_view text, bool* has_offset, int32_t* offset_seconds);

}  // namespace pinpipe::scheduler
