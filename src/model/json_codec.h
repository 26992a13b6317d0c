// JSON to and from the record types.
//
// Decoding is tolerant of what real senders do:
//   - the key may be spelled `index` or `ind` in any table (both present must agree);
//   - numbers may come as strings ("26", "-89.97"), and strings as numbers (follower_count 437);
//   - datetimes are kept as the text sent (either form; see datetime.h for parsing);
//   - null or absent fields become nullopt; unknown extra fields are ignored; members may come
//     in any order (a repeated member: the last one wins, as Python's json.loads).
// A non-key value that cannot be converted (age "abc", latitude {}) becomes nullopt and is
// counted as rejected for its cleaned column in *quality (when given).
// The row is refused with InvalidArgument, and a short reason without the row's values (fit to
// count by reason), when the text is not valid JSON, is not a JSON object, or its key is
// missing, null, not an integer, or disagrees between `index` and `ind`.
//
// Encoding:
//   raw, JsonStyle::kPython   what the original emulator sends: json.dumps(row, default=str),
//                             keys in source column order, datetimes "YYYY-MM-DD HH:MM:SS"
//   raw, JsonStyle::kCompact  the same members without spaces, datetimes as held
//   clean                     compact, columns in cleaned order, NULL as null, timestamps
//                             ISO-8601 UTC ("2020-08-28T03:52:47Z"), coordinates [lat, lon]
//
// Thread-safety: a RecordDecoder is used by one thread at a time. The free Decode* functions
// use a decoder per thread and are thread-safe; encoders are pure.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/json_writer.h"
#include "base/result.h"
#include "model/quality.h"
#include "model/records.h"

namespace pinpipe::model {

// Reuses its parser and buffers across calls: the fast way to decode many records.
class RecordDecoder {
 public:
  RecordDecoder();
  ~RecordDecoder();
  RecordDecoder(const RecordDecoder&) = delete;
  RecordDecoder& operator=(const RecordDecoder&) = delete;

  Result<RawPin> DecodePin(std::string_view json, QualityCounters* quality = nullptr);
  Result<RawGeo> DecodeGeo(std::string_view json, QualityCounters* quality = nullptr);
  Result<RawUser> DecodeUser(std::string_view json, QualityCounters* quality = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Decodes one record of `table` and returns fn(raw, ind): the typed raw row and its `ind` (a
// pin's `index`). The one switch over tables for every caller that decodes any table (the
// cleaners of `pinpipe clean` and of the batch job). Decoding errors are returned as they are.
template <typename Fn>
auto DecodeRow(Table table, RecordDecoder& decoder, std::string_view json,
               QualityCounters* quality, Fn&& fn) -> Result<decltype(fn(RawPin{}, int64_t{}))> {
  switch (table) {
    case Table::kPin: {
      ASSIGN_OR_RETURN(RawPin raw, decoder.DecodePin(json, quality));
      return fn(raw, raw.index);
    }
    case Table::kGeo: {
      ASSIGN_OR_RETURN(RawGeo raw, decoder.DecodeGeo(json, quality));
      return fn(raw, raw.ind);
    }
    case Table::kUser: {
      ASSIGN_OR_RETURN(RawUser raw, decoder.DecodeUser(json, quality));
      return fn(raw, raw.ind);
    }
  }
  return InternalError("unknown table");
}

Result<RawPin> DecodeRawPin(std::string_view json, QualityCounters* quality = nullptr);
Result<RawGeo> DecodeRawGeo(std::string_view json, QualityCounters* quality = nullptr);
Result<RawUser> DecodeRawUser(std::string_view json, QualityCounters* quality = nullptr);

// Appends one JSON object (no newline).
void AppendRawJson(std::string* out, const RawPin& row, JsonStyle style);
void AppendRawJson(std::string* out, const RawGeo& row, JsonStyle style);
void AppendRawJson(std::string* out, const RawUser& row, JsonStyle style);
void AppendCleanJson(std::string* out, const CleanPin& row);
void AppendCleanJson(std::string* out, const CleanGeo& row);
void AppendCleanJson(std::string* out, const CleanUser& row);

template <typename Row>
std::string EncodeRawJson(const Row& row, JsonStyle style = JsonStyle::kPython) {
  std::string out;
  AppendRawJson(&out, row, style);
  return out;
}
template <typename Row>
std::string EncodeCleanJson(const Row& row) {
  std::string out;
  AppendCleanJson(&out, row);
  return out;
}

}  // namespace pinpipe::model
