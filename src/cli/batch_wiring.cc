#include "cli/batch_wiring.h"

namespace pinpipe::cli {

Result<std::unique_ptr<engine::Session>> OpenEngine(const Config& config) {
  engine::SessionOptions options;
  options.threads = static_cast<int>(config.batch.threads);
  options.memory_limit = config.batch.memory_limit;
  return engine::Session::Open(options);
}

Result<batch::BatchOptions> BatchOptionsFrom(const Config& config) {
  batch::BatchOptions options;
  options.user_id = config.user_id;
  if (config.batch.fetch_threads < 1 || config.batch.fetch_threads > 256) {
    return InvalidArgumentError("batch.fetch_threads must be between 1 and 256");
  }
  options.fetch_threads = static_cast<int>(config.batch.fetch_threads);
  ASSIGN_OR_RETURN(options.analyses, batch::LoadAnalyses(config.batch.analysis_dir));
  return options;
}

}  // namespace pinpipe::cli
