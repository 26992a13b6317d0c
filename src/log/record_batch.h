// Record batches: the unit the log writes, checksums and recovers (docs/log_format.md §2).
// One produce request becomes one batch, so it is all-or-nothing on disk.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "log/record.h"
#include "log/record_view.h"

namespace pinpipe::log {

inline constexpr size_t kBatchHeaderSize = 37;         // length .. max_timestamp
inline constexpr uint32_t kMaxBatchLength = 64 << 20;  // the `length` field's limit
inline constexpr uint8_t kBatchMagic = 1;

struct BatchHeader {
  uint32_t length = 0;  // bytes after the length field
  uint32_t crc = 0;
  int64_t base_offset = 0;
  uint32_t record_count = 0;
  int64_t first_timestamp = 0;
  int64_t max_timestamp = 0;

  uint64_t total_size() const { return 4 + static_cast<uint64_t>(length); }
  int64_t next_offset() const { return base_offset + record_count; }
};

// Appends one batch holding `records` (at least one) at offsets base_offset.. to *out.
// Records whose timestamp_ms is negative are stamped with now_ms. kInvalidArgument if the
// batch would exceed kMaxBatchLength or records is empty; *out is then unchanged.
Status EncodeBatch(int64_t base_offset, std::span<const Record> records, int64_t now_ms,
                   std::string* out);

// A batch encoded before its offsets are known, by the thread that decoded the request, so
// the log's writer only copies it into place: EncodeBatch's bytes with the base offset, the
// timestamps and the CRC not yet set (SealBatch sets them when the batch is written).
struct EncodedBatch {
  std::string bytes;
  uint32_t record_count = 0;
  size_t payload_bytes = 0;  // RecordPayloadBytes summed over the records
  bool has_keys = false;     // some record has a key
};

// Builds an EncodedBatch record by record: records without headers, all stamped with the
// time the log writes them (what a Kafka REST v2 produce carries). Adding copies the key and
// value once.
//
//   BatchBuilder b;
//   b.Add(std::nullopt, R"({"index":1})");
//   ASSIGN_OR_RETURN(EncodedBatch batch, std::move(b).Finish());
class BatchBuilder {
 public:
  // `expected_bytes`: about what the keys and values will take (reserved up front).
  explicit BatchBuilder(size_t expected_bytes = 0);
  void Add(std::optional<std::string_view> key, std::string_view value);
  uint32_t record_count() const { return batch_.record_count; }
  // kInvalidArgument if there are no records or the batch exceeds kMaxBatchLength.
  Result<EncodedBatch> Finish() &&;

 private:
  EncodedBatch batch_;
};

// Makes the EncodedBatch bytes at `batch` (`size` bytes, as built) the batch at base_offset,
// its records stamped now_ms: writes the offset, the timestamps and the CRC.
void SealBatch(char* batch, size_t size, int64_t base_offset, int64_t now_ms);

// Parses the fixed header at the start of `data` (at least kBatchHeaderSize bytes).
// kCorruption if the length or magic is impossible. Does not check the CRC.
Result<BatchHeader> DecodeBatchHeader(std::string_view data);

// Checks a complete batch (exactly header.total_size() bytes): the CRC, and that the records
// parse to exactly the batch's end. Appends the records to *out if out is not null, skipping
// those with offsets below min_offset. kCorruption on any mismatch (out may then hold a
// partial batch, which callers discard).
Status DecodeBatch(std::string_view batch, const BatchHeader& header, int64_t min_offset,
                   std::vector<StoredRecord>* out);

// The same checks as DecodeBatch, adding views (into `batch`, which must be inside a sealed
// RecordViews chunk) of the records with offsets >= min_offset while *bytes, their payload
// as RecordPayloadBytes counts it, stays within max_bytes; the first record of an empty *out
// is always added. OK(true) once max_bytes is reached: the reader stops there.
Result<bool> DecodeBatchViews(std::string_view batch, const BatchHeader& header, int64_t min_offset,
                              size_t max_bytes, RecordViews* out, size_t* bytes);

}  // namespace pinpipe::log
