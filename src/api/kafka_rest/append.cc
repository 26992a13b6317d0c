#include "api/kafka_rest/append.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

namespace pinpipe::api::kafka_rest {

std::vector<AppendOutcome> AppendGrouped(log::TopicLog* log, std::string_view topic,
                                         std::vector<log::Record>& records,
                                         const std::vector<std::optional<int32_t>>& partitions) {
  std::vector<AppendOutcome> out(records.size());
  std::map<std::optional<int32_t>, std::vector<size_t>> groups;
  for (size_t i = 0; i < records.size(); i++) groups[partitions[i]].push_back(i);
  for (auto& [partition, indexes] : groups) {
    std::vector<log::Record> batch;
    batch.reserve(indexes.size());
    for (size_t i : indexes) batch.push_back(std::move(records[i]));
    auto where = partition ? log::PartitionChoice::Explicit(*partition)
                           : log::PartitionChoice::ByKey();
    auto positions = log->Append(topic, where, batch);
    for (size_t k = 0; k < indexes.size(); k++) {
      if (positions.ok()) {
        out[indexes[k]].position = (*positions)[k];
      } else {
        out[indexes[k]].error = KafkaErrorFromStatus(positions.status());
      }
    }
  }
  return out;
}

namespace {

// Fills outcomes[indexes[k]] from the result of one group's append.
void Fill(const Result<std::vector<log::RecordPosition>>& positions,
            const std::vector<size_t>& indexes, std::vector<AppendOutcome>* outcomes) {
  for (size_t k = 0; k < indexes.size(); k++) {
    AppendOutcome& o = (*outcomes)[indexes[k]];
    if (positions.ok()) {
      o.position = (*positions)[k];
    } else {
      o.error = KafkaErrorFromStatus(positions.status());
    }
  }
}

}  // namespace

void AppendGroupedAsync(log::TopicLog* log, std::string_view topic,
                        std::vector<log::Record> records,
                        const std::vector<std::optional<int32_t>>& partitions, AppendDone done) {
  const size_t n = records.size();
  if (std::all_of(partitions.begin(), partitions.end(),
                  [&](const auto& p) { return p == partitions[0]; })) {
    // The common case (every record to the same choice): one append, no join.
    auto where = partitions[0] ? log::PartitionChoice::Explicit(*partitions[0])
                               : log::PartitionChoice::ByKey();
    log->AppendAsync(topic, where, std::move(records),
                     [n, done = std::move(done)](Result<std::vector<log::RecordPosition>> r) {
                       std::vector<AppendOutcome> out(n);
                       for (size_t i = 0; i < n; i++) {
                         if (r.ok()) {
                           out[i].position = (*r)[i];
                         } else {
                           out[i].error = KafkaErrorFromStatus(r.status());
                         }
                       }
                       done(std::move(out));
                     });
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
  std::map<std::optional<int32_t>, std::vector<size_t>> groups;
  for (size_t i = 0; i < n; i++) groups[partitions[i]].push_back(i);
  join->pending = groups.size();
  for (auto& [partition, indexes] : groups) {
    std::vector<log::Record> batch;
    batch.reserve(indexes.size());
    for (size_t i : indexes) batch.push_back(std::move(records[i]));
    auto where = partition ? log::PartitionChoice::Explicit(*partition)
                           : log::PartitionChoice::ByKey();
    log->AppendAsync(topic, where, std::move(batch),
                     [join, idx = std::move(indexes)](Result<std::vector<log::RecordPosition>> r) {
                       std::unique_lock<std::mutex> l(join->mu);
                       Fill(r, idx, &join->outcomes);
                       if (--join->pending > 0) return;
                       l.unlock();
                       join->done(std::move(join->outcomes));
                     });
  }
}

}  // namespace pinpipe::api::kafka_rest
