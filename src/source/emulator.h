// Emulator: the loop of the original `user_posting_emulation.py`. Each turn it draws a row
// offset, reads that row from all three source tables (one query each, by offset, as the
// original does) and hands the post to a PostSink.
//
// Offsets come from one of two draws:
//  - python_seed set: exactly CPython's `random.seed(N)` then, per turn, `randrange(0, 2)`
//    (the original's sleep) and `randint(0, M)`, M = min(max_offset, rows - 1). With N = 100
//    the first offsets are 7528, 2863, 5730, 8304, 8731, as the original draws them.
//  - otherwise a fast seeded generator (xoshiro256**) with the same distribution.
//
// Pacing: `sleep_original` sleeps the drawn 0 or 1 second per turn as the original; `rate`
// paces to that many posts per second; neither: as fast as the sink accepts. The run ends
// after `count` posts, after `duration`, when `stop` becomes true, or on a sink's Cancelled.
//
// Thread-safety: Run is called from one thread; `stop` may be set from any thread (a signal
// handler included).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>

#include "base/clock.h"
#include "base/result.h"
#include "source/post_sink.h"
#include "source/source_db.h"

namespace pinpipe::source {

struct EmulatorOptions {
  std::optional<uint64_t> python_seed;  // replay the original's offsets
  uint64_t seed = 1;                    // seed of the fast draw
  int64_t max_offset = 11000;           // the original's randint(0, 11000)
  int64_t count = 0;                    // posts to send; 0: unbounded
  int64_t duration_micros = 0;          // 0: unbounded
  double rate = 0;                      // posts per second; 0: unpaced
  bool sleep_original = false;          // sleep randrange(0, 2) seconds per turn
};

struct EmulatorStats {
  int64_t sent = 0;    // posts the sink accepted
  int64_t failed = 0;  // posts the sink gave up on
  int64_t elapsed_micros = 0;
};

class Emulator {
 public:
  // `db`, `sink` and `clock` must outlive the emulator.
  Emulator(SourceDb* db, PostSink* sink, Clock* clock, EmulatorOptions options);

  // Runs the loop. Fails on a source error (the post is not sent) or a sink's Cancelled;
  // `on_progress`, if set, is called after every post with the stats so far.
  Result<EmulatorStats> Run(const std::atomic<bool>* stop = nullptr,
                            const std::function<void(const EmulatorStats&)>& on_progress = {});

 private:
  SourceDb* db_;
  PostSink* sink_;
  Clock* clock_;
  EmulatorOptions options_;
};

}  // namespace pinpipe::source
