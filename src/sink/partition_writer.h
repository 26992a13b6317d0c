// PartitionWriter: where the objects of one topic partition are cut. Pure logic, no I/O: the
// Sink feeds it records in offset order and puts the objects it hands out.
//
// Cut points depend only on offsets, record timestamps and value sizes (deterministic, so a
// restart from a committed offset cuts the same objects under the same keys):
//   - before a record whose timestamp is >= rotate_interval_ms past the open object's first
//     record (when rotate_interval_ms > 0; the record opens the next object, as Confluent's
//     rotateOnTime);
//   - before a record that would take the open object past max_buffer_bytes;
//   - after a record that makes flush_size records, or reaches max_buffer_bytes (a single
//     record larger than the bound gets an object of its own).
// CutNow() adds a cut at the caller's moment (the end of a drain, a scheduled rotation): the
// only cuts that are not deterministic.
//
// Bounded memory: the open object holds at most flush_size records and max_buffer_bytes
// bytes (or one record).
//
// Thread-safety: none; one thread owns a writer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sink/buffer_recycler.h"

namespace pinpipe::sink {

struct CutPolicy {
  int64_t flush_size = 1;
  int64_t rotate_interval_ms = -1;
  int64_t max_buffer_bytes = 16 << 20;
};

// A finished object: the lines of records [start_offset, last_offset] that were written
// (records sent to the dead-letter topic in between are not in it).
struct ObjectChunk {
  std::string key;
  int64_t start_offset = 0;
  int64_t last_offset = 0;
  int64_t records = 0;
  std::string data;  // one line per record, each ending in '\n'
};

class PartitionWriter {
 public:
  // `position`: the offset of the first record the writer will see (the committed offset).
  // `buffers` (optional, must outlive the writer): where object buffers come from.
  PartitionWriter(std::string topic, int32_t partition, CutPolicy policy, int64_t position,
                  BufferRecycler* buffers = nullptr);
  PartitionWriter(const PartitionWriter&) = delete;
  PartitionWriter& operator=(const PartitionWriter&) = delete;

  // Adds the record at `offset` (>= position()) as `line` (without its '\n'). Objects cut
  // are appended to *out.
  void Add(int64_t offset, int64_t timestamp_ms, std::string_view line,
           std::vector<ObjectChunk>* out);
  // The record at `offset` was consumed without being written (it went to the DLQ).
  void Skip(int64_t offset);
  // Cuts the open object, if any.
  void CutNow(std::vector<ObjectChunk>* out);

  // The next offset to read.
  int64_t position() const { return position_; }
  // The offset that may be committed once every object handed out is durable: the open
  // object's first offset, or position() when nothing is open.
  int64_t safe_offset() const { return open_records_ > 0 ? open_start_ : position_; }
  int64_t open_records() const { return open_records_; }
  size_t open_bytes() const { return open_.size(); }
  const std::string& topic() const { return topic_; }
  int32_t partition() const { return partition_; }

 private:
  const std::string topic_;
  const int32_t partition_;
  const CutPolicy policy_;
  BufferRecycler* const buffers_;
  int64_t position_;
  std::string open_;
  int64_t open_records_ = 0;
  int64_t open_start_ = 0;
  int64_t open_last_ = 0;
  int64_t open_base_timestamp_ = 0;
  size_t last_bytes_ = 0;  // the size of the last object cut, to size the next one
};

}  // namespace pinpipe::sink
