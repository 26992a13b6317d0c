// Internal to http/: one accepted connection (Session) and the state every session shares with
// the Server (ServerState). Includes Boost; only server.cc and session.cc include this.
//
// A Session is a chain of asynchronous steps on the io_context of one io thread (each io thread
// runs an io_context of its own), so at most one step of a session runs at a time and no
// strand is needed: read request -> route -> read body -> handler -> write -> repeat.
// It is kept alive by the shared_ptr each pending step holds; when the chain ends it is
// destroyed and unregisters itself.
//
// Deferred answers (Responder) reach their session through the Loop of its io thread: any
// thread queues there, and one posted step per batch answers every queued request, so a group
// commit that completes 64 requests wakes the io thread once, not 64 times.
//
// Timeouts: before each socket operation a session sets a deadline (a clock read, no timer);
// its Loop sweeps its sessions a few times per shortest timeout and cancels the operation of
// any session past its deadline, which then fails as beast::error::timeout. A timeout thus
// fires up to one sweep period late, and no operation pays for arming and cancelling a timer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <memory_resource>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "base/thread_annotations.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"

namespace pinpipe::http::internal {

class Session;

using Executor = boost::asio::io_context::executor_type;
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;

// What one io thread serves: the deferred answers waiting for it (Post from any thread; they
// run on the io thread in the order posted, a batch per wake-up), and its sessions, whose
// deadlines it sweeps.
class Loop {
 public:
  Loop(boost::asio::io_context* ioc, std::chrono::milliseconds sweep_every)
      : ioc_(ioc), sweep_every_(sweep_every) {}
  // Queues `r` for `session` (any thread); dropped if the session is gone or once Close()
  // has run (the io thread is gone). The loop holds the session until its io thread has
  // answered, so the session is released there.
  void Post(const std::weak_ptr<Session>& session, Response r) LOCKS_EXCLUDED(mu_);
  // After the io thread has been joined (or if it never ran): later posts are dropped,
  // queued ones released, the sweep timer destroyed while its io_context exists.
  void Close() LOCKS_EXCLUDED(mu_);

  // The sessions the sweep looks at. Add on the io thread; Remove from any thread (a
  // session may be released last by a handler-pool thread).
  void Add(Session* s) LOCKS_EXCLUDED(sessions_mu_);
  void Remove(Session* s) LOCKS_EXCLUDED(sessions_mu_);
  // Before the io thread starts: sweeps every sweep_every from then on.
  void StartSweep();

 private:
  using Item = std::pair<std::shared_ptr<Session>, Response>;
  void Run() LOCKS_EXCLUDED(mu_);  // io thread
  void Sweep();                    // io thread

  boost::asio::io_context* const ioc_;
  const std::chrono::milliseconds sweep_every_;
  std::unique_ptr<boost::asio::steady_timer> sweep_timer_;
  std::mutex sessions_mu_;  // uncontended but for a sweep
  std::unordered_set<Session*> sessions_ GUARDED_BY(sessions_mu_);
  std::mutex mu_;
  std::vector<Item> items_ GUARDED_BY(mu_);
  bool scheduled_ GUARDED_BY(mu_) = false;  // a Run is posted and has not taken items_ yet
  bool closed_ GUARDED_BY(mu_) = false;
  std::vector<Item> running_;  // io thread only: the batch being answered
};

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

