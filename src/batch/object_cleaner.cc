#include "batch/object_cleaner.h"

#include "model/cleaning.h"

namespace pinpipe::batch {
namespace {

// Decodes and cleans one line; the row's counts go to *scratch.
Result<model::CleanRow> CleanLine(model::Table table, model::RecordDecoder& decoder,
                                  std::string_view line, model::QualityCounters* scratch) {
  return model::DecodeRow(table, decoder, line, scratch, [scratch](const auto& raw, int64_t) {
    return model::CleanRow(model::Clean(raw, scratch));
  });
}

}  // namespace

ObjectCleaner::ObjectCleaner(model::Table table) : table_(table), scratch_(table) {}

void ObjectCleaner::Clean(std::string_view bytes, CleanedObject* out) {
  *out = CleanedObject();
  const size_t own_columns = model::QualityCounters(table_).columns().size();
  std::string_view rest = bytes;
  while (!rest.empty()) {
    size_t newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    ++out->records;
    scratch_.Reset();
    Result<model::CleanRow> row = CleanLine(table_, decoder_, line, &scratch_);
    if (!row.ok()) {
      out->reject_reasons.emplace_back(row.status().message());
      continue;
    }
    out->inds.push_back(std::visit([](const auto& r) { return r.ind; }, *row));
    out->rows.push_back(std::move(*row));
    const auto& columns = scratch_.columns();
    for (size_t c = 0; c < columns.size(); ++c) {
      const model::ColumnQuality& q = columns[c].second;
      if (q.nulled == 0 && q.converted == 0 && q.rejected == 0) continue;
      out->touches.push_back(ColumnTouch{static_cast<uint16_t>(c), static_cast<uint16_t>(q.nulled),
                                         static_cast<uint16_t>(q.converted),
                                         static_cast<uint16_t>(q.rejected)});
    }
    out->touch_ends.push_back(static_cast<uint32_t>(out->touches.size()));
  }
  // Names of columns the model counted that are not the table's own (none today), so the
  // touches' indexes past them can be named on the other thread.
  for (size_t c = own_columns; c < scratch_.columns().size(); ++c) {
    out->extra_columns.push_back(scratch_.columns()[c].first);
  }
}

InOrderDedup::InOrderDedup(model::Table table) : quality_(table), extra_(table) {
  for (const auto& [name, counts] : quality_.columns()) names_.push_back(name);
  columns_.resize(names_.size());
}

void InOrderDedup::Count(const CleanedObject& object, const ColumnTouch& t) {
  model::ColumnQuality* q = nullptr;
  if (t.column < columns_.size()) {
    q = &columns_[t.column];
  } else {
    q = &extra_.Column(object.extra_columns.at(t.column - columns_.size()));
  }
  q->nulled += t.nulled;
  q->converted += t.converted;
  q->rejected += t.rejected;
}

model::QualityCounters InOrderDedup::quality() const {
  model::QualityCounters out = quality_;
  for (size_t c = 0; c < names_.size(); ++c) out.Column(names_[c]) += columns_[c];
  out += extra_;
  return out;
}

}  // namespace pinpipe::batch
