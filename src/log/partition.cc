#include "log/partition.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>

#include "log/names.h"

namespace pinpipe::log {
namespace {

// A drain stops adding appends to a group past this many payload bytes, so one write stays
// bounded (the appends left over form the next group).
constexpr size_t kMaxGroupBytes = 8 << 20;

size_t PayloadBytes(std::span<const Record> records) {
  size_t n = 0;
  for (const Record& r : records) n += RecordPayloadBytes(r) + 16;
  return n;
}

}  // namespace

// One append, queued until a drain takes it into a group.
struct Partition::Writer {
  std::vector<Record> owned;        // AppendAsync's records (Append's stay the caller's)
  std::span<const Record> records;  // empty when `encoded` holds the batch
  EncodedBatch encoded;             // AppendEncodedAsync's batch, copied as is
  size_t payload = 0;               // PayloadBytes of the records or the batch
  PartitionAppendCallback done;     // called once, with no lock held
  Status status;                    // set by WriteFlight when this batch alone is refused
  int64_t base_offset = -1;
};

// One group from the moment the writer takes it until it is completed.
struct Partition::Flight {
  uint64_t seq = 0;
  Group group;
  std::shared_ptr<Segment> segment;  // where it was written
  std::vector<BatchHeader> headers;  // of the batches written, with their positions
  std::vector<uint64_t> positions;
  uint64_t bytes = 0;  // written
  // Syncs with ids below this had started when this group's sync returned: it completes only
  // once they have all ended (see CompleteReady).
  uint64_t sync_barrier = 0;
  Status status;      // of the write and sync
  bool done = false;  // synced (or failed); waits for the earlier groups
};

Partition::Partition(io::FileSystem* fs, std::string dir, std::string name,
                     PartitionOptions options, Clock* clock, LogCounters* counters,
                     CommitPool* pool)
    : fs_(fs),
      dir_(std::move(dir)),
      name_(std::move(name)),
      options_(options),
      clock_(clock),
      own_counters_(counters == nullptr ? std::make_unique<LogCounters>() : nullptr),
      counters_(counters == nullptr ? own_counters_.get() : counters),
      own_pool_(pool == nullptr ? std::make_unique<CommitPool>(1) : nullptr),
      pool_(pool == nullptr ? own_pool_.get() : pool) {}

Partition::~Partition() {
  std::unique_lock<std::mutex> l(mu_);
  idle_cv_.wait(l, [&] { return drains_ == 0; });
}

Result<std::unique_ptr<Partition>> Partition::Open(io::FileSystem* fs, std::string dir,
                                                   std::string name, PartitionOptions options,
                                                   Clock* clock, LogCounters* counters,
                                                   CommitPool* pool) {
  if (options.segment_bytes <= 0 || options.segment_bytes > (int64_t{1} << 31)) {
    return InvalidArgumentError("segment_bytes must be in (0, 2 GiB]");
  }
  if (!fs->FileExists(dir)) {
    RETURN_IF_ERROR(fs->CreateDir(dir));
    RETURN_IF_ERROR(fs->SyncDir(io::DirName(dir)));
  }
  std::unique_ptr<Partition> p(
      new Partition(fs, std::move(dir), std::move(name), options, clock, counters, pool));
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
    bool orphan_index = index_base && !std::binary_search(bases.begin(), bases.end(), *index_base);
    bool tmp = child.size() > 4 && child.compare(child.size() - 4, 4, ".tmp") == 0;
    if (orphan_index || tmp) RETURN_IF_ERROR(fs_->RemoveFile(io::JoinPath(dir_, child)));
  }
  std::lock_guard<std::mutex> l(mu_);
  if (bases.empty()) {
    ASSIGN_OR_RETURN(auto seg, Segment::Create(fs_, dir_, 0));
    segments_.push_back(std::move(seg));
    write_offset_ = 0;
    write_position_ = 0;
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
  write_offset_ = segments_.back()->next_offset();
  write_position_ = segments_.back()->size();
  return Status::OK();
}

Status Partition::RefusedError() const {
  return FailedPreconditionError("partition " + name_ + " refuses writes after an I/O error (" +
                                 write_error_.ToString() + "); reopen the log to recover");
}

Result<int64_t> Partition::Append(std::span<const Record> records) {
  if (records.empty()) return InvalidArgumentError("append of no records");
  counters_->Append();
  // The waiter lives on this stack; the callback signals it under its mutex, so it is not
  // touched after the wait below returns.
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<Result<int64_t>> result;
  } waiter;
  auto w = std::make_unique<Writer>();
  w->records = records;
  w->payload = PayloadBytes(records);
  w->done = [&waiter](Result<int64_t> r) {
    std::lock_guard<std::mutex> wl(waiter.mu);
    waiter.result = std::move(r);
    waiter.cv.notify_one();
  };
  const Writer* mine = w.get();
  {
    std::unique_lock<std::mutex> l(mu_);
    if (Enqueue(std::move(w), /*inline_drain=*/true)) Drain(l, mine);
  }
  std::unique_lock<std::mutex> wl(waiter.mu);
  waiter.cv.wait(wl, [&] { return waiter.result.has_value(); });
  return std::move(*waiter.result);
}

