#include "batch/analyses.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "batch/analyses_builtin.h"

namespace pinpipe::batch {
namespace {

bool ValidName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

std::vector<Analysis> BuiltinAnalyses() {
  std::vector<Analysis> out;
  for (const auto& [name, sql] : internal::kBuiltinAnalyses) {
    out.push_back({std::string(name), std::string(sql)});
  }
  std::sort(out.begin(), out.end(), [](const Analysis& a, const Analysis& b) {
    return a.name < b.name;
  });
  return out;
}

Result<std::vector<Analysis>> LoadAnalyses(std::string_view dir) {
  std::map<std::string, std::string> by_name;
  for (Analysis& a : BuiltinAnalyses()) by_name[a.name] = std::move(a.sql);
  if (!dir.empty()) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::directory_iterator it(fs::path(dir), ec);
    if (ec) {
      return NotFoundError("analysis directory " + std::string(dir) + ": " + ec.message());
    }
    for (const fs::directory_entry& entry : it) {
      if (entry.path().extension() != ".sql") continue;
      std::string name = entry.path().stem().string();
      if (!ValidName(name)) {
        return InvalidArgumentError("analysis file " + entry.path().string() +
                                    ": the name must be lower-case letters, digits and '_'");
      }
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      if (!in.good() && !in.eof()) return IOError("cannot read " + entry.path().string());
      by_name[name] = text.str();
    }
  }
  std::vector<Analysis> out;
  for (auto& [name, sql] : by_name) out.push_back({name, std::move(sql)});
  return out;
}

}  // namespace pinpipe::batch
