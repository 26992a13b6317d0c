#include "base/python_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace pinpipe {

void AppendPythonFloat(std::string* out, double x) {
  if (std::isnan(x)) {
    *out += "nan";
    return;
  }
  if (std::isinf(x)) {
    *out += x < 0 ? "-inf" : "inf";
    return;
  }
  // Shortest round-trip digits in scientific form: [-]d[.ddd]e[+-]XX.
  char sci[64];
  auto res = std::to_chars(sci, sci + sizeof sci, x, std::chars_format::scientific);
  std::string_view s(sci, res.ptr - sci);
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  size_t e = s.find('e');
  std::string digits;
  for (char c : s.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exp10 = std::atoi(std::string(s.substr(e + 1)).c_str());
  if (negative) *out += '-';
  if (exp10 >= -4 && exp10 < 16) {
    if (exp10 < 0) {
      *out += "0.";
      out->append(static_cast<size_t>(-exp10 - 1), '0');
      *out += digits;
    } else if (static_cast<int>(digits.size()) <= exp10 + 1) {
      *out += digits;
      out->append(static_cast<size_t>(exp10 + 1) - digits.size(), '0');
      *out += ".0";
    } else {
      out->append(digits, 0, static_cast<size_t>(exp10 + 1));
      *out += '.';
      out->append(digits, static_cast<size_t>(exp10 + 1), std::string::npos);
    }
    return;
  }
  *out += digits[0];
  if (digits.size() > 1) {
    *out += '.';
    out->append(digits, 1, std::string::npos);
  }
  char exp[16];
  std::snprintf(exp, sizeof exp, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
  *out += exp;
}

std::string PythonFloat(double x) {
  std::string out;
  AppendPythonFloat(&out, x);
  return out;
}

namespace {

// Decodes one UTF-8 code point at text[*i]; returns -1 (and consumes one byte) if invalid.
int32_t DecodeUtf8(std::string_view text, size_t* i) {
  auto b = static_cast<unsigned char>(text[*i]);
  int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || *i + len > text.size()) {
    ++*i;
    return -1;
  }
  int32_t cp = len == 1 ? b : b & (0x7f >> len);
  for (int k = 1; k < len; k++) {
    auto c = static_cast<unsigned char>(text[*i + k]);
    if ((c & 0xc0) != 0x80) {
      ++*i;
      return -1;
    }
    cp = (cp << 6) | (c & 0x3f);
  }
  *i += len;
  return cp;
}

// CPython's str.isprintable for the code points pinpipe's data can hold: control characters,
// the Latin-1 block's non-printables and the Unicode separators and format characters.
bool IsPrintable(int32_t cp) {
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp == 0xad) return false;
  if ((cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f)) return false;
  if ((cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 || cp == 0xfeff) return false;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  return true;
}

}  // namespace

std::string PythonStrRepr(std::string_view text) {
  bool has_single = text.find('\'') != std::string_view::npos;
  bool has_double = text.find('"') != std::string_view::npos;
  char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out;
  out.reserve(text.size() + 2);
  out += quote;
  char buf[16];
  for (size_t i = 0; i < text.size();) {
    size_t start = i;
    int32_t cp = DecodeUtf8(text, &i);
    if (cp < 0) {
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(text[start]));
      out += buf;
    } else if (cp == quote || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (!IsPrintable(cp)) {
      std::snprintf(buf, sizeof buf, cp < 0x100 ? "\\x%02x" : "\\u%04x", cp);
      out += buf;
    } else {
      out.append(text.substr(start, i - start));
    }
  }
  out += quote;
  return out;
}

std::string PythonDatetimeRepr(std::string_view text) {
  int y, mo, d, h, mi, s;
  char sep;
  int consumed = 0;
  std::string t(text);
  if (std::sscanf(t.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &s,
                  &consumed) != 7 ||
      (sep != ' ' && sep != 'T')) {
    return PythonStrRepr(text);
  }
  int micros = 0;
  std::string_view rest = text.substr(static_cast<size_t>(consumed));
  if (!rest.empty() && rest[0] == '.') {
    int digits = 0;
    for (size_t k = 1; k < rest.size() && digits < 6 && rest[k] >= '0' && rest[k] <= '9'; k++) {
      micros = micros * 10 + (rest[k] - '0');
      digits++;
    }
    for (; digits < 6; digits++) micros *= 10;
  }
  char buf[96];
  if (micros != 0) {
    std::snprintf(buf, sizeof buf, "datetime.datetime(%d, %d, %d, %d, %d, %d, %d)", y, mo, d, h,
                  mi, s, micros);
  } else if (s != 0) {
    std::snprintf(buf, sizeof buf, "datetime.datetime(%d, %d, %d, %d, %d, %d)", y, mo, d, h, mi, s);
  } else {
    std::snprintf(buf, sizeof buf, "datetime.datetime(%d, %d, %d, %d, %d)", y, mo, d, h, mi);
  }
  return buf;
}

}  // namespace pinpipe
