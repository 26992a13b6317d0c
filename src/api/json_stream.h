// JsonStreamSplitter: cuts a byte stream of concatenated JSON objects or arrays
// (`{...} {...}{...}`, any whitespace between) into whole documents as bytes arrive, for the
// Kafka REST v3 streaming produce where one chunked request carries many records. It tracks
// nesting and strings only; each document is validated by the parser it is handed to.
//
// Not thread-safe: one per request.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace pinpipe::api {

class JsonStreamSplitter {
 public:
  // A document larger than `max_document_bytes` is an error (ResourceExhausted).
  explicit JsonStreamSplitter(size_t max_document_bytes) : max_(max_document_bytes) {}

  // Appends `bytes` and moves every document completed by them to `*docs`. An error
  // (a top-level byte that cannot start an object or array, an oversized document) is final:
  // later calls return it again.
  Status Feed(std::string_view bytes, std::vector<std::string>* docs);

  // At the end of the stream: OK if nothing but whitespace is pending, else InvalidArgument
  // (a truncated document).
  Status Finish() const;

 private:
  size_t max_;
  std::string pending_;  // bytes of the document in progress
  int depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
  Status error_;
};

}  // namespace pinpipe::api
