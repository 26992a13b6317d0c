// The three record types of the source database, as they travel (raw), and their cleaned forms
// (SPEC §6). Raw records keep text exactly as the source holds it (follower_count "26k",
// timestamps "2020-08-28 03:52:47"); cleaned records hold typed values, NULL as nullopt.
//
// Plain values: no invariants beyond the field comments, safe to copy between threads.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pinpipe::model {

enum class Table { kPin, kGeo, kUser };

// "pin", "geo", "user": the suffix of the topic `<user_id>.<name>`.
std::string_view TableName(Table table);
// The source table: "pinterest_data", "geolocation_data", "user_data".
std::string_view SourceTableName(Table table);
// Parses "pin" | "geo" | "user".
std::optional<Table> ParseTableName(std::string_view name);
// Column names in order: the source table's (`SELECT *` order, the pin key is "index") and
// the cleaned table's (SPEC §6, the key is "ind" everywhere).
std::span<const std::string_view> RawColumns(Table table);
std::span<const std::string_view> CleanColumns(Table table);

// A row of `pinterest_data`, columns in source order.
struct RawPin {
  int64_t index = 0;
  std::optional<std::string> unique_id;
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<std::string> poster_name;
  std::optional<std::string> follower_count;  // text: "437", "26k", "6M", "User Info Error"
  std::optional<std::string> tag_list;
  std::optional<std::string> is_image_or_video;
  std::optional<std::string> image_src;
  std::optional<int64_t> downloaded;  // 0 or 1
  std::optional<std::string> save_location;
  std::optional<std::string> category;
  friend bool operator==(const RawPin&, const RawPin&) = default;
};

// A row of `geolocation_data`.
struct RawGeo {
  int64_t ind = 0;
  std::optional<std::string> timestamp;  // as sent: "YYYY-MM-DD HH:MM:SS" or ISO-8601
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::optional<std::string> country;
  friend bool operator==(const RawGeo&, const RawGeo&) = default;
};

// A row of `user_data`.
struct RawUser {
  int64_t ind = 0;
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<int64_t> age;
  std::optional<std::string> date_joined;  // as timestamp above
  friend bool operator==(const RawUser&, const RawUser&) = default;
};

// One post: the three rows that share a row offset in the source.
struct Post {
  RawPin pin;
  RawGeo geo;
  RawUser user;
  friend bool operator==(const Post&, const Post&) = default;
};

// Microseconds since the Unix epoch, UTC.
using TimestampMicros = int64_t;

// Cleaned pin, columns in the cleaned order of SPEC §6.
struct CleanPin {
  int64_t ind = 0;
  std::optional<std::string> unique_id;
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<int64_t> follower_count;
  std::optional<std::string> poster_name;
  std::optional<std::string> tag_list;
  std::optional<std::string> is_image_or_video;
  std::optional<std::string> image_src;
  std::optional<std::string> save_location;  // the path only: "/data/finance"
  std::optional<std::string> category;
  friend bool operator==(const CleanPin&, const CleanPin&) = default;
};

struct CleanGeo {
  int64_t ind = 0;
  std::optional<std::string> country;
  std::optional<std::array<double, 2>> coordinates;  // [latitude, longitude]
  std::optional<TimestampMicros> timestamp;
  friend bool operator==(const CleanGeo&, const CleanGeo&) = default;
};

struct CleanUser {
  int64_t ind = 0;
  std::optional<std::string> user_name;  // first_name + " " + last_name
  std::optional<int32_t> age;
  std::optional<TimestampMicros> date_joined;
  friend bool operator==(const CleanUser&, const CleanUser&) = default;
};

}  // namespace pinpipe::model
