#include "base/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace pinpipe {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Bytes that are copied verbatim in both modes: printable ASCII except `"` and `\`.
inline bool IsPlainAscii(unsigned char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; }

void AppendU16Escape(std::string* out, uint32_t unit) {
  char buf[6] = {'\\',
                 'u',
                 kHex[(unit >> 12) & 0xf],
                 kHex[(unit >> 8) & 0xf],
                 kHex[(unit >> 4) & 0xf],
                 kHex[unit & 0xf]};
  out->append(buf, 6);
}

// Decodes one UTF-8 sequence at s[i]; returns its length (1-4) and sets *cp, or 0 when the
// bytes are not valid UTF-8 (overlong, surrogate, out of range, truncated).
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  auto byte = [&](size_t k) -> uint32_t { return static_cast<unsigned char>(s[k]); };
  uint32_t b0 = byte(i);
  size_t left = s.size() - i;
  auto cont = [&](size_t k) { return k < left && (byte(i + k) & 0xC0) == 0x80; };
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (!cont(1)) return 0;
    *cp = ((b0 & 0x1F) << 6) | (byte(i + 1) & 0x3F);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    uint32_t c = ((b0 & 0x0F) << 12) | ((byte(i + 1) & 0x3F) << 6) | (byte(i + 2) & 0x3F);
    if (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    uint32_t c = ((b0 & 0x07) << 18) | ((byte(i + 1) & 0x3F) << 12) | ((byte(i + 2) & 0x3F) << 6) |
                 (byte(i + 3) & 0x3F);
    if (c < 0x10000 || c > 0x10FFFF) return 0;
    *cp = c;
    return 4;
  }
  return 0;
}

void AppendControlEscape(std::string* out, unsigned char c) {
  switch (c) {
    case '"':
      out->append("\\\"");
      return;
    case '\\':
      out->append("\\\\");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    default:
      AppendU16Escape(out, c);
  }
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view value, bool ensure_ascii) {
  out->push_back('"');
  size_t i = 0;
  const size_t n = value.size();
  while (i < n) {
    size_t run = i;
    while (run < n && IsPlainAscii(static_cast<unsigned char>(value[run]))) ++run;
    out->append(value.data() + i, run - i);
    i = run;
    if (i >= n) break;
    unsigned char c = static_cast<unsigned char>(value[i]);
    if (c < 0x80) {
      // DEL is printable for JSON but Python's ensure_ascii escapes it.
      if (c == 0x7f && !ensure_ascii) {
        out->push_back(static_cast<char>(c));
      } else {
        AppendControlEscape(out, c);
      }
      ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t len = DecodeUtf8(value, i, &cp);
    if (len == 0) {
      cp = 0xFFFD;
      len = 1;
      if (!ensure_ascii) {
        out->append("\xEF\xBF\xBD");
        i += len;
        continue;
      }
    } else if (!ensure_ascii) {
      out->append(value.data() + i, len);
      i += len;
      continue;
    }
    if (cp >= 0x10000) {
      uint32_t v = cp - 0x10000;
      AppendU16Escape(out, 0xD800 | (v >> 10));
      AppendU16Escape(out, 0xDC00 | (v & 0x3FF));
    } else {
      AppendU16Escape(out, cp);
    }
    i += len;
  }
  out->push_back('"');
}

void AppendJsonInt(std::string* out, int64_t value) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), value);
  out->append(buf, res.ptr);
}

void AppendJsonDouble(std::string* out, double value, JsonStyle style) {
  if (!std::isfinite(value)) {
    if (style == JsonStyle::kCompact) {
      out->append("null");
    } else if (std::isnan(value)) {
      out->append("NaN");
    } else {
      out->append(value > 0 ? "Infinity" : "-Infinity");
    }
    return;
  }
  if (std::signbit(value)) {
    out->push_back('-');
    value = -value;
  }
  if (value == 0) {
    out->append("0.0");
    return;
  }
  // Shortest round-trip digits in scientific form: "d[.ddd]e[+-]XX".
  char buf[40];
  auto res = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  std::string_view sci(buf, res.ptr - buf);
  size_t e = sci.find('e');
  std::string digits;
  digits.reserve(20);
  for (size_t k = 0; k < e; ++k) {
    if (sci[k] != '.') digits.push_back(sci[k]);
  }
  int exp = std::atoi(std::string(sci.substr(e + 1)).c_str());
  int decpt = exp + 1;  // digits before the decimal point in fixed notation
  const int ndigits = static_cast<int>(digits.size());
  // Python's float repr: fixed notation for 1e-4 <= |x| < 1e16, scientific otherwise.
  if (decpt <= -4 || decpt > 16) {
    out->push_back(digits[0]);
    if (ndigits > 1) {
      out->push_back('.');
      out->append(digits, 1, std::string::npos);
    }
    out->push_back('e');
    out->push_back(exp < 0 ? '-' : '+');
    int a = std::abs(exp);
    if (a < 10) out->push_back('0');
    AppendJsonInt(out, a);
    return;
  }
  if (decpt <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-decpt), '0');
    out->append(digits);
  } else if (decpt < ndigits) {
    out->append(digits, 0, decpt);
    out->push_back('.');
    out->append(digits, decpt, std::string::npos);
  } else {
    out->append(digits);
    out->append(static_cast<size_t>(decpt - ndigits), '0');
    out->append(".0");
  }
}

JsonWriter::JsonWriter(std::string* out, JsonStyle style)
    : out_(out), style_(style), ensure_ascii_(style == JsonStyle::kPython) {}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (first_.empty()) return;
  if (first_.back()) {
    first_.back() = false;
  } else {
    out_->append(style_ == JsonStyle::kPython ? ", " : ",");
  }
}

void JsonWriter::Open(char bracket) {
  BeforeValue();
  out_->push_back(bracket);
  first_.push_back(true);
}

void JsonWriter::Close(char bracket) {
  out_->push_back(bracket);
  if (!first_.empty()) first_.pop_back();
}

JsonWriter& JsonWriter::BeginObject() {
  Open('{');
  return *this;
}
JsonWriter& JsonWriter::EndObject() {
  Close('}');
  return *this;
}
JsonWriter& JsonWriter::BeginArray() {
  Open('[');
  return *this;
}
JsonWriter& JsonWriter::EndArray() {
  Close(']');
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  BeforeValue();
  AppendJsonString(out_, key, ensure_ascii_);
  out_->append(style_ == JsonStyle::kPython ? ": " : ":");
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendJsonString(out_, value, ensure_ascii_);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  BeforeValue();
  AppendJsonInt(out_, value);
  return *this;
}

JsonWriter& JsonWriter::Double(double value) {
  BeforeValue();
  AppendJsonDouble(out_, value, style_);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  BeforeValue();
  out_->append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_->append(json);
  return *this;
}

}  // namespace pinpipe
