// RecordView / RecordViews: records read without a copy per record (TopicLog::ReadViews).
// A RecordView's bytes point into the RecordViews it came from and stay valid until that
// RecordViews is read into again, cleared or destroyed. Reusing one RecordViews for every read
// of a consumer (the sink does) keeps its memory: steady-state reads allocate nothing.
//
// Padding: every key and value is followed by at least kPadding readable bytes inside the
// buffer (zeros or the record's neighbours), so a SIMD parser such as simdjson may read that
// far past a value's end without copying it first.
//
// Thread-safety: a RecordViews belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "log/record.h"

namespace pinpipe::log {

struct RecordView {
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  bool has_key = false;  // false: a null key (Kafka tells it apart from "")
  std::string_view key;
  std::string_view value;
  uint32_t header_count = 0;  // the headers themselves: TopicLog::Read
};

class RecordViews {
 public:
  static constexpr size_t kPadding = 64;

  RecordViews() = default;
  RecordViews(const RecordViews&) = delete;
  RecordViews& operator=(const RecordViews&) = delete;

  std::span<const RecordView> records() const { return records_; }
  bool empty() const { return records_.empty(); }
  size_t size() const { return records_.size(); }

  // Forgets the records and invalidates their views; keeps the memory for the next read.
  void Clear();

  // For backends: a buffer of at least n + kPadding bytes to fill (its old contents are
  // garbage), which does not move until Clear(). Set its `size` to the bytes filled, then
  // Seal it; views into it may then be added.
  struct Chunk {
    std::unique_ptr<char[]> data;
    size_t capacity = 0;
    size_t size = 0;
    std::string_view view() const { return {data.get(), size}; }
  };
  Chunk* NewChunk(size_t n);
  // Zeroes the kPadding bytes after chunk->size.
  static void Seal(Chunk* chunk);
  void Add(const RecordView& v) { records_.push_back(v); }
  // For backends without a zero-copy path: copies the keys and values of `records` into one
  // chunk and adds their views (header_count set, headers dropped).
  void AddCopies(std::span<const StoredRecord> records);

 private:
  std::deque<Chunk> chunks_;  // a deque: growing it never moves a chunk
  size_t chunks_used_ = 0;
  std::vector<RecordView> records_;
};

}  // namespace pinpipe::log
