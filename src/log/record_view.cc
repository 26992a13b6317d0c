#include "log/record_view.h"

#include <cstring>

#include "base/prefault.h"

namespace pinpipe::log {

void RecordViews::Clear() {
  records_.clear();
  chunks_used_ = 0;
}

RecordViews::Chunk* RecordViews::NewChunk(size_t n) {
  if (chunks_used_ == chunks_.size()) chunks_.emplace_back();
  Chunk* chunk = &chunks_[chunks_used_++];
  chunk->size = 0;
  if (chunk->capacity < n + kPadding) {
    chunk->capacity = n + kPadding;
    // Uninitialized (a file read fills it next), and mapped in at once.
    chunk->data.reset(new char[chunk->capacity]);
    PrefaultForWrite(chunk->data.get(), chunk->capacity);
  }
  return chunk;
}

void RecordViews::Seal(Chunk* chunk) {
  std::memset(chunk->data.get() + chunk->size, 0, kPadding);
}

void RecordViews::AddCopies(std::span<const StoredRecord> records) {
  size_t total = 0;
  for (const StoredRecord& r : records) {
    total += (r.record.key ? r.record.key->size() + kPadding : 0) + r.record.value.size() +
             kPadding;
  }
  Chunk* chunk = NewChunk(total);
  for (const StoredRecord& sr : records) {
    const Record& r = sr.record;
    RecordView v;
    v.offset = sr.offset;
    v.timestamp_ms = r.timestamp_ms;
    v.has_key = r.key.has_value();
    v.header_count = static_cast<uint32_t>(r.headers.size());
    auto place = [chunk](std::string_view bytes) {
      char* at = chunk->data.get() + chunk->size;
      std::memcpy(at, bytes.data(), bytes.size());
      std::memset(at + bytes.size(), 0, kPadding);
      chunk->size += bytes.size() + kPadding;
      return std::string_view(at, bytes.size());
    };
    if (r.key) v.key = place(*r.key);
    v.value = place(r.value);
    records_.push_back(v);
  }
}

}  // namespace pinpipe::log
