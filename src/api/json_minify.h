// AppendMinified: the compact JSON text of a parsed simdjson DOM value, byte for byte what
// simdjson::minify(element) produces (strings re-escaped the same way, numbers printed by the
// same routines), but faster: simdjson's string_builder grows a std::vector<char> piece by
// piece and copies it out, which was the largest cost of decoding a batched produce request.
// Here each piece reserves its worst case once in a buffer the thread reuses and is copied
// without a check per byte; strings are copied 16 bytes at a time (SSE2), each block checked
// for bytes to escape as it is stored (json_minify.cc says why reading past a string is safe).
// json_minify_test pins the equality.
//
// Thread-safe (the buffer is per thread).
#pragma once

#include <simdjson.h>

#include <string>

namespace pinpipe::api {

void AppendMinified(simdjson::dom::element value, std::string* out);

// The minified text as a string of exactly its size (one allocation for typical values).
std::string Minified(simdjson::dom::element value);

}  // namespace pinpipe::api
