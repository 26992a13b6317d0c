// Per-file statistics of a data file (docs/delta_layout.md §2), computed by DuckDB.
#include <cmath>
#include <cstdio>

#include "base/json_writer.h"
#include "delta/table.h"
#include "model/datetime.h"

namespace pinpipe::delta {
namespace {

constexpr int kStringPrefix = 32;

bool HasBounds(const Field& f) {
  return !f.is_array && (f.type == "long" || f.type == "integer" || f.type == "double" ||
                         f.type == "string" || f.type == "timestamp");
}

// "2020-08-28T03:52:47.000Z" for milliseconds since the epoch.
std::string FormatStatsTimestamp(int64_t ms) {
  int64_t floor_ms = ms >= 0 ? ms : ms - 999;  // floor division to whole seconds
  int64_t seconds = floor_ms / 1000;
  int64_t millis = ms - seconds * 1000;
  std::string out = model::FormatSqlDatetime(seconds * 1000000);
  out[10] = 'T';
  char frac[8];
  std::snprintf(frac, sizeof(frac), ".%03lldZ", static_cast<long long>(millis));
  return out + frac;
}

}  // namespace

Result<std::string> ComputeStats(engine::Session& session, std::string_view relation,
                                 const Schema& schema) {
  // One row: count(*), then per column count(c), and for bounded columns min and max (and for
  // strings the length of the max).
  std::string sql = "SELECT count(*)";
  for (const Field& f : schema) {
    std::string c = engine::QuoteIdentifier(f.name);
    sql += ", count(" + c + ")";
    if (!HasBounds(f)) continue;
    if (f.type == "string") {
      sql += ", left(min(" + c + "), " + std::to_string(kStringPrefix) + "), max(" + c +
             "), length(max(" + c + "))";
    } else if (f.type == "timestamp") {
      sql += ", epoch_ms(min(" + c + ")), epoch_ms(max(" + c + "))";
    } else {
      sql += ", min(" + c + "), max(" + c + ")";
    }
  }
  sql += " FROM " + std::string(relation);
  ASSIGN_OR_RETURN(engine::QueryResult r, session.Query(sql));
  const std::vector<engine::Value>& row = r.rows.at(0);
  int64_t n = row[0].i;

  std::string min_json;
  std::string max_json;
  std::string null_json;
  JsonWriter mins(&min_json);
  JsonWriter maxs(&max_json);
  JsonWriter nulls(&null_json);
  mins.BeginObject();
  maxs.BeginObject();
  nulls.BeginObject();
  size_t at = 1;
  for (const Field& f : schema) {
    nulls.Key(f.name).Int(n - row[at++].i);
    if (!HasBounds(f)) continue;
    const engine::Value& lo = row[at];
    const engine::Value& hi = row[at + 1];
    if (f.type == "string") {
      const engine::Value& hi_len = row[at + 2];
      at += 3;
      if (lo.is_null()) continue;
      mins.Key(f.name).String(lo.s);
      if (hi_len.i <= kStringPrefix) maxs.Key(f.name).String(hi.s);
      continue;
    }
    at += 2;
    if (lo.is_null()) continue;
    if (f.type == "timestamp") {
      mins.Key(f.name).String(FormatStatsTimestamp(lo.i));
      maxs.Key(f.name).String(FormatStatsTimestamp(hi.i));
    } else if (f.type == "double") {
      if (std::isfinite(lo.d)) mins.Key(f.name).Double(lo.d);
      if (std::isfinite(hi.d)) maxs.Key(f.name).Double(hi.d);
    } else {
      mins.Key(f.name).Int(lo.i);
      maxs.Key(f.name).Int(hi.i);
    }
  }
  mins.EndObject();
  maxs.EndObject();
  nulls.EndObject();

  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("numRecords").Int(n);
  w.Key("minValues").Raw(min_json).Key("maxValues").Raw(max_json).Key("nullCount").Raw(null_json);
  w.EndObject();
  return out;
}

}  // namespace pinpipe::delta
