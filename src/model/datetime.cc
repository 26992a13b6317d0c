#include "model/datetime.h"

#include <cstdio>

namespace pinpipe::model {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at s[*pos]; false if any is missing.
bool ReadDigits(std::string_view s, size_t* pos, int n, int* value) {
  if (*pos + n > s.size()) return false;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    char c = s[*pos + k];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *value = v;
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

std::string_view TrimAscii(std::string_view s) {
  auto ws = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

// Parses the zone at s[pos..] into an offset in seconds east of UTC.
Result<int64_t> ParseZone(std::string_view s, size_t pos) {
  if (pos == s.size()) return int64_t{0};
  char c = s[pos];
  if ((c == 'Z' || c == 'z') && pos + 1 == s.size()) return int64_t{0};
  if (c != '+' && c != '-') return InvalidArgumentError("unexpected text after the time");
  ++pos;
  int hh = 0;
  int mm = 0;
  if (!ReadDigits(s, &pos, 2, &hh)) return InvalidArgumentError("malformed time zone offset");
  if (pos < s.size()) {
    if (s[pos] == ':') ++pos;
    if (!ReadDigits(s, &pos, 2, &mm)) return InvalidArgumentError("malformed time zone offset");
  }
  if (pos != s.size()) return InvalidArgumentError("unexpected text after the time zone");
  if (hh > 23 || mm > 59) return InvalidArgumentError("time zone offset out of range");
  int64_t offset = hh * 3600 + mm * 60;
  return c == '-' ? -offset : offset;
}

void AppendPadded(std::string* out, int64_t v, int width) {
  char buf[16];
  int n = std::snprintf(buf, sizeof(buf), "%0*lld", width, static_cast<long long>(v));
  out->append(buf, n);
}

struct Civil {
  int64_t year;
  unsigned month, day, hour, minute, second;
  int64_t micros;
};

Civil ToCivil(TimestampMicros t) {
  int64_t secs = t / kMicrosPerSecond;
  int64_t micros = t % kMicrosPerSecond;
  if (micros < 0) {
    micros += kMicrosPerSecond;
    --secs;
  }
  int64_t days = secs / kSecondsPerDay;
  int64_t sod = secs % kSecondsPerDay;
  if (sod < 0) {
    sod += kSecondsPerDay;
    --days;
  }
  // civil_from_days (H. Hinnant).
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  Civil c;
  c.day = doy - (153 * mp + 2) / 5 + 1;
  c.month = mp < 10 ? mp + 3 : mp - 9;
  c.year = static_cast<int64_t>(yoe) + era * 400 + (c.month <= 2 ? 1 : 0);
  c.hour = static_cast<unsigned>(sod / 3600);
  c.minute = static_cast<unsigned>(sod / 60 % 60);
  c.second = static_cast<unsigned>(sod % 60);
  c.micros = micros;
  return c;
}

void AppendDateTime(std::string* out, const Civil& c, char separator) {
  AppendPadded(out, c.year, 4);
  out->push_back('-');
  AppendPadded(out, c.month, 2);
  out->push_back('-');
  AppendPadded(out, c.day, 2);
  out->push_back(separator);
  AppendPadded(out, c.hour, 2);
  out->push_back(':');
  AppendPadded(out, c.minute, 2);
  out->push_back(':');
  AppendPadded(out, c.second, 2);
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Result<TimestampMicros> ParseTimestamp(std::string_view text) {
  std::string_view s = TrimAscii(text);
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  auto expect = [&](char c) {
    if (pos < s.size() && s[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  };
  if (!ReadDigits(s, &pos, 4, &year) || !expect('-') || !ReadDigits(s, &pos, 2, &month) ||
      !expect('-') || !ReadDigits(s, &pos, 2, &day)) {
    return InvalidArgumentError("not a datetime (want YYYY-MM-DD HH:MM:SS or ISO-8601)");
  }
  if (!(expect(' ') || expect('T') || expect('t')) || !ReadDigits(s, &pos, 2, &hour) ||
      !expect(':') || !ReadDigits(s, &pos, 2, &minute) || !expect(':') ||
      !ReadDigits(s, &pos, 2, &second)) {
    return InvalidArgumentError("not a datetime (want YYYY-MM-DD HH:MM:SS or ISO-8601)");
  }
  if (year < 1) return InvalidArgumentError("year out of range");
  if (month < 1 || month > 12) return InvalidArgumentError("month out of range");
  if (day < 1 || day > DaysInMonth(year, month)) return InvalidArgumentError("day out of range");
  if (hour > 23 || minute > 59 || second > 59) return InvalidArgumentError("time out of range");
  int64_t micros = 0;
  if (expect('.')) {
    int digits = 0;
    while (pos < s.size() && IsDigit(s[pos])) {
      if (digits < 6) micros = micros * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) {
      return InvalidArgumentError("fraction of a second must have 1 to 9 digits");
    }
    for (int k = digits; k < 6; ++k) micros *= 10;
  }
  ASSIGN_OR_RETURN(int64_t offset, ParseZone(s, pos));
  int64_t secs = DaysFromCivil(year, month, day) * kSecondsPerDay + hour * 3600 + minute * 60 +
                 second - offset;
  return secs * kMicrosPerSecond + micros;
}

void AppendIso8601(std::string* out, TimestampMicros micros) {
  Civil c = ToCivil(micros);
  AppendDateTime(out, c, 'T');
  if (c.micros != 0) {
    out->push_back('.');
    AppendPadded(out, c.micros, 6);
  }
  out->push_back('Z');
}

std::string FormatIso8601(TimestampMicros micros) {
  std::string out;
  AppendIso8601(&out, micros);
  return out;
}

std::string FormatSqlDatetime(TimestampMicros micros) {
  std::string out;
  AppendDateTime(&out, ToCivil(micros), ' ');
  return out;
}

void AppendPythonDatetime(std::string* out, TimestampMicros micros) {
  Civil c = ToCivil(micros);
  AppendDateTime(out, c, ' ');
  if (c.micros != 0) {
    out->push_back('.');
    AppendPadded(out, c.micros, 6);
  }
}

}  // namespace pinpipe::model
