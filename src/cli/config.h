// Config: pinpipe's settings, from built-in defaults, then `pinpipe.toml` (or --config FILE),
// then environment variables PINPIPE_<SECTION>_<KEY> (top-level keys PINPIPE_<KEY>), then
// command-line flags, each layer overriding the one before. Every key is listed in
// docs/configuration.md.
//
// A plain value: built once by LoadConfig, then read-only.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "base/result.h"

namespace pinpipe::cli {

struct Config {
  std::string user_id = "0a1b2c3d4e5f";  // names topics, streams, tables and the DAG
  std::string data_dir = "./pinpipe-data";
  std::string config_path;  // the TOML file loaded (absolute), empty if none; not a key

  struct Source {
    std::string url;  // empty: <data_dir>/source.db (SQLite)
  } source;

  struct Api {
    std::string listen = "127.0.0.1:8082";
    std::string base_path;  // an API Gateway stage such as "/test"; empty: none
    std::string api_key;    // required x-api-key; only from the environment (PINPIPE_API_API_KEY)
    int64_t io_threads = 1;
    int64_t handler_threads = 16;  // produce handlers block on fsync: group commit needs concurrency
    int64_t max_body_bytes = 10 << 20;
    int64_t max_connections = 1024;
    bool auto_create_topics = false;  // `pinpipe demo` turns it on
    bool validate_records = true;
  } api;

  struct Log {
    int64_t partitions = 1;  // of the pipeline's own topics
    int64_t retention_ms = 7LL * 24 * 3600 * 1000;
    int64_t retention_bytes = -1;
    int64_t segment_bytes = 1LL << 30;
    int64_t retention_check_ms = 60000;  // how often `up` deletes segments past retention
    int64_t max_syncs_in_flight = 1;     // per partition: pipelined group commit (1-64)
  } log;

  // The S3-sink connector (`pinpipe sink`, and a service of `pinpipe up`); sink/sink_options.h.
  struct Sink {
    bool enabled = true;             // run inside `pinpipe up`
    std::string name = "s3-sink";    // consumer group connect-<name>
    std::string topics_regex;        // empty: <user_id>\..*
    int64_t flush_size = 1;          // records per object, as the original
    int64_t rotate_interval_ms = -1;             // on record timestamps; <= 0 off
    int64_t rotate_schedule_interval_ms = -1;    // on the wall clock; <= 0 off (not exactly-once)
    int64_t max_buffer_bytes = 16 << 20;         // per open object
    std::string errors_tolerance = "all";        // all: bad records to the DLQ; none: stop
    std::string dlq_topic;           // empty: <name>-dlq
    int64_t max_in_flight_puts = 16;             // objects put at once
    int64_t max_in_flight_bytes = 64 << 20;      // object bytes in flight
    int64_t commit_interval_ms = 1000;           // offset commits while running; 0: every pass
  } sink;

  // The scheduler of `pinpipe up` and `pinpipe schedule` (docs/scheduler.md).
  struct Scheduler {
    bool enabled = true;    // run the scheduler inside `pinpipe up`
    int64_t poll_ms = 1000;  // how often it looks for due, queued and retried runs
  } scheduler;

  // [jobs.<name>]: the scheduler's jobs, with Airflow's DAG arguments. `batch` always exists.
  struct Job {
    std::string schedule = "@daily";  // @hourly|@daily|@weekly|@monthly|@yearly or 5 cron fields
    std::string timezone = "UTC";     // a tz database name, e.g. Europe/Berlin
    bool catchup = false;
    std::string start_date;  // YYYY-MM-DD (midnight in `timezone`) or ISO-8601; empty: none
    std::string end_date;    // empty: none
    int64_t retries = 1;
    int64_t retry_delay_s = 120;
    bool retry_exponential_backoff = false;
    int64_t max_retry_delay_s = 86400;
    int64_t max_active_runs = 1;
    int64_t execution_timeout_s = 0;  // 0: none
    std::string command;  // a shell command with {ds} etc.; empty for batch: `pinpipe batch --date {ds}`
  };
  std::map<std::string, Job> jobs = {{"batch", Job{}}};

  // `pinpipe batch` and `pinpipe query` (DuckDB underneath).
  struct Batch {
    int64_t fetch_threads = 8;  // raw objects read at once (many small objects: raise for S3)
    std::string analysis_dir;   // extra or replacing sql/analysis files; empty: built-in only
    int64_t threads = 0;        // DuckDB threads; 0: one per core
    std::string memory_limit;   // DuckDB memory limit, e.g. "4GB"; empty: 80% of RAM
  } batch;

  // The object store ("the bucket") the sink writes and the batch job reads; objstore/open.h.
  struct Lake {
    std::string url;  // empty: <data_dir>/lake; also file:///dir, a path, s3://bucket/prefix
  } lake;

  // How s3:// URLs are reached. Credentials never come from here: AWS_ACCESS_KEY_ID,
  // AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN or ~/.aws/credentials (objstore/s3_credentials.h).
  struct S3 {
    std::string endpoint;  // empty: AWS, https://s3.<region>.amazonaws.com
    std::string region;    // empty: $AWS_REGION, $AWS_DEFAULT_REGION, else us-east-1
    bool path_style = false;  // MinIO, s3rver: true (IP and localhost endpoints always are)
    std::string credentials = "auto";  // auto | env | profile | anonymous
    std::string profile;   // for profile/auto; empty: $AWS_PROFILE, else default
    int64_t multipart_threshold_bytes = 64LL << 20;
    int64_t part_size_bytes = 16LL << 20;
    int64_t max_attempts = 5;  // per request, with exponential backoff
  } s3;

  // lake.url with its default, <data_dir>/lake.
  std::string LakeUrl() const;
  // The source database URL with the default applied.
  std::string SourceUrl() const;
  // <data_dir>/log
  std::string LogDir() const;
  // The pipeline's topics: <user_id>.pin, <user_id>.geo, <user_id>.user.
  std::string Topic(std::string_view table) const { return user_id + "." + std::string(table); }
  // sink.topics_regex with its default, <user_id>\..* (the pipeline's topics).
  std::string SinkTopicsRegex() const;
};

// Loads the configuration. `config_file` empty means `./pinpipe.toml` if it exists; a named
// file that does not exist is an error. `data_dir_flag` (empty: unset) overrides everything.
// Unknown keys and values of the wrong type are InvalidArgument errors naming the key, as a
// misspelt setting silently ignored is worse than a refusal. A credential (api.api_key) in
// the file is refused: credentials come from the environment only.
Result<Config> LoadConfig(const std::string& config_file, const std::string& data_dir_flag);

// "host:port" → host and port; InvalidArgument naming the text otherwise.
Status ParseHostPort(const std::string& text, std::string* host, uint16_t* port);

}  // namespace pinpipe::cli
