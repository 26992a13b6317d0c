// Message framing checks applied to every request head before its body is read (internal:
// uses Beast types). A request that frames its body ambiguously — several Transfer-Encoding
// fields, Transfer-Encoding together with Content-Length, or a Transfer-Encoding value that is
// not plain visible ASCII — is refused with 400 and the connection closed (RFC 9112 §6.1
// allows it; it is the standard defence against request smuggling). It also keeps such heads
// away from Beast's chunk parser, which asserts on some of them (found by
// fuzz/http_request_fuzzer).
#pragma once

#include <boost/beast/http.hpp>

namespace pinpipe::http::internal {

template <class Fields>
bool FramingIsUnambiguous(const boost::beast::http::header<true, Fields>& head) {
  namespace bhttp = boost::beast::http;
  int te = 0;
  for (const auto& field : head) {
    if (field.name() == bhttp::field::transfer_encoding) {
      if (++te > 1) return false;
      for (char c : field.value()) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u > 0x7e) return false;
      }
    }
  }
  return te == 0 || head.find(bhttp::field::content_length) == head.end();
}

}  // namespace pinpipe::http::internal
