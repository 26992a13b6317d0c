#include "base/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <nmmintrin.h>
#define PINPIPE_CRC32C_X86 1
#endif

namespace pinpipe::crc32c {
namespace {

constexpr uint32_t kPolyReflected = 0x82F63B78u;

// kTable[k][b]: the CRC of byte b followed by k zero bytes (slicing-by-4).
struct Tables {
  std::array<std::array<uint32_t, 256>, 4> t{};
  constexpr Tables() {
    for (uint32_t b = 0; b < 256; ++b) {
      uint32_t c = b;
      for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1) ? kPolyReflected : 0);
      t[0][b] = c;
    }
    for (uint32_t b = 0; b < 256; ++b) {
      for (int k = 1; k < 4; ++k) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFF];
    }
  }
};
constexpr Tables kTables;

uint32_t ExtendPortable(uint32_t crc, const char* data, size_t n) {
  const auto* p = reinterpret_cast<const uint8_t*>(data);
  uint32_t c = ~crc;
  while (n >= 4) {
    uint32_t word;
    std::memcpy(&word, p, 4);  // little-endian hosts only, like the rest of the log format
    c ^= word;
    c = kTables.t[3][c & 0xFF] ^ kTables.t[2][(c >> 8) & 0xFF] ^
        kTables.t[1][(c >> 16) & 0xFF] ^ kTables.t[0][c >> 24];
    p += 4;
    n -= 4;
  }
  while (n-- > 0) c = (c >> 8) ^ kTables.t[0][(c ^ *p++) & 0xFF];
  return ~c;
}

// Raw (unconditioned) CRC registers are linear over GF(2): running a register r over data D
// gives Shift(r, |D|) ^ Run(0, D), where Shift(r, n) runs r over n zero bytes. So three
// streams can be run independently (the crc32 instruction has a latency of 3 cycles and a
// throughput of 1, so one stream leaves two thirds of it idle) and joined with a table
// lookup for Shift by the stream length. The tables are built once, from the 32 one-bit
// registers shifted bit by bit.
struct ShiftTable {
  std::array<std::array<uint32_t, 256>, 4> t{};
  explicit ShiftTable(size_t bytes) {
    std::array<uint32_t, 32> basis{};
    for (int bit = 0; bit < 32; ++bit) {
      uint32_t c = 1u << bit;
      for (size_t i = 0; i < bytes * 8; ++i) c = (c >> 1) ^ ((c & 1) ? kPolyReflected : 0);
      basis[bit] = c;
    }
    for (int k = 0; k < 4; ++k) {
      for (uint32_t b = 0; b < 256; ++b) {
        uint32_t v = 0;
        for (int bit = 0; bit < 8; ++bit) {
          if ((b >> bit) & 1) v ^= basis[8 * k + bit];
        }
        t[k][b] = v;
      }
    }
  }
  uint32_t Shift(uint32_t c) const {
    return t[0][c & 0xFF] ^ t[1][(c >> 8) & 0xFF] ^ t[2][(c >> 16) & 0xFF] ^ t[3][c >> 24];
  }
};

#ifdef PINPIPE_CRC32C_X86
constexpr size_t kLongStream = 4096;  // bytes per stream in blocks of 3 * kLongStream
constexpr size_t kShortStream = 128;  // and in blocks of 3 * kShortStream

__attribute__((target("sse4.2"))) inline uint64_t Run8(uint64_t c, const uint8_t* p) {
  uint64_t word;
  std::memcpy(&word, p, 8);
  return _mm_crc32_u64(c, word);
}

// Runs `c` over blocks of 3 * stream bytes while they last, three streams at a time.
__attribute__((target("sse4.2"))) uint64_t RunBlocks(uint64_t c, const uint8_t** p, size_t* n,
                                                      size_t stream, const ShiftTable& shift) {
  while (*n >= 3 * stream) {
    const uint8_t* a = *p;
    const uint8_t* b = a + stream;
    const uint8_t* d = b + stream;
    uint64_t ca = c, cb = 0, cd = 0;
    for (size_t i = 0; i < stream; i += 8) {
      ca = Run8(ca, a + i);
      cb = Run8(cb, b + i);
      cd = Run8(cd, d + i);
    }
    c = shift.Shift(shift.Shift(static_cast<uint32_t>(ca)) ^ static_cast<uint32_t>(cb)) ^
        static_cast<uint32_t>(cd);
    *p += 3 * stream;
    *n -= 3 * stream;
  }
  return c;
}

__attribute__((target("sse4.2"))) uint32_t ExtendSse42(uint32_t crc, const char* data,
                                                        size_t n) {
  static const ShiftTable kLong(kLongStream);
  static const ShiftTable kShort(kShortStream);
  const auto* p = reinterpret_cast<const uint8_t*>(data);
  uint64_t c = ~crc;
  c = RunBlocks(c, &p, &n, kLongStream, kLong);
  c = RunBlocks(c, &p, &n, kShortStream, kShort);
  while (n >= 8) {
    c = Run8(c, p);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = _mm_crc32_u8(c32, *p++);
  return ~c32;
}

bool CpuHasSse42() {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
  return (ecx & bit_SSE4_2) != 0;
}
#endif

using ExtendFn = uint32_t (*)(uint32_t, const char*, size_t);

ExtendFn Choose() {
#ifdef PINPIPE_CRC32C_X86
  if (CpuHasSse42()) return ExtendSse42;
#endif
  return ExtendPortable;
}

const ExtendFn kExtend = Choose();

}  // namespace

uint32_t Extend(uint32_t crc, const char* data, size_t n) { return kExtend(crc, data, n); }

bool IsHardwareAccelerated() { return kExtend != ExtendPortable; }

namespace internal {
// Exposed for the test, which checks both paths agree.
uint32_t ExtendPortableForTest(uint32_t crc, const char* data, size_t n) {
  return ExtendPortable(crc, data, n);
}
}  // namespace internal

}  // namespace pinpipe::crc32c
