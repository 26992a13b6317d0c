// TimeZone: UTC offsets of a named zone from the system tz database (TZif files under
// /usr/share/zoneinfo, or $TZDIR), because libstdc++ 12 has no std::chrono::locate_zone.
// Beyond the file's last transition, the POSIX TZ rule of its footer applies ("CET-1CEST,
// M3.5.0,M10.5.0/3"), so far-future dates keep their daylight-saving changes.
//
// Wall-clock to instant (FromLocal), as pendulum and so Airflow do it: a wall time that occurs
// twice (the repeated hour when clocks fall back) means its first occurrence; one that does
// not occur (skipped when clocks spring forward) is moved forward by the length of the gap
// (02:30 on a 02:00→03:00 day is 03:30).
//
// Instants and local times are in seconds ("local seconds" = wall clock counted as if UTC).
// Thread-safety: an immutable value; copy freely.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace pinpipe::scheduler {

class TimeZone {
 public:
  // "UTC" (also "Etc/UTC", "Z") needs no file. Others are read from $TZDIR or
  // /usr/share/zoneinfo. InvalidArgument for a malformed name (no "..", no leading '/');
  // NotFound when the database has no such zone; Corruption for a bad file.
  static Result<TimeZone> Load(std::string_view name);
  // Parses TZif bytes (exposed for tests).
  static Result<TimeZone> FromTzif(std::string_view name, std::string_view bytes);
  static TimeZone Utc();

  const std::string& name() const { return data_->name; }

  // Seconds east of UTC in force at the instant.
  int32_t OffsetAt(int64_t utc) const;
  int64_t ToLocal(int64_t utc) const { return utc + OffsetAt(utc); }
  int64_t FromLocal(int64_t local) const;

  // A POSIX TZ rule such as "EST5EDT,M3.2.0,M11.1.0".
  struct Rule {
    int32_t std_offset = 0;  // seconds east of UTC
    bool has_dst = false;
    int32_t dst_offset = 0;
    // Mm.w.d: month, week (1-5, 5 = last), weekday (0 = Sunday), time of day in seconds
    // (may be negative or beyond 24h).
    struct When {
      int month = 0, week = 0, weekday = 0;
      int32_t time = 7200;
    } start, end;
  };

 private:
  struct Data {
    std::string name;
    std::vector<int64_t> transitions;  // instants, ascending
    std::vector<int32_t> offsets;      // in force from transitions[i]
    int32_t initial_offset = 0;        // before the first transition
    Rule rule;                         // after the last transition (or always, if none)
    bool has_rule = false;
  };
  explicit TimeZone(std::shared_ptr<const Data> data) : data_(std::move(data)) {}
  int32_t RuleOffsetAt(int64_t utc) const;

  // shared_ptr: zones are immutable and copied into every schedule.
  std::shared_ptr<const Data> data_;
};

// Parses the POSIX TZ string of a TZif footer (exposed for tests).
Result<TimeZone::Rule> ParsePosixRule(std::string_view text);

}  // namespace pinpipe::scheduler
