#include "api/kafka_rest/append.h"

#include <map>

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

}  // namespace pinpipe::api::kafka_rest
