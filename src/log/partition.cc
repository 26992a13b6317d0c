#include "log/partition.h"

#include <algorithm>

#include "log/names.h"

namespace pinpipe::log {
namespace {

// A leader stops adding followers to its group past this many payload bytes, so one
// write stays bounded (followers left over lead the next group).
constexpr size_t kMaxGroupBytes = 8 << 20;

size_t PayloadBytes(std::span<const Record> records) {
  size_t n = 0;
  for (const Record& r : records) n += RecordPayloadBytes(r) + 16;
  return n;
}

}  // namespace

// One Append call waiting in writers_.
struct Partition::Writer {
  explicit Writer(std::span<const Record> r) : records(r) {}
  const std::span<const Record> records;
  Status status;          // this writer's outcome, set by the leader that wrote it
  int64_t base_offset = -1;
  bool done = false;
  std::condition_variable cv;
};

Partition::Partition(io::FileSystem* fs, std::string dir, std::string name,
                     PartitionOptions options, Clock* clock, LogCounters* counters)
    : fs_(fs),
      dir_(std::move(dir)),
      name_(std::move(name)),
      options_(options),
      clock_(clock),
      own_counters_(counters == nullptr ? std::make_unique<LogCounters>() : nullptr),
      counters_(counters == nullptr ? own_counters_.get() : counters) {}

Partition::~Partition() = default;

Result<std::unique_ptr<Partition>> Partition::Open(io::FileSystem* fs, std::string dir,
                                                   std::string name, PartitionOptions options,
                                                   Clock* clock, LogCounters* counters) {
  if (options.segment_bytes <= 0 || options.segment_bytes > (int64_t{1} << 31)) {
    return InvalidArgumentError("segment_bytes must be in (0, 2 GiB]");
  }
  if (!fs->FileExists(dir)) {
    RETURN_IF_ERROR(fs->CreateDir(dir));
    RETURN_IF_ERROR(fs->SyncDir(io::DirName(dir)));
  }
  std::unique_ptr<Partition> p(new Partition(fs, std::move(dir), std::move(name), options, clock, counters));
  RETURN_IF_ERROR(p->Recover().WithContext("recovering partition " + p->name_));
  return p;
}

Status Partition::Recover() {
  ASSIGN_OR_RETURN(std::vector<std::string> children, fs_->GetChildren(dir_));
  std::vector<int64_t> bases;
  for (const std::string& child : children) {
    if (auto base = ParseSegmentFileName(child, ".log")) bases.push_back(*base);
  }
  std::sort(bases.begin(), bases.end());
  for (const std::string& child : children) {
    auto index_base = ParseSegmentFileName(child, ".index");
    bool orphan_index =
        index_base && !std::binary_search(bases.begin(), bases.end(), *index_base);
    bool tmp = child.size() > 4 && child.compare(child.size() - 4, 4, ".tmp") == 0;
    if (orphan_index || tmp) RETURN_IF_ERROR(fs_->RemoveFile(io::JoinPath(dir_, child)));
  }
  std::lock_guard<std::mutex> l(mu_);
  if (bases.empty()) {
    ASSIGN_OR_RETURN(auto seg, Segment::Create(fs_, dir_, 0));
    segments_.push_back(std::move(seg));
    return Status::OK();
  }
  for (size_t i = 0; i < bases.size(); ++i) {
    const bool active = i + 1 == bases.size();
    uint64_t truncated = 0;
    ASSIGN_OR_RETURN(auto seg, Segment::Open(fs_, dir_, bases[i], active, &truncated));
    truncated_bytes_ += truncated;
    if (!active && seg->next_offset() != bases[i + 1]) {
      return CorruptionError("segment " + SegmentFileName(bases[i], ".log") + " ends at offset " +
                             std::to_string(seg->next_offset()) + " but the next starts at " +
                             std::to_string(bases[i + 1]));
    }
    segments_.push_back(std::move(seg));
  }
  return Status::OK();
}

Status Partition::RefusedError() const {
  return FailedPreconditionError("partition " + name_ + " refuses writes after an I/O error (" +
                                 write_error_.ToString() + "); reopen the log to recover");
}

Result<int64_t> Partition::Append(std::span<const Record> records) {
  if (records.empty()) return InvalidArgumentError("append of no records");
  counters_->Append();
  Writer w(records);
  std::unique_lock<std::mutex> l(mu_);
  writers_.push_back(&w);
  while (!w.done && &w != writers_.front()) w.cv.wait(l);
  if (w.done) {
    if (!w.status.ok()) return w.status;
    return w.base_offset;
  }

  // This thread leads: it writes its own batch and those of the writers queued behind it.
  Status group_status;
  std::vector<Writer*> group;
  size_t bytes = 0;
  for (Writer* x : writers_) {
    group.push_back(x);
    bytes += PayloadBytes(x->records);
    if (bytes >= kMaxGroupBytes) break;
  }
  if (removed_) {
    group_status = FailedPreconditionError("partition " + name_ + " was deleted");
  } else if (!write_error_.ok()) {
    group_status = RefusedError();
  } else {
    std::vector<BatchHeader> headers;
    std::vector<uint64_t> positions;
    l.unlock();
    group_status = WriteGroup(group, &headers, &positions);
    l.lock();
    if (group_status.ok()) {
      for (size_t i = 0; i < headers.size(); ++i) {
        segments_.back()->Publish(headers[i], positions[i]);
      }
    } else {
      write_error_ = group_status;
      if (!removed_) counters_->RefusingChanged(+1);  // RemoveAll takes it back
    }
  }

  for (Writer* x : group) {
    writers_.pop_front();
    if (x->status.ok()) x->status = group_status;
    x->done = true;
    if (x != &w) x->cv.notify_one();
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();
  if (!w.status.ok()) return w.status;
  return w.base_offset;
}

namespace {
constexpr size_t kKeepGroupBufBytes = 8 << 20;
}  // namespace

Status Partition::WriteGroup(const std::vector<Writer*>& group,
                             std::vector<BatchHeader>* headers,
                             std::vector<uint64_t>* positions) {
  RETURN_IF_ERROR(RollIfFull());
  std::shared_ptr<Segment> active;
  {
    std::lock_guard<std::mutex> l(mu_);
    active = segments_.back();
  }
  // Only the leader changes the active segment's size and offsets, so these stay valid.
  int64_t next = active->next_offset();
  const uint64_t start = active->size();
  const int64_t now_ms = clock_->NowMicros() / 1000;
  std::string& buf = group_buf_;
  buf.clear();
  size_t need = 0;
  for (const Writer* x : group) {
    for (const Record& r : x->records) need += RecordPayloadBytes(r) + 32;
    need += kBatchHeaderSize;
  }
  buf.reserve(need);
  for (Writer* x : group) {
    const size_t before = buf.size();
    Status s = EncodeBatch(next, x->records, now_ms, &buf);
    if (!s.ok()) {
      x->status = s;  // this request alone is refused; the rest of the group goes on
      continue;
    }
    ASSIGN_OR_RETURN(BatchHeader h, DecodeBatchHeader(std::string_view(buf).substr(before)));
    headers->push_back(h);
    positions->push_back(start + before);
    x->base_offset = next;
    next = h.next_offset();
  }
  if (buf.empty()) return Status::OK();
  counters_->GroupCommit(headers->size());
  RETURN_IF_ERROR(active->Write(buf).WithContext("partition " + name_));
  if (options_.sync) {
    const int64_t sync_start = clock_->MonotonicMicros();
    Status synced = active->Sync();
    counters_->Sync(
        static_cast<uint64_t>(std::max<int64_t>(0, clock_->MonotonicMicros() - sync_start)));
    RETURN_IF_ERROR(synced.WithContext("partition " + name_));
  }
  counters_->Written(static_cast<uint64_t>(next - headers->front().base_offset), buf.size());
  if (buf.capacity() > kKeepGroupBufBytes) std::string().swap(buf);  // don't pin a rare giant
  return Status::OK();
}

Status Partition::RollIfFull() {
  std::shared_ptr<Segment> active;
  {
    std::lock_guard<std::mutex> l(mu_);
    active = segments_.back();
    if (active->size() < static_cast<uint64_t>(options_.segment_bytes)) return Status::OK();
  }
  // Every byte of `active` is synced (groups are synced before they are published), so the
  // sealed segment never has a torn tail (docs/log_format.md §6).
  RETURN_IF_ERROR(active->Seal().WithContext("sealing a segment of " + name_));
  ASSIGN_OR_RETURN(auto next, Segment::Create(fs_, dir_, active->next_offset()));
  std::lock_guard<std::mutex> l(mu_);
  segments_.push_back(std::move(next));
  return Status::OK();
}

Result<std::vector<StoredRecord>> Partition::Read(int64_t offset, size_t max_bytes) {
  struct Piece {
    std::shared_ptr<Segment> segment;
    uint64_t position;
    uint64_t end;
  };
  std::vector<Piece> plan;
  {
    std::lock_guard<std::mutex> l(mu_);
    const int64_t start = segments_.front()->base_offset();
    const int64_t end = segments_.back()->next_offset();
    if (offset < start || offset > end) {
      return OutOfRangeError("offset " + std::to_string(offset) + " is outside [" +
                             std::to_string(start) + ", " + std::to_string(end) + "] of " + name_);
    }
    if (offset == end) return std::vector<StoredRecord>();
    auto it = std::upper_bound(
        segments_.begin(), segments_.end(), offset,
        [](int64_t o, const std::shared_ptr<Segment>& s) { return o < s->base_offset(); });
    for (auto s = std::prev(it); s != segments_.end(); ++s) {
      const uint64_t pos = s == std::prev(it) ? (*s)->FindPosition(offset) : 0;
      plan.push_back({*s, pos, (*s)->size()});
    }
  }
  std::vector<StoredRecord> out;
  size_t bytes = 0;
  for (const Piece& piece : plan) {
    RETURN_IF_ERROR(
        piece.segment->ReadBatches(piece.position, piece.end, offset, max_bytes, &out, &bytes));
    if (!out.empty() && bytes >= max_bytes) break;
  }
  return out;
}

int64_t Partition::start_offset() {
  std::lock_guard<std::mutex> l(mu_);
  return segments_.front()->base_offset();
}

int64_t Partition::end_offset() {
  std::lock_guard<std::mutex> l(mu_);
  return segments_.back()->next_offset();
}

uint64_t Partition::size_bytes() {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t n = 0;
  for (const auto& s : segments_) n += s->size();
  return n;
}

size_t Partition::segment_count() {
  std::lock_guard<std::mutex> l(mu_);
  return segments_.size();
}

Result<int> Partition::EnforceRetention() {
  std::lock_guard<std::mutex> files_lock(files_mu_);
  const int64_t now_ms = clock_->NowMicros() / 1000;
  std::vector<std::shared_ptr<Segment>> doomed;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (removed_) return 0;
    uint64_t total = 0;
    for (const auto& s : segments_) total += s->size();
    while (segments_.size() > 1) {  // the active segment always stays
      const Segment& oldest = *segments_.front();
      const bool by_size = options_.retention_bytes >= 0 &&
                           total - oldest.size() >= static_cast<uint64_t>(options_.retention_bytes);
      const bool by_age = options_.retention_ms >= 0 &&
                          oldest.max_timestamp() < now_ms - options_.retention_ms;
      if (!by_size && !by_age) break;
      total -= oldest.size();
      doomed.push_back(segments_.front());
      segments_.erase(segments_.begin());
    }
  }
  counters_->RetentionDeleted(doomed.size());
  for (const auto& s : doomed) RETURN_IF_ERROR(s->RemoveFiles());
  if (!doomed.empty()) RETURN_IF_ERROR(fs_->SyncDir(dir_));
  return static_cast<int>(doomed.size());
}

Status Partition::RemoveAll() {
  std::lock_guard<std::mutex> files_lock(files_mu_);
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!removed_ && !write_error_.ok()) counters_->RefusingChanged(-1);
    removed_ = true;
  }
  ASSIGN_OR_RETURN(std::vector<std::string> children, fs_->GetChildren(dir_));
  for (const std::string& child : children) {
    RETURN_IF_ERROR(fs_->RemoveFile(io::JoinPath(dir_, child)));
  }
  return fs_->RemoveDir(dir_);
}

}  // namespace pinpipe::log
