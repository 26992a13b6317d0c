#include "scheduler/civil_time.h"

#include <charconv>
#include <cstdio>

namespace pinpipe::scheduler {

int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int64_t SecondsFromCivil(const CivilTime& c) {
  return DaysFromCivil(c.year, c.month, c.day) * 86400 + c.hour * 3600 + c.minute * 60 + c.second;
}

CivilTime CivilFromSeconds(int64_t seconds) {
  int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  int64_t rem = seconds - days * 86400;
  CivilTime c;
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem % 3600 / 60);
  c.second = static_cast<int>(rem % 60);
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2);
  return c;
}

int WeekdayFromDays(int64_t days) {
  return static_cast<int>(((days + 4) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
}

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

std::string FormatUtc(int64_t seconds) {
  CivilTime c = CivilFromSeconds(seconds);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02dZ", static_cast<long long>(c.year),
                c.month, c.day, c.hour, c.minute, c.second);
  return buf;
}

std::string FormatDate(int64_t local_seconds) {
  CivilTime c = CivilFromSeconds(local_seconds);
  char buf[24];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d", static_cast<long long>(c.year), c.month,
                c.day);
  return buf;
}

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + n, v);
  if (ec != std::errc() || p != s.data() + pos + n) return false;
  *out = v;
  return true;
}

}  // namespace

Result<int64_t> ParseDateTime(std::string_view text, bool* has_offset, int32_t* offset_seconds) {
  auto bad = [&] {
    return InvalidArgumentError("'" + std::string(text) +
                                "' is not a date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM[:SS][Z])");
  };
  *has_offset = false;
  *offset_seconds = 0;
  CivilTime c;
  int y = 0;
  if (!Digits(text, 0, 4, &y) || text.size() < 10 || text[4] != '-' || text[7] != '-' ||
      !Digits(text, 5, 2, &c.month) || !Digits(text, 8, 2, &c.day)) {
    return bad();
  }
  c.year = y;
  if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > DaysInMonth(c.year, c.month)) return bad();
  size_t pos = 10;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != ' ') return bad();
    if (!Digits(text, pos + 1, 2, &c.hour) || text.size() < pos + 6 || text[pos + 3] != ':' ||
        !Digits(text, pos + 4, 2, &c.minute)) {
      return bad();
    }
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
      if (!Digits(text, pos + 1, 2, &c.second)) return bad();
      pos += 3;
    }
    if (c.hour > 23 || c.minute > 59 || c.second > 59) return bad();
    if (pos < text.size()) {
      if (text.substr(pos) == "Z") {
        *has_offset = true;
      } else if ((text[pos] == '+' || text[pos] == '-') && text.size() == pos + 6 &&
                 text[pos + 3] == ':') {
        int oh = 0, om = 0;
        if (!Digits(text, pos + 1, 2, &oh) || !Digits(text, pos + 4, 2, &om)) return bad();
        *has_offset = true;
        *offset_seconds = (text[pos] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
      } else {
        return bad();
      }
    }
  }
  return SecondsFromCivil(c);
}

}  // namespace pinpipe::scheduler
