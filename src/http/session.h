// Internal to http/: one accepted connection (Session) and the state every session shares with
// the Server (ServerState). Includes Boost; only server.cc and session.cc include this.
//
// A Session is a chain of asynchronous steps on its own strand, so at most one step of a
// session runs at a time: read request -> route -> read body -> handler -> write -> repeat.
// It is kept alive by the shared_ptr each pending step holds; when the chain ends it is
// destroyed and unregisters itself.
#pragma once

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/thread_annotations.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"

namespace pinpipe::http::internal {

class Session;

struct ServerState {
  ServerState(const ServerOptions& o, Router r, ServerHooks h)
      : options(o), router(std::move(r)), hooks(std::move(h)) {}

  // Registers a new session unless the server is stopping or full.
  bool TryRegister(Session* s, std::weak_ptr<Session> w);
  void Unregister(Session* s);

  const ServerOptions options;
  const Router router;
  const ServerHooks hooks;
  Metrics metrics;
  std::unique_ptr<boost::asio::thread_pool> pool;  // handler_threads > 0
  std::atomic<bool> stopping{false};

  std::mutex mu;
  std::condition_variable cv;  // signalled when a session unregisters
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions GUARDED_BY(mu);

  // Deferred responses post to the io_context only while it exists: Stop() sets io_down
  // (after joining the io threads, before the io_context can be destroyed).
  std::mutex post_mu;
  bool io_down GUARDED_BY(post_mu) = false;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerState> state);
  ~Session();

  // Registers and starts reading, or answers 503 and closes when over max_connections.
  void Start();
  // Server stopping: close now if waiting for a request, else after the current response.
  void NotifyStop();
  // Grace period over: close the socket whatever the session is doing.
  void ForceClose();
  // Queues the answer of `self`'s deferred (AsyncHandler) request on its strand; any thread,
  // while the io_context exists (Responder::State checks io_down). The queued handler owns
  // `self`, so no other thread is left holding the session.
  static void PostDeferred(std::shared_ptr<Session> self, Response r);
  // After the io threads are joined: drop the self-reference a pending deferred request
  // holds, so the session is destroyed while its io_context still exists.
  void ReleaseAfterStop() { pending_self_.reset(); }

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting, kClosing, kClosed };
  using HeadParser = boost::beast::http::request_parser<boost::beast::http::empty_body>;
  using BodyParser = boost::beast::http::request_parser<boost::beast::http::string_body>;
  using StreamParser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;

  void ReadNext();
  void ReadHead();
  void OnHead(boost::beast::error_code ec, size_t n);
  std::optional<Response> EarlyResponse(const Request& head);
  void ReadBody();
  void OnBody(boost::beast::error_code ec, size_t n);
  void CallAsync();
  void OnDeferred(Response r);
  void WriteContinueThen(void (Session::*next)());
  void WriteResponse(Response r);
  void OnWritten(boost::beast::error_code ec, size_t n, bool close);
  void FailRequest(int status, std::string_view message, bool use_413_hook);

  void StartStream();
  void OnStreamStart(StreamStart start);
  void WriteStreamHead();
  void ReadPiece();
  void OnPiece(boost::beast::error_code ec, size_t n);
  template <typename Next>
  void FlushChunk(bool last, Next next);
  void FinishStream();
  void AbortStream();

  void LingeringClose();
  void Drain(size_t drained);
  void Close();

  // Runs `work` inline or on the handler pool, then `then(result)` back on this strand.
  template <typename Work, typename Then>
  void Dispatch(Work work, Then then);
  template <typename Body>
  Request MakeRequest(const boost::beast::http::request<Body>& msg, std::string_view body);
  void ResetRequest();

  std::shared_ptr<ServerState> state_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  Phase phase_ = Phase::kIdle;
  bool registered_ = false;
  // Set while a deferred response is awaited: the session keeps itself alive (a Responder
  // holds it only weakly). Cleared when the answer arrives or the session closes.
  std::shared_ptr<Session> pending_self_;

  // The request being served.
  std::optional<HeadParser> head_parser_;
  std::optional<BodyParser> body_parser_;
  std::optional<StreamParser> stream_parser_;
  std::string target_;
  std::string_view path_, query_;
  RouteMatch match_;
  std::optional<Response> early_;  // decided from the head: 403/404/405/400
  bool keep_alive_ = true;
  bool close_after_ = false;
  bool expect_continue_ = false;
  unsigned version_ = 11;
  int status_ = 0;
  std::chrono::steady_clock::time_point start_;

  // Streaming.
  std::unique_ptr<BodyStream> body_stream_;
  std::shared_ptr<void> head_out_;  // the chunked response head while it is written
  std::vector<char> piece_;
  ChunkWriter writer_;
  std::string chunk_out_;
};

inline std::string_view ToStd(boost::beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace pinpipe::http::internal

namespace pinpipe::http {

// What every copy of one Responder shares.
struct Responder::State {
  State(std::shared_ptr<internal::ServerState> server, std::weak_ptr<internal::Session> session)
      : server(std::move(server)), session(std::move(session)) {}
  ~State();  // answers 500 if no copy was called
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  void Deliver(Response r);

  const std::shared_ptr<internal::ServerState> server;
  const std::weak_ptr<internal::Session> session;
  std::atomic<bool> answered{false};
};

}  // namespace pinpipe::http

namespace pinpipe::http::internal {

template <typename Work, typename Then>
inline void Session::Dispatch(Work work, Then then) {
  if (!state_->pool) {
    then(work());
    return;
  }
  boost::asio::post(*state_->pool, [self = shared_from_this(), work = std::move(work),
                            then = std::move(then)]() mutable {
    auto result = work();
    boost::asio::post(self->stream_.get_executor(),
              [self, result = std::move(result), then = std::move(then)]() mutable {
                then(std::move(result));
              });
  });
}

template <typename Body>
inline Request Session::MakeRequest(const boost::beast::http::request<Body>& msg, std::string_view body) {
  std::vector<HeaderView> headers;
  headers.reserve(16);
  for (const auto& f : msg) headers.emplace_back(internal::ToStd(f.name_string()), internal::ToStd(f.value()));
  return Request(internal::ToStd(msg.method_string()), target_, path_, query_, std::move(headers), body,
                 &match_.params);
}

}  // namespace pinpipe::http::internal
