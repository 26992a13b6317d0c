// PyRandom: CPython's `random.Random` for the few calls the original emulator makes, bit for
// bit: seeding from an integer (init_by_array over the integer's 32-bit words), the Mersenne
// Twister MT19937, getrandbits, and randrange/randint by rejection sampling (_randbelow).
// With it, `pinpipe emulate --python-seed 100` draws the same row offsets as the original
// `user_posting_emulation.py` (7528, 2863, 5730, 8304, 8731, ...).
//
// Not thread-safe; a value type with 2.5 KB of state.
#pragma once

#include <array>
#include <cstdint>

namespace pinpipe::source {

class PyRandom {
 public:
  // random.seed(seed) for a non-negative integer seed (CPython uses abs(seed)).
  explicit PyRandom(uint64_t seed);

  // random.getrandbits(k), 0 <= k <= 64.
  uint64_t GetRandBits(int k);
  // random.randrange(start, stop) with step 1; requires start < stop.
  int64_t RandRange(int64_t start, int64_t stop);
  // random.randint(a, b) == randrange(a, b + 1).
  int64_t RandInt(int64_t a, int64_t b) { return RandRange(a, b + 1); }
  // random.random(): 53-bit float in [0, 1).
  double Random();

 private:
  static constexpr int kN = 624;
  static constexpr int kM = 397;

  void InitGenrand(uint32_t s);
  void InitByArray(const uint32_t* key, int key_length);
  uint32_t GenrandUint32();
  // CPython's _randbelow_with_getrandbits(n), n > 0.
  uint64_t RandBelow(uint64_t n);

  std::array<uint32_t, kN> mt_{};
  int mti_ = kN + 1;
};

}  // namespace pinpipe::source
