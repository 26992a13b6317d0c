#include "scheduler/schedule.h"

#include <cctype>
#include <charconv>
#include <vector>

#include "scheduler/civil_time.h"

namespace pinpipe::scheduler {
namespace {

constexpr int64_t kMaxYear = 9999;
constexpr int64_t kSearchYears = 30;  // an expression with no match this far never fires

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t i = s.find(sep, start);
    out.push_back(s.substr(start, i == std::string_view::npos ? std::string_view::npos : i - start));
    if (i == std::string_view::npos) return out;
    start = i + 1;
  }
}

bool ParseValue(std::string_view s, const char* const* names, int name_base, int* out) {
  if (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && p == s.data() + s.size();
  }
  if (names == nullptr || s.size() != 3) return false;
  for (int i = 0; names[i] != nullptr; i++) {
    bool eq = true;
    for (int k = 0; k < 3; k++) {
      eq = eq && std::toupper(static_cast<unsigned char>(s[k])) == names[i][k];
    }
    if (eq) {
      *out = i + name_base;
      return true;
    }
  }
  return false;
}

// One cron field into the bits [lo, hi]; *star is set when the field is "*" (or "*/1").
template <size_t N>
Status ParseField(std::string_view field, const char* what, int lo, int hi,
                  const char* const* names, int name_base, std::bitset<N>* bits, bool* star) {
  auto bad = [&] {
    return InvalidArgumentError(std::string("bad ") + what + " field '" + std::string(field) + "'");
  };
  *star = field == "*";
  for (std::string_view part : Split(field, ',')) {
    int step = 1;
    size_t slash = part.find('/');
    if (slash != std::string_view::npos) {
      if (!ParseValue(part.substr(slash + 1), nullptr, 0, &step) || step < 1) return bad();
      part = part.substr(0, slash);
    }
    int a = lo, b = hi;
    if (part == "*") {
      // whole range
    } else {
      size_t dash = part.find('-');
      if (dash == std::string_view::npos) {
        if (!ParseValue(part, names, name_base, &a)) return bad();
        b = slash != std::string_view::npos ? hi : a;  // "a/n": from a to the end
      } else if (!ParseValue(part.substr(0, dash), names, name_base, &a) ||
                 !ParseValue(part.substr(dash + 1), names, name_base, &b)) {
        return bad();
      }
    }
    if (a < lo || b > hi || a > b) return bad();
    for (int v = a; v <= b; v += step) bits->set(static_cast<size_t>(v));
  }
  return Status::OK();
}

const char* const kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL",
                                   "AUG", "SEP", "OCT", "NOV", "DEC", nullptr};
const char* const kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", nullptr};

std::string_view Alias(std::string_view e) {
  if (e == "@hourly") return "0 * * * *";
  if (e == "@daily" || e == "@midnight") return "0 0 * * *";
  if (e == "@weekly") return "0 0 * * 0";
  if (e == "@monthly") return "0 0 1 * *";
  if (e == "@yearly" || e == "@annually") return "0 0 1 1 *";
  return e;
}

int64_t StartOfDay(const CivilTime& c) { return DaysFromCivil(c.year, c.month, c.day) * 86400; }

}  // namespace

Result<Schedule> Schedule::Parse(std::string_view expression, TimeZone zone) {
  std::string_view cron = Alias(expression);
  if (!cron.empty() && cron[0] == '@') {
    return InvalidArgumentError("unknown schedule '" + std::string(expression) +
                                "' (use @hourly, @daily, @weekly, @monthly, @yearly or 5 cron fields)");
  }
  std::vector<std::string_view> fields;
  for (std::string_view f : Split(cron, ' ')) {
    if (!f.empty()) fields.push_back(f);
  }
  if (fields.size() != 5) {
    return InvalidArgumentError("schedule '" + std::string(expression) +
                                "' must have 5 fields: minute hour day-of-month month day-of-week");
  }
  Schedule s{std::string(expression), std::move(zone)};
  bool star = false;
  RETURN_IF_ERROR(ParseField(fields[0], "minute", 0, 59, nullptr, 0, &s.minutes_, &star));
  RETURN_IF_ERROR(ParseField(fields[1], "hour", 0, 23, nullptr, 0, &s.hours_, &star));
  RETURN_IF_ERROR(ParseField(fields[2], "day-of-month", 1, 31, nullptr, 0, &s.days_, &s.dom_star_));
  RETURN_IF_ERROR(ParseField(fields[3], "month", 1, 12, kMonthNames, 1, &s.months_, &star));
  std::bitset<8> dow;
  RETURN_IF_ERROR(ParseField(fields[4], "day-of-week", 0, 7, kDayNames, 0, &dow, &s.dow_star_));
  for (int d = 0; d < 7; d++) s.weekdays_[d] = dow[d];
  if (dow[7]) s.weekdays_[0] = true;  // 7 is Sunday too
  if (!s.NextLocal(0).has_value()) {
    return InvalidArgumentError("schedule '" + std::string(expression) + "' never fires");
  }
  return s;
}

