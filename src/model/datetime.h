// Datetimes as the source data spells them, to and from UTC microseconds since the epoch.
//
// Accepted input (surrounding ASCII whitespace ignored):
//   YYYY-MM-DD HH:MM:SS          what MySQL and Python's str(datetime) print
//   YYYY-MM-DDTHH:MM:SS          ISO-8601 (lowercase 't' too)
// either optionally followed by a fraction `.f` of 1-9 digits (digits beyond microseconds are
// truncated) and a zone: `Z`, `+HH`, `+HH:MM`, `+HHMM` (or `-`). Without a zone the time is
// taken as UTC. Years 0001-9999; fields are range-checked (Feb 30 and 24:00:00 are errors).
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "model/records.h"

namespace pinpipe::model {

// InvalidArgument naming what is wrong ("not a datetime", "month out of range", ...).
Result<TimestampMicros> ParseTimestamp(std::string_view text);

// ISO-8601 UTC: "2020-08-28T03:52:47Z", with ".ffffff" only when the microseconds are nonzero.
std::string FormatIso8601(TimestampMicros micros);
void AppendIso8601(std::string* out, TimestampMicros micros);

// "2020-08-28 03:52:47" (fraction dropped), what the source database and the emulator print.
std::string FormatSqlDatetime(TimestampMicros micros);
// Python's str(datetime): as FormatSqlDatetime plus ".ffffff" when the microseconds are nonzero.
void AppendPythonDatetime(std::string* out, TimestampMicros micros);

// Days since 1970-01-01 of a proleptic Gregorian date (no range check).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace pinpipe::model
