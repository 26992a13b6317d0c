// JsonWriter: a small, fast JSON writer that appends to a caller-owned std::string.
//
// Two styles:
//   kCompact  {"a":1,"b":[1,2]}        UTF-8 kept as is (only `"`, `\` and controls escaped)
//   kPython   {"a": 1, "b": [1, 2]}    byte-identical to Python's json.dumps defaults:
//             ensure_ascii (non-ASCII as \uXXXX, surrogate pairs above U+FFFF, lowercase
//             hex), float repr ("5.0", "1e-05", "1e+16"), NaN/Infinity spelled as Python does.
//
// Strings must be UTF-8; an invalid byte is written as U+FFFD so the output is always valid
// JSON. Doubles use the shortest text that round-trips (std::to_chars); an integral double
// always keeps a ".0" (both styles) so readers keep the column a double. In compact style a
// non-finite double is written as null (JSON has no spelling for it).
//
// The writer does not check that calls form a well-nested document (a programming error,
// e.g. a Key() outside an object, yields malformed output, not a crash).
//
// Thread-safety: none; one writer per thread. The target string must outlive the writer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pinpipe {

enum class JsonStyle { kCompact, kPython };

class JsonWriter {
 public:
  // Appends to *out (not cleared). kPython turns ensure_ascii on.
  explicit JsonWriter(std::string* out, JsonStyle style = JsonStyle::kCompact);

  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  // Escapes non-ASCII as \uXXXX (default: on for kPython, off for kCompact).
  void set_ensure_ascii(bool on) { ensure_ascii_ = on; }

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // The next value is the member `key` of the enclosing object.
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Appends `json` verbatim as one value (the caller vouches it is valid JSON).
  JsonWriter& Raw(std::string_view json);

  std::string* out() { return out_; }

 private:
  void BeforeValue();
  void Open(char bracket);
  void Close(char bracket);

  std::string* out_;
  JsonStyle style_;
  bool ensure_ascii_;
  bool after_key_ = false;
  // One entry per open container: true until its first element is written.
  std::vector<bool> first_;
};

// Appends `value` as a JSON string literal (with quotes).
void AppendJsonString(std::string* out, std::string_view value, bool ensure_ascii);
// Appends `value` as a JSON number, spelled as the style says (see above).
void AppendJsonDouble(std::string* out, double value, JsonStyle style);
// Appends the decimal digits of `value`.
void AppendJsonInt(std::string* out, int64_t value);

}  // namespace pinpipe
