// The bytes of an HTTP/1.x response head, written straight into a reused buffer instead of
// through Beast's field container and serializer (which allocate per response).
//
//   std::string head;
//   AppendResponseHead(response, /*version=*/11, /*keep_alive=*/true, &head);
//   // head + response.body go out in one write
//
// What it writes: the status line with the standard reason phrase; Content-Type when set;
// the response's own headers in order, except Content-Length, Transfer-Encoding and
// Connection, which belong to the server; Content-Length of the body (none for 1xx, 204 and
// 304, which carry no body); "Connection: close" when an HTTP/1.1 connection ends, and
// "Connection: keep-alive" when an HTTP/1.0 one stays open. CR and LF inside a header name or
// value are written as spaces, so a header can never split the response.
#pragma once

#include <string>

#include "http/message.h"

namespace pinpipe::http {

// True for the statuses whose responses carry no body (1xx, 204, 304).
bool StatusHasNoBody(int status);

// Appends the head of `r` (its body is not written) to *out. `version`: 10 or 11.
void AppendResponseHead(const Response& r, unsigned version, bool keep_alive, std::string* out);

}  // namespace pinpipe::http
