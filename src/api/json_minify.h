// AppendMinified: the compact JSON text of a parsed simdjson DOM value, byte for byte what
// simdjson::minify(element) produces (strings re-escaped the same way, numbers printed by the
// same routines), but written straight into a std::string: simdjson's string_builder grows a
// std::vector<char> piece by piece and copies it out, which was the largest cost of decoding a
// batched produce request (json_minify_test pins the equality).
//
// Pure function; thread-safe.
#pragma once

#include <simdjson.h>

#include <string>

namespace pinpipe::api {

void AppendMinified(simdjson::dom::element value, std::string* out);

// The minified text as a string of exactly its size (one allocation for typical values).
std::string Minified(simdjson::dom::element value);

}  // namespace pinpipe::api
