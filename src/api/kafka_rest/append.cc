#include "api/kafka_rest/append.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include "log/partitioner.h"

namespace pinpipe::api::kafka_rest {
namespace {

// The records of a request bound for one partition choice, in request order, and the index
// of each in the request.
struct Group {
  log::PartitionChoice where;
  std::vector<size_t> indexes;
  std::vector<log::Record> records;
};

// Moves `records` into one group per distinct partition choice.
std::vector<Group> GroupByPartition(std::vector<log::Record>& records,
                                    const std::vector<std::optional<int32_t>>& partitions) {
  std::map<std::optional<int32_t>, std::vector<size_t>> by_choice;
  for (size_t i = 0; i < records.size(); i++) by_choice[partitions[i]].push_back(i);
  std::vector<Group> groups;
  groups.reserve(by_choice.size());
  for (auto& [partition, indexes] : by_choice) {
    Group& g = groups.emplace_back();
    g.where =
        partition ? log::PartitionChoice::Explicit(*partition) : log::PartitionChoice::ByKey();
    g.records.reserve(indexes.size());
    for (size_t i : indexes) g.records.push_back(std::move(records[i]));
    g.indexes = std::move(indexes);
  }
  return groups;
}

// Fills (*outcomes)[index_of(k)] for the k-th record of one append from its result.
template <typename IndexOf>
void Fill(const Result<std::vector<log::RecordPosition>>& positions, size_t count, IndexOf index_of,
          std::vector<AppendOutcome>* outcomes) {
  for (size_t k = 0; k < count; k++) {
    AppendOutcome& o = (*outcomes)[index_of(k)];
    if (positions.ok()) {
      o.position = (*positions)[k];
    } else {
      o.error = KafkaErrorFromStatus(positions.status());
    }
  }
}

// The callback of one append of `n` records: their outcomes, in request order, to `done`.
log::TopicLog::AppendCallback InOrder(size_t n, AppendDone done) {
  return [n, done = std::move(done)](Result<std::vector<log::RecordPosition>> r) {
    std::vector<AppendOutcome> out(n);
    Fill(r, n, [](size_t k) { return k; }, &out);
    done(std::move(out));
  };
}

}  // namespace

std::vector<AppendOutcome> AppendGrouped(log::TopicLog* log, std::string_view topic,
                                         std::vector<log::Record>& records,
                                         const std::vector<std::optional<int32_t>>& partitions) {
  std::vector<AppendOutcome> out(records.size());
  for (Group& g : GroupByPartition(records, partitions)) {
    Fill(
        log->Append(topic, g.where, g.records), g.indexes.size(),
        [&g](size_t k) { return g.indexes[k]; }, &out);
  }
  return out;
}

bool UniformPartition(std::span<const std::optional<std::string_view>> keys,
                      const std::vector<std::optional<int32_t>>& partitions,
                      int32_t partition_count, std::optional<int32_t>* out) {
  if (keys.empty() || partitions.size() != keys.size() || partition_count < 1) return false;
  if (std::any_of(partitions.begin(), partitions.end(),
                  [&](const auto& p) { return p != partitions[0]; })) {
    return false;
  }
  if (partitions[0]) {
    *out = partitions[0];
    return true;
  }
  const bool keyed = keys[0].has_value();
  std::optional<int32_t> by_key;
  for (const std::optional<std::string_view>& key : keys) {
    if (key.has_value() != keyed) return false;  // keyed and keyless ones part ways
    if (!keyed) continue;
    const int32_t p = log::PartitionForKey(*key, partition_count);
    if (by_key && *by_key != p) return false;
    by_key = p;
  }
  *out = by_key;  // nullopt when no record has a key: the log's round-robin choice
  return true;
}

void AppendBatchAsync(log::TopicLog* log, std::string_view topic, std::optional<int32_t> partition,
                      log::BatchBuilder batch, AppendDone done) {
  auto finish = InOrder(batch.record_count(), std::move(done));
  Result<log::EncodedBatch> encoded = std::move(batch).Finish();
  if (!encoded.ok()) return finish(encoded.status());
  log->AppendEncodedAsync(topic, partition, std::move(encoded).value(), std::move(finish));
}

void AppendGroupedAsync(log::TopicLog* log, std::string_view topic,
                        std::vector<log::Record> records,
                        const std::vector<std::optional<int32_t>>& partitions, AppendDone done) {
  const size_t n = records.size();
  if (std::all_of(partitions.begin(), partitions.end(),
                  [&](const auto& p) { return p == partitions[0]; })) {
    // Every record to the same choice: one append, no join.
    auto where = partitions[0] ? log::PartitionChoice::Explicit(*partitions[0])
                               : log::PartitionChoice::ByKey();
    log->AppendAsync(topic, where, std::move(records), InOrder(n, std::move(done)));
    return;
  }
  struct Join {
    std::mutex mu;
    std::vector<AppendOutcome> outcomes;
    size_t pending = 0;
    AppendDone done;
  };
  auto join = std::make_shared<Join>();
  join->outcomes.resize(n);
  join->done = std::move(done);
  std::vector<Group> groups = GroupByPartition(records, partitions);
  join->pending = groups.size();
  for (Group& g : groups) {
    log->AppendAsync(
        topic, g.where, std::move(g.records),
        [join, idx = std::move(g.indexes)](Result<std::vector<log::RecordPosition>> r) {
          std::unique_lock<std::mutex> l(join->mu);
          Fill(
              r, idx.size(), [&idx](size_t k) { return idx[k]; }, &join->outcomes);
          if (--join->pending > 0) return;
          l.unlock();
          join->done(std::move(join->outcomes));
        });
  }
}

}  // namespace pinpipe::api::kafka_rest
