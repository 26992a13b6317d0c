// Fuzzes the record decoder and the cleaning rules: the bytes as a pin, a geo and a user
// record, then through RowCleaner (decode, dedup, clean, encode), and as a datetime.
// Property: no crash, no sanitizer report; a cleaned row is always valid enough to re-encode.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/datetime.h"
#include "model/json_codec.h"
#include "model/row_cleaner.h"

using namespace pinpipe::model;  // NOLINT(google-build-using-namespace)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)DecodeRawPin(in);
  (void)DecodeRawGeo(in);
  (void)DecodeRawUser(in);
  for (Table t : {Table::kPin, Table::kGeo, Table::kUser}) {
    RowCleaner cleaner(t);
    std::string out;
    (void)cleaner.Process(in, &out);
  }
  (void)ParseTimestamp(in);
  return 0;
}
