#include "model/row_cleaner.h"

#include "model/cleaning.h"

namespace pinpipe::model {

template <typename Raw>
bool RowCleaner::Emit(Result<Raw>& raw, int64_t ind, std::string* out) {
  if (!dedup_.FirstSeen(ind)) {
    quality_.CountDuplicate();
    return false;
  }
  AppendCleanJson(out, Clean(*raw, &quality_));
  return true;
}

Result<bool> RowCleaner::Process(std::string_view json, std::string* out) {
  quality_.CountRead();
  // Values rejected while decoding are counted only once the row is known to be kept.
  scratch_.Reset();
  Status status;
  bool appended = false;
  switch (table_) {
    case Table::kPin: {
      Result<RawPin> raw = decoder_.DecodePin(json, &scratch_);
      if (!raw.ok()) {
        status = raw.status();
        break;
      }
      appended = Emit(raw, raw->index, out);
      break;
    }
    case Table::kGeo: {
      Result<RawGeo> raw = decoder_.DecodeGeo(json, &scratch_);
      if (!raw.ok()) {
        status = raw.status();
        break;
      }
      appended = Emit(raw, raw->ind, out);
      break;
    }
    case Table::kUser: {
      Result<RawUser> raw = decoder_.DecodeUser(json, &scratch_);
      if (!raw.ok()) {
        status = raw.status();
        break;
      }
      appended = Emit(raw, raw->ind, out);
      break;
    }
  }
  if (!status.ok()) {
    quality_.CountRejectedRow(status.message());
    return status;
  }
  if (appended) {
    for (const auto& [name, counts] : scratch_.columns()) quality_.Column(name) += counts;
  }
  return appended;
}

}  // namespace pinpipe::model
