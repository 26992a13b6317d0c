#include "scheduler/time_zone.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "scheduler/civil_time.h"

namespace pinpipe::scheduler {
namespace {

uint32_t Be32(std::string_view b, size_t pos) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(b[pos])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[pos + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[pos + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(b[pos + 3]));
}
int64_t Be64(std::string_view b, size_t pos) {
  return static_cast<int64_t>((static_cast<uint64_t>(Be32(b, pos)) << 32) | Be32(b, pos + 4));
}

// The rule parser: a tiny cursor over the POSIX TZ grammar.
class RuleParser {
 public:
  explicit RuleParser(std::string_view s) : s_(s) {}
  bool AtEnd() const { return i_ >= s_.size(); }
  bool Peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool Eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) { i_++; return true; }
    return false;
  }
  bool Name() {
    if (Eat('<')) {
      size_t close = s_.find('>', i_);
      if (close == std::string_view::npos) return false;
      i_ = close + 1;
      return true;
    }
    size_t start = i_;
    while (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_]))) i_++;
    return i_ - start >= 3;
  }
  bool Number(int* out) {
    size_t start = i_;
    int v = 0;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) v = v * 10 + (s_[i_++] - '0');
    *out = v;
    return i_ > start;
  }
  // [+-]hh[:mm[:ss]] in seconds.
  bool Time(int32_t* out) {
    int sign = 1;
    if (Eat('-')) sign = -1; else Eat('+');
    int h = 0, m = 0, sec = 0;
    if (!Number(&h)) return false;
    if (Eat(':')) {
      if (!Number(&m)) return false;
      if (Eat(':') && !Number(&sec)) return false;
    }
    *out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  bool When(TimeZone::Rule::When* w) {
    if (!Eat('M')) return false;  // Jn and n forms do not occur in the tz database's footers
    if (!Number(&w->month) || !Eat('.') || !Number(&w->week) || !Eat('.') || !Number(&w->weekday)) return false;
    if (w->month < 1 || w->month > 12 || w->week < 1 || w->week > 5 || w->weekday > 6) return false;
    w->time = 7200;
    if (Eat('/')) return Time(&w->time);
    return true;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

// The instant (as local seconds of the year's wall clock) at which a Mm.w.d rule fires.
int64_t RuleLocal(int64_t year, const TimeZone::Rule::When& w) {
  int64_t first = DaysFromCivil(year, w.month, 1);
  int wd = WeekdayFromDays(first);
  int64_t day = first + (w.weekday - wd + 7) % 7 + 7 * (w.week - 1);
  int64_t last = first + DaysInMonth(year, w.month) - 1;
  while (day > last) day -= 7;
  return day * 86400 + w.time;
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
  });
}

}  // namespace

Result<TimeZone::Rule> ParsePosixRule(std::string_view text) {
  TimeZone::Rule r;
  RuleParser p(text);
  auto bad = [&] { return InvalidArgumentError("bad POSIX TZ rule '" + std::string(text) + "'"); };
  int32_t std_west = 0;
  if (!p.Name() || !p.Time(&std_west)) return bad();
  r.std_offset = -std_west;  // POSIX counts west of Greenwich
  if (p.AtEnd()) return r;
  if (!p.Name()) return bad();
  r.has_dst = true;
  r.dst_offset = r.std_offset + 3600;
  if (!p.AtEnd() && !p.Peek(',')) {
    int32_t dst_west = 0;
    if (!p.Time(&dst_west)) return bad();
    r.dst_offset = -dst_west;
  }
  if (!p.Eat(',') || !p.When(&r.start) || !p.Eat(',') || !p.When(&r.end) || !p.AtEnd()) return bad();
  return r;
}

TimeZone TimeZone::Utc() {
  static const std::shared_ptr<const Data> kUtc = [] {
    auto d = std::make_shared<Data>();
    d->name = "UTC";
    return d;
  }();
  return TimeZone(kUtc);
}

