#include "log/record_view.h"

#include "base/prefault.h"

namespace pinpipe::log {

void RecordViews::Clear() {
  records_.clear();
  chunks_used_ = 0;
}

std::string* RecordViews::NewChunk(size_t n) {
  if (chunks_used_ == chunks_.size()) chunks_.emplace_back();
  std::string* chunk = &chunks_[chunks_used_++];
  // Not cleared: a file read resizes it, and a smaller resize writes nothing, where clearing
  // would make the next read zero-fill the whole buffer before overwriting it.
  if (chunk->capacity() < n + kPadding) {
    chunk->reserve(n + kPadding);
    PrefaultForWrite(chunk->data(), chunk->capacity());  // a read fills it next
  }
  return chunk;
}

void RecordViews::AddCopies(std::span<const StoredRecord> records) {
  size_t total = 0;
  for (const StoredRecord& r : records) {
    total += (r.record.key ? r.record.key->size() + kPadding : 0) + r.record.value.size() +
             kPadding;
  }
  std::string* chunk = NewChunk(total);
  chunk->clear();
  // Offsets first: the views are made once the chunk is complete.
  struct Place {
    size_t key, value;
  };
  std::vector<Place> places;
  places.reserve(records.size());
  for (const StoredRecord& r : records) {
    Place p{0, 0};
    if (r.record.key) {
      p.key = chunk->size();
      chunk->append(*r.record.key);
      chunk->append(kPadding, '\0');
    }
    p.value = chunk->size();
    chunk->append(r.record.value);
    chunk->append(kPadding, '\0');
    places.push_back(p);
  }
  for (size_t i = 0; i < records.size(); ++i) {
    const Record& r = records[i].record;
    RecordView v;
    v.offset = records[i].offset;
    v.timestamp_ms = r.timestamp_ms;
    v.has_key = r.key.has_value();
    if (r.key) v.key = std::string_view(*chunk).substr(places[i].key, r.key->size());
    v.value = std::string_view(*chunk).substr(places[i].value, r.value.size());
    v.header_count = static_cast<uint32_t>(r.headers.size());
    records_.push_back(v);
  }
}

}  // namespace pinpipe::log
