#include "engine/value.h"

#include "base/json_writer.h"
#include "model/datetime.h"

namespace pinpipe::engine {

std::string ToText(const Value& value) {
  std::string out;
  switch (value.kind) {
    case Value::Kind::kNull: return "NULL";
    case Value::Kind::kBool: return value.i != 0 ? "true" : "false";
    case Value::Kind::kInt: return std::to_string(value.i);
    case Value::Kind::kDouble: AppendJsonDouble(&out, value.d, JsonStyle::kPython); return out;
    case Value::Kind::kString: return value.s;
    case Value::Kind::kDate:
      return model::FormatSqlDatetime(value.i * 86400LL * 1000000LL).substr(0, 10);
    case Value::Kind::kTimestamp: model::AppendPythonDatetime(&out, value.i); return out;
    case Value::Kind::kList:
      out = "[";
      for (size_t k = 0; k < value.list.size(); ++k) {
        if (k > 0) out += ", ";
        out += ToText(value.list[k]);
      }
      return out + "]";
  }
  return out;
}

int QueryResult::ColumnIndex(std::string_view name) const {
  for (size_t c = 0; c < columns.size(); ++c) {
    if (columns[c].name == name) return static_cast<int>(c);
  }
  return -1;
}

}  // namespace pinpipe::engine
