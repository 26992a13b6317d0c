// Seed: fills a SourceDb with generated posts, generating the next chunk on a second thread
// while the current one is inserted, so generation costs almost nothing next to insertion.
//
// Thread-safety: Seed uses `db` from the calling thread only; the progress callback also runs
// on the calling thread.
#pragma once

#include <cstdint>
#include <functional>

#include "base/result.h"
#include "source/generator.h"
#include "source/source_db.h"

namespace pinpipe::source {

struct SeedOptions {
  int64_t rows = 11153;  // the original table size
  GeneratorOptions generator;
  // Posts per InsertPosts call (one transaction each).
  int64_t chunk_rows = 50000;
  // Called after each chunk with the rows inserted so far.
  std::function<void(int64_t rows_done)> progress;
};

struct SeedStats {
  int64_t rows = 0;
  double seconds = 0;
};

// Appends rows [0, options.rows) to `db`, whose tables must exist (CreateTables). On failure
// the chunks already committed stay; the error names the failing chunk.
Result<SeedStats> Seed(SourceDb& db, const SeedOptions& options);

}  // namespace pinpipe::source
