#include "http/message.h"

#include <array>

#include "http/router.h"

namespace pinpipe::http {

namespace {
// ASCII lowercase of every byte; other bytes map to themselves.
constexpr std::array<unsigned char, 256> kLower = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return t;
}();
}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (kLower[static_cast<unsigned char>(a[i])] != kLower[static_cast<unsigned char>(b[i])]) {
      return false;
    }
  }
  return true;
}

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const HeaderView& h : headers_) {
    if (EqualsIgnoreCase(h.first, name)) return h.second;
  }
  return std::nullopt;
}

std::string_view Request::param(std::string_view name) const {
  if (params_ == nullptr) return {};
  for (const auto& [key, value] : *params_) {
    if (key == name) return value;
  }
  return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  std::string_view rest = query_;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    size_t eq = pair.find('=');
    Result<std::string> key = PercentDecode(pair.substr(0, eq), /*plus_is_space=*/true);
    if (!key.ok() || *key != name) continue;
    if (eq == std::string_view::npos) return std::string();
    Result<std::string> value = PercentDecode(pair.substr(eq + 1), /*plus_is_space=*/true);
    if (!value.ok()) return std::nullopt;
    return std::move(*value);
  }
  return std::nullopt;
}

}  // namespace pinpipe::http
