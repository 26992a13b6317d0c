// RecordFetcher: the sink's reads and JSON checks, done one step ahead on a thread of its own.
//
// The sink asks for a partition's records from an offset (Get). The fetcher hands back what
// it read ahead when that was the same read, else reads now. The sink then names the read it
// will want next (Prefetch) and goes on cutting and putting the records it holds while the
// fetcher's thread reads, checksums, decodes and JSON-checks the next ones: reading and
// converting overlap with copying into objects and putting them (docs/performance.md, "Sink").
//
// The JSON checks of a large read are split in two halves, checked at once by the thread
// filling the fetch and a helper thread.
//
// A read ahead is a snapshot of the moment it ran. Records below a partition's end offset
// never change, so its records stay true; only an OK read with records is used, anything else
// (the end at that moment, an error) is read again by Get.
//
// Ownership: `log` is borrowed and must outlive the fetcher.
// Thread-safety: Get and Prefetch from one thread at a time (the sink's). The worker touches
// only the spare fetch, which Get takes over only after the worker is done with it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/status.h"
#include "base/thread_annotations.h"
#include "log/record_view.h"
#include "log/topic_log.h"
#include "sink/json_line.h"

namespace pinpipe::sink {

struct FetchedRecord {
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  std::string_view line;  // the JSON line to write (when `error` is OK)
  Status error;           // not OK: the value is not one JSON text, and why
};

// One read's records, checked. Valid until the next Get.
struct Fetch {
  Status status;  // the read's
  std::vector<FetchedRecord> records;

 private:
  friend class RecordFetcher;
  // What one checking thread uses.
  struct Checking {
    JsonLineChecker checker;
    std::deque<std::string> minified;  // lines of values that had line breaks
    size_t minified_used = 0;
  };
  log::RecordViews views;
  Checking checking[2];  // [0]: the filling thread's half, [1]: the helper's
};

class RecordFetcher {
 public:
  // `max_bytes`: each read's, as TopicLog::Read takes it.
  RecordFetcher(log::TopicLog* log, size_t max_bytes);
  ~RecordFetcher();  // waits for a read ahead in flight
  RecordFetcher(const RecordFetcher&) = delete;
  RecordFetcher& operator=(const RecordFetcher&) = delete;

  // The records of (topic, partition) from `offset`, checked.
  const Fetch& Get(const std::string& topic, int32_t partition, int64_t offset)
      LOCKS_EXCLUDED(mu_);
  // Starts reading (topic, partition) from `offset` on the worker, for the next Get.
  void Prefetch(const std::string& topic, int32_t partition, int64_t offset) LOCKS_EXCLUDED(mu_);

  // Reads that Get found read ahead / had to make itself (for tests and metrics).
  int64_t hits() const { return hits_; }
  int64_t misses() const { return misses_; }

 private:
  struct Request {
    std::string topic;
    int32_t partition = 0;
    int64_t offset = 0;
    bool operator==(const Request&) const = default;
  };
  class Helper;
  void Fill(Fetch* f, const Request& r);
  // Checks records [begin, end) of f, with f->checking[half].
  static void Check(Fetch* f, int half, size_t begin, size_t end);
  void Work() LOCKS_EXCLUDED(mu_);

  log::TopicLog* const log_;
  const size_t max_bytes_;
  std::unique_ptr<Helper> helper_;  // one Fill at a time uses it
  std::unique_ptr<Fetch> current_;  // the sink's (Get's thread only)
  int64_t hits_ = 0;                // Get's thread only
  int64_t misses_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<Fetch> spare_ GUARDED_BY(mu_);  // the worker's while busy_
  std::optional<Request> pending_ GUARDED_BY(mu_);  // asked for, not started
  std::optional<Request> ready_ GUARDED_BY(mu_);    // what spare_ holds
  bool busy_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread worker_;  // last: started once the rest is built
};

}  // namespace pinpipe::sink
