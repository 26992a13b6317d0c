#include "sink/record_fetcher.h"

#include <functional>
#include <span>
#include <utility>

namespace pinpipe::sink {

// Runs one job at a time on a thread of its own: Start, then Wait before the next Start.
class RecordFetcher::Helper {
 public:
  Helper() : thread_([this] { Loop(); }) {}
  ~Helper() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void Start(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> l(mu_);
      job_ = std::move(job);
    }
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return !job_; });
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> l(mu_);
    while (true) {
      cv_.wait(l, [&] { return stopping_ || job_; });
      if (stopping_) return;
      l.unlock();
      job_();  // Start does not touch job_ again until Wait has seen it cleared
      l.lock();
      job_ = nullptr;
      cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> job_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the rest is built
};

namespace {
// Below this many records a read is checked by one thread: the hand-off costs more.
constexpr size_t kSplitRecords = 64;
}  // namespace

RecordFetcher::RecordFetcher(log::TopicLog* log, size_t max_bytes)
    : log_(log),
      max_bytes_(max_bytes),
      helper_(std::make_unique<Helper>()),
      current_(std::make_unique<Fetch>()),
      spare_(std::make_unique<Fetch>()),
      worker_([this] { Work(); }) {}

RecordFetcher::~RecordFetcher() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void RecordFetcher::Fill(Fetch* f, const Request& r) {
  f->records.clear();
  f->status = log_->ReadViews(r.topic, r.partition, r.offset, max_bytes_, &f->views);
  if (!f->status.ok()) return;
  const size_t n = f->views.size();
  f->records.resize(n);
  if (n < kSplitRecords) {
    Check(f, 0, 0, n);
    return;
  }
  const size_t mid = n / 2;
  helper_->Start([f, mid, n] { Check(f, 1, mid, n); });
  Check(f, 0, 0, mid);
  helper_->Wait();
}

void RecordFetcher::Check(Fetch* f, int half, size_t begin, size_t end) {
  Fetch::Checking& c = f->checking[half];
  c.minified_used = 0;
  std::span<const log::RecordView> views = f->views.records();
  for (size_t i = begin; i < end; ++i) {
    const log::RecordView& v = views[i];
    FetchedRecord& out = f->records[i];
    out.offset = v.offset;
    out.timestamp_ms = v.timestamp_ms;
    out.error = Status::OK();
    if (c.minified_used == c.minified.size()) c.minified.emplace_back();
    std::string* scratch = &c.minified[c.minified_used];
    Result<std::string_view> line = c.checker.Line(v.value, scratch, log::RecordViews::kPadding);
    if (!line.ok()) {
      out.error = line.status();
      out.line = {};
      continue;
    }
    out.line = *line;
    if (line->data() == scratch->data()) c.minified_used++;  // keep it
  }
}

const Fetch& RecordFetcher::Get(const std::string& topic, int32_t partition, int64_t offset) {
  const Request want{topic, partition, offset};
  {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return !busy_ && !pending_; });
    const bool usable = ready_ == want && spare_->status.ok() && !spare_->records.empty();
    ready_.reset();
    if (usable) {
      std::swap(current_, spare_);
      hits_++;
      return *current_;
    }
  }
  misses_++;
  Fill(current_.get(), want);
  return *current_;
}

void RecordFetcher::Prefetch(const std::string& topic, int32_t partition, int64_t offset) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (busy_ || pending_) return;  // one read ahead at a time
    pending_ = Request{topic, partition, offset};
    ready_.reset();
  }
  cv_.notify_all();
}

void RecordFetcher::Work() {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    cv_.wait(l, [&] { return stopping_ || pending_.has_value(); });
    if (stopping_) return;
    Request r = std::move(*pending_);
    pending_.reset();
    busy_ = true;
    Fetch* f = spare_.get();
    l.unlock();
    Fill(f, r);
    l.lock();
    busy_ = false;
    ready_ = std::move(r);
    cv_.notify_all();
  }
}

}  // namespace pinpipe::sink
