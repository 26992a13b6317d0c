// The batch job's wiring, shared by `pinpipe batch`, `pinpipe query` and `demo`: a DuckDB
// session and BatchOptions from the configuration.
#pragma once

#include <memory>

#include "base/result.h"
#include "batch/batch_job.h"
#include "cli/config.h"
#include "engine/session.h"

namespace pinpipe::cli {

// A session with batch.threads and batch.memory_limit, its scratch directory under the system
// temp dir.
Result<std::unique_ptr<engine::Session>> OpenEngine(const Config& config);

// user_id, batch.fetch_threads, and the analyses (built-in plus batch.analysis_dir).
Result<batch::BatchOptions> BatchOptionsFrom(const Config& config);

}  // namespace pinpipe::cli