void Partition::AppendAsync(std::vector<Record> records, PartitionAppendCallback done) {
  if (records.empty()) return done(InvalidArgumentError("append of no records"));
  counters_->Append();
  auto w = std::make_unique<Writer>();
  w->owned = std::move(records);
  w->records = w->owned;
  w->payload = PayloadBytes(w->records);
  w->done = std::move(done);
  std::lock_guard<std::mutex> l(mu_);
  Enqueue(std::move(w), /*inline_drain=*/false);
}

void Partition::AppendEncodedAsync(EncodedBatch batch, PartitionAppendCallback done) {
  if (batch.record_count == 0 || batch.bytes.size() < kBatchHeaderSize) {
    return done(InvalidArgumentError("append of no records"));
  }
  counters_->Append();
  auto w = std::make_unique<Writer>();
  w->payload = batch.payload_bytes + 16 * batch.record_count;
  w->encoded = std::move(batch);
  w->done = std::move(done);
  std::lock_guard<std::mutex> l(mu_);
  Enqueue(std::move(w), /*inline_drain=*/false);
}

bool Partition::Enqueue(std::unique_ptr<Writer> w, bool inline_drain) {
  writers_.push_back(std::move(w));
  if (fill_target_ > 0 && writers_.size() >= fill_target_) fill_cv_.notify_one();
  // A drain not busy with a group of its own will take it (drains_ counts those in flight).
  const bool drain_ready = drains_ > static_cast<int>(flights_.size());
  const bool may_write =
      !writing_ && static_cast<int>(flights_.size()) < options_.max_syncs_in_flight;
  if (drain_ready || (drains_ > 0 && !may_write)) return false;
  if (inline_drain) {
    drains_++;
    return true;
  }
  ScheduleDrain();
  return false;
}

void Partition::ScheduleDrain() {
  drains_++;
  pool_->Submit([this] {
    std::unique_lock<std::mutex> l(mu_);
    Drain(l, nullptr);
  });
}

void Partition::Drain(std::unique_lock<std::mutex>& l, const Writer* until) {
  bool took_until = false;
  while (!writers_.empty() && !writing_ &&
         static_cast<int>(flights_.size()) < options_.max_syncs_in_flight) {
    writing_ = true;
    if (until == nullptr && options_.max_syncs_in_flight == 1) AwaitGroup(l);
    if (writers_.empty()) {
      writing_ = false;
      break;
    }
    auto owned = std::make_unique<Flight>();
    Flight& f = *owned;
    f.seq = next_flight_seq_++;
    f.group = TakeGroup();
    took_until = took_until || std::any_of(f.group.begin(), f.group.end(),
                                           [&](const auto& x) { return x.get() == until; });
    flights_.push_back(std::move(owned));
    Status status = WriteFlight(l, f);
    writing_ = false;
    // The next group need not wait for this one's sync: another drain may write it now.
    if (status.ok() && !writers_.empty() &&
        static_cast<int>(flights_.size()) < options_.max_syncs_in_flight &&
        drains_ <= static_cast<int>(flights_.size())) {
      ScheduleDrain();
    }
    if (status.ok() && options_.sync && !f.headers.empty()) {
      std::shared_ptr<Segment> segment = f.segment;
      if (!syncs_running_.empty()) counters_->OverlappedSync();
      const uint64_t sync_id = next_sync_id_++;
      syncs_running_.insert(sync_id);
      l.unlock();
      const int64_t sync_start = clock_->MonotonicMicros();
      status = segment->Sync().WithContext("partition " + name_);
      const int64_t micros = std::max<int64_t>(0, clock_->MonotonicMicros() - sync_start);
      counters_->Sync(static_cast<uint64_t>(micros));
      l.lock();
      syncs_running_.erase(sync_id);
      f.sync_barrier = next_sync_id_;
      sync_ewma_micros_ = sync_ewma_micros_ == 0 ? micros : (7 * sync_ewma_micros_ + micros) / 8;
    }
    if (status.ok() && !f.headers.empty()) {
      counters_->Written(
          static_cast<uint64_t>(f.headers.back().next_offset() - f.headers.front().base_offset),
          f.bytes);
    }
    FinishFlight(f, std::move(status));
    last_in_flight_ = f.group.size() + writers_.size();
    CompleteReady(l);       // f may be gone from here on
    if (took_until) break;  // a blocking Append's group is synced: it returns (or waits)
    if (until == nullptr && pool_->HasBacklog()) break;  // let other partitions have a thread
  }
  drains_--;
  // Appends are left and no drain will come back for them: a pool thread carries on.
  if (!writers_.empty() && drains_ == 0) ScheduleDrain();
  if (drains_ == 0) idle_cv_.notify_all();
}

