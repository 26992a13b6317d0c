#include "log/embedded_topic_log.h"

#include <algorithm>

#include "log/metadata.h"
#include "log/names.h"
#include "log/partitioner.h"

namespace pinpipe::log {
namespace {

constexpr std::string_view kMetaFile = "topic.meta";
constexpr std::string_view kGroupSuffix = ".offsets";

PartitionOptions OptionsFor(const TopicConfig& c, int max_syncs_in_flight) {
  PartitionOptions o{c.segment_bytes, c.retention_bytes, c.retention_ms};
  o.max_syncs_in_flight = max_syncs_in_flight;
  return o;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

EmbeddedTopicLog::EmbeddedTopicLog(io::FileSystem* fs, std::string data_dir, Clock* clock)
    : fs_(fs),
      dir_(std::move(data_dir)),
      topics_dir_(io::JoinPath(dir_, "topics")),
      groups_dir_(io::JoinPath(dir_, "groups")),
      clock_(clock) {}

EmbeddedTopicLog::~EmbeddedTopicLog() = default;

Result<std::unique_ptr<EmbeddedTopicLog>> EmbeddedTopicLog::Open(io::FileSystem* fs,
                                                                 std::string data_dir, Clock* clock,
                                                                 int max_syncs_in_flight) {
  if (max_syncs_in_flight < 1 || max_syncs_in_flight > 64) {
    return InvalidArgumentError("max_syncs_in_flight must be in [1, 64], got " +
                                std::to_string(max_syncs_in_flight));
  }
  std::unique_ptr<EmbeddedTopicLog> log(new EmbeddedTopicLog(fs, std::move(data_dir), clock));
  log->max_syncs_in_flight_ = max_syncs_in_flight;
  RETURN_IF_ERROR(log->Load().WithContext("opening topic log in " + log->dir_));
  return log;
}

std::string EmbeddedTopicLog::TopicDir(std::string_view name) const {
  return io::JoinPath(topics_dir_, name);
}

std::string EmbeddedTopicLog::GroupPath(std::string_view group) const {
  return io::JoinPath(groups_dir_, std::string(group) + std::string(kGroupSuffix));
}

Status EmbeddedTopicLog::Load() {
  const bool fresh = !fs_->FileExists(dir_);
  RETURN_IF_ERROR(fs_->CreateDir(dir_));
  ASSIGN_OR_RETURN(lock_, fs_->LockFile(io::JoinPath(dir_, "LOCK")));
  RETURN_IF_ERROR(fs_->CreateDir(topics_dir_));
  RETURN_IF_ERROR(fs_->CreateDir(groups_dir_));
  RETURN_IF_ERROR(fs_->SyncDir(dir_));
  if (fresh) RETURN_IF_ERROR(fs_->SyncDir(io::DirName(dir_)));

  ASSIGN_OR_RETURN(auto topic_names, fs_->GetChildren(topics_dir_));
  for (const std::string& name : topic_names) {
    const std::string meta_path = io::JoinPath(TopicDir(name), kMetaFile);
    if (!ValidateName("topic", name).ok()) continue;  // not ours; leave it alone
    if (!fs_->FileExists(meta_path)) {                // an unfinished create or delete
      RETURN_IF_ERROR(RemoveTree(TopicDir(name)));
      continue;
    }
    std::string text;
    RETURN_IF_ERROR(io::ReadFileToString(fs_, meta_path, &text));
    Result<TopicConfig> config = DecodeTopicMeta(text);
    if (!config.ok()) return config.status().WithContext(meta_path);
    ASSIGN_OR_RETURN(auto topic, OpenTopic(name, *config));
    for (const auto& p : topic->partitions) {
      recovered_truncated_bytes_ += p->recovered_truncated_bytes();
    }
    std::lock_guard<std::mutex> l(topics_mu_);
    topics_[name] = std::move(topic);
  }

  ASSIGN_OR_RETURN(auto group_files, fs_->GetChildren(groups_dir_));
  for (const std::string& file : group_files) {
    const std::string path = io::JoinPath(groups_dir_, file);
    if (EndsWith(file, ".tmp")) {
      RETURN_IF_ERROR(fs_->RemoveFile(path));
      continue;
    }
    if (!EndsWith(file, kGroupSuffix)) continue;
    std::string text;
    RETURN_IF_ERROR(io::ReadFileToString(fs_, path, &text));
    Result<std::vector<GroupOffset>> offsets = DecodeGroupOffsets(text);
    if (!offsets.ok()) return offsets.status().WithContext(path);
    std::lock_guard<std::mutex> l(groups_mu_);
    GroupMap& g = groups_[file.substr(0, file.size() - kGroupSuffix.size())];
    for (const GroupOffset& o : *offsets) g[{o.topic, o.partition}] = o.offset;
  }
  return Status::OK();
}

Result<std::shared_ptr<EmbeddedTopicLog::Topic>> EmbeddedTopicLog::OpenTopic(
    const std::string& name, const TopicConfig& config) {
  auto topic = std::make_shared<Topic>();
  topic->name = name;
  topic->config = config;
  for (int32_t p = 0; p < config.partitions; ++p) {
    ASSIGN_OR_RETURN(
        auto partition,
        Partition::Open(fs_, io::JoinPath(TopicDir(name), std::to_string(p)),
                        name + "/" + std::to_string(p), OptionsFor(config, max_syncs_in_flight_),
                        clock_, &counters_, &pool_));
    topic->partitions.push_back(std::move(partition));
  }
  return topic;
}

Status EmbeddedTopicLog::RemoveTree(const std::string& path) {
  auto children = fs_->GetChildren(path);
  if (!children.ok()) return fs_->RemoveFile(path);
  for (const std::string& child : *children) {
    RETURN_IF_ERROR(RemoveTree(io::JoinPath(path, child)));
  }
  return fs_->RemoveDir(path);
}

Status EmbeddedTopicLog::CreateTopic(std::string_view name, const TopicConfig& config) {
  RETURN_IF_ERROR(ValidateName("topic", name));
  RETURN_IF_ERROR(ValidateTopicConfig(config));
  std::lock_guard<std::mutex> l(topics_mu_);
  if (topics_.count(name) > 0) {
    return AlreadyExistsError("topic '" + std::string(name) + "' already exists");
  }
  const std::string dir = TopicDir(name);
  if (fs_->FileExists(dir)) RETURN_IF_ERROR(RemoveTree(dir));
  RETURN_IF_ERROR(fs_->CreateDir(dir));
  RETURN_IF_ERROR(fs_->SyncDir(topics_dir_));
  ASSIGN_OR_RETURN(auto topic, OpenTopic(std::string(name), config));
  // The commit point: without topic.meta, the next Open removes the directory.
  RETURN_IF_ERROR(
      io::WriteFileAtomically(fs_, io::JoinPath(dir, kMetaFile), EncodeTopicMeta(config)));
  topics_.emplace(std::string(name), std::move(topic));
  return Status::OK();
}

Status EmbeddedTopicLog::DeleteTopic(std::string_view name) {
  RETURN_IF_ERROR(ValidateName("topic", name));
  std::lock_guard<std::mutex> l(topics_mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return NotFoundError("topic '" + std::string(name) + "' not found");
  const std::string dir = TopicDir(name);
  RETURN_IF_ERROR(fs_->RemoveFile(io::JoinPath(dir, kMetaFile)));
  RETURN_IF_ERROR(fs_->SyncDir(dir));  // the commit point of the deletion
  std::shared_ptr<Topic> topic = std::move(it->second);
  topics_.erase(it);
  for (const auto& p : topic->partitions) RETURN_IF_ERROR(p->RemoveAll());
  RETURN_IF_ERROR(RemoveTree(dir));
  return fs_->SyncDir(topics_dir_);
}

Result<std::vector<std::string>> EmbeddedTopicLog::ListTopics() {
  std::lock_guard<std::mutex> l(topics_mu_);
  std::vector<std::string> names;
  for (const auto& [name, unused] : topics_) names.push_back(name);
  return names;
}

Result<std::shared_ptr<EmbeddedTopicLog::Topic>> EmbeddedTopicLog::FindTopic(
    std::string_view name) {
  {
    // Only valid names are ever created, so a name found needs no check.
    std::lock_guard<std::mutex> l(topics_mu_);
    auto it = topics_.find(name);
    if (it != topics_.end()) return it->second;
  }
  RETURN_IF_ERROR(ValidateName("topic", name));
  return NotFoundError("topic '" + std::string(name) + "' not found");
}

Result<Partition*> EmbeddedTopicLog::FindPartition(const Topic& topic, int32_t partition) {
  if (partition < 0 || partition >= static_cast<int32_t>(topic.partitions.size())) {
    return NotFoundError("partition " + std::to_string(partition) + " of topic '" + topic.name +
                         "' not found");
  }
  return topic.partitions[partition].get();
}

Result<TopicDescription> EmbeddedTopicLog::DescribeTopic(std::string_view name) {
  ASSIGN_OR_RETURN(auto topic, FindTopic(name));
  TopicDescription d{topic->name, topic->config, {}};
  for (size_t p = 0; p < topic->partitions.size(); ++p) {
    Partition& part = *topic->partitions[p];
    d.partitions.push_back({static_cast<int32_t>(p), part.start_offset(), part.end_offset()});
  }
  return d;
}

Result<int32_t> EmbeddedTopicLog::PartitionCount(std::string_view name) {
  ASSIGN_OR_RETURN(auto topic, FindTopic(name));
  return static_cast<int32_t>(topic->partitions.size());
}

Result<std::vector<int32_t>> EmbeddedTopicLog::Route(Topic& topic, PartitionChoice where,
                                                     std::span<const Record> records) {
  if (records.empty()) return InvalidArgumentError("append of no records");
  const int32_t n = static_cast<int32_t>(topic.partitions.size());
  std::vector<int32_t> target(records.size());
  if (where.partition) {
    RETURN_IF_ERROR(FindPartition(topic, *where.partition).status());
    std::fill(target.begin(), target.end(), *where.partition);
  } else {
    const int32_t keyless = static_cast<int32_t>(topic.round_robin.fetch_add(1) % n);
    for (size_t i = 0; i < records.size(); ++i) {
      target[i] = records[i].key ? PartitionForKey(*records[i].key, n) : keyless;
    }
  }
  return target;
}

namespace {

bool AllSame(const std::vector<int32_t>& target) {
  return std::all_of(target.begin(), target.end(), [&](int32_t t) { return t == target[0]; });
}

std::vector<RecordPosition> Dense(int32_t partition, int64_t base, size_t count) {
  std::vector<RecordPosition> positions(count);
  for (size_t i = 0; i < count; ++i) positions[i] = {partition, base + int64_t(i)};
  return positions;
}

}  // namespace

Result<std::vector<RecordPosition>> EmbeddedTopicLog::Append(std::string_view name,
                                                             PartitionChoice where,
                                                             std::span<const Record> records) {
  ASSIGN_OR_RETURN(auto topic, FindTopic(name));
  ASSIGN_OR_RETURN(std::vector<int32_t> target, Route(*topic, where, records));
  if (AllSame(target)) {
    ASSIGN_OR_RETURN(int64_t base, topic->partitions[target[0]]->Append(records));
    return Dense(target[0], base, records.size());
  }
  std::vector<RecordPosition> positions(records.size());
  for (int32_t p = 0; p < static_cast<int32_t>(topic->partitions.size()); ++p) {
    std::vector<Record> batch;
    std::vector<size_t> index;
    for (size_t i = 0; i < records.size(); ++i) {
      if (target[i] != p) continue;
      batch.push_back(records[i]);
      index.push_back(i);
    }
    if (batch.empty()) continue;
    ASSIGN_OR_RETURN(int64_t base, topic->partitions[p]->Append(batch));
    for (size_t j = 0; j < index.size(); ++j) positions[index[j]] = {p, base + int64_t(j)};
  }
  return positions;
}

void EmbeddedTopicLog::AppendEncodedAsync(std::string_view name, std::optional<int32_t> partition,
                                          EncodedBatch batch, AppendCallback done) {
  auto topic = FindTopic(name);
  if (!topic.ok()) return done(topic.status());
  const int32_t n = static_cast<int32_t>((*topic)->partitions.size());
  int32_t p = 0;
  if (partition) {
    auto found = FindPartition(**topic, *partition);
    if (!found.ok()) return done(found.status());
    p = *partition;
  } else if (batch.has_keys && n > 1) {
    return done(InvalidArgumentError(
        "an encoded batch with keys needs an explicit partition on a topic of several"));
  } else {
    p = static_cast<int32_t>((*topic)->round_robin.fetch_add(1) % n);
  }
  const size_t count = batch.record_count;
  (*topic)->partitions[p]->AppendEncodedAsync(
      std::move(batch), [p, count, done = std::move(done)](Result<int64_t> base) {
        if (!base.ok()) return done(base.status());
        done(Dense(p, *base, count));
      });
}

void EmbeddedTopicLog::AppendAsync(std::string_view name, PartitionChoice where,
                                   std::vector<Record> records, AppendCallback done) {
  // The callbacks hold no reference to the topic: a Partition completes every queued append
  // before it is destroyed (DeleteTopic fails them), so they never outlive it.
  auto topic = FindTopic(name);
  if (!topic.ok()) return done(topic.status());
  auto routed = Route(**topic, where, records);
  if (!routed.ok()) return done(routed.status());
  const std::vector<int32_t>& target = *routed;
  if (AllSame(target)) {
    const int32_t p = target[0];
    const size_t count = records.size();
    (*topic)->partitions[p]->AppendAsync(std::move(records),
                                         [p, count, done = std::move(done)](Result<int64_t> base) {
                                           if (!base.ok()) return done(base.status());
                                           done(Dense(p, *base, count));
                                         });
    return;
  }
  // Records for several partitions: one batch each; `done` runs when the last completes,
  // with the first error in partition order if any failed (as Append reports it).
  struct Join {
    std::mutex mu;
    std::vector<RecordPosition> positions;
    std::vector<Status> errors;  // by partition
    int pending = 0;
    AppendCallback done;
  };
  const int32_t n = static_cast<int32_t>((*topic)->partitions.size());
  auto join = std::make_shared<Join>();
  join->positions.resize(records.size());
  join->errors.resize(n);
  join->done = std::move(done);
  std::vector<std::vector<Record>> batches(n);
  std::vector<std::vector<size_t>> indexes(n);
  for (size_t i = 0; i < records.size(); ++i) {
    batches[target[i]].push_back(std::move(records[i]));
    indexes[target[i]].push_back(i);
  }
  for (int32_t p = 0; p < n; ++p) join->pending += batches[p].empty() ? 0 : 1;
  for (int32_t p = 0; p < n; ++p) {
    if (batches[p].empty()) continue;
    (*topic)->partitions[p]->AppendAsync(
        std::move(batches[p]), [join, p, index = std::move(indexes[p])](Result<int64_t> base) {
          std::unique_lock<std::mutex> l(join->mu);
          if (base.ok()) {
            for (size_t j = 0; j < index.size(); ++j) {
              join->positions[index[j]] = {p, *base + int64_t(j)};
            }
          } else {
            join->errors[p] = base.status();
          }
          if (--join->pending > 0) return;
          l.unlock();
          for (const Status& e : join->errors) {
            if (!e.ok()) return join->done(e);
          }
          join->done(std::move(join->positions));
        });
  }
}

Result<std::vector<StoredRecord>> EmbeddedTopicLog::Read(std::string_view name, int32_t partition,
                                                         int64_t offset, size_t max_bytes) {
  ASSIGN_OR_RETURN(auto topic, FindTopic(name));
  ASSIGN_OR_RETURN(Partition * p, FindPartition(*topic, partition));
  return p->Read(offset, max_bytes);
}

Status EmbeddedTopicLog::ReadViews(std::string_view name, int32_t partition, int64_t offset,
                                   size_t max_bytes, RecordViews* out) {
  out->Clear();
  ASSIGN_OR_RETURN(auto topic, FindTopic(name));
  ASSIGN_OR_RETURN(Partition * p, FindPartition(*topic, partition));
  return p->ReadViews(offset, max_bytes, out);
}

Result<PartitionOffsets> EmbeddedTopicLog::GetOffsets(std::string_view name, int32_t partition) {
  ASSIGN_OR_RETURN(auto topic, FindTopic(name));
  ASSIGN_OR_RETURN(Partition * p, FindPartition(*topic, partition));
  return PartitionOffsets{partition, p->start_offset(), p->end_offset()};
}

Status EmbeddedTopicLog::CommitOffsets(std::string_view group,
                                       std::span<const GroupOffset> offsets) {
  RETURN_IF_ERROR(ValidateName("group", group));
  for (const GroupOffset& o : offsets) {
    RETURN_IF_ERROR(ValidateName("topic", o.topic));
    if (o.partition < 0 || o.offset < 0) {
      return InvalidArgumentError("committed partition and offset must be >= 0");
    }
  }
  std::lock_guard<std::mutex> l(groups_mu_);
  auto it = groups_.find(group);
  GroupMap updated = it == groups_.end() ? GroupMap() : it->second;
  for (const GroupOffset& o : offsets) updated[{o.topic, o.partition}] = o.offset;
  std::vector<GroupOffset> all;
  for (const auto& [tp, offset] : updated) all.push_back({tp.first, tp.second, offset});
  RETURN_IF_ERROR(io::WriteFileAtomically(fs_, GroupPath(group), EncodeGroupOffsets(all)));
  groups_[std::string(group)] = std::move(updated);
  return Status::OK();
}

Result<std::optional<int64_t>> EmbeddedTopicLog::FetchCommitted(std::string_view group,
                                                                std::string_view topic,
                                                                int32_t partition) {
  RETURN_IF_ERROR(ValidateName("group", group));
  std::lock_guard<std::mutex> l(groups_mu_);
  auto it = groups_.find(group);
  if (it == groups_.end()) return std::optional<int64_t>();
  auto o = it->second.find({std::string(topic), partition});
  if (o == it->second.end()) return std::optional<int64_t>();
  return std::optional<int64_t>(o->second);
}

Result<std::vector<GroupOffset>> EmbeddedTopicLog::FetchGroup(std::string_view group) {
  RETURN_IF_ERROR(ValidateName("group", group));
  std::lock_guard<std::mutex> l(groups_mu_);
  auto it = groups_.find(group);
  if (it == groups_.end()) return NotFoundError("group '" + std::string(group) + "' not found");
  std::vector<GroupOffset> out;
  for (const auto& [tp, offset] : it->second) out.push_back({tp.first, tp.second, offset});
  return out;
}

Result<std::vector<std::string>> EmbeddedTopicLog::ListGroups() {
  std::lock_guard<std::mutex> l(groups_mu_);
  std::vector<std::string> names;
  for (const auto& [name, unused] : groups_) names.push_back(name);
  return names;
}

Result<int> EmbeddedTopicLog::EnforceRetention() {
  std::vector<std::shared_ptr<Topic>> topics;
  {
    std::lock_guard<std::mutex> l(topics_mu_);
    for (const auto& [name, t] : topics_) topics.push_back(t);
  }
  int deleted = 0;
  Status first_error;
  for (const auto& t : topics) {
    for (const auto& p : t->partitions) {
      Result<int> n = p->EnforceRetention();
      if (n.ok()) {
        deleted += *n;
      } else if (first_error.ok()) {
        first_error = n.status().WithContext("retention of topic '" + t->name + "'");
      }
    }
  }
  if (!first_error.ok()) return first_error;
  return deleted;
}

}  // namespace pinpipe::log
