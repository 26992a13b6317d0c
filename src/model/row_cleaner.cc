#include "model/row_cleaner.h"

#include "model/cleaning.h"

namespace pinpipe::model {

template <typename Raw>
std::optional<CleanRow> RowCleaner::Emit(const Raw& raw, int64_t ind) {
  if (!dedup_.FirstSeen(ind)) {
    quality_.CountDuplicate();
    return std::nullopt;
  }
  return CleanRow(Clean(raw, &quality_));
}

Result<std::optional<CleanRow>> RowCleaner::ProcessRow(std::string_view json) {
  quality_.CountRead();
  // Values rejected while decoding are counted only once the row is known to be kept.
  scratch_.Reset();
  Result<std::optional<CleanRow>> row =
      DecodeRow(table_, decoder_, json, &scratch_,
                [this](const auto& raw, int64_t ind) { return Emit(raw, ind); });
  if (!row.ok()) {
    quality_.CountRejectedRow(row.status().message());
    return row.status();
  }
  if (row->has_value()) {
    for (const auto& [name, counts] : scratch_.columns()) quality_.Column(name) += counts;
  }
  return row;
}

Result<bool> RowCleaner::Process(std::string_view json, std::string* out) {
  ASSIGN_OR_RETURN(std::optional<CleanRow> row, ProcessRow(json));
  if (!row.has_value()) return false;
  std::visit([out](const auto& clean) { AppendCleanJson(out, clean); }, *row);
  return true;
}

}  // namespace pinpipe::model
