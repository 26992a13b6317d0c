#include "cli/config.h"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <variant>
#include <vector>

#include <toml++/toml.h>

namespace pinpipe::cli {
namespace {

using FieldPtr = std::variant<std::string*, int64_t*, bool*>;

struct Field {
  std::string key;  // "section.key" or "key"
  FieldPtr ptr;
  bool secret = false;  // environment only
};

std::vector<Field> Fields(Config& c) {
  std::vector<Field> fields = {
      {"user_id", &c.user_id},
      {"data_dir", &c.data_dir},
      {"source.url", &c.source.url},
      {"api.listen", &c.api.listen},
      {"api.base_path", &c.api.base_path},
      {"api.api_key", &c.api.api_key, true},
      {"api.io_threads", &c.api.io_threads},
      {"api.handler_threads", &c.api.handler_threads},
      {"api.max_body_bytes", &c.api.max_body_bytes},
      {"api.max_connections", &c.api.max_connections},
      {"api.auto_create_topics", &c.api.auto_create_topics},
      {"api.validate_records", &c.api.validate_records},
      {"log.partitions", &c.log.partitions},
      {"log.retention_ms", &c.log.retention_ms},
      {"log.retention_bytes", &c.log.retention_bytes},
      {"log.segment_bytes", &c.log.segment_bytes},
      {"log.max_syncs_in_flight", &c.log.max_syncs_in_flight},
      {"log.retention_check_ms", &c.log.retention_check_ms},
      {"batch.fetch_threads", &c.batch.fetch_threads},
      {"batch.analysis_dir", &c.batch.analysis_dir},
      {"batch.threads", &c.batch.threads},
      {"batch.memory_limit", &c.batch.memory_limit},
      {"sink.enabled", &c.sink.enabled},
      {"sink.name", &c.sink.name},
      {"sink.topics_regex", &c.sink.topics_regex},
      {"sink.flush_size", &c.sink.flush_size},
      {"sink.rotate_interval_ms", &c.sink.rotate_interval_ms},
      {"sink.rotate_schedule_interval_ms", &c.sink.rotate_schedule_interval_ms},
      {"sink.max_buffer_bytes", &c.sink.max_buffer_bytes},
      {"sink.errors_tolerance", &c.sink.errors_tolerance},
      {"sink.dlq_topic", &c.sink.dlq_topic},
      {"sink.max_in_flight_puts", &c.sink.max_in_flight_puts},
      {"sink.max_in_flight_bytes", &c.sink.max_in_flight_bytes},
      {"sink.commit_interval_ms", &c.sink.commit_interval_ms},
      {"lake.url", &c.lake.url},
      {"s3.endpoint", &c.s3.endpoint},
      {"s3.region", &c.s3.region},
      {"s3.path_style", &c.s3.path_style},
      {"s3.credentials", &c.s3.credentials},
      {"s3.profile", &c.s3.profile},
      {"s3.multipart_threshold_bytes", &c.s3.multipart_threshold_bytes},
      {"s3.part_size_bytes", &c.s3.part_size_bytes},
      {"s3.max_attempts", &c.s3.max_attempts},
      {"scheduler.enabled", &c.scheduler.enabled},
      {"scheduler.poll_ms", &c.scheduler.poll_ms},
  };
  // [jobs.<name>] keys, for every job known so far (batch, and those a file defined).
  for (auto& [name, job] : c.jobs) {
    std::string p = "jobs." + name + ".";
    fields.insert(fields.end(), {
        {p + "schedule", &job.schedule},
        {p + "timezone", &job.timezone},
        {p + "catchup", &job.catchup},
        {p + "start_date", &job.start_date},
        {p + "end_date", &job.end_date},
        {p + "retries", &job.retries},
        {p + "retry_delay_s", &job.retry_delay_s},
        {p + "retry_exponential_backoff", &job.retry_exponential_backoff},
        {p + "max_retry_delay_s", &job.max_retry_delay_s},
        {p + "max_active_runs", &job.max_active_runs},
        {p + "execution_timeout_s", &job.execution_timeout_s},
        {p + "command", &job.command},
    });
  }
  return fields;
}

// "api.listen" -> "PINPIPE_API_LISTEN".
std::string EnvName(std::string_view key) {
  std::string out = "PINPIPE_";
  for (char ch : key) {
    out += ch == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return out;
}

Status SetFromToml(const Field& f, const toml::node& v, const std::string& where) {
  if (auto* s = std::get_if<std::string*>(&f.ptr)) {
    auto val = v.value<std::string>();
    if (!val) return InvalidArgumentError(where + ": '" + f.key + "' must be a string");
    **s = *val;
  } else if (auto* i = std::get_if<int64_t*>(&f.ptr)) {
    if (!v.is_integer()) return InvalidArgumentError(where + ": '" + f.key + "' must be an integer");
    **i = *v.value<int64_t>();
  } else if (auto* b = std::get_if<bool*>(&f.ptr)) {
    if (!v.is_boolean()) return InvalidArgumentError(where + ": '" + f.key + "' must be true or false");
    **b = *v.value<bool>();
  }
  return Status::OK();
}

Status SetFromText(const Field& f, const std::string& text, const std::string& where) {
  if (auto* s = std::get_if<std::string*>(&f.ptr)) {
    **s = text;
  } else if (auto* i = std::get_if<int64_t*>(&f.ptr)) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size()) {
      return InvalidArgumentError(where + " must be an integer, not '" + text + "'");
    }
    **i = v;
  } else if (auto* b = std::get_if<bool*>(&f.ptr)) {
    if (text == "true" || text == "1") {
      **b = true;
    } else if (text == "false" || text == "0") {
      **b = false;
    } else {
      return InvalidArgumentError(where + " must be true or false, not '" + text + "'");
    }
  }
  return Status::OK();
}

Status ApplyToml(const std::string& path, Config& config) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    return InvalidArgumentError(path + ":" + std::to_string(at.line) + ":" +
                                std::to_string(at.column) + ": " + std::string(e.description()));
  }
  // [jobs.<name>] tables first define the jobs, so their keys are known fields below.
  if (const toml::table* jobs = root["jobs"].as_table()) {
    for (const auto& [name, v] : *jobs) {
      if (!v.is_table()) {
        return InvalidArgumentError(path + ": 'jobs." + std::string(name.str()) +
                                    "' must be a table ([jobs." + std::string(name.str()) + "])");
      }
      config.jobs.try_emplace(std::string(name.str()));
    }
  }
  std::vector<Field> fields = Fields(config);
  auto apply = [&](const std::string& key, const toml::node& v) -> Status {
    for (const Field& f : fields) {
      if (f.key != key) continue;
      if (f.secret) {
        return InvalidArgumentError(path + ": '" + key + "' is a credential; set it in the " +
                                    "environment as " + EnvName(key) + ", not in a file");
      }
      return SetFromToml(f, v, path);
    }
    return InvalidArgumentError(path + ": unknown key '" + key + "'");
  };
  for (const auto& [k, v] : root) {
    std::string key(k.str());
    if (const toml::table* section = v.as_table(); section != nullptr && key == "jobs") {
      for (const auto& [job, keys] : *section) {
        for (const auto& [jk, jv] : *keys.as_table()) {
          RETURN_IF_ERROR(apply("jobs." + std::string(job.str()) + "." + std::string(jk.str()), jv));
        }
      }
    } else if (const toml::table* section = v.as_table()) {
      for (const auto& [sk, sv] : *section) RETURN_IF_ERROR(apply(key + "." + std::string(sk.str()), sv));
    } else {
      RETURN_IF_ERROR(apply(key, v));
    }
  }
  return Status::OK();
}

}  // namespace

