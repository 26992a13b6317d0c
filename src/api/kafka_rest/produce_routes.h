// The produce routes of the Kafka REST front door:
//   POST /topics/{topic}                          v2, records may name their partition
//   POST /topics/{topic}/partitions/{partition}   v2, to one partition
//   POST /v3/clusters/{cluster}/topics/{topic}/records   v3, one record, or many streamed on
//                                                        one chunked request
// A 200 means every record of the request is durable in the log (group commit). The v2 routes
// are deferred (http::AsyncHandler): the io thread decodes and validates the request, hands the
// records to TopicLog::AppendAsync and goes on serving; the log's commit thread answers once
// the group's fdatasync returned, so no thread waits per request. A request
// refused for its content (wrong media type, bad JSON, unknown topic or partition, a value
// that is not a valid pin/geo/user record) writes nothing. Records routed to different
// partitions are appended per partition; an I/O failure after some partitions were written
// is reported per record, as Confluent reports producer errors (200 with error_code 50002).
//
// Thread-safety: handlers run concurrently on the server's threads (v2 on the io threads,
// answers on the log's); the log is thread-safe and the routes keep no mutable state but the
// relaxed counters.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/kafka_rest/common.h"
#include "api/kafka_rest/produce_request.h"
#include "http/router.h"
#include "log/topic_log.h"
#include "model/records.h"

namespace pinpipe::api::kafka_rest {

// Counters for /metrics; relaxed atomics.
struct ProduceStats {
  std::atomic<uint64_t> records{0};           // records made durable
  std::atomic<uint64_t> bytes{0};             // their key + value bytes
  std::atomic<uint64_t> refused_requests{0};  // requests answered with an error, nothing written
};

class ProduceRoutes {
 public:
  // `log` must outlive the routes and the server they are registered on.
  ProduceRoutes(log::TopicLog* log, KafkaRestOptions options)
      : log_(log), options_(std::move(options)) {}

  Status Register(http::Router& router);
  const ProduceStats& stats() const { return stats_; }
  // Counts records made durable (called by the produce handlers).
  void CountProduced(uint64_t records, uint64_t bytes) const {
    stats_.records.fetch_add(records, std::memory_order_relaxed);
    stats_.bytes.fetch_add(bytes, std::memory_order_relaxed);
  }

  // The record type a topic's values must have when validation is on: `<user_id>.pin` → pin.
  std::optional<model::Table> ValidatedTable(std::string_view topic) const;

  // Makes sure `topic` exists: OK if it does; created when auto_create_topics is on; else the
  // 40401 reply. Invalid names are 40002.
  std::optional<ErrorReply> EnsureTopic(std::string_view topic, int32_t* partitions) const;

 private:
  // A v2 request that passed every check, ready to append.
  struct PreparedV2 {
    ProduceRequest request;
    std::vector<std::optional<int32_t>> where;  // per record; nullopt: the log chooses
    std::vector<size_t> sizes;                  // key + value bytes per record
    std::string_view content_type;              // the negotiated response type (static)
    int32_t partition_count = 0;                // the topic's
  };
  void ProduceV2(const http::Request& req, bool to_partition, http::Responder respond) const;
  // The prepared request, or the error response (nothing is written then).
  std::variant<PreparedV2, http::Response> PrepareV2(const http::Request& req,
                                                     bool to_partition) const;
  http::StreamStart ProduceV3(const http::Request& head) const;

  log::TopicLog* log_;
  const KafkaRestOptions options_;
  mutable ProduceStats stats_;
};

}  // namespace pinpipe::api::kafka_rest
