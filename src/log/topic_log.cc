#include "log/topic_log.h"

#include <utility>

namespace pinpipe::log {

void TopicLog::AppendEncodedAsync(std::string_view topic, std::optional<int32_t> partition,
                                  EncodedBatch batch, AppendCallback done) {
  if (batch.record_count == 0 || batch.bytes.size() < kBatchHeaderSize) {
    return done(InvalidArgumentError("append of no records"));
  }
  if (!partition && batch.has_keys) {
    Result<int32_t> count = PartitionCount(topic);
    if (!count.ok()) return done(count.status());
    if (*count > 1) {
      return done(InvalidArgumentError(
          "an encoded batch with keys needs an explicit partition on a topic of several"));
    }
  }
  SealBatch(batch.bytes.data(), batch.bytes.size(), 0, 0);
  Result<BatchHeader> header = DecodeBatchHeader(batch.bytes);
  if (!header.ok()) return done(header.status());
  std::vector<StoredRecord> stored;
  if (Status s = DecodeBatch(batch.bytes, *header, 0, &stored); !s.ok()) return done(s);
  std::vector<Record> records;
  records.reserve(stored.size());
  for (StoredRecord& r : stored) {
    records.push_back(std::move(r.record));
    records.back().timestamp_ms = -1;  // stamped by the log, as an encoded batch is
  }
  AppendAsync(topic, partition ? PartitionChoice::Explicit(*partition) : PartitionChoice::ByKey(),
              std::move(records), std::move(done));
}

}  // namespace pinpipe::log
