// Where tests find things (test-only). The build bakes in the paths; an environment variable
// of the same name (PINPIPE_BINARY, PINPIPE_SOURCE_DIR) overrides them, e.g. to test an
// installed binary.
#pragma once

#include <cstdlib>
#include <string>

namespace pinpipe::testing {

// The pinpipe executable of this build.
inline std::string PinpipeBinary() {
  const char* env = std::getenv("PINPIPE_BINARY");  // NOLINT(concurrency-mt-unsafe)
#ifdef PINPIPE_BINARY
  return env != nullptr ? env : PINPIPE_BINARY;
#else
  return env != nullptr ? env : "pinpipe";
#endif
}

// The root of the source tree (for fixtures under tests/).
inline std::string SourceDir() {
  const char* env = std::getenv("PINPIPE_SOURCE_DIR");  // NOLINT(concurrency-mt-unsafe)
#ifdef PINPIPE_SOURCE_DIR
  return env != nullptr ? env : PINPIPE_SOURCE_DIR;
#else
  return env != nullptr ? env : ".";
#endif
}

}  // namespace pinpipe::testing
