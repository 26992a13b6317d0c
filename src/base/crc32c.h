// CRC32C (Castagnoli, the iSCSI polynomial 0x1EDC6F41 of RFC 3720), used to checksum log
// batches, indexes and metadata files. Uses the SSE4.2 crc32 instruction when the CPU has it
// (checked once at run time) and a slicing table otherwise; both give identical results.
//
// Thread-safety: all functions are pure and may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pinpipe::crc32c {

// Returns the CRC32C of data[0, n) continuing from `crc`, the CRC32C of some earlier bytes
// (Extend(Extend(0, a), b) == Value(a + b)).
uint32_t Extend(uint32_t crc, const char* data, size_t n);

inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view s) { return Extend(0, s.data(), s.size()); }

// True when Extend uses the hardware instruction (for tests and the bench banner).
bool IsHardwareAccelerated();

}  // namespace pinpipe::crc32c
