// Server metrics: counters kept with relaxed atomics (a few increments per request) and a
// consistent-enough snapshot for the ops endpoint to render (Prometheus text or JSON).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace pinpipe::http {

// Upper bounds (inclusive, microseconds) of the latency histogram buckets; one more bucket
// (+Inf) follows. Latency = request head parsed -> response fully written.
inline constexpr std::array<uint64_t, 16> kLatencyBucketsMicros = {
    100,     250,     500,      1'000,    2'500,    5'000,     10'000,    25'000,
    50'000,  100'000, 250'000,  500'000,  1'000'000, 2'500'000, 5'000'000, 10'000'000};

struct MetricsSnapshot {
  // requests_by_class[k] counts responses with status k*100..k*100+99 (k = 1..5); [0] counts
  // anything else. Streaming requests count once, with the status of their head.
  std::array<uint64_t, 6> requests_by_class{};
  uint64_t bytes_read = 0;     // request bytes received (wire, incl. headers)
  uint64_t bytes_written = 0;  // response bytes sent (wire, incl. headers and chunk framing)
  uint64_t connections_accepted = 0;
  uint64_t connections_refused = 0;  // over max_connections
  uint64_t connections_active = 0;
  uint64_t timeouts = 0;  // connections closed by an idle/header/body/write timeout
  // Non-cumulative counts: latency_buckets[i] for kLatencyBucketsMicros[i], the last is +Inf.
  std::array<uint64_t, kLatencyBucketsMicros.size() + 1> latency_buckets{};
  uint64_t latency_count = 0;
  uint64_t latency_sum_micros = 0;

  uint64_t requests_total() const;
};

class Metrics {
 public:
  void RecordRequest(int status, uint64_t latency_micros);
  void AddBytesRead(uint64_t n) { bytes_read_.fetch_add(n, std::memory_order_relaxed); }
  void AddBytesWritten(uint64_t n) { bytes_written_.fetch_add(n, std::memory_order_relaxed); }
  void ConnectionAccepted() { Inc(connections_accepted_); Inc(connections_active_); }
  void ConnectionClosed() { connections_active_.fetch_sub(1, std::memory_order_relaxed); }
  void ConnectionRefused() { Inc(connections_refused_); }
  void Timeout() { Inc(timeouts_); }

  MetricsSnapshot Snapshot() const;

 private:
  static void Inc(std::atomic<uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }

  std::array<std::atomic<uint64_t>, 6> by_class_{};
  std::atomic<uint64_t> bytes_read_{0}, bytes_written_{0};
  std::atomic<uint64_t> connections_accepted_{0}, connections_refused_{0};
  std::atomic<uint64_t> connections_active_{0}, timeouts_{0};
  std::array<std::atomic<uint64_t>, kLatencyBucketsMicros.size() + 1> buckets_{};
  std::atomic<uint64_t> latency_count_{0}, latency_sum_{0};
};

}  // namespace pinpipe::http
