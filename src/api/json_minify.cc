#include "api/json_minify.h"

#include <array>
#include <charconv>
#include <cstdint>

namespace pinpipe::api {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Characters a JSON string must escape: '"', '\\' and the controls below 0x20.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}();

bool NeedsEscape(char c) { return kNeedsEscape[static_cast<unsigned char>(c)]; }

// As simdjson's mini_formatter::string: '"' and '\\' backslashed, control characters as
// \b \t \n \f \r or \u00XX, everything else (UTF-8 included) as is. Runs without escapes,
// nearly every string, are found 8 bytes at a time and appended whole.
void AppendString(std::string_view s, std::string* out) {
  static constexpr const char* kControl[32] = {
      "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
      "\\b",     "\\t",     "\\n",     "\\u000b", "\\f",     "\\r",     "\\u000e", "\\u000f",
      "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
      "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f"};
  out->push_back('"');
  const char* p = s.data();
  const size_t n = s.size();
  size_t i = 0;
  while (true) {
    size_t j = i;
    while (j + 8 <= n && !(NeedsEscape(p[j]) | NeedsEscape(p[j + 1]) | NeedsEscape(p[j + 2]) |
                           NeedsEscape(p[j + 3]) | NeedsEscape(p[j + 4]) | NeedsEscape(p[j + 5]) |
                           NeedsEscape(p[j + 6]) | NeedsEscape(p[j + 7]))) {
      j += 8;
    }
    while (j < n && !NeedsEscape(p[j])) ++j;
    out->append(p + i, j - i);
    if (j == n) break;
    const auto c = static_cast<unsigned char>(p[j]);
    if (c == '"') {
      out->append("\\\"", 2);
    } else if (c == '\\') {
      out->append("\\\\", 2);
    } else {
      out->append(kControl[c]);
    }
    i = j + 1;
  }
  out->push_back('"');
}

template <typename T>
void AppendInt(T v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, end);
}

}  // namespace

// The type was checked first, so the get() calls below cannot fail; their non-throwing forms
// are used all the same (no exceptions in pinpipe's code).
void AppendMinified(element value, std::string* out) {
  switch (value.type()) {
    case element_type::OBJECT: {
      simdjson::dom::object obj;
      if (value.get_object().get(obj) != simdjson::SUCCESS) return;
      out->push_back('{');
      bool first = true;
      for (simdjson::dom::key_value_pair field : obj) {
        if (!first) out->push_back(',');
        first = false;
        AppendString(field.key, out);
        out->push_back(':');
        AppendMinified(field.value, out);
      }
      out->push_back('}');
      return;
    }
    case element_type::ARRAY: {
      simdjson::dom::array arr;
      if (value.get_array().get(arr) != simdjson::SUCCESS) return;
      out->push_back('[');
      bool first = true;
      for (element item : arr) {
        if (!first) out->push_back(',');
        first = false;
        AppendMinified(item, out);
      }
      out->push_back(']');
      return;
    }
    case element_type::STRING: {
      std::string_view s;
      if (value.get_string().get(s) == simdjson::SUCCESS) AppendString(s, out);
      return;
    }
    case element_type::INT64: {
      int64_t i = 0;
      if (value.get_int64().get(i) == simdjson::SUCCESS) AppendInt(i, out);
      return;
    }
    case element_type::UINT64: {
      uint64_t u = 0;
      if (value.get_uint64().get(u) == simdjson::SUCCESS) AppendInt(u, out);
      return;
    }
    case element_type::DOUBLE: {
      double d = 0;
      if (value.get_double().get(d) != simdjson::SUCCESS) return;
      char buf[32];
      // simdjson's own double printer (what minify uses); it ignores the end argument.
      char* end = simdjson::internal::to_chars(buf, buf + sizeof buf, d);
      out->append(buf, end);
      return;
    }
    case element_type::BOOL: {
      bool b = false;
      if (value.get_bool().get(b) == simdjson::SUCCESS) out->append(b ? "true" : "false");
      return;
    }
    case element_type::NULL_VALUE:
      out->append("null");
      return;
  }
}

std::string Minified(element value) {
  thread_local std::string scratch;
  scratch.clear();
  AppendMinified(value, &scratch);
  std::string out(scratch);
  if (scratch.capacity() > (1 << 20)) std::string().swap(scratch);  // don't pin a rare giant
  return out;
}

}  // namespace pinpipe::api
