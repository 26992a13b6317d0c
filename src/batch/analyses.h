// The analyses (SPEC §7): one SQL file each, `sql/analysis/<name>.sql`, whose single SELECT
// reads the views cleaned_pin, cleaned_geo and cleaned_user. The files of the source tree are
// built into the binary; a directory given at run time adds analyses or replaces built-in ones
// of the same name. Adding a file adds an analysis.
//
// Plain values; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace pinpipe::batch {

struct Analysis {
  std::string name;  // the file's stem; its output table is analysis_<name>
  std::string sql;
};

// The built-in analyses, sorted by name.
std::vector<Analysis> BuiltinAnalyses();

// The built-in analyses, then every `*.sql` of `dir` (if not empty) by name, a file replacing
// the built-in analysis of the same name. kInvalidArgument for a name that is not
// [a-z0-9_]+, kNotFound for a missing dir.
Result<std::vector<Analysis>> LoadAnalyses(std::string_view dir);

}  // namespace pinpipe::batch
