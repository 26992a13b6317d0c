// The Delta log actions pinpipe writes and reads (docs/delta_layout.md §2), and their JSON
// form: one action per line, fields in a fixed order so that commits are byte-for-byte
// reproducible (the golden tests compare them).
//
// Plain values and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/result.h"

namespace pinpipe::delta {

// An ordered string map (JSON object of strings): configuration, partition values, options.
using StringMap = std::vector<std::pair<std::string, std::string>>;

struct Protocol {
  int32_t min_reader_version = 1;
  int32_t min_writer_version = 2;
  friend bool operator==(const Protocol&, const Protocol&) = default;
};

struct Metadata {
  std::string id;                          // a UUID
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::string format_provider = "parquet";
  StringMap format_options;
  std::string schema_string;               // Spark StructType JSON (schema.h)
  std::vector<std::string> partition_columns;
  StringMap configuration;
  std::optional<int64_t> created_time;     // ms since the epoch
  friend bool operator==(const Metadata&, const Metadata&) = default;
};

struct AddFile {
  std::string path;                        // relative to the table root
  StringMap partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;           // ms
  bool data_change = true;
  std::optional<std::string> stats;        // a JSON document, kept as its text
  friend bool operator==(const AddFile&, const AddFile&) = default;
};

struct RemoveFile {
  std::string path;
  std::optional<int64_t> deletion_timestamp;  // ms
  bool data_change = true;
  std::optional<int64_t> size;  // written with extendedFileMetadata when known
  friend bool operator==(const RemoveFile&, const RemoveFile&) = default;
};

struct Txn {
  std::string app_id;
  int64_t version = 0;
  std::optional<int64_t> last_updated;  // ms
  friend bool operator==(const Txn&, const Txn&) = default;
};

struct CommitInfo {
  int64_t timestamp = 0;  // ms
  std::string operation;  // "WRITE", "CREATE TABLE", ...
  StringMap operation_parameters;
  std::optional<int64_t> read_version;
  bool is_blind_append = true;
  std::string engine_info = "pinpipe";
  friend bool operator==(const CommitInfo&, const CommitInfo&) = default;
};

using Action = std::variant<Protocol, Metadata, AddFile, RemoveFile, Txn, CommitInfo>;

// The single-line JSON of an action, e.g. {"txn":{"appId":"a","version":3,"lastUpdated":5}},
// without the newline.
std::string SerializeAction(const Action& action);
// Every action on its own line, each ending in '\n' (a commit file's bytes).
std::string SerializeActions(const std::vector<Action>& actions);

// Parses one line. nullopt for an action pinpipe does not interpret (cdc, domainMetadata, ...)
// and for blank lines; kCorruption for text that is not a JSON object or an action missing a
// required field. Fields pinpipe does not know are ignored; JSON nulls read as absent.
Result<std::optional<Action>> ParseAction(std::string_view line);
// Every action of a commit file (newline-delimited), in order.
Result<std::vector<Action>> ParseActions(std::string_view text);

}  // namespace pinpipe::delta
