// RowCleaner: raw JSON records of one table in, cleaned JSON records out — decode
// (json_codec.h), drop repeated `ind`s (dedup.h, first arrival wins), clean (cleaning.h),
// encode (compact, cleaned column order), counting everything in its QualityCounters.
//
// Not thread-safe: one RowCleaner per thread (merge the counters afterwards).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "model/dedup.h"
#include "model/json_codec.h"
#include "model/quality.h"
#include "model/records.h"

namespace pinpipe::model {

class RowCleaner {
 public:
  explicit RowCleaner(Table table) : table_(table), quality_(table), scratch_(table) {}

  // Cleans one raw record and appends its cleaned JSON (no newline) to *out.
  // Returns true if appended, false if dropped as a duplicate `ind`; InvalidArgument (the row
  // is counted as rejected with the status message as its reason) if it cannot be decoded.
  Result<bool> Process(std::string_view json, std::string* out);

  Table table() const { return table_; }
  const QualityCounters& quality() const { return quality_; }

 private:
  template <typename Raw>
  bool Emit(Result<Raw>& raw, int64_t ind, std::string* out);

  Table table_;
  QualityCounters quality_;
  QualityCounters scratch_;  // values rejected while decoding the current row
  RecordDecoder decoder_;
  DedupByInd dedup_;
};

}  // namespace pinpipe::model
