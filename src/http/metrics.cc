#include "http/metrics.h"

#include <algorithm>

namespace pinpipe::http {

uint64_t MetricsSnapshot::requests_total() const {
  uint64_t total = 0;
  for (uint64_t n : requests_by_class) total += n;
  return total;
}

void Metrics::RecordRequest(int status, uint64_t latency_micros) {
  size_t cls = (status >= 100 && status < 600) ? static_cast<size_t>(status / 100) : 0;
  Inc(by_class_[cls]);
  auto it = std::lower_bound(kLatencyBucketsMicros.begin(), kLatencyBucketsMicros.end(),
                             latency_micros);
  Inc(buckets_[static_cast<size_t>(it - kLatencyBucketsMicros.begin())]);
  Inc(latency_count_);
  latency_sum_.fetch_add(latency_micros, std::memory_order_relaxed);
}

MetricsSnapshot Metrics::Snapshot() const {
  MetricsSnapshot s;
  auto load = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  for (size_t i = 0; i < by_class_.size(); ++i) s.requests_by_class[i] = load(by_class_[i]);
  for (size_t i = 0; i < buckets_.size(); ++i) s.latency_buckets[i] = load(buckets_[i]);
  s.bytes_read = load(bytes_read_);
  s.bytes_written = load(bytes_written_);
  s.connections_accepted = load(connections_accepted_);
  s.connections_refused = load(connections_refused_);
  s.connections_active = load(connections_active_);
  s.timeouts = load(timeouts_);
  s.latency_count = load(latency_count_);
  s.latency_sum_micros = load(latency_sum_);
  return s;
}

}  // namespace pinpipe::http
