#include "sink/sink.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <span>
#include <utility>

namespace pinpipe::sink {
namespace {

constexpr int64_t kMaxSleepStepMs = 100;  // how soon a sleeping sink notices a stop

CutPolicy PolicyOf(const SinkOptions& o) {
  CutPolicy c;
  c.flush_size = o.flush_size;
  c.rotate_interval_ms = o.rotate_interval_ms;
  c.max_buffer_bytes = o.max_buffer_bytes;
  return c;
}

std::string Where(const std::string& topic, int32_t partition) {
  return topic + "/" + std::to_string(partition);
}

}  // namespace

TopicCounters SinkStats::Total() const {
  TopicCounters t;
  for (const auto& [name, c] : topics) {
    t.records += c.records;
    t.objects += c.objects;
    t.bytes += c.bytes;
    t.dlq_records += c.dlq_records;
  }
  return t;
}

Result<std::unique_ptr<Sink>> Sink::Create(log::TopicLog* log, objstore::ObjectStore* store,
                                           Clock* clock, SinkOptions options) {
  RETURN_IF_ERROR(Validate(options));
  std::regex topics(options.topics_regex, std::regex::ECMAScript);  // Validate parsed it
  return std::unique_ptr<Sink>(
      new Sink(log, store, clock, std::move(options), std::move(topics)));
}

Sink::Sink(log::TopicLog* log, objstore::ObjectStore* store, Clock* clock, SinkOptions options,
           std::regex topics)
    : log_(log),
      store_(store),
      clock_(clock),
      options_(std::move(options)),
      topics_(std::move(topics)),
      group_(options_.GroupName()),
      dlq_topic_(options_.DlqTopic()),
      buffers_(static_cast<size_t>(options_.max_in_flight_puts) + 2,
               static_cast<size_t>(options_.max_in_flight_bytes)),
      fetcher_(log, static_cast<size_t>(options_.read_max_bytes)) {
  pool_ = std::make_unique<PutPool>(
      static_cast<int>(options_.max_in_flight_puts), options_.max_in_flight_bytes,
      [this](const ObjectChunk& c) { return PutWithRetry(c); }, &buffers_);
}

Sink::~Sink() {
  closing_ = true;  // a put in flight that is retrying gives up at its next sleep
  pool_.reset();    // waits for the puts in flight while everything they touch lives
}

void Sink::Warn(const std::string& message) {
  std::lock_guard<std::mutex> l(warn_mu_);
  if (options_.warn) {
    options_.warn(message);
  } else {
    std::fprintf(stderr, "pinpipe sink: %s\n", message.c_str());
  }
}

bool Sink::SleepMs(int64_t ms, const std::atomic<bool>* stop) {
  auto stopped = [&] { return closing_.load() || (stop != nullptr && stop->load()); };
  while (ms > 0) {
    if (stopped()) return false;
    int64_t step = std::min(ms, kMaxSleepStepMs);
    clock_->SleepForMicros(step * 1000);
    ms -= step;
  }
  return !stopped();
}

template <typename Fn>
Status Sink::Retry(const std::string& what, const std::atomic<bool>* stop, Fn&& fn) {
  int64_t backoff = options_.retry_backoff_initial_ms;
  for (int64_t attempt = 1;; attempt++) {
    Status s = fn();
    if (s.ok() || s.code() == StatusCode::kInvalidArgument) return s;
    if (options_.max_attempts > 0 && attempt >= options_.max_attempts) {
      return s.WithContext(what + " failed " + std::to_string(attempt) + " times");
    }
    Warn(what + " failed (attempt " + std::to_string(attempt) + "), retrying in " +
         std::to_string(backoff) + " ms: " + s.ToString());
    {
      std::lock_guard<std::mutex> l(stats_mu_);
      stats_.retries++;
    }
    if (!SleepMs(backoff, stop)) return CancelledError("stopped while retrying " + what);
    backoff = std::min(backoff * 2, options_.retry_backoff_max_ms);
  }
}

Status Sink::RefreshTopics(const std::atomic<bool>* /*stop*/) {
  ASSIGN_OR_RETURN(std::vector<std::string> topics, log_->ListTopics());
  for (const std::string& topic : topics) {
    if (topic == dlq_topic_ || !std::regex_match(topic, topics_)) continue;
    Result<log::TopicDescription> d = log_->DescribeTopic(topic);
    if (!d.ok() && d.status().code() == StatusCode::kNotFound) continue;  // deleted meanwhile
    if (!d.ok()) return d.status();
    for (const log::PartitionOffsets& po : d->partitions) {
      Key key{topic, po.partition};
      if (partitions_.count(key) > 0) continue;
      ASSIGN_OR_RETURN(std::optional<int64_t> committed,
                       log_->FetchCommitted(group_, topic, po.partition));
      int64_t start = committed.value_or(po.start_offset);
      if (start < po.start_offset) {
        Warn("records " + std::to_string(start) + ".." + std::to_string(po.start_offset - 1) +
             " of " + Where(topic, po.partition) +
             " were deleted by retention before the sink wrote them");
        std::lock_guard<std::mutex> l(stats_mu_);
        stats_.records_lost_to_retention += po.start_offset - start;
        start = po.start_offset;
      }
      Partition p;
      p.writer = std::make_unique<PartitionWriter>(topic, po.partition, PolicyOf(options_), start,
                                                   &buffers_);
      p.committed = committed.value_or(-1);
      p.durable = start;
      p.issued = start;
      auto [it, inserted] = partitions_.emplace(key, std::move(p));
      Publish(key, it->second);
    }
  }
  return Status::OK();
}

void Sink::Publish(const Key& key, const Partition& p) {
  std::lock_guard<std::mutex> l(stats_mu_);
  PartitionProgress& pp = progress_[key];
  pp.topic = key.first;
  pp.partition = key.second;
  pp.committed = p.committed;
  pp.position = p.writer->position();
  stats_.topics[key.first];  // a topic with nothing written yet still shows
}

void Sink::ResetToDurable(const Key& key, Partition& p) {
  p.writer = std::make_unique<PartitionWriter>(key.first, key.second, PolicyOf(options_),
                                               p.durable, &buffers_);
  p.issued = p.durable;
  p.in_flight.clear();
  p.reset = false;
  p.schedule_due_ms = -1;
  Publish(key, p);
}

void Sink::MaybeScheduledCut(Partition& p, std::vector<ObjectChunk>* out) {
  const int64_t interval = options_.rotate_schedule_interval_ms;
  if (interval <= 0) return;
  if (p.writer->open_records() == 0) {
    p.schedule_due_ms = -1;
    return;
  }
  int64_t now_ms = clock_->NowMicros() / 1000;
  if (p.schedule_due_ms < 0) {
    p.schedule_due_ms = (now_ms / interval + 1) * interval;
    return;
  }
  if (now_ms >= p.schedule_due_ms) {
    p.writer->CutNow(out);
    p.schedule_due_ms = -1;
  }
}

Status Sink::PutWithRetry(const ObjectChunk& c) {
  return Retry("putting " + store_->Url() + "/" + c.key, stop_.load(),
               [&] { return store_->Put(c.key, c.data); });
}

Status Sink::PutAll(const Key& key, Partition& p, std::vector<ObjectChunk>& chunks) {
  std::vector<PutPool::Done> done;
  for (ObjectChunk& c : chunks) {
    pool_->WaitForRoom(static_cast<int64_t>(c.data.size()), &done);
    Absorb(done);
    if (!put_failure_.ok()) {
      p.reset = true;  // the rest of `chunks` is dropped: re-read it
      chunks.clear();
      return put_failure_;
    }
    const uint64_t tag = next_tag_++;
    tags_[tag] = key;
    p.in_flight.push_back(InFlight{tag, c.start_offset});
    pool_->Submit(tag, std::move(c));
  }
  chunks.clear();
  return Status::OK();
}

void Sink::Absorb(std::vector<PutPool::Done>& done) {
  for (PutPool::Done& d : done) {
    auto t = tags_.find(d.tag);
    if (t == tags_.end()) continue;
    const Key key = t->second;
    tags_.erase(t);
    if (d.status.ok()) {
      std::lock_guard<std::mutex> l(stats_mu_);
      TopicCounters& c = stats_.topics[key.first];
      c.records += d.chunk.records;
      c.objects += 1;
      c.bytes += d.bytes;
    } else if (put_failure_.ok()) {
      put_failure_ = d.status;
    }
    auto it = partitions_.find(key);
    if (it == partitions_.end()) continue;  // gone meanwhile
    Partition& p = it->second;
    for (InFlight& f : p.in_flight) {
      if (f.tag != d.tag) continue;
      f.done = d.status.ok();
      f.failed = !d.status.ok();
    }
    if (!d.status.ok()) p.reset = true;
    Advance(p);
  }
  done.clear();
}

void Sink::Advance(Partition& p) {
  while (!p.in_flight.empty() && p.in_flight.front().done) p.in_flight.pop_front();
  // A failed put stays at the front: nothing from its first offset on is durable.
  p.durable = p.in_flight.empty() ? p.issued : p.in_flight.front().start_offset;
}

Status Sink::Settle() {
  std::vector<PutPool::Done> done;
  pool_->WaitAll(&done);
  Absorb(done);
  for (auto& [key, p] : partitions_) {
    Advance(p);
    if (p.reset) ResetToDurable(key, p);
  }
  Status failure = put_failure_;
  put_failure_ = Status::OK();
  return failure;
}

Status Sink::FailPass(Status failure, const std::atomic<bool>* stop) {
  Settle().IgnoreError();  // `failure` is the first; the rest are reset all the same
  // What was put is committed even when a later put or partition failed.
  Status committed = CommitMoved(stop, /*force=*/true);
  if (!committed.ok()) Warn("committing after a failure: " + committed.ToString());
  return failure;
}

Status Sink::HandleBadRecord(const Key& key, int64_t offset, const Status& why,
                             const std::atomic<bool>* stop) {
  if (!dlq_ready_) {
    Status s = log_->CreateTopic(dlq_topic_, log::TopicConfig{});
    if (!s.ok() && s.code() != StatusCode::kAlreadyExists) {
      return s.WithContext("creating the dead-letter topic " + dlq_topic_);
    }
    dlq_ready_ = true;
  }
  // The whole record, headers included (the views carry none); a rare path.
  ASSIGN_OR_RETURN(std::vector<log::StoredRecord> whole,
                   log_->Read(key.first, key.second, offset, 1));
  if (whole.empty() || whole.front().offset != offset) {
    return InternalError("record " + Where(key.first, key.second) + "@" +
                         std::to_string(offset) + " could not be read again");
  }
  const log::StoredRecord& r = whole.front();
  // Kafka Connect's DLQ context headers (errors.deadletterqueue.context.headers.enable).
  log::Record rec = r.record;
  rec.headers.push_back({"__connect.errors.topic", key.first});
  rec.headers.push_back({"__connect.errors.partition", std::to_string(key.second)});
  rec.headers.push_back({"__connect.errors.offset", std::to_string(r.offset)});
  rec.headers.push_back({"__connect.errors.connector.name", options_.name});
  rec.headers.push_back({"__connect.errors.exception.class.name", "pinpipe.sink.NotJson"});
  rec.headers.push_back({"__connect.errors.exception.message", std::string(why.message())});
  RETURN_IF_ERROR(Retry("appending to the dead-letter topic " + dlq_topic_, stop, [&] {
    return log_->Append(dlq_topic_, log::PartitionChoice::Explicit(0),
                        std::span<const log::Record>(&rec, 1))
        .status();
  }));
  std::lock_guard<std::mutex> l(stats_mu_);
  stats_.topics[key.first].dlq_records++;
  return Status::OK();
}

Result<bool> Sink::SkipRetentionGap(const Key& key, Partition& p, const std::atomic<bool>* stop) {
  ASSIGN_OR_RETURN(log::PartitionOffsets off, log_->GetOffsets(key.first, key.second));
  int64_t position = p.writer->position();
  if (position >= off.start_offset) {
    return OutOfRangeError("offset " + std::to_string(position) + " of " +
                           Where(key.first, key.second) + " is past its end " +
                           std::to_string(off.end_offset));
  }
  std::vector<ObjectChunk> chunks;
  p.writer->CutNow(&chunks);  // what was read is still in memory: keep it
  RETURN_IF_ERROR(PutAll(key, p, chunks));
  RETURN_IF_ERROR(Settle());  // every object before the gap is durable
  Warn("records " + std::to_string(position) + ".." + std::to_string(off.start_offset - 1) +
       " of " + Where(key.first, key.second) +
       " were deleted by retention before the sink read them");
  {
    std::lock_guard<std::mutex> l(stats_mu_);
    stats_.records_lost_to_retention += off.start_offset - position;
  }
  p.durable = off.start_offset;
  ResetToDurable(key, p);
  return true;
}

Result<bool> Sink::Step(const Key& key, Partition& p, const std::atomic<bool>* stop,
                        int64_t limit, const NextRead& next) {
  std::vector<ObjectChunk> chunks;
  bool consumed = false;
  Status bad;
  if (p.writer->position() < limit) {
    const Fetch& fetch = fetcher_.Get(key.first, key.second, p.writer->position());
    if (fetch.status.code() == StatusCode::kOutOfRange) return SkipRetentionGap(key, p, stop);
    RETURN_IF_ERROR(fetch.status);
    // The next step's read runs on the fetcher's thread while this one's records are cut.
    if (next.key == nullptr) {
      if (!fetch.records.empty() && fetch.records.back().offset + 1 < next.limit) {
        fetcher_.Prefetch(key.first, key.second, fetch.records.back().offset + 1);
      }
    } else if (next.position < next.limit) {
      fetcher_.Prefetch(next.key->first, next.key->second, next.position);
    }
    for (const FetchedRecord& r : fetch.records) {
      if (r.offset >= limit) break;
      consumed = true;
      if (r.error.ok()) {
        p.writer->Add(r.offset, r.timestamp_ms, r.line, &chunks);
        continue;
      }
      if (options_.errors_tolerance == ErrorsTolerance::kNone) {
        bad = FailedPreconditionError(
            "record " + Where(key.first, key.second) + "@" + std::to_string(r.offset) +
            " is " + std::string(r.error.message()) +
            "; with sink.errors_tolerance = \"none\" the sink stops here (\"all\" sends such "
            "records to the dead-letter topic " + dlq_topic_ + ")");
        break;
      }
      if (Status s = HandleBadRecord(key, r.offset, r.error, stop); !s.ok()) {
        p.reset = true;  // re-read once the puts in flight settle
        return s;
      }
      p.writer->Skip(r.offset);
    }
  }
  MaybeScheduledCut(p, &chunks);
  RETURN_IF_ERROR(PutAll(key, p, chunks));
  p.issued = p.writer->safe_offset();
  Advance(p);
  Publish(key, p);
  if (!bad.ok()) {
    bad_record_ = true;
    return bad;
  }
  return consumed;
}

Status Sink::CommitMoved(const std::atomic<bool>* stop, bool force) {
  const int64_t now_ms = clock_->MonotonicMicros() / 1000;
  if (!force && last_commit_ms_ >= 0 && now_ms - last_commit_ms_ < options_.commit_interval_ms) {
    return Status::OK();
  }
  std::vector<log::GroupOffset> offsets;
  for (const auto& [key, p] : partitions_) {
    if (p.durable != p.committed) offsets.push_back({key.first, key.second, p.durable});
  }
  if (offsets.empty()) return Status::OK();
  RETURN_IF_ERROR(Retry("committing the offsets of group " + group_, stop,
                        [&] { return log_->CommitOffsets(group_, offsets); }));
  last_commit_ms_ = now_ms;
  for (const log::GroupOffset& o : offsets) {
    auto it = partitions_.find(Key{o.topic, o.partition});
    if (it == partitions_.end()) continue;
    it->second.committed = o.offset;
    Publish(it->first, it->second);
  }
  return Status::OK();
}

Result<bool> Sink::Pass(const std::atomic<bool>* stop, const Limits* limits) {
  bool any = false;
  Status failure;
  auto limit_of = [&](const Key& key) -> int64_t {
    if (limits == nullptr) return INT64_MAX;
    auto l = limits->find(key);
    return l == limits->end() ? -1 : l->second;
  };
  for (auto it = partitions_.begin(); it != partitions_.end();) {
    if (stop != nullptr && stop->load()) break;
    const int64_t limit = limit_of(it->first);
    // The read after this step's: the next partition's, or this one's continuation.
    NextRead next;
    auto n = std::next(it) == partitions_.end() ? partitions_.begin() : std::next(it);
    if (n == it) {
      next.limit = limit;
    } else {
      next.key = &n->first;
      next.position = n->second.writer->position();
      next.limit = limit_of(n->first);
    }
    Result<bool> moved = Step(it->first, it->second, stop, limit, next);
    if (!moved.ok() && moved.status().code() == StatusCode::kNotFound) {
      Warn(Where(it->first.first, it->first.second) + " is gone (" +
           std::string(moved.status().message()) + "); no longer consumed");
      {
        std::lock_guard<std::mutex> l(stats_mu_);
        progress_.erase(it->first);
      }
      it = partitions_.erase(it);
      continue;
    }
    if (!moved.ok()) {
      failure = moved.status();
      break;
    }
    any = any || *moved;
    ++it;
  }
  std::vector<PutPool::Done> done;
  pool_->TakeDone(&done);
  Absorb(done);
  if (failure.ok()) failure = put_failure_;
  if (!failure.ok()) return FailPass(failure, stop);
  RETURN_IF_ERROR(CommitMoved(stop, /*force=*/false));
  return any;
}

Status Sink::Run(const std::atomic<bool>& stop) {
  stop_ = &stop;
  Status s = RunLoop(stop);
  // Stopped (or given up): the puts in flight finish or are cancelled; what is durable is
  // committed, the rest re-read after a restart.
  Settle().IgnoreError();
  if (Status c = CommitMoved(&stop, /*force=*/true); !c.ok() && s.ok() && !stop.load()) s = c;
  stop_ = nullptr;
  return s;
}

Status Sink::RunLoop(const std::atomic<bool>& stop) {
  int64_t next_refresh_ms = 0;
  int64_t backoff = options_.retry_backoff_initial_ms;
  int64_t failures = 0;
  while (!stop.load()) {
    int64_t now_ms = clock_->MonotonicMicros() / 1000;
    Status s;
    if (now_ms >= next_refresh_ms) {
      s = RefreshTopics(&stop);
      next_refresh_ms = now_ms + options_.topic_refresh_ms;
    }
    Result<bool> moved = s.ok() ? Pass(&stop, nullptr) : Result<bool>(s);
    if (moved.ok()) {
      backoff = options_.retry_backoff_initial_ms;
      failures = 0;
      if (*moved) continue;
      if (pool_->in_flight() == 0) {
        SleepMs(options_.idle_sleep_ms, &stop);
        continue;
      }
      // Nothing new to read: wait for a put to end instead, so it is committed soon.
      std::vector<PutPool::Done> done;
      pool_->WaitForDone(std::chrono::milliseconds(options_.idle_sleep_ms), &done);
      Absorb(done);
      continue;
    }
    if (stop.load()) break;
    if (bad_record_ || moved.status().code() == StatusCode::kInvalidArgument) {
      return moved.status();
    }
    failures++;
    if (options_.max_attempts > 0 && failures >= options_.max_attempts) return moved.status();
    Warn("pass failed, retrying in " + std::to_string(backoff) +
         " ms: " + moved.status().ToString());
    {
      std::lock_guard<std::mutex> l(stats_mu_);
      stats_.retries++;
    }
    SleepMs(backoff, &stop);
    backoff = std::min(backoff * 2, options_.retry_backoff_max_ms);
  }
  return Status::OK();
}

Result<SinkStats> Sink::Drain(bool cut_tails, const std::atomic<bool>* stop) {
  stop_ = stop;
  Result<SinkStats> r = DrainPasses(cut_tails, stop);
  if (pool_->in_flight() > 0) Settle().IgnoreError();  // an early error: nothing stays in flight
  stop_ = nullptr;
  return r;
}

Result<SinkStats> Sink::DrainPasses(bool cut_tails, const std::atomic<bool>* stop) {
  RETURN_IF_ERROR(RefreshTopics(stop));
  Limits limits;
  for (const auto& [key, p] : partitions_) {
    ASSIGN_OR_RETURN(log::PartitionOffsets off, log_->GetOffsets(key.first, key.second));
    limits[key] = off.end_offset;
  }
  while (true) {
    if (stop != nullptr && stop->load()) return CancelledError("sink drain stopped");
    ASSIGN_OR_RETURN(bool moved, Pass(stop, &limits));
    bool done = true;
    for (const auto& [key, p] : partitions_) {
      auto l = limits.find(key);
      if (l != limits.end() && p.writer->position() < l->second) done = false;
    }
    if (done) break;
    if (!moved) return InternalError("sink drain made no progress below the end offsets");
  }
  if (cut_tails) {
    for (auto& [key, p] : partitions_) {
      std::vector<ObjectChunk> chunks;
      p.writer->CutNow(&chunks);
      if (Status s = PutAll(key, p, chunks); !s.ok()) return FailPass(s, stop);
      p.issued = p.writer->safe_offset();
      Publish(key, p);
    }
  }
  if (Status s = Settle(); !s.ok()) return FailPass(s, stop);
  RETURN_IF_ERROR(CommitMoved(stop, /*force=*/true));
  return stats();
}

SinkStats Sink::stats() const {
  std::lock_guard<std::mutex> l(stats_mu_);
  SinkStats s = stats_;
  s.partitions.clear();
  for (const auto& [key, pp] : progress_) s.partitions.push_back(pp);
  return s;
}

std::string Sink::MetricsText() const {
  SinkStats s = stats();
  std::string out;
  auto family = [&](const char* name, const char* help, const char* type,
                    int64_t TopicCounters::*field) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    for (const auto& [topic, c] : s.topics) {
      out += std::string(name) + "{topic=\"" + topic + "\"} " + std::to_string(c.*field) + "\n";
    }
  };
  family("pinpipe_sink_records_total", "Records written into objects.", "counter",
         &TopicCounters::records);
  family("pinpipe_sink_objects_total", "Objects put.", "counter", &TopicCounters::objects);
  family("pinpipe_sink_bytes_total", "Object bytes put.", "counter", &TopicCounters::bytes);
  family("pinpipe_sink_dlq_records_total", "Records sent to the dead-letter topic.", "counter",
         &TopicCounters::dlq_records);
  out += "# HELP pinpipe_sink_retries_total Failed puts, commits and passes retried.\n"
         "# TYPE pinpipe_sink_retries_total counter\npinpipe_sink_retries_total " +
         std::to_string(s.retries) + "\n";
  out += "# HELP pinpipe_sink_lag Records of a partition not yet committed by the sink.\n"
         "# TYPE pinpipe_sink_lag gauge\n";
  for (const PartitionProgress& pp : s.partitions) {
    Result<log::PartitionOffsets> off = log_->GetOffsets(pp.topic, pp.partition);
    if (!off.ok()) continue;
    int64_t committed = std::max(pp.committed, off->start_offset);
    out += "pinpipe_sink_lag{topic=\"" + pp.topic + "\",partition=\"" +
           std::to_string(pp.partition) + "\"} " +
           std::to_string(std::max<int64_t>(0, off->end_offset - committed)) + "\n";
  }
  return out;
}

}  // namespace pinpipe::sink
