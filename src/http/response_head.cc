#include "http/response_head.h"

#include <charconv>

#include <boost/beast/http/status.hpp>

#include "http/message.h"

namespace pinpipe::http {
namespace {

bool IsServerHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "connection") ||
         EqualsIgnoreCase(name, "transfer-encoding");
}

void AppendSafe(std::string_view s, std::string* out) {
  const size_t at = out->size();
  out->append(s);
  for (size_t i = at; i < out->size(); ++i) {
    if ((*out)[i] == '\r' || (*out)[i] == '\n') (*out)[i] = ' ';
  }
}

void AppendField(std::string_view name, std::string_view value, std::string* out) {
  AppendSafe(name, out);
  out->append(": ");
  AppendSafe(value, out);
  out->append("\r\n");
}

void AppendNumber(uint64_t n, std::string* out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), n);
  out->append(digits, end);
}

}  // namespace

bool StatusHasNoBody(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

void AppendResponseHead(const Response& r, unsigned version, bool keep_alive, std::string* out) {
  out->append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  AppendNumber(static_cast<uint64_t>(r.status), out);
  out->push_back(' ');
  auto reason = boost::beast::http::obsolete_reason(
      boost::beast::http::int_to_status(static_cast<unsigned>(r.status)));
  out->append(reason.data(), reason.size());
  out->append("\r\n");
  if (!r.content_type.empty()) AppendField("Content-Type", r.content_type, out);
  for (const Header& h : r.headers) {
    if (!IsServerHeader(h.name)) AppendField(h.name, h.value, out);
  }
  if (!StatusHasNoBody(r.status)) {
    out->append("Content-Length: ");
    AppendNumber(r.body.size(), out);
    out->append("\r\n");
  }
  if (version == 10 && keep_alive) out->append("Connection: keep-alive\r\n");
  if (version != 10 && !keep_alive) out->append("Connection: close\r\n");
  out->append("\r\n");
}

}  // namespace pinpipe::http
