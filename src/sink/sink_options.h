// SinkOptions: the settings of the S3-sink connector (SPEC §5; Confluent's names in brackets).
// A plain value; Validate() checks one before a Sink uses it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace pinpipe::sink {

enum class ErrorsTolerance {
  kNone,  // a record that is not JSON stops the sink with kDataLoss naming it [errors.tolerance=none]
  kAll,   // it goes to the dead-letter topic and the sink keeps going [errors.tolerance=all]
};

struct SinkOptions {
  // The connector's name: the consumer group is connect-<name>, the DLQ <name>-dlq.
  std::string name = "s3-sink";
  // ECMAScript regex matched against whole topic names [topics.regex]. Required.
  std::string topics_regex;
  // Records per object [flush.size]; the original connector used 1.
  int64_t flush_size = 1;
  // Cut an object when a record's timestamp is >= interval past the timestamp of the object's
  // first record [rotate.interval.ms]; <= 0 off. Deterministic: record timestamps only.
  int64_t rotate_interval_ms = -1;
  // Cut every open object when the wall clock passes a multiple of the interval
  // [rotate.schedule.interval.ms]; <= 0 off. Not deterministic: see docs/guarantees.md.
  int64_t rotate_schedule_interval_ms = -1;
  // Bytes an open object may hold; an object is cut before the record that would exceed it
  // (a single larger record gets an object of its own).
  int64_t max_buffer_bytes = 16 << 20;
  // Default all (Kafka Connect's is none): one odd record should not stop the lake.
  ErrorsTolerance errors_tolerance = ErrorsTolerance::kAll;
  // Dead-letter topic [errors.deadletterqueue.topic.name]; empty: <name>-dlq. Created with one
  // partition when absent. Must not match topics_regex.
  std::string dlq_topic;

  // Objects put at once (across partitions): puts overlap their latency (an S3 round trip, a
  // local fsync) while the sink reads and cuts on. Offsets are still committed only up to the
  // first unfinished put of each partition. 1: one put at a time.
  int64_t max_in_flight_puts = 16;
  // Object bytes in flight at most (an object larger than this goes alone): with
  // max_buffer_bytes, what bounds the memory of puts in flight.
  int64_t max_in_flight_bytes = 64 << 20;
  // How often the durable offsets are committed while running (Kafka Connect's
  // offset.flush.interval.ms); a drain, a stop and a failure commit at once. Committing less
  // often costs no correctness, only re-put (identical) objects after a crash; each commit
  // is an fsync of the log. 0: after every pass.
  int64_t commit_interval_ms = 1000;

  // How often the topic list is re-read, so topics created later are picked up.
  int64_t topic_refresh_ms = 5000;
  // Sleep when every partition is at its end.
  int64_t idle_sleep_ms = 100;
  // Bytes per log read.
  int64_t read_max_bytes = 1 << 20;
  // Backoff of failed puts and offset commits: doubles from initial to max [s3.retry.backoff.ms].
  int64_t retry_backoff_initial_ms = 200;
  int64_t retry_backoff_max_ms = 30000;
  // Attempts per put or commit before the sink gives up with the last error; 0: never gives
  // up (the service). Nothing is ever skipped: giving up leaves the offset uncommitted.
  int64_t max_attempts = 0;

  // Where warnings go (failed puts, retention gaps); default stderr.
  std::function<void(std::string_view)> warn;

  std::string GroupName() const { return "connect-" + name; }
  std::string DlqTopic() const { return dlq_topic.empty() ? name + "-dlq" : dlq_topic; }
};

// InvalidArgument naming the setting unless every value is usable.
Status Validate(const SinkOptions& options);

// "none" | "all" (Kafka Connect's spelling).
Status ParseErrorsTolerance(std::string_view text, ErrorsTolerance* out);

}  // namespace pinpipe::sink
