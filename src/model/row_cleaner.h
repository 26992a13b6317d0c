// RowCleaner: raw JSON records of one table in, cleaned JSON records out — decode
// (json_codec.h), drop repeated `ind`s (dedup.h, first arrival wins), clean (cleaning.h),
// encode (compact, cleaned column order), counting everything in its QualityCounters.
//
// Not thread-safe: one RowCleaner per thread (merge the counters afterwards).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "base/result.h"
#include "model/dedup.h"
#include "model/json_codec.h"
#include "model/quality.h"
#include "model/records.h"

namespace pinpipe::model {

// One cleaned row of any table.
using CleanRow = std::variant<CleanPin, CleanGeo, CleanUser>;

class RowCleaner {
 public:
  explicit RowCleaner(Table table) : table_(table), quality_(table), scratch_(table) {}

  // Cleans one raw record and appends its cleaned JSON (no newline) to *out.
  // Returns true if appended, false if dropped as a duplicate `ind`; InvalidArgument (the row
  // is counted as rejected with the status message as its reason) if it cannot be decoded.
  Result<bool> Process(std::string_view json, std::string* out);
  // The same, giving the typed row instead of its JSON: nullopt when dropped as a duplicate.
  Result<std::optional<CleanRow>> ProcessRow(std::string_view json);
  // Treats `ind` as already seen (kept by an earlier run): later rows with it are duplicates.
  void MarkSeen(int64_t ind) { dedup_.FirstSeen(ind); }

  Table table() const { return table_; }
  const QualityCounters& quality() const { return quality_; }

 private:
  template <typename Raw>
  std::optional<CleanRow> Emit(const Raw& raw, int64_t ind);

  Table table_;
  QualityCounters quality_;
  QualityCounters scratch_;  // values rejected while decoding the current row
  RecordDecoder decoder_;
  DedupByInd dedup_;
};

}  // namespace pinpipe::model
