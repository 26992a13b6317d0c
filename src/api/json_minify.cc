#include "api/json_minify.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pinpipe::api {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Writes through a raw cursor into a thread's reusable buffer: each piece reserves its worst
// case once, then copies without a bounds check per byte. The buffer only grows (a resize
// zero-fills, so it is never resized down and up per value).
class Writer {
 public:
  explicit Writer(std::vector<char>* buf) : buf_(buf) {
    if (buf_->size() < 256) buf_->resize(256);
    p_ = buf_->data();
    end_ = buf_->data() + buf_->size();
  }
  void Reserve(size_t n) {
    if (static_cast<size_t>(end_ - p_) >= n) return;
    const size_t used = size();
    buf_->resize(std::max(buf_->size() * 2, used + n));
    p_ = buf_->data() + used;
    end_ = buf_->data() + buf_->size();
  }
  void Put(char c) { *p_++ = c; }      // after Reserve
  void Put(const char* s, size_t n) {  // after Reserve
    std::memcpy(p_, s, n);
    p_ += n;
  }
  char* cursor() { return p_; }
  void Advance(size_t n) { p_ += n; }
  const char* data() const { return buf_->data(); }
  size_t size() const { return static_cast<size_t>(p_ - buf_->data()); }

 private:
  std::vector<char>* const buf_;
  char* p_;
  char* end_;
};

// The thread's buffer; a rare giant value's buffer is dropped after use.
constexpr size_t kKeepScratchBytes = 1 << 20;
thread_local std::vector<char> scratch;

constexpr const char* kControl[32] = {
    "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
    "\\b",     "\\t",     "\\n",     "\\u000b", "\\f",     "\\r",     "\\u000e", "\\u000f",
    "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
    "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f"};

// Writes the escape of s[j] (a byte NeedsEscape) and reserves room for the rest of s
// (n bytes) and its closing quote, plus `slack`.
void PutEscape(const char* s, size_t j, size_t n, size_t slack, Writer* w) {
  // Worst case from here: this escape (6 bytes) and the rest unescaped, plus the quote.
  w->Reserve(6 + (n - j - 1) + 1 + slack);
  const auto c = static_cast<unsigned char>(s[j]);
  if (c == '"') {
    w->Put("\\\"", 2);
  } else if (c == '\\') {
    w->Put("\\\\", 2);
  } else {
    w->Put(kControl[c], std::strlen(kControl[c]));
  }
}

#if defined(__SSE2__)
// As simdjson's mini_formatter::string: '"' and '\\' backslashed, control characters as
// \b \t \n \f \r or \u00XX, everything else (UTF-8 included) as is.
//
// A string is copied 16 bytes at a time, each block checked for bytes to escape as it is
// stored, the last block masked to the string's end: a short string (most keys and values)
// is one load, one store and one mask, with no call to memcpy. The loads may read up to 15
// bytes past the string and the stores write up to 15 bytes past it (into reserved room, then
// overwritten). Reading past it is safe because a DOM string lives in its document's string
// buffer, which simdjson allocates with SIMDJSON_PADDING (64) bytes beyond the most its
// strings can take (document::allocate; its own parser stores whole blocks there too).
void AppendString(std::string_view s, Writer* w) {
  static_assert(simdjson::SIMDJSON_PADDING >= 16);
  constexpr size_t kBlock = 16;
  const char* p = s.data();
  const size_t n = s.size();
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i ctl_max = _mm_set1_epi8(0x1f);
  w->Reserve(n + 2 + kBlock);
  w->Put('"');
  size_t i = 0;  // the next byte of s to write
  while (i < n) {
    char* out = w->cursor();
    size_t k = i;
    unsigned mask = 0;
    for (; k < n; k += kBlock) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + k));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + (k - i)), v);
      // Controls: v < 0x20 unsigned, i.e. min(v, 0x1f) == v.
      const __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, ctl_max), v);
      const __m128i hit =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), ctl);
      mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
      if (n - k < kBlock) mask &= (1u << (n - k)) - 1;  // bytes past the string
      if (mask != 0) break;
    }
    if (mask == 0) {
      w->Advance(n - i);
      break;
    }
    const size_t j = k + static_cast<size_t>(__builtin_ctz(mask));
    w->Advance(j - i);
    PutEscape(p, j, n, kBlock, w);
    i = j + 1;
  }
  w->Put('"');
}
#else
// Characters a JSON string must escape: '"', '\\' and the controls below 0x20.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}();