Result<TimeZone> TimeZone::Load(std::string_view name) {
  if (name == "UTC" || name == "Etc/UTC" || name == "Z" || name == "GMT" || name == "Etc/GMT") {
    return Utc();
  }
  if (!ValidName(name)) return InvalidArgumentError("'" + std::string(name) + "' is not a time zone name");
  const char* dir = std::getenv("TZDIR");  // NOLINT(concurrency-mt-unsafe): read-only
  std::string path = std::string(dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo") +
                     "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFoundError("unknown time zone '" + std::string(name) + "' (no " + path +
                         "; is the tzdata package installed?)");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return FromTzif(name, ss.str());
}

Result<TimeZone> TimeZone::FromTzif(std::string_view name, std::string_view b) {
  auto bad = [&](const char* why) {
    return CorruptionError("time zone file of '" + std::string(name) + "': " + why);
  };
  if (b.size() < 44 || b.substr(0, 4) != "TZif") return bad("not a TZif file");
  const char version = b[4];
  auto counts = [&](size_t at, uint32_t c[6]) {
    for (int i = 0; i < 6; i++) c[i] = Be32(b, at + 20 + 4 * i);
  };
  uint32_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  counts(0, c);
  size_t pos = 44;
  int time_size = 4;
  if (version >= '2') {
    size_t v1 = static_cast<size_t>(c[3]) * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    pos += v1;
    if (b.size() < pos + 44 || b.substr(pos, 4) != "TZif") return bad("no version 2 header");
    counts(pos, c);
    pos += 44;
    time_size = 8;
  }
  const uint32_t timecnt = c[3], typecnt = c[4];
  size_t need = static_cast<size_t>(timecnt) * (time_size + 1) + typecnt * 6 + c[5] +
                c[2] * (time_size + 4) + c[1] + c[0];
  if (typecnt == 0 || b.size() < pos + need) return bad("truncated");
  auto data = std::make_shared<Data>();
  data->name = std::string(name);
  std::vector<int64_t> times(timecnt);
  for (uint32_t i = 0; i < timecnt; i++) {
    times[i] = time_size == 8 ? Be64(b, pos + i * 8) : static_cast<int32_t>(Be32(b, pos + i * 4));
  }
  size_t idx_at = pos + timecnt * time_size;
  size_t types_at = idx_at + timecnt;
  std::vector<int32_t> type_off(typecnt);
  for (uint32_t t = 0; t < typecnt; t++) type_off[t] = static_cast<int32_t>(Be32(b, types_at + t * 6));
  for (uint32_t i = 0; i < timecnt; i++) {
    uint8_t idx = static_cast<uint8_t>(b[idx_at + i]);
    if (idx >= typecnt) return bad("transition names an unknown type");
    data->transitions.push_back(times[i]);
    data->offsets.push_back(type_off[idx]);
  }
  data->initial_offset = type_off[0];
  data->rule.std_offset = data->offsets.empty() ? type_off[0] : data->offsets.back();
  if (version >= '2') {
    size_t footer = pos + need;
    if (footer < b.size() && b[footer] == '\n') {
      size_t end = b.find('\n', footer + 1);
      if (end != std::string_view::npos && end > footer + 1) {
        auto rule = ParsePosixRule(b.substr(footer + 1, end - footer - 1));
        if (!rule.ok()) return rule.status().WithContext("time zone '" + std::string(name) + "'");
        data->rule = *rule;
        data->has_rule = true;
      }
    }
  }
  return TimeZone(std::move(data));
}

int32_t TimeZone::RuleOffsetAt(int64_t utc) const {
  const Rule& r = data_->rule;
  if (!r.has_dst) return r.std_offset;
  int64_t year = CivilFromSeconds(utc + r.std_offset).year;
  // Start is given in standard time, end in daylight time.
  int64_t start = RuleLocal(year, r.start) - r.std_offset;
  int64_t end = RuleLocal(year, r.end) - r.dst_offset;
  bool dst = start < end ? (utc >= start && utc < end) : !(utc >= end && utc < start);
  return dst ? r.dst_offset : r.std_offset;
}

int32_t TimeZone::OffsetAt(int64_t utc) const {
  const Data& d = *data_;
  if (d.transitions.empty()) return d.has_rule ? RuleOffsetAt(utc) : d.initial_offset;
  if (utc < d.transitions.front()) return d.initial_offset;
  if (utc >= d.transitions.back() && d.has_rule) return RuleOffsetAt(utc);
  auto it = std::upper_bound(d.transitions.begin(), d.transitions.end(), utc);
  return d.offsets[static_cast<size_t>(it - d.transitions.begin()) - 1];
}

int64_t TimeZone::FromLocal(int64_t local) const {
  // Transitions are far more than a day and a half apart, so the offsets in force 26 hours
  // either side of the wall time are the only candidates.
  constexpr int64_t kSpan = 26 * 3600;
  const int32_t before = OffsetAt(local - kSpan);
  const int32_t after = OffsetAt(local + kSpan);
  int64_t best = INT64_MAX;
  for (int32_t o : {before, after}) {
    int64_t t = local - o;
    if (OffsetAt(t) == o) best = std::min(best, t);
  }
  if (best != INT64_MAX) return best;
  // In a gap: keep the offset of before the change, which lands after it.
  return local - before;
}

}  // namespace pinpipe::scheduler
