#include "sink/partition_writer.h"

#include <algorithm>
#include <utility>

#include "sink/object_key.h"

namespace pinpipe::sink {

PartitionWriter::PartitionWriter(std::string topic, int32_t partition, CutPolicy policy,
                                 int64_t position, BufferRecycler* buffers)
    : topic_(std::move(topic)),
      partition_(partition),
      policy_(policy),
      buffers_(buffers),
      position_(position) {}

void PartitionWriter::Add(int64_t offset, int64_t timestamp_ms, std::string_view line,
                          std::vector<ObjectChunk>* out) {
  const auto max_bytes = static_cast<size_t>(policy_.max_buffer_bytes);
  if (open_records_ > 0) {
    bool by_time = policy_.rotate_interval_ms > 0 &&
                   timestamp_ms - open_base_timestamp_ >= policy_.rotate_interval_ms;
    bool by_bytes = open_.size() + line.size() + 1 > max_bytes;
    if (by_time || by_bytes) CutNow(out);
  }
  if (open_records_ == 0) {
    open_start_ = offset;
    open_base_timestamp_ = timestamp_ms;
    // Room for an object like the last one: growing a fresh string by doubling copied each
    // large object about twice and faulted in its pages again at every step.
    const size_t want = std::min(max_bytes, std::max(last_bytes_ + last_bytes_ / 8, line.size() + 1));
    if (buffers_ != nullptr) {
      open_ = buffers_->Take(want);
    } else {
      open_.reserve(want);
    }
  }
  open_.append(line);
  open_.push_back('\n');
  open_records_++;
  open_last_ = offset;
  position_ = offset + 1;
  if (open_records_ >= policy_.flush_size || open_.size() >= max_bytes) CutNow(out);
}

void PartitionWriter::Skip(int64_t offset) { position_ = offset + 1; }

void PartitionWriter::CutNow(std::vector<ObjectChunk>* out) {
  if (open_records_ == 0) return;
  ObjectChunk chunk;
  chunk.key = ObjectKey(topic_, partition_, open_start_);
  chunk.start_offset = open_start_;
  chunk.last_offset = open_last_;
  chunk.records = open_records_;
  last_bytes_ = open_.size();
  chunk.data = std::move(open_);
  out->push_back(std::move(chunk));
  open_.clear();
  open_records_ = 0;
}

}  // namespace pinpipe::sink
