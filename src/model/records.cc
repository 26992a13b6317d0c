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

}  // namespace pinpipe::model
