// Base64 (RFC 4648, standard alphabet, '=' padding) as the Kafka REST binary format and the
// Kinesis API carry bytes.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace pinpipe {

std::string Base64Encode(std::string_view bytes);
void Base64EncodeAppend(std::string_view bytes, std::string* out);

// Decodes strict base64: length a multiple of 4 with '=' padding only at the end, no
// whitespace. An InvalidArgument error names the offending position.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace pinpipe
