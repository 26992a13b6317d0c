#include "cli/config.h"

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string_view>

#include <toml++/toml.h>

namespace pinpipe::cli {
namespace {

// The known keys: "section.key" or "key" for the top level.
const std::set<std::string, std::less<>>& KnownKeys() {
  static const std::set<std::string, std::less<>> keys = {
      "user_id", "data_dir", "source.url", "api.listen"};
  return keys;
}

std::string* Field(Config& c, std::string_view key) {
  if (key == "user_id") return &c.user_id;
  if (key == "data_dir") return &c.data_dir;
  if (key == "source.url") return &c.source.url;
  if (key == "api.listen") return &c.api.listen;
  return nullptr;
}

// "api.listen" -> "PINPIPE_API_LISTEN".
std::string EnvName(std::string_view key) {
  std::string out = "PINPIPE_";
  for (char ch : key) {
    out += ch == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return out;
}

Status ApplyToml(const std::string& path, Config& config) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return InvalidArgumentError(path + ":" + std::to_string(where.line) + ":" +
                                std::to_string(where.column) + ": " + std::string(e.description()));
  }
  for (const auto& [k, v] : root) {
    std::string key(k.str());
    if (const toml::table* section = v.as_table()) {
      for (const auto& [sk, sv] : *section) {
        std::string full = key + "." + std::string(sk.str());
        std::string* field = Field(config, full);
        if (field == nullptr) return InvalidArgumentError(path + ": unknown key '" + full + "'");
        auto s = sv.value<std::string>();
        if (!s) return InvalidArgumentError(path + ": '" + full + "' must be a string");
        *field = *s;
      }
      continue;
    }
    std::string* field = Field(config, key);
    if (field == nullptr) return InvalidArgumentError(path + ": unknown key '" + key + "'");
    auto s = v.value<std::string>();
    if (!s) return InvalidArgumentError(path + ": '" + key + "' must be a string");
    *field = *s;
  }
  return Status::OK();
}

}  // namespace

std::string Config::SourceUrl() const {
  if (!source.url.empty()) return source.url;
  return (std::filesystem::path(data_dir) / "source.db").string();
}

Result<Config> LoadConfig(const std::string& config_file, const std::string& data_dir_flag) {
  Config config;
  std::string path = config_file;
  if (path.empty() && std::filesystem::exists("pinpipe.toml")) path = "pinpipe.toml";
  if (!config_file.empty() && !std::filesystem::exists(config_file)) {
    return NotFoundError("config file '" + config_file + "' does not exist");
  }
  if (!path.empty()) RETURN_IF_ERROR(ApplyToml(path, config));
  for (const auto& key : KnownKeys()) {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts
    if (const char* v = std::getenv(EnvName(key).c_str())) *Field(config, key) = v;
  }
  if (!data_dir_flag.empty()) config.data_dir = data_dir_flag;
  if (config.user_id.empty()) return InvalidArgumentError("user_id must not be empty");
  return config;
}

}  // namespace pinpipe::cli
