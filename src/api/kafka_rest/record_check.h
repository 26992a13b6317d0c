// Whether a produced value is a valid record of a pipeline table (the 42203 check of topics
// `<user_id>.pin|geo|user`), decided as the model's decoders (model/json_codec.h) decide it:
// the value must be a JSON object whose key (`index` or `ind`) is present, not null, an
// integer (an integral number or a numeric string also do), and the same in both spellings.
// Other members are not checked: the decoders accept anything there (the cleaning counts what
// it cannot convert). The reason strings are the decoders' own.
//
// The DOM form checks a value inside the request's already parsed body, so a produce request
// is parsed once (the text form parses again; it serves values that arrive as text: the
// binary embedded format, v3 records). record_check_test pins both to the model's decoders.
//
// Pure functions; thread-safe.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

#include "model/records.h"

namespace pinpipe::api::kafka_rest {

std::optional<std::string> InvalidRecordReason(model::Table table, simdjson::dom::element value);
std::optional<std::string> InvalidRecordReason(model::Table table, std::string_view json);

}  // namespace pinpipe::api::kafka_rest
