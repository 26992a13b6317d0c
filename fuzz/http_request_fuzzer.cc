// Feeds arbitrary bytes through what the HTTP server does with a request before a handler runs:
// Beast's request parser with the server's limits (head first, then the body, in pieces like
// the socket delivers them), the base-path strip, the router with its percent-decoding and
// parameter checks, and the Request accessors.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "http/framing.h"
#include "http/message.h"
#include "http/router.h"

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using pinpipe::http::Request;
using pinpipe::http::Response;
using pinpipe::http::RouteMatch;
using pinpipe::http::Router;

std::string_view SV(beast::string_view s) { return {s.data(), s.size()}; }

const Router& TheRouter() {
  static const Router* router = [] {
    auto* r = new Router();
    auto h = [](const Request&) { return Response{}; };
    (void)r->Add("POST", "/topics/{topic}", h);
    (void)r->Add("POST", "/topics/{topic}/partitions/{partition}", h);
    (void)r->Add("GET", "/consumers/{g}/instances/{i}/records", h);
    (void)r->Add("PUT", "/streams/{s}/record", h);
    return r;
  }();
  return *router;
}

void Route(const bhttp::request<bhttp::string_body>& msg) {
  std::string target(SV(msg.target()));
  std::string_view t = target;
  size_t q = t.find('?');
  std::string_view query = q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
  std::string_view path = pinpipe::http::StripBasePath(t.substr(0, q), "/test");
  RouteMatch m = TheRouter().Lookup(SV(msg.method_string()), path);
  std::vector<pinpipe::http::HeaderView> headers;
  for (const auto& f : msg) headers.emplace_back(SV(f.name_string()), SV(f.value()));
  Request req(SV(msg.method_string()), target, path, query, std::move(headers), msg.body(),
              &m.params);
  (void)req.header("x-api-key");
  (void)req.query_param("timeout");
  for (const auto& [name, value] : m.params) {
    if (value.find('/') != std::string::npos || value.find('\0') != std::string::npos) __builtin_trap();
    (void)req.param(name);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Parse as the server does: a bounded head, then the body with its limit, fed in small pieces
  // (the first byte of input chooses the piece size) so partial-input paths run too.
  size_t piece = size == 0 ? 1 : 1 + static_cast<uint8_t>(input[0]) % 64;
  beast::flat_buffer buffer;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(64 * 1024);
  parser.eager(true);
  beast::error_code ec;
  size_t fed = 0;
  while (!parser.is_done()) {
    size_t n = std::min(piece, input.size() - fed);
    auto buf = buffer.prepare(n);
    std::memcpy(buf.data(), input.data() + fed, n);
    buffer.commit(n);
    fed += n;
    const bool had_header = parser.is_header_done();
    size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    // The server refuses ambiguous framing as soon as the head is parsed (session.cc).
    if (!had_header && parser.is_header_done() &&
        !pinpipe::http::internal::FramingIsUnambiguous(parser.get().base())) {
      return 0;
    }
    if (!ec && used == 0 && fed == input.size()) break;  // no input left and no progress
    if (ec == bhttp::error::need_more) {
      if (fed == input.size()) {
        // As Beast's read algorithms do at end of stream: put_eof only after some input.
        if (parser.got_some()) parser.put_eof(ec);
        break;
      }
      ec = {};
      continue;
    }
    if (ec) return 0;
  }
  if (!ec && parser.is_done()) Route(parser.get());
  return 0;
}
