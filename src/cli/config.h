// Config: pinpipe's settings, from built-in defaults, then `pinpipe.toml` (or --config FILE),
// then environment variables PINPIPE_<SECTION>_<KEY> (top-level keys PINPIPE_<KEY>), then
// command-line flags, each layer overriding the one before. Every key is listed in
// docs/configuration.md.
//
// A plain value: built once by LoadConfig, then read-only.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"

namespace pinpipe::cli {

struct Config {
  std::string user_id = "0a1b2c3d4e5f";  // names topics, streams, tables and the DAG
  std::string data_dir = "./pinpipe-data";

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
  } log;

  // The source database URL with the default applied.
  std::string SourceUrl() const;
  // <data_dir>/log
  std::string LogDir() const;
  // The pipeline's topics: <user_id>.pin, <user_id>.geo, <user_id>.user.
  std::string Topic(std::string_view table) const { return user_id + "." + std::string(table); }
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
