// Fuzzes the log's record reader (docs/log_format.md §2) on arbitrary bytes, the way recovery
// reads a torn or corrupt segment tail: header, then the whole batch. A second pass patches
// in a correct length and CRC so the fuzzer also reaches the record grammar behind the
// checksum. Properties: no crash or sanitizer report; a batch that decodes holds exactly
// record_count records at dense offsets; DecodeBatchViews (the zero-copy reader, on the
// bytes placed in a sealed RecordViews chunk) accepts exactly what DecodeBatch accepts and
// shows the same records.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/crc32c.h"
#include "log/record_batch.h"
#include "log/record_view.h"

namespace {

void Check(std::string_view data) {
  using namespace pinpipe::log;  // NOLINT(google-build-using-namespace)
  if (data.size() < kBatchHeaderSize) return;
  auto header = DecodeBatchHeader(data);
  if (!header.ok() || header->total_size() > data.size()) return;
  std::vector<StoredRecord> records;
  auto s = DecodeBatch(data.substr(0, header->total_size()), *header, header->base_offset, &records);
  if (!s.ok()) records.clear();
  if (s.ok() && records.size() != header->record_count) std::abort();
  for (size_t i = 0; i < records.size(); i++) {
    if (records[i].offset != header->base_offset + static_cast<int64_t>(i)) std::abort();
  }

  RecordViews views;
  RecordViews::Chunk* chunk = views.NewChunk(header->total_size());
  std::memcpy(chunk->data.get(), data.data(), header->total_size());
  chunk->size = header->total_size();
  RecordViews::Seal(chunk);
  size_t bytes = 0;
  auto full = DecodeBatchViews(chunk->view(), *header, header->base_offset, SIZE_MAX, &views,
                               &bytes);
  if (full.ok() != s.ok()) std::abort();
  if (!s.ok()) return;
  if (views.size() != records.size()) std::abort();
  for (size_t i = 0; i < records.size(); i++) {
    const RecordView& v = views.records()[i];
    const Record& r = records[i].record;
    if (v.offset != records[i].offset || v.timestamp_ms != r.timestamp_ms ||
        v.value != r.value || v.has_key != r.key.has_value() ||
        (r.key && v.key != *r.key) || v.header_count != r.headers.size()) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Check(in);
  if (size >= pinpipe::log::kBatchHeaderSize && size < (1u << 20)) {
    std::string fixed(in);
    auto length = static_cast<uint32_t>(size - 4);
    std::memcpy(fixed.data(), &length, 4);  // little-endian on x86
    fixed[8] = static_cast<char>(pinpipe::log::kBatchMagic);
    uint32_t crc = pinpipe::crc32c::Value(fixed.data() + 8, fixed.size() - 8);
    std::memcpy(fixed.data() + 4, &crc, 4);
    Check(fixed);
  }
  return 0;
}