std::string Config::SourceUrl() const {
  if (!source.url.empty()) return source.url;
  return (std::filesystem::path(data_dir) / "source.db").string();
}

std::string Config::SinkTopicsRegex() const {
  if (!sink.topics_regex.empty()) return sink.topics_regex;
  std::string escaped;
  for (char ch : user_id) {
    if (std::string_view("\\^$.|?*+()[]{}").find(ch) != std::string_view::npos) escaped += '\\';
    escaped += ch;
  }
  return escaped + "\\..*";
}

std::string Config::LakeUrl() const {
  if (!lake.url.empty()) return lake.url;
  return (std::filesystem::path(data_dir) / "lake").string();
}

std::string Config::LogDir() const { return (std::filesystem::path(data_dir) / "log").string(); }

Result<Config> LoadConfig(const std::string& config_file, const std::string& data_dir_flag) {
  Config config;
  std::string path = config_file;
  if (path.empty() && std::filesystem::exists("pinpipe.toml")) path = "pinpipe.toml";
  if (!config_file.empty() && !std::filesystem::exists(config_file)) {
    return NotFoundError("config file '" + config_file + "' does not exist");
  }
  if (!path.empty()) RETURN_IF_ERROR(ApplyToml(path, config));
  if (!path.empty()) config.config_path = std::filesystem::absolute(path).string();
  for (const Field& f : Fields(config)) {
    std::string env = EnvName(f.key);
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts
    if (const char* v = std::getenv(env.c_str())) RETURN_IF_ERROR(SetFromText(f, v, env));
  }
  if (!data_dir_flag.empty()) config.data_dir = data_dir_flag;
  if (config.user_id.empty()) return InvalidArgumentError("user_id must not be empty");
  if (config.s3.part_size_bytes < 1 || config.s3.multipart_threshold_bytes < 1 ||
      config.s3.max_attempts < 1) {
    return InvalidArgumentError(
        "s3.part_size_bytes, s3.multipart_threshold_bytes and s3.max_attempts must be positive");
  }
  if (config.log.partitions < 1 || config.log.partitions > 1000) {
    return InvalidArgumentError("log.partitions must be between 1 and 1000");
  }
  return config;
}

Status ParseHostPort(const std::string& text, std::string* host, uint16_t* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return InvalidArgumentError("listen address '" + text + "' is not HOST:PORT");
  }
  std::string h = text.substr(0, colon);
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  unsigned p = 0;
  std::string_view ps(text.data() + colon + 1, text.size() - colon - 1);
  auto [ptr, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), p);
  if (ec != std::errc() || ptr != ps.data() + ps.size() || p > 65535) {
    return InvalidArgumentError("listen address '" + text + "' has a bad port");
  }
  *host = h;
  *port = static_cast<uint16_t>(p);
  return Status::OK();
}

}  // namespace pinpipe::cli
