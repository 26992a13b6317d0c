// Server: an HTTP/1.1 server (Boost.Beast underneath, not visible here) that routes requests
// to the handlers of a Router. Plumbing only: connections, limits, keep-alive, pipelining,
// chunked streaming, graceful shutdown, metrics. Protocol-shaped errors come from ServerHooks.
//
//   ASSIGN_OR_RETURN(auto server, Server::Open(options, std::move(router), hooks));
//   RETURN_IF_ERROR(server->Start());
//   ... server->port() ...
//   RETURN_IF_ERROR(server->Stop(std::chrono::seconds(10)));
//
// Requests on one connection are handled one at a time and answered in order (pipelined
// requests wait in the connection's buffer). Handlers run on the io threads unless
// ServerOptions::handler_threads > 0; deferred handlers (Router::AddAsync) always run on the
// io thread and answer later from any thread (see README.md, "Threading").
//
// Thread-safety: Open/Start/Stop from one controlling thread, never from a handler. port() and
// metrics() from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "base/status.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/router.h"

namespace pinpipe::http {

struct ServerOptions {
  std::string host = "127.0.0.1";  // an address or a resolvable name
  uint16_t port = 0;               // 0: an ephemeral port, see Server::port()
  int io_threads = 1;
  // 0: handlers run on the io thread that read the request. N > 0: handlers run on a pool of
  // N threads and the io threads keep serving other connections while a handler blocks.
  // Deferred (AsyncHandler) and hook calls run on the io thread either way.
  int handler_threads = 0;

  std::string base_path;  // "/test": "/test/topics/a" routes as "/topics/a" (prefix optional)
  std::string api_key;    // non-empty: requests must carry "x-api-key: <api_key>"

  uint32_t max_header_bytes = 16 * 1024;      // request line + headers; over it: 431
  uint64_t max_body_bytes = 10 * 1024 * 1024;  // ordinary requests; over it: 413 (hook)
  uint32_t max_connections = 1024;             // beyond: 503 and close at once
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait for the next request
  std::chrono::milliseconds header_timeout{10'000};  // first byte -> end of headers
  std::chrono::milliseconds body_timeout{30'000};    // whole body; streaming: per piece
  std::chrono::milliseconds write_timeout{30'000};   // one response (or one chunk)
};

// Hooks for the responses the server produces itself. Each may be empty; the default is a
// short text/plain body. Called on an io thread (even with handler_threads > 0), so they must
// be quick; must not throw.
struct ServerHooks {
  std::function<Response(const Request&)> not_found;                       // 404
  std::function<Response(const Request&, std::string_view allow)> method_not_allowed;  // 405
  std::function<Response(const Request&)> payload_too_large;  // 413; Request::body() empty
  // 400 for a path parameter that is badly encoded or decodes to '/' or NUL.
  std::function<Response(const Request&, std::string_view why)> bad_request;
  // Called once by Stop() after in-flight requests finished (or the grace period ran out) and
  // before the io threads exit: the place to flush/sync what handlers wrote.
  std::function<void()> on_drain;
};

class Server {
 public:
  // Binds and listens (so port() is known), but serves nothing until Start().
  // InvalidArgument for bad options or an empty router; IOError if the address cannot be bound.
  static Result<std::unique_ptr<Server>> Open(const ServerOptions& options, Router router,
                                              ServerHooks hooks = {});
  ~Server();  // Stop(grace = 0) if still running.

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts the io (and handler) threads and accepts connections. FailedPrecondition if
  // already started or stopped; Internal if a thread cannot be created.
  Status Start();

  // Graceful shutdown: stops accepting, closes idle keep-alive connections, lets requests in
  // progress finish, deferred answers included (their responses carry "Connection: close"),
  // then calls on_drain and joins
  // the threads. Connections still open after `grace` are closed forcibly and Stop returns
  // DeadlineExceeded (after on_drain and the join, which waits for handlers still running).
  // Idempotent; OK if never started.
  Status Stop(std::chrono::milliseconds grace);

  uint16_t port() const;
  MetricsSnapshot metrics() const;

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The default hooks' responses, for callers that override only some of them.
Response DefaultErrorResponse(int status, std::string_view message);

}  // namespace pinpipe::http
