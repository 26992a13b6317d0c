#include "source/emulator.h"

#include <algorithm>
#include <memory>
#include <string>

#include "source/python_random.h"

namespace pinpipe::source {
namespace {

// One turn's draws: the original's sleep (0 or 1 s) and the row offset.
struct Draw {
  int sleep_seconds;
  int64_t offset;
};

class OffsetDraw {
 public:
  virtual ~OffsetDraw() = default;
  virtual Draw Next() = 0;
};

class PythonDraw final : public OffsetDraw {
 public:
  PythonDraw(uint64_t seed, int64_t max_offset) : rng_(seed), max_offset_(max_offset) {}
  Draw Next() override {
    int sleep = static_cast<int>(rng_.RandRange(0, 2));
    return {sleep, rng_.RandInt(0, max_offset_)};
  }

 private:
  PyRandom rng_;
  int64_t max_offset_;
};

// xoshiro256** seeded through splitmix64.
class FastDraw final : public OffsetDraw {
 public:
  FastDraw(uint64_t seed, int64_t max_offset) : max_offset_(max_offset) {
    for (uint64_t& s : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      s = z ^ (z >> 31);
    }
  }
  Draw Next() override {
    uint64_t r = NextU64();
    auto range = static_cast<unsigned __int128>(max_offset_ + 1);
    auto offset = static_cast<int64_t>((static_cast<unsigned __int128>(NextU64()) * range) >> 64);
    return {static_cast<int>(r >> 63), offset};
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t NextU64() {
    uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  uint64_t s_[4];
  int64_t max_offset_;
};

}  // namespace

Emulator::Emulator(SourceDb* db, PostSink* sink, Clock* clock, EmulatorOptions options)
    : db_(db), sink_(sink), clock_(clock), options_(options) {}

Result<EmulatorStats> Emulator::Run(const std::atomic<bool>* stop,
                                    const std::function<void(const EmulatorStats&)>& on_progress) {
  ASSIGN_OR_RETURN(int64_t rows, db_->RowCount());
  if (rows <= 0) {
    return FailedPreconditionError("the source " + db_->Describe() +
                                   " has no rows; run `pinpipe seed` first");
  }
  if (options_.max_offset < 0) return InvalidArgumentError("max offset must be >= 0");
  int64_t max_offset = std::min(options_.max_offset, rows - 1);
  std::unique_ptr<OffsetDraw> draw;
  if (options_.python_seed) {
    draw = std::make_unique<PythonDraw>(*options_.python_seed, max_offset);
  } else {
    draw = std::make_unique<FastDraw>(options_.seed, max_offset);
  }

  EmulatorStats stats;
  const int64_t start = clock_->MonotonicMicros();
  auto done = [&] {
    if (stop != nullptr && stop->load(std::memory_order_relaxed)) return true;
    if (options_.count > 0 && stats.sent + stats.failed >= options_.count) return true;
    return options_.duration_micros > 0 &&
           clock_->MonotonicMicros() - start >= options_.duration_micros;
  };
  while (!done()) {
    Draw d = draw->Next();
    if (options_.sleep_original) clock_->SleepForMicros(int64_t{d.sleep_seconds} * 1000000);
    if (options_.rate > 0) {
      auto due = start + static_cast<int64_t>(static_cast<double>(stats.sent + stats.failed) *
                                              1e6 / options_.rate);
      clock_->SleepForMicros(due - clock_->MonotonicMicros());
    }
    ASSIGN_OR_RETURN(model::Post post, db_->ReadPost(d.offset));
    Status s = sink_->Send(post);
    if (s.ok()) {
      stats.sent++;
    } else if (s.code() == StatusCode::kCancelled) {
      return s;
    } else {
      stats.failed++;
    }
    if (on_progress) on_progress(stats);
  }
  RETURN_IF_ERROR(sink_->Flush());
  stats.elapsed_micros = clock_->MonotonicMicros() - start;
  return stats;
}

}  // namespace pinpipe::source
