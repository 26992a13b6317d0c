#include "model/records.h"

namespace pinpipe::model {

std::string_view TableName(Table table) {
  switch (table) {
    case Table::kPin: return "pin";
    case Table::kGeo: return "geo";
    case Table::kUser: return "user";
  }
  return "pin";
}

std::string_view SourceTableName(Table table) {
  switch (table) {
    case Table::kPin: return "pinterest_data";
    case Table::kGeo: return "geolocation_data";
    case Table::kUser: return "user_data";
  }
  return "pinterest_data";
}

std::optional<Table> ParseTableName(std::string_view name) {
  if (name == "pin") return Table::kPin;
  if (name == "geo") return Table::kGeo;
  if (name == "user") return Table::kUser;
  return std::nullopt;
}

namespace {
constexpr std::string_view kRawPin[] = {
    "index", "unique_id", "title", "description", "poster_name", "follower_count",
    "tag_list", "is_image_or_video", "image_src", "downloaded", "save_location", "category"};
constexpr std::string_view kRawGeo[] = {"ind", "timestamp", "latitude", "longitude", "country"};
constexpr std::string_view kRawUser[] = {"ind", "first_name", "last_name", "age", "date_joined"};
constexpr std::string_view kCleanPin[] = {
    "ind", "unique_id", "title", "description", "follower_count", "poster_name",
    "tag_list", "is_image_or_video", "image_src", "save_location", "category"};
constexpr std::string_view kCleanGeo[] = {"ind", "country", "coordinates", "timestamp"};
constexpr std::string_view kCleanUser[] = {"ind", "user_name", "age", "date_joined"};
}  // namespace

std::span<const std::string_view> RawColumns(Table table) {
  switch (table) {
    case Table::kPin: return kRawPin;
    case Table::kGeo: return kRawGeo;
    case Table::kUser: return kRawUser;
  }
  return kRawPin;
}

std::span<const std::string_view> CleanColumns(Table table) {
  switch (table) {
    case Table::kPin: return kCleanPin;
    case Table::kGeo: return kCleanGeo;
    case Table::kUser: return kCleanUser;
  }
  return kCleanPin;
}

}  // namespace pinpipe::model
