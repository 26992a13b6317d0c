// Cleaning raw objects in parallel with first-arrival dedup kept in order.
//
// model::RowCleaner decodes, dedups and cleans a row at a time on one thread. The batch job
// splits that: ObjectCleaner (one per fetch thread) decodes and cleans every line of one raw
// object with the model's rules (RecordDecoder + Clean, the definitions `pinpipe clean`
// uses) into a CleanedObject; InOrderDedup then takes the objects on one thread in (partition,
// offset) order, keeps the first arrival of each `ind` and counts the quality of kept rows
// only. The counts come out as RowCleaner's on the same lines in the same order: read, rejected
// (by reason, in order), duplicates, and per column nulled/converted/rejected of kept rows.
//
// Thread-safety: an ObjectCleaner and an InOrderDedup are each used by one thread at a time; a
// CleanedObject may be handed between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/dedup.h"
#include "model/json_codec.h"
#include "model/quality.h"
#include "model/row_cleaner.h"

namespace pinpipe::batch {

// What cleaning did to one column of one row.
struct ColumnTouch {
  uint16_t column;  // index into the column list of QualityCounters(table)
  uint16_t nulled;
  uint16_t converted;
  uint16_t rejected;
};

// The lines of one raw object, decoded and cleaned, duplicates not yet dropped.
struct CleanedObject {
  int64_t records = 0;                      // non-blank lines
  int64_t bytes = 0;                        // the object's size (set by the caller)
  std::vector<int64_t> inds;                // per decoded row
  std::vector<model::CleanRow> rows;        // per decoded row, in line order
  std::vector<uint32_t> touch_ends;         // row r's touches end at touch_ends[r]
  std::vector<ColumnTouch> touches;
  std::vector<std::string> extra_columns;   // names of touched columns past the table's own
  std::vector<std::string> reject_reasons;  // lines that could not be decoded, in order
};

class ObjectCleaner {
 public:
  explicit ObjectCleaner(model::Table table);

  // Cleans every non-blank line of `bytes` (JSON lines) into *out (cleared first).
  void Clean(std::string_view bytes, CleanedObject* out);

 private:
  model::Table table_;
  model::RecordDecoder decoder_;
  model::QualityCounters scratch_;  // the current row's counts
};

class InOrderDedup {
 public:
  explicit InOrderDedup(model::Table table);

  // Treats `ind` as already kept (by an earlier run).
  void MarkSeen(int64_t ind) { seen_.FirstSeen(ind); }

  // Counts `object` and calls keep(CleanRow&&) for each first arrival, in line order.
  template <typename Keep>
  Status Take(CleanedObject& object, Keep&& keep) {
    for (int64_t i = 0; i < object.records; ++i) quality_.CountRead();
    for (const std::string& reason : object.reject_reasons) quality_.CountRejectedRow(reason);
    uint32_t touch = 0;
    for (size_t r = 0; r < object.rows.size(); ++r) {
      const uint32_t end = object.touch_ends[r];
      if (!seen_.FirstSeen(object.inds[r])) {
        quality_.CountDuplicate();
        touch = end;
        continue;
      }
      for (; touch < end; ++touch) Count(object, object.touches[touch]);
      RETURN_IF_ERROR(keep(std::move(object.rows[r])));
    }
    return Status::OK();
  }

  // The counts so far (what RowCleaner::quality() would say).
  model::QualityCounters quality() const;

 private:
  void Count(const CleanedObject& object, const ColumnTouch& t);

  model::QualityCounters quality_;  // rows read, rejected, duplicates
  std::vector<std::string> names_;  // the table's own columns, in order
  std::vector<model::ColumnQuality> columns_;  // per names_
  model::QualityCounters extra_;    // columns past the table's own
  model::DedupByInd seen_;
};

}  // namespace pinpipe::batch
