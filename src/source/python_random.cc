#include "source/python_random.h"

#include <bit>

namespace pinpipe::source {

PyRandom::PyRandom(uint64_t seed) {
  // CPython splits abs(seed) into little-endian 32-bit words; zero becomes the key [0].
  uint32_t key[2] = {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
  InitByArray(key, (seed >> 32) != 0 ? 2 : 1);
}

void PyRandom::InitGenrand(uint32_t s) {
  mt_[0] = s;
  for (mti_ = 1; mti_ < kN; mti_++) {
    mt_[mti_] = 1812433253U * (mt_[mti_ - 1] ^ (mt_[mti_ - 1] >> 30)) + static_cast<uint32_t>(mti_);
  }
}

void PyRandom::InitByArray(const uint32_t* key, int key_length) {
  InitGenrand(19650218U);
  int i = 1;
  int j = 0;
  for (int k = (kN > key_length ? kN : key_length); k > 0; k--) {
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525U)) + key[j] +
             static_cast<uint32_t>(j);
    i++;
    j++;
    if (i >= kN) {
      mt_[0] = mt_[kN - 1];
      i = 1;
    }
    if (j >= key_length) j = 0;
  }
  for (int k = kN - 1; k > 0; k--) {
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941U)) - static_cast<uint32_t>(i);
    i++;
    if (i >= kN) {
      mt_[0] = mt_[kN - 1];
      i = 1;
    }
  }
  mt_[0] = 0x80000000U;  // MSB is 1, assuring a non-zero initial array
}

uint32_t PyRandom::GenrandUint32() {
  static constexpr uint32_t kMag01[2] = {0x0U, 0x9908b0dfU};
  constexpr uint32_t kUpper = 0x80000000U;
  constexpr uint32_t kLower = 0x7fffffffU;
  if (mti_ >= kN) {
    int kk = 0;
    for (; kk < kN - kM; kk++) {
      uint32_t y = (mt_[kk] & kUpper) | (mt_[kk + 1] & kLower);
      mt_[kk] = mt_[kk + kM] ^ (y >> 1) ^ kMag01[y & 0x1U];
    }
    for (; kk < kN - 1; kk++) {
      uint32_t y = (mt_[kk] & kUpper) | (mt_[kk + 1] & kLower);
      mt_[kk] = mt_[kk + (kM - kN)] ^ (y >> 1) ^ kMag01[y & 0x1U];
    }
    uint32_t y = (mt_[kN - 1] & kUpper) | (mt_[0] & kLower);
    mt_[kN - 1] = mt_[kM - 1] ^ (y >> 1) ^ kMag01[y & 0x1U];
    mti_ = 0;
  }
  uint32_t y = mt_[mti_++];
  y ^= (y >> 11);
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= (y >> 18);
  return y;
}

uint64_t PyRandom::GetRandBits(int k) {
  if (k <= 0) return 0;
  if (k <= 32) return GenrandUint32() >> (32 - k);
  // Words are filled least significant first; the last one keeps only its top bits.
  uint64_t low = GenrandUint32();
  uint64_t high = GenrandUint32() >> (64 - k);
  return low | (high << 32);
}

uint64_t PyRandom::RandBelow(uint64_t n) {
  int k = std::bit_width(n);
  uint64_t r = GetRandBits(k);
  while (r >= n) r = GetRandBits(k);
  return r;
}

int64_t PyRandom::RandRange(int64_t start, int64_t stop) {
  return start + static_cast<int64_t>(RandBelow(static_cast<uint64_t>(stop - start)));
}

double PyRandom::Random() {
  uint32_t a = GenrandUint32() >> 5;
  uint32_t b = GenrandUint32() >> 6;
  return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

}  // namespace pinpipe::source
