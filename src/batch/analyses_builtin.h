// Private to batch/: the analysis files of sql/analysis, compiled in (generated source).
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace pinpipe::batch::internal {

extern const std::vector<std::pair<std::string_view, std::string_view>> kBuiltinAnalyses;

}  // namespace pinpipe::batch::internal
