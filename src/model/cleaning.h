// The cleaning rules of SPEC §6 as plain functions: one definition used by `pinpipe clean`, the
// batch job and the streaming job.
//
// String columns: a value that is empty or whitespace-only (ASCII space, \t \n \r \f \v), or
// that equals its column's placeholder exactly (whole value, case-sensitive), becomes NULL.
// Nothing else is trimmed: Unicode and trailing spaces in names are kept as sent.
//
// Placeholders (column: value):
//   title              "No Title Data Available"
//   description        "No description available Story format", "No description available"
//   poster_name        "User Info Error"
//   follower_count     "User Info Error"
//   tag_list           "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e"
//   image_src          "Image src error."
//
// Every Clean() counts what it did in *quality (may be null): nulled, converted, rejected per
// cleaned column (see quality.h). Pure otherwise; thread-safe with distinct counters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/quality.h"
#include "model/records.h"

namespace pinpipe::model {

// Pin -> ind, unique_id, title, description, follower_count, poster_name, tag_list,
// is_image_or_video, image_src, save_location, category. `index` becomes `ind`, `downloaded`
// is dropped, follower_count is ParseFollowerCount'ed, save_location keeps the path only.
CleanPin Clean(const RawPin& raw, QualityCounters* quality);
// Geo -> ind, country, coordinates = [latitude, longitude] (NULL unless both are present),
// timestamp parsed (ParseTimestamp) -> UTC micros, NULL (rejected) when unparseable.
CleanGeo Clean(const RawGeo& raw, QualityCounters* quality);
// User -> ind, user_name = first_name + " " + last_name (NULL if either is NULL after the
// string rules, as Spark's concat), age as INTEGER (NULL, rejected, outside int32),
// date_joined parsed as above.
CleanUser Clean(const RawUser& raw, QualityCounters* quality);

// True if `value` is empty or only ASCII whitespace.
bool IsBlank(std::string_view value);
// True if `value` is exactly a placeholder of the raw pin column `column` (names as in
// RawColumns(Table::kPin)); false for columns without placeholders.
bool IsPinPlaceholder(std::string_view column, std::string_view value);

// follower_count text -> count. Accepts surrounding whitespace, digits with optional comma
// separators ("1,234"), an optional decimal fraction, and an optional suffix k/K (1e3),
// m/M (1e6), b/B (1e9): "437" 437, "26k" 26000, "1.5k" 1500, "6M" 6000000, "2B" 2000000000,
// " 12k " 12000. A fraction left after scaling is truncated ("1.2345k" 1234). Returns nullopt
// for anything else (placeholders, "", "abc", negative numbers, overflow).
std::optional<int64_t> ParseFollowerCount(std::string_view text);

// "Local save in /data/finance" -> "/data/finance"; text without the prefix is returned as is.
std::string_view StripSaveLocation(std::string_view text);

}  // namespace pinpipe::model
