#include "api/kafka_rest/consumer_instance.h"

#include <algorithm>
#include <set>

#include "log/names.h"

namespace pinpipe::api::kafka_rest {
namespace {

constexpr std::string_view kMutuallyExclusive =
    "Subscription to topics, partitions and pattern are mutually exclusive";

std::string Describe(const TopicPartition& tp) {
  return tp.topic + "-" + std::to_string(tp.partition);
}

template <typename T>
void SortUnique(std::vector<T>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

}  // namespace

ErrorReply LogErrorReply(const Status& s) {
  if (s.code() == StatusCode::kNotFound) {
    return s.message().find("partition") != std::string_view::npos
               ? kafka_errors::PartitionNotFound()
               : kafka_errors::TopicNotFound();
  }
  if (s.code() == StatusCode::kInvalidArgument) return kafka_errors::InvalidTopic(s.message());
  return KafkaErrorFromStatus(s);
}

ConsumerInstance::ConsumerInstance(log::TopicLog* log, std::string group, std::string name,
                                   ConsumerConfig config)
    : log_(log), group_(std::move(group)), name_(std::move(name)), config_(std::move(config)) {}

bool ConsumerInstance::Matches(const std::string& topic) const {
  if (!pattern_) return false;
  // std::regex reports runaway matches by throwing; a pattern that cannot be evaluated on a
  // name matches nothing rather than letting the exception escape.
  try {
    return std::regex_match(topic, *pattern_);
  } catch (const std::regex_error&) {
    return false;
  }
}

MaybeError ConsumerInstance::Subscribe(const SubscriptionRequest& s) {
  if (!s.pattern && s.topics.empty()) return Unsubscribe();
  if (mode_ == Mode::kAssigned || (mode_ == Mode::kTopics && s.pattern) ||
      (mode_ == Mode::kPattern && !s.pattern)) {
    return kafka_errors::IllegalSubscriptionState(kMutuallyExclusive);
  }
  std::optional<std::regex> compiled;
  if (s.pattern) {
    try {
      compiled.emplace(*s.pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return kafka_errors::Unprocessable("Invalid topic_pattern: " + std::string(e.what()));
    }
  } else {
    for (const std::string& t : s.topics) {
      if (Status v = log::ValidateName("topic", t); !v.ok()) {
        return kafka_errors::InvalidTopic(v.message());
      }
    }
  }
  if (auto err = AutoCommit()) return err;
  if (s.pattern) {
    mode_ = Mode::kPattern;
    pattern_text_ = *s.pattern;
    pattern_ = std::move(compiled);
    topics_.clear();
  } else {
    mode_ = Mode::kTopics;
    topics_ = s.topics;
    SortUnique(&topics_);
    pattern_.reset();
    pattern_text_.clear();
  }
  return Reposition();
}

MaybeError ConsumerInstance::Unsubscribe() {
  if (auto err = AutoCommit()) return err;
  mode_ = Mode::kNone;
  topics_.clear();
  pattern_.reset();
  pattern_text_.clear();
  assigned_.clear();
  positions_.clear();
  cursor_ = 0;
  return std::nullopt;
}

Decoded<std::vector<std::string>> ConsumerInstance::SubscribedTopics() {
  if (mode_ == Mode::kTopics) return topics_;
  std::vector<std::string> out;
  if (mode_ != Mode::kPattern) return out;
  Result<std::vector<std::string>> all = log_->ListTopics();
  if (!all.ok()) return LogErrorReply(all.status());
  for (const std::string& t : *all) {
    if (Matches(t)) out.push_back(t);
  }
  return out;
}

MaybeError ConsumerInstance::Assign(std::vector<TopicPartition> partitions) {
  if (partitions.empty()) return Unsubscribe();
  if (mode_ == Mode::kTopics || mode_ == Mode::kPattern) {
    return kafka_errors::IllegalSubscriptionState(kMutuallyExclusive);
  }
  for (const TopicPartition& tp : partitions) {
    if (Status v = log::ValidateName("topic", tp.topic); !v.ok()) {
      return kafka_errors::InvalidTopic(v.message());
    }
  }
  if (auto err = AutoCommit()) return err;
  mode_ = Mode::kAssigned;
  assigned_ = std::move(partitions);
  SortUnique(&assigned_);
  return Reposition();
}

Decoded<std::vector<TopicPartition>> ConsumerInstance::Assignment() {
  if (mode_ == Mode::kAssigned) return assigned_;
  std::vector<TopicPartition> out;
  if (mode_ == Mode::kNone) return out;
  auto topics = SubscribedTopics();
  if (auto* err = std::get_if<ErrorReply>(&topics)) return *err;
  for (const std::string& t : std::get<std::vector<std::string>>(topics)) {
    Result<log::TopicDescription> d = log_->DescribeTopic(t);
    if (!d.ok()) {
      // A subscribed topic that does not exist (yet) has no partitions, as in Kafka.
      if (d.status().code() == StatusCode::kNotFound) continue;
      return LogErrorReply(d.status());
    }
    for (const auto& p : d->partitions) out.push_back({t, p.partition});
  }
  return out;
}

Status ConsumerInstance::InitPosition(const TopicPartition& tp, bool at_subscribe) {
  ASSIGN_OR_RETURN(log::PartitionOffsets range, log_->GetOffsets(tp.topic, tp.partition));
  ASSIGN_OR_RETURN(std::optional<int64_t> committed,
                   log_->FetchCommitted(group_, tp.topic, tp.partition));
  if (committed && *committed >= range.start_offset && *committed <= range.end_offset) {
    positions_[tp] = *committed;
    committed_[tp] = *committed;
    return Status::OK();
  }
  positions_[tp] = config_.reset_earliest || !at_subscribe ? range.start_offset : range.end_offset;
  return Status::OK();
}

MaybeError ConsumerInstance::Reposition() {
  auto assigned = Assignment();
  if (auto* err = std::get_if<ErrorReply>(&assigned)) return *err;
  const auto& now = std::get<std::vector<TopicPartition>>(assigned);
  std::set<TopicPartition> keep(now.begin(), now.end());
  std::erase_if(positions_, [&](const auto& kv) { return !keep.contains(kv.first); });
  for (const TopicPartition& tp : now) {
    if (positions_.contains(tp)) continue;
    Status s = InitPosition(tp, /*at_subscribe=*/true);
    // A manually assigned partition that does not exist yet gets its position when it does.
    if (!s.ok() && s.code() != StatusCode::kNotFound) return LogErrorReply(s);
  }
  cursor_ = 0;
  return std::nullopt;
}

MaybeError ConsumerInstance::CheckAssigned(const std::vector<TopicPartition>& partitions) {
  auto assigned = Assignment();
  if (auto* err = std::get_if<ErrorReply>(&assigned)) return *err;
  const auto& now = std::get<std::vector<TopicPartition>>(assigned);
  for (const TopicPartition& tp : partitions) {
    if (!std::binary_search(now.begin(), now.end(), tp)) {
      return kafka_errors::IllegalSubscriptionState("No current assignment for partition " +
                                                    Describe(tp));
    }
  }
  return std::nullopt;
}

MaybeError ConsumerInstance::Seek(const std::vector<TopicPartitionOffset>& offsets) {
  std::vector<TopicPartition> partitions;
  for (const auto& o : offsets) partitions.push_back({o.topic, o.partition});
  if (auto err = CheckAssigned(partitions)) return err;
  // An offset outside the stored range is kept; the next fetch then applies
  // auto.offset.reset, as Kafka does.
  for (const auto& o : offsets) positions_[{o.topic, o.partition}] = o.offset;
  return std::nullopt;
}

MaybeError ConsumerInstance::SeekToEdge(const std::vector<TopicPartition>& partitions,
                                        bool beginning) {
  if (auto err = CheckAssigned(partitions)) return err;
  std::map<TopicPartition, int64_t> target;
  for (const TopicPartition& tp : partitions) {
    Result<log::PartitionOffsets> range = log_->GetOffsets(tp.topic, tp.partition);
    if (!range.ok()) return LogErrorReply(range.status());
    target[tp] = beginning ? range->start_offset : range->end_offset;
  }
  for (const auto& [tp, offset] : target) positions_[tp] = offset;
  return std::nullopt;
}

MaybeError ConsumerInstance::CommitMap(const std::map<TopicPartition, int64_t>& offsets) {
  if (offsets.empty()) return std::nullopt;
  std::vector<log::GroupOffset> list;
  list.reserve(offsets.size());
  for (const auto& [tp, offset] : offsets) list.push_back({tp.topic, tp.partition, offset});
  if (Status s = log_->CommitOffsets(group_, list); !s.ok()) return LogErrorReply(s);
  for (const auto& [tp, offset] : offsets) committed_[tp] = offset;
  return std::nullopt;
}

MaybeError ConsumerInstance::AutoCommit() {
  if (!config_.auto_commit) return std::nullopt;
  std::map<TopicPartition, int64_t> moved;
  for (const auto& [tp, offset] : positions_) {
    auto it = committed_.find(tp);
    if (it == committed_.end() || it->second != offset) moved[tp] = offset;
  }
  return CommitMap(moved);
}

MaybeError ConsumerInstance::CommitPositions() { return CommitMap(positions_); }

MaybeError ConsumerInstance::CommitExplicit(const std::vector<TopicPartitionOffset>& offsets) {
  std::map<TopicPartition, int64_t> commit;
  for (const auto& o : offsets) {
    Result<log::PartitionOffsets> range = log_->GetOffsets(o.topic, o.partition);
    if (!range.ok()) return LogErrorReply(range.status());
    commit[{o.topic, o.partition}] = o.offset + 1;
  }
  return CommitMap(commit);
}

MaybeError ConsumerInstance::FetchOnce(size_t max_records, size_t max_bytes,
                                       std::vector<FetchedRecord>* out, size_t* bytes) {
  auto assigned = Assignment();
  if (auto* err = std::get_if<ErrorReply>(&assigned)) return *err;
  const auto& partitions = std::get<std::vector<TopicPartition>>(assigned);
  const size_t n = partitions.size();
  for (size_t k = 0; k < n; ++k) {
    if (out->size() >= max_records || (!out->empty() && *bytes >= max_bytes)) break;
    const size_t i = (cursor_ + k) % n;
    const TopicPartition& tp = partitions[i];
    if (!positions_.contains(tp)) {
      Status s = InitPosition(tp, /*at_subscribe=*/false);
      if (s.code() == StatusCode::kNotFound) continue;
      if (!s.ok()) return LogErrorReply(s);
    }
    int64_t& position = positions_[tp];
    const size_t budget = out->empty() ? max_bytes : max_bytes - *bytes;
    Result<std::vector<log::StoredRecord>> read =
        log_->Read(tp.topic, tp.partition, position, budget);
    if (!read.ok()) {
      if (read.status().code() == StatusCode::kOutOfRange) {
        // Retention moved past the position, or a seek went beyond the end.
        Result<log::PartitionOffsets> range = log_->GetOffsets(tp.topic, tp.partition);
        if (!range.ok()) return LogErrorReply(range.status());
        position = config_.reset_earliest ? range->start_offset : range->end_offset;
        continue;
      }
      if (read.status().code() == StatusCode::kNotFound) continue;  // deleted meanwhile
      return LogErrorReply(read.status());
    }
    for (log::StoredRecord& r : *read) {
      const size_t size = r.record.value.size() + (r.record.key ? r.record.key->size() : 0);
      if (out->size() >= max_records || (!out->empty() && *bytes + size > max_bytes)) break;
      position = r.offset + 1;
      *bytes += size;
      out->push_back(
          {tp.topic, tp.partition, r.offset, std::move(r.record.key), std::move(r.record.value)});
    }
    cursor_ = i + 1;
  }
  return std::nullopt;
}

}  // namespace pinpipe::api::kafka_rest
