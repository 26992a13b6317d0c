#include "log/record_batch.h"

#include <algorithm>
#include <limits>

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
                                " records exceeds the limit of " + std::to_string(kMaxBatchLength) +
                                " bytes");
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

BatchBuilder::BatchBuilder(size_t expected_bytes) {
  if (expected_bytes > 0) {
    batch_.bytes.reserve(kBatchHeaderSize + expected_bytes + expected_bytes / 16);
  }
  batch_.bytes.append(8, '\0');  // length and crc: Finish and SealBatch
  batch_.bytes.push_back(static_cast<char>(kBatchMagic));
  // base_offset (SealBatch), record_count (Finish), first and max timestamp (SealBatch).
  batch_.bytes.append(28, '\0');
}

void BatchBuilder::Add(std::optional<std::string_view> key, std::string_view value) {
  std::string& out = batch_.bytes;
  out.push_back(0);  // timestamp_delta: every record gets the batch's timestamp
  if (key) {
    coding::PutVarint64(&out, key->size() + 1);
    out.append(*key);
    batch_.payload_bytes += key->size();
    batch_.has_keys = true;
  } else {
    coding::PutVarint64(&out, 0);
  }
  coding::PutLengthPrefixed(&out, value);
  out.push_back(0);  // no headers
  batch_.payload_bytes += value.size();
  batch_.record_count++;
}

Result<EncodedBatch> BatchBuilder::Finish() && {
  if (batch_.record_count == 0) return InvalidArgumentError("a batch needs at least one record");
  if (batch_.bytes.size() - 4 > kMaxBatchLength) {
    return InvalidArgumentError("batch of " + std::to_string(batch_.record_count) +
                                " records exceeds the limit of " + std::to_string(kMaxBatchLength) +
                                " bytes");
  }
  char* p = batch_.bytes.data();
  coding::EncodeFixed32(p, static_cast<uint32_t>(batch_.bytes.size() - 4));
  coding::EncodeFixed32(p + 17, batch_.record_count);
  return std::move(batch_);
}

void SealBatch(char* batch, size_t size, int64_t base_offset, int64_t now_ms) {
  coding::EncodeFixed64(batch + 9, static_cast<uint64_t>(base_offset));
  coding::EncodeFixed64(batch + 21, static_cast<uint64_t>(now_ms));
  coding::EncodeFixed64(batch + 29, static_cast<uint64_t>(now_ms));
  coding::EncodeFixed32(batch + 4, crc32c::Value(batch + 8, size - 8));
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

namespace {

// One record as WalkBatch finds it; `headers` is its encoded header section.
struct RawRecord {
  int64_t offset;
  int64_t timestamp_ms;
  bool has_key;
  std::string_view key;
  std::string_view value;
  uint32_t header_count;
  std::string_view headers;
  size_t header_bytes;  // keys and values of the headers
};

// Checks the CRC and that the records parse to exactly the batch's end, calling
// fn(const RawRecord&) for each. The one parser of record bytes.
template <typename Fn>
Status WalkBatch(std::string_view batch, const BatchHeader& h, Fn&& fn) {
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
    uint32_t key_len;
    RawRecord r;
    if (!coding::GetZigZag64(&in, &ts_delta) || !coding::GetVarint32(&in, &key_len)) {
      return bad("bad record prefix");
    }
    r.has_key = key_len > 0;
    if (r.has_key && !coding::GetBytes(&in, key_len - 1, &r.key)) return bad("bad key");
    if (!coding::GetLengthPrefixed(&in, &r.value)) return bad("bad value");
    if (!coding::GetVarint32(&in, &r.header_count) || r.header_count > in.size()) {
      return bad("bad header count");
    }
    const char* headers_begin = in.data();
    r.header_bytes = 0;
    for (uint32_t j = 0; j < r.header_count; ++j) {
      std::string_view hk, hv;
      if (!coding::GetLengthPrefixed(&in, &hk) || !coding::GetLengthPrefixed(&in, &hv)) {
        return bad("bad header");
      }
      r.header_bytes += hk.size() + hv.size();
    }
    r.headers = std::string_view(headers_begin, static_cast<size_t>(in.data() - headers_begin));
    r.offset = h.base_offset + i;
    r.timestamp_ms = h.first_timestamp + ts_delta;
    fn(r);
  }
  if (!in.empty()) return bad("trailing bytes");
  return Status::OK();
}

}  // namespace

Status DecodeBatch(std::string_view batch, const BatchHeader& h, int64_t min_offset,
                   std::vector<StoredRecord>* out) {
  return WalkBatch(batch, h, [&](const RawRecord& r) {
    if (out == nullptr || r.offset < min_offset) return;
    StoredRecord& rec = out->emplace_back();
    rec.offset = r.offset;
    rec.record.timestamp_ms = r.timestamp_ms;
    if (r.has_key) rec.record.key.emplace(r.key);
    rec.record.value.assign(r.value);
    std::string_view in = r.headers;  // WalkBatch checked it
    rec.record.headers.reserve(r.header_count);
    for (uint32_t j = 0; j < r.header_count; ++j) {
      std::string_view hk, hv;
      coding::GetLengthPrefixed(&in, &hk);
      coding::GetLengthPrefixed(&in, &hv);
      rec.record.headers.push_back({std::string(hk), std::string(hv)});
    }
  });
}

Result<bool> DecodeBatchViews(std::string_view batch, const BatchHeader& h, int64_t min_offset,
                              size_t max_bytes, RecordViews* out, size_t* bytes) {
  bool full = false;
  RETURN_IF_ERROR(WalkBatch(batch, h, [&](const RawRecord& r) {
    if (full || r.offset < min_offset) return;
    const size_t n = r.key.size() + r.value.size() + r.header_bytes;
    if (!out->empty() && *bytes + n > max_bytes) {
      full = true;
      return;
    }
    *bytes += n;
    out->Add(RecordView{r.offset, r.timestamp_ms, r.has_key, r.key, r.value, r.header_count});
  }));
  return full || *bytes >= max_bytes;
}

}  // namespace pinpipe::log