bool Schedule::DayMatches(int64_t year, int month, int day) const {
  bool dom = days_[static_cast<size_t>(day)];
  bool dow = weekdays_[static_cast<size_t>(WeekdayFromDays(DaysFromCivil(year, month, day)))];
  if (dom_star_ || dow_star_) return dom && dow;  // a star matches every day
  return dom || dow;
}

std::optional<int64_t> Schedule::NextLocal(int64_t local) const {
  int64_t t = (local >= 0 ? local / 60 : (local - 59) / 60) * 60 + 60;  // the next whole minute
  const int64_t limit_year = CivilFromSeconds(local).year + kSearchYears;
  while (true) {
    CivilTime c = CivilFromSeconds(t);
    if (c.year > limit_year || c.year > kMaxYear) return std::nullopt;
    if (!months_[static_cast<size_t>(c.month)]) {
      int64_t y = c.year + (c.month == 12), m = c.month == 12 ? 1 : c.month + 1;
      t = DaysFromCivil(y, static_cast<int>(m), 1) * 86400;
    } else if (!DayMatches(c.year, c.month, c.day)) {
      t = StartOfDay(c) + 86400;
    } else if (!hours_[static_cast<size_t>(c.hour)]) {
      t = StartOfDay(c) + (c.hour + 1) * 3600;
    } else if (!minutes_[static_cast<size_t>(c.minute)]) {
      t += 60;
    } else {
      return t;
    }
  }
}

std::optional<int64_t> Schedule::PrevLocal(int64_t local) const {
  // The last whole minute strictly before `local`.
  int64_t t = (local - 1 >= 0 ? (local - 1) / 60 : (local - 60) / 60) * 60;
  const int64_t limit_year = CivilFromSeconds(local).year - kSearchYears;
  while (true) {
    CivilTime c = CivilFromSeconds(t);
    if (c.year < limit_year) return std::nullopt;
    if (!months_[static_cast<size_t>(c.month)]) {
      t = DaysFromCivil(c.year, c.month, 1) * 86400 - 60;
    } else if (!DayMatches(c.year, c.month, c.day)) {
      t = StartOfDay(c) - 60;
    } else if (!hours_[static_cast<size_t>(c.hour)]) {
      t = StartOfDay(c) + c.hour * 3600 - 60;
    } else if (!minutes_[static_cast<size_t>(c.minute)]) {
      t -= 60;
    } else {
      return t;
    }
  }
}

std::optional<int64_t> Schedule::Next(int64_t t) const {
  int64_t local = zone_.ToLocal(t);
  while (true) {
    std::optional<int64_t> n = NextLocal(local);
    if (!n) return std::nullopt;
    int64_t instant = zone_.FromLocal(*n);
    if (instant > t) return instant;
    local = *n;  // a wall time whose instant is not after t (DST): keep looking
  }
}

std::optional<int64_t> Schedule::Prev(int64_t t) const {
  // Wall times of instants before t are at most a DST shift after t's own wall time.
  int64_t local = zone_.ToLocal(t) + 2 * 3600 + 60;
  while (true) {
    std::optional<int64_t> p = PrevLocal(local);
    if (!p) return std::nullopt;
    int64_t instant = zone_.FromLocal(*p);
    if (instant < t) return instant;
    local = *p;
  }
}

bool Schedule::IsFireTime(int64_t t) const {
  std::optional<int64_t> p = Prev(t + 1);
  return p.has_value() && *p == t;
}

}  // namespace pinpipe::scheduler
