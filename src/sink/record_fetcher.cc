#include "sink/record_fetcher.h"

#include <utility>

namespace pinpipe::sink {

RecordFetcher::RecordFetcher(log::TopicLog* log, size_t max_bytes)
    : log_(log),
      max_bytes_(max_bytes),
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
  f->minified_used = 0;
  f->status = log_->ReadViews(r.topic, r.partition, r.offset, max_bytes_, &f->views);
  if (!f->status.ok()) return;
  f->records.reserve(f->views.size());
  for (const log::RecordView& v : f->views.records()) {
    if (f->minified_used == f->minified.size()) f->minified.emplace_back();
    std::string* scratch = &f->minified[f->minified_used];
    FetchedRecord& out = f->records.emplace_back();
    out.offset = v.offset;
    out.timestamp_ms = v.timestamp_ms;
    Result<std::string_view> line = f->checker.Line(v.value, scratch, log::RecordViews::kPadding);
    if (!line.ok()) {
      out.error = line.status();
      continue;
    }
    out.line = *line;
    if (line->data() == scratch->data()) f->minified_used++;  // keep it
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
