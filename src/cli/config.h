// Config: pinpipe's settings, from built-in defaults, then `pinpipe.toml` (or --config FILE),
// then environment variables PINPIPE_<SECTION>_<KEY> (top-level keys PINPIPE_<KEY>), then
// command-line flags, each layer overriding the one before. Every key is documented in
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
  } api;

  // The source database URL with the default applied.
  std::string SourceUrl() const;
};

// Loads the configuration. `config_file` empty means `./pinpipe.toml` if it exists; a named
// file that does not exist is an error. `data_dir_flag` (empty: unset) overrides everything.
// `env` is consulted through getenv. Unknown keys are an InvalidArgument error naming the key,
// as a misspelt setting silently ignored is worse than a refusal.
Result<Config> LoadConfig(const std::string& config_file, const std::string& data_dir_flag);

}  // namespace pinpipe::cli