void Partition::AwaitGroup(std::unique_lock<std::mutex>& l) {
  constexpr int64_t kMaxDelayMicros = 2000;
  const size_t target = last_in_flight_;
  last_in_flight_ = 0;  // one wait per group: a drain that found nothing goes idle
  if (!options_.sync || writers_.size() >= target || removed_ || !write_error_.ok()) return;
  const int64_t delay = std::min(sync_ewma_micros_ / 2, kMaxDelayMicros);
  if (delay <= 0) return;
  fill_target_ = target;
  fill_cv_.wait_for(l, std::chrono::microseconds(delay),
                    [&] { return writers_.size() >= fill_target_; });
  fill_target_ = 0;
}

Partition::Group Partition::TakeGroup() {
  Group group;
  size_t bytes = 0;
  while (!writers_.empty() && bytes < kMaxGroupBytes) {
    bytes += writers_.front()->payload;
    group.push_back(std::move(writers_.front()));
    writers_.pop_front();
  }
  return group;
}

namespace {
constexpr size_t kKeepGroupBufBytes = 8 << 20;
}  // namespace

Status Partition::WriteFlight(std::unique_lock<std::mutex>& l, Flight& f) {
  if (removed_) return FailedPreconditionError("partition " + name_ + " was deleted");
  if (!write_error_.ok()) return RefusedError();
  RETURN_IF_ERROR(RollIfFull(l, f));
  f.segment = segments_.back();
  int64_t next = write_offset_;
  const uint64_t start = write_position_;
  const bool syncs_cost = sync_ewma_micros_ >= kPreallocateMinSyncMicros;
  l.unlock();
  const int64_t now_ms = clock_->NowMicros() / 1000;
  std::string& buf = group_buf_;
  buf.clear();
  size_t need = 0;
  for (const auto& x : f.group) {
    need += x->encoded.bytes.size();
    for (const Record& r : x->records) need += RecordPayloadBytes(r) + 32;
    need += kBatchHeaderSize;
  }
  buf.reserve(need);
  f.headers.reserve(f.group.size());
  f.positions.reserve(f.group.size());
  Status status;
  for (auto& x : f.group) {
    const size_t before = buf.size();
    Status s;
    if (x->encoded.record_count > 0) {
      buf.append(x->encoded.bytes);
      SealBatch(buf.data() + before, x->encoded.bytes.size(), next, now_ms);
    } else {
      s = EncodeBatch(next, x->records, now_ms, &buf);
    }
    if (!s.ok()) {
      x->status = s;  // this request alone is refused; the rest of the group goes on
      continue;
    }
    auto h = DecodeBatchHeader(std::string_view(buf).substr(before));
    if (!h.ok()) {
      status = h.status();
      break;
    }
    f.headers.push_back(*h);
    f.positions.push_back(start + before);
    x->base_offset = next;
    next = h->next_offset();
  }
  if (status.ok() && !buf.empty()) {
    counters_->GroupCommit(f.headers.size());
    status = f.segment->Write(buf, syncs_cost).WithContext("partition " + name_);
  }
  const size_t written = buf.size();
  if (buf.capacity() > kKeepGroupBufBytes) std::string().swap(buf);  // don't pin a rare giant
  l.lock();
  if (status.ok()) {
    f.bytes = written;
    write_offset_ = next;
    write_position_ = start + written;
  }
  return status;
}

Status Partition::RollIfFull(std::unique_lock<std::mutex>& l, const Flight& f) {
  if (write_position_ < static_cast<uint64_t>(options_.segment_bytes)) return Status::OK();
  // Every earlier group must be synced and completed first (`f`, the last, is not written
  // yet): then the sealed segment never has a torn tail (docs/log_format.md §6) and no drain
  // still syncs its file.
  flights_cv_.wait(l, [&] { return flights_.front().get() == &f; });
  // A group that failed meanwhile may have left unpublished bytes in the segment: no seal.
  if (!write_error_.ok()) return RefusedError();
  std::shared_ptr<Segment> active = segments_.back();
  l.unlock();
  Status status = active->Seal().WithContext("sealing a segment of " + name_);
  Result<std::unique_ptr<Segment>> next = FailedPreconditionError("not created");
  if (status.ok()) next = Segment::Create(fs_, dir_, active->next_offset());
  l.lock();
  RETURN_IF_ERROR(status);
  RETURN_IF_ERROR(next.status());
  segments_.push_back(std::move(next).value());
  write_offset_ = segments_.back()->next_offset();
  write_position_ = 0;
  return Status::OK();
}

