#include "model/quality.h"

#include <algorithm>
#include <cstdio>

#include "base/json_writer.h"

namespace pinpipe::model {

ColumnQuality& ColumnQuality::operator+=(const ColumnQuality& o) {
  nulled += o.nulled;
  converted += o.converted;
  rejected += o.rejected;
  return *this;
}

QualityCounters::QualityCounters(Table table) : table_(table) {
  for (std::string_view name : CleanColumns(table)) columns_.emplace_back(name, ColumnQuality{});
}

void QualityCounters::CountRejectedRow(std::string_view reason) {
  ++rows_rejected_;
  AddReason(reason, 1);
}

void QualityCounters::AddReason(std::string_view reason, int64_t n) {
  auto it = reject_reasons_.find(reason);
  if (it != reject_reasons_.end()) {
    it->second += n;
  } else if (reject_reasons_.size() < kMaxReasons) {
    reject_reasons_.emplace(std::string(reason), n);
  } else {
    reject_reasons_[std::string(kOtherReason)] += n;
  }
}

ColumnQuality& QualityCounters::Column(std::string_view column) {
  for (auto& [name, counts] : columns_) {
    if (name == column) return counts;
  }
  columns_.emplace_back(std::string(column), ColumnQuality{});
  return columns_.back().second;
}

ColumnQuality QualityCounters::column(std::string_view column) const {
  for (const auto& [name, counts] : columns_) {
    if (name == column) return counts;
  }
  return ColumnQuality{};
}

void QualityCounters::Reset() {
  rows_read_ = rows_rejected_ = duplicates_dropped_ = 0;
  reject_reasons_.clear();
  for (auto& [name, counts] : columns_) counts = ColumnQuality{};
}

QualityCounters& QualityCounters::operator+=(const QualityCounters& other) {
  rows_read_ += other.rows_read_;
  duplicates_dropped_ += other.duplicates_dropped_;
  rows_rejected_ += other.rows_rejected_;
  for (const auto& [reason, n] : other.reject_reasons_) AddReason(reason, n);
  for (const auto& [name, counts] : other.columns_) Column(name) += counts;
  return *this;
}

std::string QualityCounters::ToText() const {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof(line), "%s: %lld read, %lld rejected, %lld duplicates, %lld written\n",
                std::string(TableName(table_)).c_str(), static_cast<long long>(rows_read_),
                static_cast<long long>(rows_rejected_), static_cast<long long>(duplicates_dropped_),
                static_cast<long long>(rows_written()));
  out += line;
  for (const auto& [reason, n] : reject_reasons_) {
    out += "  rejected: " + reason + ": " + std::to_string(n) + "\n";
  }
  size_t width = 6;
  for (const auto& [name, counts] : columns_) width = std::max(width, name.size());
  std::snprintf(line, sizeof(line), "  %-*s  %9s  %9s  %9s\n", static_cast<int>(width), "column",
                "nulled", "converted", "rejected");
  out += line;
  for (const auto& [name, c] : columns_) {
    std::snprintf(line, sizeof(line), "  %-*s  %9lld  %9lld  %9lld\n", static_cast<int>(width),
                  name.c_str(), static_cast<long long>(c.nulled),
                  static_cast<long long>(c.converted), static_cast<long long>(c.rejected));
    out += line;
  }
  return out;
}

std::string QualityCounters::ToJson() const {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("table").String(TableName(table_));
  w.Key("rows_read").Int(rows_read_);
  w.Key("rows_rejected").Int(rows_rejected_);
  w.Key("duplicates_dropped").Int(duplicates_dropped_);
  w.Key("rows_written").Int(rows_written());
  w.Key("reject_reasons").BeginObject();
  for (const auto& [reason, n] : reject_reasons_) w.Key(reason).Int(n);
  w.EndObject();
  w.Key("columns").BeginObject();
  for (const auto& [name, c] : columns_) {
    w.Key(name).BeginObject();
    w.Key("nulled").Int(c.nulled).Key("converted").Int(c.converted).Key("rejected").Int(c.rejected);
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return out;
}

}  // namespace pinpipe::model
