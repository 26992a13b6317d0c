// Router: maps (method, path) to a handler. Patterns are literal segments and `{name}`
// parameters, each matching exactly one non-empty segment:
//
//   router.Add("POST", "/topics/{topic}/partitions/{partition}", handler);
//
// The path is split at '/' before percent-decoding, so "%2F" never creates a segment; a decoded
// parameter holding '/' or NUL is refused (kBadParam) rather than handed to a handler. Literal
// segments compare against the decoded segment. Among several matching patterns the one with
// the most literal segments before the first difference wins ("/topics/x" beats
// "/topics/{t}"), independent of registration order.
//
// Thread-safety: build it on one thread, then hand it to the Server; Lookup is const and may be
// called concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "http/message.h"

namespace pinpipe::http {

struct RouteOptions {
  // Ops endpoints (health checks) may skip the server's x-api-key check.
  bool skip_api_key = false;
  // Streaming routes only: cap on the total body of one request (0 = no cap; the body is read
  // in bounded pieces, so memory stays bounded either way).
  uint64_t max_stream_body_bytes = 0;
};

struct Route {
  std::string method;
  std::vector<std::string> segments;  // "{name}" for a parameter
  uint64_t shape = 0;                 // bit (63 - k) set when segments[k] is a literal
  Handler handler;                    // exactly one of handler / async / streaming is set
  AsyncHandler async;
  StreamingHandler streaming;
  RouteOptions options;
};

struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed, kBadParam };
  Kind kind = Kind::kNotFound;
  const Route* route = nullptr;  // kFound only
  PathParams params;             // kFound only
  std::string allow;             // kMethodNotAllowed: "GET, POST"
  std::string error;             // kBadParam: why
};

class Router {
 public:
  // InvalidArgument for a pattern that does not start with '/', has an empty segment or a
  // malformed "{...}"; AlreadyExists for the same method and pattern twice.
  Status Add(std::string_view method, std::string_view pattern, Handler handler,
             RouteOptions options = {});
  Status AddAsync(std::string_view method, std::string_view pattern, AsyncHandler handler,
                  RouteOptions options = {});
  Status AddStreaming(std::string_view method, std::string_view pattern, StreamingHandler handler,
                      RouteOptions options = {});

  // A pattern has at most this many segments.
  static constexpr size_t kMaxSegments = 16;

  // `path` is percent-encoded and has no query string.
  RouteMatch Lookup(std::string_view method, std::string_view path) const;
  // The same into *out, reusing its memory: a server keeps one RouteMatch per connection, so
  // a lookup allocates nothing once the parameters' strings have grown.
  void Lookup(std::string_view method, std::string_view path, RouteMatch* out) const;

  bool empty() const { return routes_.empty(); }

 private:
  Status AddRoute(Route route, std::string_view pattern);
  std::vector<Route> routes_;
  // Indexes into routes_ by segment count, in the order added: a lookup looks only at the
  // routes as long as its path.
  std::array<std::vector<uint32_t>, kMaxSegments + 1> by_length_;
};

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, for query strings).
// InvalidArgument on a truncated or non-hex escape.
Result<std::string> PercentDecode(std::string_view in, bool plus_is_space);

// Removes `base_path` ("/test") from the front of `path` if it is there as whole segments:
// "/test/topics" -> "/topics", "/test" -> "/", "/testing" unchanged. Empty base: unchanged.
std::string_view StripBasePath(std::string_view path, std::string_view base_path);

}  // namespace pinpipe::http