  // One per io thread (Server::Impl owns the io_contexts), set by Open.
  std::vector<std::unique_ptr<Loop>> loops;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket socket, std::shared_ptr<ServerState> state, Loop* loop);
  ~Session();

  // Registers and starts reading, or answers 503 and closes when over max_connections.
  void Start();
  // Server stopping: close now if waiting for a request, else after the current response.
  void NotifyStop();
  // Grace period over: close the socket whatever the session is doing.
  void ForceClose();
  // io thread (Loop): the deferred answer has arrived.
  void OnDeferred(Response r);
  // io thread (Loop): cancels the pending operation if the deadline has passed.
  void OnSweep(std::chrono::steady_clock::time_point now);
  // After the io threads are joined: drop the self-reference a pending deferred request
  // holds, so the session is destroyed while its io_context still exists.
  void ReleaseAfterStop() { pending_self_.reset(); }

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting, kClosing, kClosed };
  // The parsers' header fields live in the session's arena (see arena_).
  using FieldAlloc = std::pmr::polymorphic_allocator<char>;
  using HeadParser = boost::beast::http::request_parser<boost::beast::http::empty_body, FieldAlloc>;
  using BodyParser =
      boost::beast::http::request_parser<boost::beast::http::string_body, FieldAlloc>;
  using StreamParser =
      boost::beast::http::request_parser<boost::beast::http::buffer_body, FieldAlloc>;

  void ReadNext();
  void ReadHead();
  // Parses the head from buffer_, reading more until it is whole; then OnHead.
  void ParseHead();
  void OnHead(boost::beast::error_code ec, size_t n);
  // The answer decided from the head alone (403/404/405/400), or nullopt to go on.
  std::optional<Response> EarlyResponse();
  void ReadBody();
  void ReadBodyInPlace();
  void OnBody(boost::beast::error_code ec, size_t n);
  // The body of the request being handled, and the Request a handler gets.
  std::string_view RequestBody() const;
  Request CurrentRequest();
  void CallAsync();
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

  // The next socket operation fails with beast::error::timeout unless done within `d`.
  void SetDeadline(std::chrono::milliseconds d);
  // `ec` of a completed operation, with a cancellation by the sweep reported as a timeout.
  boost::beast::error_code Checked(boost::beast::error_code ec) const;

  void LingeringClose();
  void Drain(size_t drained);
  void Close();

  // Runs `work` inline or on the handler pool, then `then(result)` back on this strand.
  template <typename Work, typename Then>
  void Dispatch(Work work, Then then);
  // Before a body is handed over: kBodyPadding readable bytes behind it (Request::body()).
  void PadBody();
  template <typename Body>
  Request MakeRequest(
      const boost::beast::http::request<Body, boost::beast::http::basic_fields<FieldAlloc>>& msg,
      std::string_view body);
  void ResetRequest();

  std::shared_ptr<ServerState> state_;
  Loop* const loop_;
  Socket socket_;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  bool timed_out_ = false;  // the sweep cancelled the pending operation
  bool in_loop_ = false;    // added to loop_ (on the io thread)
  boost::beast::flat_buffer buffer_;
  size_t head_bytes_ = 0;  // bytes of the current request's head parsed so far
  Phase phase_ = Phase::kIdle;
  bool registered_ = false;
  // Set while a deferred response is awaited: the session keeps itself alive (a Responder
  // holds it only weakly). Cleared when the answer arrives or the session closes.
  std::shared_ptr<Session> pending_self_;

  // The request being served. Its header fields are allocated from arena_, which starts in
  // arena_buffer_ and is released once the response is written (ResetRequest), so a request
  // whose head fits the buffer allocates nothing for its fields.
  alignas(std::max_align_t) char arena_buffer_[2048];
  std::pmr::monotonic_buffer_resource arena_{arena_buffer_, sizeof(arena_buffer_)};
  std::optional<HeadParser> head_parser_;
  std::optional<BodyParser> body_parser_;
  // Set when the body (this many bytes, Content-Length) is read into buffer_ right behind the
  // head and used in place; buffer_ drops it once the response is written (ResetRequest).
  // Chunked bodies, and bodies read only to be discarded, go through body_parser_.
  std::optional<size_t> body_in_place_;
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
  // The response being written; reused, so a response costs no allocation once warm.
  std::string out_head_;
  std::string out_body_;

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
  State(std::shared_ptr<internal::ServerState> server, internal::Loop* loop,
        std::weak_ptr<internal::Session> session)
      : server(std::move(server)), loop(loop), session(std::move(session)) {}
  ~State();  // answers 500 if no copy was called
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  void Deliver(Response r);

  const std::shared_ptr<internal::ServerState> server;  // keeps `loop` alive
  internal::Loop* const loop;
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
    auto executor = self->socket_.get_executor();
    // The answer holds the only reference, so the session is released on its io thread.
    boost::asio::post(executor, [self = std::move(self), result = std::move(result),
                                 then = std::move(then)]() mutable { then(std::move(result)); });
  });
}

template <typename Body>
inline Request Session::MakeRequest(
    const boost::beast::http::request<Body, boost::beast::http::basic_fields<FieldAlloc>>& msg,
    std::string_view body) {
  std::vector<HeaderView> headers;
  headers.reserve(16);
  for (const auto& f : msg)
    headers.emplace_back(internal::ToStd(f.name_string()), internal::ToStd(f.value()));
  return Request(internal::ToStd(msg.method_string()), target_, path_, query_, std::move(headers),
                 body, &match_.params);
}

}  // namespace pinpipe::http::internal
