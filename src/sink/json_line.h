// JsonLineChecker: decides whether a record value can be a line of a JsonFormat object — one
// complete JSON text (any JSON value, as Kafka Connect's schemaless JsonConverter accepts) —
// and gives the line to write. The simdjson seam of sink/.
//
// Thread-safety: one thread at a time per checker (it reuses a parser).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace pinpipe::sink {

class JsonLineChecker {
 public:
  JsonLineChecker();
  ~JsonLineChecker();
  JsonLineChecker(const JsonLineChecker&) = delete;
  JsonLineChecker& operator=(const JsonLineChecker&) = delete;

  // The value itself when it has no line break (the usual case: the API stores minified
  // JSON), else its minified form, kept in *scratch. kInvalidArgument with the parser's reason
  // ("not JSON: ...") when the value is not one JSON text. `readable_padding`: how many bytes
  // after the value may be read (not written); with enough (64, log::RecordViews::kPadding)
  // the value is parsed in place rather than copied into the parser first.
  Result<std::string_view> Line(std::string_view value, std::string* scratch,
                                size_t readable_padding = 0);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pinpipe::sink
