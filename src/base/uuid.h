// FormatUuidV4: the text of a version 4 (random) UUID built from 128 random bits, e.g.
// "3ba13872-2d47-4e17-86a0-21afd2a22395" (RFC 9562 §5.4): the four version bits and the two
// variant bits are set, the other 122 come from `hi` (the first 64) and `lo`. Where the bits
// come from is the caller's business (delta::RandomUuid, the REST proxy's consumer ids).
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <string>

namespace pinpipe {

std::string FormatUuidV4(uint64_t hi, uint64_t lo);

}  // namespace pinpipe
