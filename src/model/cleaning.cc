#include "model/cleaning.h"

#include <array>
#include <limits>

#include "model/datetime.h"

namespace pinpipe::model {
namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

constexpr std::string_view kSaveLocationPrefix = "Local save in ";

struct Placeholder {
  std::string_view column;
  std::string_view value;
};
constexpr std::array<Placeholder, 7> kPinPlaceholders = {{
    {"title", "No Title Data Available"},
    {"description", "No description available Story format"},
    {"description", "No description available"},
    {"poster_name", "User Info Error"},
    {"follower_count", "User Info Error"},
    {"tag_list", "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e"},
    {"image_src", "Image src error."},
}};

void Nulled(QualityCounters* q, std::string_view column) {
  if (q != nullptr) q->CountNulled(column);
}
void Converted(QualityCounters* q, std::string_view column) {
  if (q != nullptr) q->CountConverted(column);
}
void Rejected(QualityCounters* q, std::string_view column) {
  if (q != nullptr) q->CountRejected(column);
}

// The string rules: blank or (for pins) a placeholder -> NULL; otherwise the value unchanged.
std::optional<std::string> CleanText(const std::optional<std::string>& raw, std::string_view column,
                                     bool pin, QualityCounters* q) {
  if (!raw.has_value()) return std::nullopt;
  if (IsBlank(*raw) || (pin && IsPinPlaceholder(column, *raw))) {
    Nulled(q, column);
    return std::nullopt;
  }
  return raw;
}

std::optional<TimestampMicros> CleanTimestamp(const std::optional<std::string>& raw,
                                              std::string_view column, QualityCounters* q) {
  if (!raw.has_value()) return std::nullopt;
  if (IsBlank(*raw)) {
    Nulled(q, column);
    return std::nullopt;
  }
  Result<TimestampMicros> t = ParseTimestamp(*raw);
  if (!t.ok()) {
    Rejected(q, column);
    return std::nullopt;
  }
  Converted(q, column);
  return *t;
}

}  // namespace

bool IsBlank(std::string_view value) { return TrimAscii(value).empty(); }

bool IsPinPlaceholder(std::string_view column, std::string_view value) {
  for (const Placeholder& p : kPinPlaceholders) {
    if (p.column == column && p.value == value) return true;
  }
  return false;
}

std::optional<int64_t> ParseFollowerCount(std::string_view text) {
  std::string_view s = TrimAscii(text);
  if (s.empty()) return std::nullopt;
  __int128 multiplier = 1;
  switch (s.back()) {
    case 'k':
    case 'K':
      multiplier = 1'000;
      break;
    case 'm':
    case 'M':
      multiplier = 1'000'000;
      break;
    case 'b':
    case 'B':
      multiplier = 1'000'000'000;
      break;
    default:
      break;
  }
  if (multiplier != 1) s.remove_suffix(1);
  if (s.empty() || !IsDigit(s.front())) return std::nullopt;
  constexpr __int128 kMax = std::numeric_limits<int64_t>::max();
  __int128 whole = 0;
  size_t i = 0;
  for (; i < s.size() && s[i] != '.'; ++i) {
    char c = s[i];
    if (c == ',') {
      // A comma separates digit groups: digits on both sides.
      if (i + 1 >= s.size() || !IsDigit(s[i + 1])) return std::nullopt;
      continue;
    }
    if (!IsDigit(c)) return std::nullopt;
    whole = whole * 10 + (c - '0');
    if (whole > kMax) return std::nullopt;
  }
  __int128 fraction = 0;
  __int128 scale = 1;
  if (i < s.size()) {  // s[i] == '.'
    ++i;
    if (i >= s.size()) return std::nullopt;
    for (; i < s.size(); ++i) {
      if (!IsDigit(s[i])) return std::nullopt;
      if (scale < 1'000'000'000'000'000'000) {  // digits beyond 18 cannot matter after scaling
        fraction = fraction * 10 + (s[i] - '0');
        scale *= 10;
      }
    }
  }
  __int128 value = whole * multiplier + fraction * multiplier / scale;
  if (value > kMax) return std::nullopt;
  return static_cast<int64_t>(value);
}

std::string_view StripSaveLocation(std::string_view text) {
  if (text.starts_with(kSaveLocationPrefix)) text.remove_prefix(kSaveLocationPrefix.size());
  return text;
}

CleanPin Clean(const RawPin& raw, QualityCounters* q) {
  CleanPin out;
  out.ind = raw.index;
  out.unique_id = CleanText(raw.unique_id, "unique_id", true, q);
  out.title = CleanText(raw.title, "title", true, q);
  out.description = CleanText(raw.description, "description", true, q);
  if (std::optional<std::string> fc = CleanText(raw.follower_count, "follower_count", true, q)) {
    out.follower_count = ParseFollowerCount(*fc);
    if (out.follower_count.has_value()) {
      Converted(q, "follower_count");
    } else {
      Rejected(q, "follower_count");
    }
  }
  out.poster_name = CleanText(raw.poster_name, "poster_name", true, q);
  out.tag_list = CleanText(raw.tag_list, "tag_list", true, q);
  out.is_image_or_video = CleanText(raw.is_image_or_video, "is_image_or_video", true, q);
  out.image_src = CleanText(raw.image_src, "image_src", true, q);
  if (std::optional<std::string> loc = CleanText(raw.save_location, "save_location", true, q)) {
    std::string_view path = StripSaveLocation(*loc);
    if (IsBlank(path)) {
      Nulled(q, "save_location");
    } else {
      if (path.size() != loc->size()) Converted(q, "save_location");
      out.save_location = std::string(path);
    }
  }
  out.category = CleanText(raw.category, "category", true, q);
  return out;
}

CleanGeo Clean(const RawGeo& raw, QualityCounters* q) {
  CleanGeo out;
  out.ind = raw.ind;
  out.country = CleanText(raw.country, "country", false, q);
  if (raw.latitude.has_value() && raw.longitude.has_value()) {
    out.coordinates = std::array<double, 2>{*raw.latitude, *raw.longitude};
  } else if (raw.latitude.has_value() || raw.longitude.has_value()) {
    Nulled(q, "coordinates");  // half a coordinate pair is no position
  }
  out.timestamp = CleanTimestamp(raw.timestamp, "timestamp", q);
  return out;
}

CleanUser Clean(const RawUser& raw, QualityCounters* q) {
  CleanUser out;
  out.ind = raw.ind;
  if (raw.first_name.has_value() || raw.last_name.has_value()) {
    bool first_ok = raw.first_name.has_value() && !IsBlank(*raw.first_name);
    bool last_ok = raw.last_name.has_value() && !IsBlank(*raw.last_name);
    if (first_ok && last_ok) {
      std::string name;
      name.reserve(raw.first_name->size() + 1 + raw.last_name->size());
      name.append(*raw.first_name).append(" ").append(*raw.last_name);
      out.user_name = std::move(name);
    } else {
      Nulled(q, "user_name");
    }
  }
  if (raw.age.has_value()) {
    if (*raw.age >= std::numeric_limits<int32_t>::min() &&
        *raw.age <= std::numeric_limits<int32_t>::max()) {
      out.age = static_cast<int32_t>(*raw.age);
    } else {
      Rejected(q, "age");
    }
  }
  out.date_joined = CleanTimestamp(raw.date_joined, "date_joined", q);
  return out;
}

}  // namespace pinpipe::model
