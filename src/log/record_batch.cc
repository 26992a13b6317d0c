#include "log/record_batch.h"

#include <limits>

#include <algorithm>

#include "base/crc32c.h"
#include "log/coding.h"

namespace pinpipe::log {

using coding::DecodeFixed32;
using coding::DecodeFixed64;

Status EncodeBatch(int64_t base_offset, std::span<const Record> records, int64_t now_ms,
                   std::string* out) {
  if (records.empty()) return InvalidArgumentError("a batch needs at least one record");
  size_t payload = 0;
  for (const Record& r : records) payload += RecordPayloadBytes(r);
  auto too_big = [&records] {
    return InvalidArgumentError("batch of " + std::to_string(records.size()) +
                                " records exceeds the limit of " +
                                std::to_string(kMaxBatchLength) + " bytes");
  };
  if (payload > kMaxBatchLength) return too_big();  // before copying any of it
  const size_t start = out->size();
  // Grow once for the whole batch (the per-record overhead is at most ~32 bytes) rather than
  // reallocating and copying as records are appended.
  size_t need = start + kBatchHeaderSize + payload + 32 * records.size();
  if (out->capacity() < need) out->reserve(std::max(need, out->capacity() * 2));
  auto stamp = [now_ms](const Record& r) { return r.timestamp_ms < 0 ? now_ms : r.timestamp_ms; };
  const int64_t first_ts = stamp(records[0]);
  int64_t max_ts = first_ts;
  for (const Record& r : records) max_ts = std::max(max_ts, stamp(r));

  out->append(8, '\0');  // length and crc, filled in below
  out->push_back(static_cast<char>(kBatchMagic));
  coding::PutFixed64(out, static_cast<uint64_t>(base_offset));
  coding::PutFixed32(out, static_cast<uint32_t>(records.size()));
  coding::PutFixed64(out, static_cast<uint64_t>(first_ts));
  coding::PutFixed64(out, static_cast<uint64_t>(max_ts));
  for (const Record& r : records) {
    coding::PutZigZag64(out, stamp(r) - first_ts);
    if (r.key) {
      coding::PutVarint64(out, r.key->size() + 1);
      out->append(*r.key);
    } else {
      coding::PutVarint64(out, 0);
    }
    coding::PutLengthPrefixed(out, r.value);
    coding::PutVarint64(out, r.headers.size());
    for (const RecordHeader& h : r.headers) {
      coding::PutLengthPrefixed(out, h.key);
      coding::PutLengthPrefixed(out, h.value);
    }
    if (out->size() - start - 4 > kMaxBatchLength) {
      out->resize(start);
      return too_big();
    }
  }
  const uint32_t length = static_cast<uint32_t>(out->size() - start - 4);
  coding::EncodeFixed32(out->data() + start, length);
  coding::EncodeFixed32(out->data() + start + 4,
                        crc32c::Value(out->data() + start + 8, length - 4));
  return Status::OK();
}

Result<BatchHeader> DecodeBatchHeader(std::string_view data) {
  if (data.size() < kBatchHeaderSize) return CorruptionError("truncated batch header");
  const char* p = data.data();
  BatchHeader h;
  h.length = DecodeFixed32(p);
  h.crc = DecodeFixed32(p + 4);
  if (h.length < kBatchHeaderSize - 4 || h.length > kMaxBatchLength) {
    return CorruptionError("impossible batch length " + std::to_string(h.length));
  }
  if (static_cast<uint8_t>(p[8]) != kBatchMagic) {
    return CorruptionError("unknown batch magic " + std::to_string(static_cast<uint8_t>(p[8])));
  }
  h.base_offset = static_cast<int64_t>(DecodeFixed64(p + 9));
  h.record_count = DecodeFixed32(p + 17);
  h.first_timestamp = static_cast<int64_t>(DecodeFixed64(p + 21));
  h.max_timestamp = static_cast<int64_t>(DecodeFixed64(p + 29));
  if (h.record_count == 0) return CorruptionError("batch with no records");
  if (h.base_offset < 0) return CorruptionError("negative base offset");
  // next_offset() must not overflow (found by fuzz/log_record_fuzzer).
  if (h.base_offset > std::numeric_limits<int64_t>::max() - static_cast<int64_t>(h.record_count)) {
    return CorruptionError("base offset " + std::to_string(h.base_offset) + " + " +
                           std::to_string(h.record_count) + " records overflows");
  }
  return h;
}

Status DecodeBatch(std::string_view batch, const BatchHeader& h, int64_t min_offset,
                   std::vector<StoredRecord>* out) {
  if (batch.size() != h.total_size()) return CorruptionError("truncated batch");
  if (crc32c::Value(batch.data() + 8, h.length - 4) != h.crc) {
    return CorruptionError("batch checksum mismatch at offset " + std::to_string(h.base_offset));
  }
  std::string_view in = batch.substr(kBatchHeaderSize);
  auto bad = [&h](const char* what) {
    return CorruptionError(std::string(what) + " in batch at offset " +
                           std::to_string(h.base_offset));
  };
  for (uint32_t i = 0; i < h.record_count; ++i) {
    int64_t ts_delta;
    uint32_t key_len, header_count;
    std::string_view key, value;
    if (!coding::GetZigZag64(&in, &ts_delta) || !coding::GetVarint32(&in, &key_len)) {
      return bad("bad record prefix");
    }
    if (key_len > 0 && !coding::GetBytes(&in, key_len - 1, &key)) return bad("bad key");
    if (!coding::GetLengthPrefixed(&in, &value)) return bad("bad value");
    if (!coding::GetVarint32(&in, &header_count) || header_count > in.size()) {
      return bad("bad header count");
    }
    const int64_t offset = h.base_offset + i;
    StoredRecord* rec = nullptr;
    if (out != nullptr && offset >= min_offset) {
      rec = &out->emplace_back();
      rec->offset = offset;
      rec->record.timestamp_ms = h.first_timestamp + ts_delta;
      if (key_len > 0) rec->record.key.emplace(key);
      rec->record.value.assign(value);
    }
    for (uint32_t j = 0; j < header_count; ++j) {
      std::string_view hk, hv;
      if (!coding::GetLengthPrefixed(&in, &hk) || !coding::GetLengthPrefixed(&in, &hv)) {
        return bad("bad header");
      }
      if (rec != nullptr) rec->record.headers.push_back({std::string(hk), std::string(hv)});
    }
  }
  if (!in.empty()) return bad("trailing bytes");
  return Status::OK();
}

}  // namespace pinpipe::log