void Partition::FinishFlight(Flight& f, Status status) {
  f.done = true;
  if (status.ok()) return;
  f.status = std::move(status);
  // Every group not yet answered fails with it, earlier ones too: their syncs overlapped
  // this one (they are held until every overlapping sync has ended), and after a writeback
  // error Linux reports it to one fdatasync of the file only, which may have been this one.
  failed_seq_ = std::min(failed_seq_, flights_.front()->seq);
  if (write_error_.ok()) {
    write_error_ = f.status;
    if (!removed_) counters_->RefusingChanged(+1);  // RemoveAll takes it back
  }
}

void Partition::CompleteReady(std::unique_lock<std::mutex>& l) {
  std::vector<std::unique_ptr<Flight>> ready;
  // A synced group completes once every sync that began before its own returned has ended
  // (and so could not have taken a writeback error that was this group's).
  while (!flights_.empty() && flights_.front()->done &&
         (syncs_running_.empty() || *syncs_running_.begin() >= flights_.front()->sync_barrier)) {
    std::unique_ptr<Flight> f = std::move(flights_.front());
    flights_.pop_front();
    if (f->status.ok() && f->seq >= failed_seq_) {
      f->status =
          FailedPreconditionError("partition " + name_ + ": a group in flight with it failed (" +
                                  write_error_.ToString() + ")");
    }
    if (f->status.ok()) {
      for (size_t i = 0; i < f->headers.size(); ++i) {
        f->segment->Publish(f->headers[i], f->positions[i]);
      }
    }
    ready.push_back(std::move(f));
  }
  if (ready.empty()) return;
  flights_cv_.notify_all();
  const uint64_t ticket = next_ticket_++;
  l.unlock();
  {
    std::unique_lock<std::mutex> t(ticket_mu_);
    ticket_cv_.wait(t, [&] { return serving_ticket_ == ticket; });
  }
  for (auto& f : ready) {
    for (auto& x : f->group) {
      const Status& s = x->status.ok() ? f->status : x->status;
      if (s.ok()) {
        x->done(x->base_offset);
      } else {
        x->done(s);
      }
    }
  }
  {
    std::lock_guard<std::mutex> t(ticket_mu_);
    serving_ticket_++;
  }
  ticket_cv_.notify_all();
  ready.clear();  // the records of async appends go now, outside the lock
  l.lock();
}

Result<std::vector<Partition::Piece>> Partition::PlanRead(int64_t offset) {
  std::vector<Piece> plan;
  std::lock_guard<std::mutex> l(mu_);
  const int64_t start = segments_.front()->base_offset();
  const int64_t end = segments_.back()->next_offset();
  if (offset < start || offset > end) {
    return OutOfRangeError("offset " + std::to_string(offset) + " is outside [" +
                           std::to_string(start) + ", " + std::to_string(end) + "] of " + name_);
  }
  if (offset == end) return plan;
  auto it = std::upper_bound(
      segments_.begin(), segments_.end(), offset,
      [](int64_t o, const std::shared_ptr<Segment>& s) { return o < s->base_offset(); });
  for (auto s = std::prev(it); s != segments_.end(); ++s) {
    const uint64_t pos = s == std::prev(it) ? (*s)->FindPosition(offset) : 0;
    plan.push_back({*s, pos, (*s)->size()});
  }
  return plan;
}

Result<std::vector<StoredRecord>> Partition::Read(int64_t offset, size_t max_bytes) {
  ASSIGN_OR_RETURN(std::vector<Piece> plan, PlanRead(offset));
  std::vector<StoredRecord> out;
  size_t bytes = 0;
  for (const Piece& piece : plan) {
    RETURN_IF_ERROR(
        piece.segment->ReadBatches(piece.position, piece.end, offset, max_bytes, &out, &bytes));
    if (!out.empty() && bytes >= max_bytes) break;
  }
  return out;
}

Status Partition::ReadViews(int64_t offset, size_t max_bytes, RecordViews* out) {
  out->Clear();
  ASSIGN_OR_RETURN(std::vector<Piece> plan, PlanRead(offset));
  size_t bytes = 0;
  for (const Piece& piece : plan) {
    ASSIGN_OR_RETURN(bool full, piece.segment->ReadBatchViews(piece.position, piece.end, offset,
                                                              max_bytes, out, &bytes));
    if (full) break;
  }
  return Status::OK();
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
      const bool by_age =
          options_.retention_ms >= 0 && oldest.max_timestamp() < now_ms - options_.retention_ms;
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
