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
  Status status;
  std::optional<CleanRow> row;
  switch (table_) {
    case Table::kPin: {
      Result<RawPin> raw = decoder_.DecodePin(json, &scratch_);
      if (raw.ok()) row = Emit(*raw, raw->index);
      status = raw.status();
      break;
    }
    case Table::kGeo: {
      Result<RawGeo> raw = decoder_.DecodeGeo(json, &scratch_);
      if (raw.ok()) row = Emit(*raw, raw->ind);
      status = raw.status();
      break;
    }
    case Table::kUser: {
      Result<RawUser> raw = decoder_.DecodeUser(json, &scratch_);
      if (raw.ok()) row = Emit(*raw, raw->ind);
      status = raw.status();
      break;
    }
  }
  if (!status.ok()) {
    quality_.CountRejectedRow(status.message());
    return status;
  }
  if (row.has_value()) {
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