bool NeedsEscape(char c) { return kNeedsEscape[static_cast<unsigned char>(c)]; }

// As above, a byte at a time.
void AppendString(std::string_view s, Writer* w) {
  const char* p = s.data();
  const size_t n = s.size();
  w->Reserve(n + 2);
  w->Put('"');
  for (size_t i = 0; i < n; ++i) {
    if (NeedsEscape(p[i])) {
      PutEscape(p, i, n, 0, w);
    } else {
      w->Put(p[i]);
    }
  }
  w->Put('"');
}
#endif

template <typename T>
void AppendInt(T v, Writer* w) {
  w->Reserve(24);
  auto [end, ec] = std::to_chars(w->cursor(), w->cursor() + 24, v);
  w->Advance(static_cast<size_t>(end - w->cursor()));
}

void AppendLiteral(std::string_view text, Writer* w) {
  w->Reserve(text.size());
  w->Put(text.data(), text.size());
}

// The type was checked first, so the get() calls below cannot fail; their non-throwing forms
// are used all the same (no exceptions in pinpipe's code).
void AppendValue(element value, Writer* w) {
  switch (value.type()) {
    case element_type::OBJECT: {
      simdjson::dom::object obj;
      if (value.get_object().get(obj) != simdjson::SUCCESS) return;
      w->Reserve(1);
      w->Put('{');
      bool first = true;
      for (simdjson::dom::key_value_pair field : obj) {
        if (!first) {
          w->Reserve(1);
          w->Put(',');
        }
        first = false;
        AppendString(field.key, w);
        w->Reserve(1);
        w->Put(':');
        AppendValue(field.value, w);
      }
      w->Reserve(1);
      w->Put('}');
      return;
    }
    case element_type::ARRAY: {
      simdjson::dom::array arr;
      if (value.get_array().get(arr) != simdjson::SUCCESS) return;
      w->Reserve(1);
      w->Put('[');
      bool first = true;
      for (element item : arr) {
        if (!first) {
          w->Reserve(1);
          w->Put(',');
        }
        first = false;
        AppendValue(item, w);
      }
      w->Reserve(1);
      w->Put(']');
      return;
    }
    case element_type::STRING: {
      std::string_view s;
      if (value.get_string().get(s) == simdjson::SUCCESS) AppendString(s, w);
      return;
    }
    case element_type::INT64: {
      int64_t i = 0;
      if (value.get_int64().get(i) == simdjson::SUCCESS) AppendInt(i, w);
      return;
    }
    case element_type::UINT64: {
      uint64_t u = 0;
      if (value.get_uint64().get(u) == simdjson::SUCCESS) AppendInt(u, w);
      return;
    }
    case element_type::DOUBLE: {
      double d = 0;
      if (value.get_double().get(d) != simdjson::SUCCESS) return;
      // simdjson's own double printer (what minify uses); it ignores the end argument.
      w->Reserve(32);
      char* end = simdjson::internal::to_chars(w->cursor(), w->cursor() + 32, d);
      w->Advance(static_cast<size_t>(end - w->cursor()));
      return;
    }
    case element_type::BOOL: {
      bool b = false;
      if (value.get_bool().get(b) == simdjson::SUCCESS) AppendLiteral(b ? "true" : "false", w);
      return;
    }
    case element_type::NULL_VALUE:
      AppendLiteral("null", w);
      return;
  }
}

}  // namespace

void AppendMinified(element value, std::string* out) {
  Writer w(&scratch);
  AppendValue(value, &w);
  out->append(w.data(), w.size());
  if (scratch.size() > kKeepScratchBytes) std::vector<char>().swap(scratch);
}

std::string Minified(element value) {
  Writer w(&scratch);
  AppendValue(value, &w);
  std::string out(w.data(), w.size());
  if (scratch.size() > kKeepScratchBytes) std::vector<char>().swap(scratch);
  return out;
}

}  // namespace pinpipe::api
