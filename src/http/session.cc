#include "http/session.h"

#include <algorithm>
#include <array>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>

#include "http/framing.h"
#include "http/response_head.h"

namespace pinpipe::http::internal {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr size_t kFirstReadBytes = 16 * 1024;
constexpr size_t kKeepBufferBytes = 256 * 1024;
constexpr size_t kMaxDrainBytes = 8 * 1024 * 1024;
constexpr std::chrono::seconds kDrainTime{2};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kRefused =
    "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n"
    "Content-Length: 20\r\n\r\ntoo many connections";

std::string_view SV(beast::string_view s) { return std::string_view(s.data(), s.size()); }

bool KeyMatches(std::string_view given, std::string_view want) {
  // Constant time in the key's contents, so the key cannot be guessed byte by byte.
  unsigned diff = given.size() == want.size() ? 0 : 1;
  for (size_t i = 0; i < want.size(); ++i) {
    diff |= static_cast<unsigned char>(want[i]) ^
            static_cast<unsigned char>(i < given.size() ? given[i] : 0);
  }
  return diff == 0;
}

bool IsHttpError(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
}

}  // namespace

bool ServerState::TryRegister(Session* s, std::weak_ptr<Session> w) {
  std::lock_guard<std::mutex> lock(mu);
  if (stopping.load() || sessions.size() >= options.max_connections) return false;
  sessions.emplace(s, std::move(w));
  metrics.ConnectionAccepted();
  return true;
}

void ServerState::Unregister(Session* s) {
  std::lock_guard<std::mutex> lock(mu);
  sessions.erase(s);
  metrics.ConnectionClosed();
  cv.notify_all();
}

void Loop::Post(const std::weak_ptr<Session>& session, Response r) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return;
  std::shared_ptr<Session> s = session.lock();
  if (!s) return;  // the connection closed meanwhile
  items_.emplace_back(std::move(s), std::move(r));
  if (scheduled_) return;
  scheduled_ = true;
  // Posting under mu_ keeps the io_context alive until the post is queued (Close comes
  // after the io thread is joined and before the io_context is destroyed).
  net::post(*ioc_, [this] { Run(); });
}

void Loop::Run() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    scheduled_ = false;
    running_.swap(items_);
  }
  for (Item& item : running_) item.first->OnDeferred(std::move(item.second));
  running_.clear();  // the sessions are released here, on their io thread
}

void Loop::Close() {
  std::vector<Item> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    dropped.swap(items_);
  }
  sweep_timer_.reset();
}

void Loop::StartSweep() {
  sweep_timer_ = std::make_unique<net::steady_timer>(*ioc_);
  Sweep();
}

void Loop::Add(Session* s) {
  std::lock_guard<std::mutex> lock(sessions_mu_);
  sessions_.insert(s);
}

void Loop::Remove(Session* s) {
  std::lock_guard<std::mutex> lock(sessions_mu_);
  sessions_.erase(s);
}

void Loop::Sweep() {
  const auto now = std::chrono::steady_clock::now();
  {
    // OnSweep only cancels (the close runs later), so sessions_ does not change under the
    // walk; a session being destroyed elsewhere waits in Remove until the walk is over.
    std::lock_guard<std::mutex> lock(sessions_mu_);
    for (Session* s : sessions_) s->OnSweep(now);
  }
  sweep_timer_->expires_after(sweep_every_);
  sweep_timer_->async_wait([this](beast::error_code ec) {
    if (!ec) Sweep();
  });
}

Session::Session(Socket socket, std::shared_ptr<ServerState> state, Loop* loop)
    : state_(std::move(state)), loop_(loop), socket_(std::move(socket)) {}

Session::~Session() {
  if (in_loop_) loop_->Remove(this);
  if (body_stream_) body_stream_->OnAbort();
  if (registered_) state_->Unregister(this);
}

void Session::Start() {
  if (!state_->TryRegister(this, weak_from_this())) {
    // Refused: a best-effort 503 without blocking the acceptor, then close.
    state_->metrics.ConnectionRefused();
    beast::error_code ec;
    Socket& s = socket_;
    s.non_blocking(true, ec);
    s.write_some(net::buffer(kRefused.data(), kRefused.size()), ec);
    s.shutdown(tcp::socket::shutdown_both, ec);
    s.close(ec);
    return;
  }
  registered_ = true;
  beast::error_code ec;
  socket_.set_option(tcp::no_delay(true), ec);
  // WriteResponse writes directly first and must not block (Asio's own operations do not
  // depend on this mode).
  socket_.non_blocking(true, ec);
  net::dispatch(socket_.get_executor(), [self = shared_from_this()] {
    self->loop_->Add(self.get());
    self->in_loop_ = true;
    self->ReadNext();
  });
}

void Session::SetDeadline(std::chrono::milliseconds d) {
  deadline_ = std::chrono::steady_clock::now() + d;
  timed_out_ = false;
}

void Session::OnSweep(std::chrono::steady_clock::time_point now) {
  if (phase_ == Phase::kHandling || phase_ == Phase::kClosed || now < deadline_) return;
  deadline_ = std::chrono::steady_clock::time_point::max();
  timed_out_ = true;
  beast::error_code ec;
  socket_.cancel(ec);
}

beast::error_code Session::Checked(beast::error_code ec) const {
  if (ec == net::error::operation_aborted && timed_out_) return beast::error::timeout;
  return ec;
}

void Session::NotifyStop() {
  net::post(socket_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    if (self->phase_ == Phase::kIdle) self->socket_.cancel(ec);
  });
}

void Session::ForceClose() {
  net::post(socket_.get_executor(), [self = shared_from_this()] { self->Close(); });
}

void Session::ResetRequest() {
  if (body_in_place_) {
    buffer_.consume(*body_in_place_);  // a pipelined request may follow it
    body_in_place_.reset();
    // A large body grew the buffer: give the memory back rather than keep it per connection.
    if (buffer_.capacity() > kKeepBufferBytes) buffer_.shrink_to_fit();
  }
  head_parser_.reset();
  body_parser_.reset();
  stream_parser_.reset();
  arena_.release();  // nothing allocated from it is left
  early_.reset();
  match_.route = nullptr;  // the rest is reused by the next Lookup
  close_after_ = false;
  expect_continue_ = false;
}

void Session::ReadNext() {
  phase_ = Phase::kIdle;
  if (state_->stopping.load()) return Close();
  if (buffer_.size() > 0) return ReadHead();  // a pipelined request is already here
  SetDeadline(state_->options.idle_timeout);
  socket_.async_read_some(buffer_.prepare(kFirstReadBytes),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            ec = self->Checked(ec);
                            if (ec) {
                              if (ec == beast::error::timeout) self->state_->metrics.Timeout();
                              return self->Close();
                            }
                            self->buffer_.commit(n);
                            self->ReadHead();
                          });
}

void Session::ReadHead() {
  phase_ = Phase::kReading;
  head_parser_.emplace(std::piecewise_construct, std::make_tuple(),
                       std::make_tuple(FieldAlloc(&arena_)));
  head_parser_->header_limit(state_->options.max_header_bytes);
  head_parser_->eager(false);  // stop at the end of the head, as async_read_header does
  head_bytes_ = 0;
  // One deadline for the whole head, however many reads it takes (slowloris).
  SetDeadline(state_->options.header_timeout);
  ParseHead();
}

void Session::ParseHead() {
  // What http::async_read_header does, without its composed operation and the posted
  // completion it makes when the head is already in buffer_ (the usual case): the parser
  // takes the head once it is whole, within header_limit.
  if (buffer_.size() > 0) {
    beast::error_code ec;
    const size_t used = head_parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    head_bytes_ += used;
    if (ec != bhttp::error::need_more) return OnHead(ec, head_bytes_);
  }
  socket_.async_read_some(buffer_.prepare(kFirstReadBytes), [self = shared_from_this()](
                                                                beast::error_code ec, size_t n) {
    self->buffer_.commit(n);
    ec = self->Checked(ec);
    if (ec == net::error::eof) {
      // The peer closed: before a request began (end_of_stream), or within its head.
      ec = self->head_parser_->got_some() ? beast::error_code(bhttp::error::partial_message)
                                          : beast::error_code(bhttp::error::end_of_stream);
    }
    if (ec) return self->OnHead(ec, self->head_bytes_);
    self->ParseHead();
  });
}

void Session::OnHead(beast::error_code ec, size_t n) {
  state_->metrics.AddBytesRead(n);
  start_ = std::chrono::steady_clock::now();
  if (ec == bhttp::error::header_limit) {
    return FailRequest(431, "request header fields too large", false);
  }
  if (ec == beast::error::timeout) state_->metrics.Timeout();
  if (ec && IsHttpError(ec) && ec != bhttp::error::end_of_stream &&
      ec != bhttp::error::partial_message) {
    return FailRequest(400, "malformed request", false);
  }
  if (ec) return Close();

  const auto& msg = head_parser_->get();
  if (!FramingIsUnambiguous(msg.base())) {
    return FailRequest(400, "ambiguous message framing (Transfer-Encoding)", false);
  }
  version_ = msg.version();
  keep_alive_ = msg.keep_alive();
  target_.assign(SV(msg.target()));
  std::string_view target = target_;
  size_t q = target.find('?');
  query_ = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  path_ = StripBasePath(target.substr(0, q), state_->options.base_path);
  expect_continue_ = EqualsIgnoreCase(SV(msg[bhttp::field::expect]), "100-continue");
  if (target.empty() || target[0] != '/') {
    return FailRequest(400, "request target must be a path", false);
  }
  state_->router.Lookup(SV(msg.method_string()), path_, &match_);

  phase_ = Phase::kHandling;
  early_ = EarlyResponse();
  if (early_) {
    // Without a body to skip (or with a client waiting for 100-continue), answer now.
    bool no_body = head_parser_->is_done();
    if (!no_body && (expect_continue_ || !head_parser_->content_length())) close_after_ = true;
    if (no_body || close_after_) return WriteResponse(std::move(*early_));
    return ReadBody();  // read (bounded) and discard, to keep the connection usable
  }
  if (match_.route->streaming) return StartStream();
  if (head_parser_->content_length() &&
      *head_parser_->content_length() > state_->options.max_body_bytes) {
    return FailRequest(413, "request body too large", true);
  }
  if (expect_continue_ && !head_parser_->is_done()) return WriteContinueThen(&Session::ReadBody);
  ReadBody();
}

std::optional<Response> Session::EarlyResponse() {
  const auto& msg = head_parser_->get();
  const ServerOptions& o = state_->options;
  const ServerHooks& h = state_->hooks;
  const Route* route = match_.kind == RouteMatch::Kind::kFound ? match_.route : nullptr;
  if (!o.api_key.empty() && !(route && route->options.skip_api_key) &&
      !KeyMatches(SV(msg["x-api-key"]), o.api_key)) {
    Response r{403,
               "application/json",
               {{"x-amzn-ErrorType", "ForbiddenException"}},
               R"({"message":"Forbidden"})"};
    return r;
  }
  switch (match_.kind) {
    case RouteMatch::Kind::kFound:
      return std::nullopt;
    case RouteMatch::Kind::kNotFound:
      return h.not_found ? h.not_found(MakeRequest(msg, {}))
                         : DefaultErrorResponse(404, "not found");
    case RouteMatch::Kind::kBadParam:
      return h.bad_request ? h.bad_request(MakeRequest(msg, {}), match_.error)
                           : DefaultErrorResponse(400, match_.error);
    case RouteMatch::Kind::kMethodNotAllowed: {
      Response r = h.method_not_allowed ? h.method_not_allowed(MakeRequest(msg, {}), match_.allow)
                                        : DefaultErrorResponse(405, "method not allowed");
      bool has_allow = std::any_of(r.headers.begin(), r.headers.end(), [](const Header& x) {
        return EqualsIgnoreCase(x.name, "allow");
      });
      if (!has_allow) r.headers.push_back({"Allow", match_.allow});
      return r;
    }
  }
  return std::nullopt;
}

void Session::FailRequest(int status, std::string_view message, bool use_413_hook) {
  close_after_ = true;
  if (use_413_hook && state_->hooks.payload_too_large) {
    if (body_parser_) {
      return WriteResponse(state_->hooks.payload_too_large(MakeRequest(body_parser_->get(), {})));
    }
    if (head_parser_) {
      return WriteResponse(state_->hooks.payload_too_large(MakeRequest(head_parser_->get(), {})));
    }
  }
  WriteResponse(DefaultErrorResponse(status, message));
}

void Session::WriteContinueThen(void (Session::*next)()) {
  phase_ = Phase::kWriting;
  SetDeadline(state_->options.write_timeout);
  net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                   [self = shared_from_this(), next](beast::error_code ec, size_t n) {
                     self->state_->metrics.AddBytesWritten(n);
                     ec = self->Checked(ec);
                     if (ec) return self->Close();
                     ((*self).*next)();
                   });
}

void Session::ReadBody() {
  phase_ = Phase::kReading;
  SetDeadline(state_->options.body_timeout);
  if (!early_ && head_parser_->content_length() && !head_parser_->chunked()) {
    // The body is read into buffer_ behind the head and handed to the handler in place: no
    // body parser copying it piece by piece into a string of its own.
    body_in_place_ = static_cast<size_t>(*head_parser_->content_length());
    return ReadBodyInPlace();
  }
  body_parser_.emplace(std::move(*head_parser_));
  head_parser_.reset();
  body_parser_->body_limit(state_->options.max_body_bytes);
  bhttp::async_read(socket_, buffer_, *body_parser_,
                    [self = shared_from_this()](beast::error_code ec, size_t n) {
                      self->OnBody(self->Checked(ec), n);
                    });
}

void Session::ReadBodyInPlace() {
  if (buffer_.size() >= *body_in_place_) return OnBody({}, 0);
  const size_t missing = *body_in_place_ - buffer_.size();
  socket_.async_read_some(buffer_.prepare(std::max(missing, kFirstReadBytes)),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->state_->metrics.AddBytesRead(n);
                            ec = self->Checked(ec);
                            if (ec) {
                              if (ec == beast::error::timeout) self->state_->metrics.Timeout();
                              return self->Close();  // the peer left mid-body, or too slow
                            }
                            self->buffer_.commit(n);
                            self->ReadBodyInPlace();
                          });
}

void Session::PadBody() {
  if (body_in_place_) {
    // Room behind what buffer_ holds, so behind the body too. May move the bytes: views of
    // the body are taken after this.
    buffer_.prepare(kBodyPadding);
  } else if (body_parser_) {
    std::string& body = body_parser_->get().body();
    body.reserve(body.size() + kBodyPadding);
  }
}

std::string_view Session::RequestBody() const {
  if (body_in_place_) return {static_cast<const char*>(buffer_.data().data()), *body_in_place_};
  return body_parser_->get().body();
}

Request Session::CurrentRequest() {
  if (body_in_place_) return MakeRequest(head_parser_->get(), RequestBody());
  return MakeRequest(body_parser_->get(), RequestBody());
}

void Session::OnBody(beast::error_code ec, size_t n) {
  state_->metrics.AddBytesRead(n);
  if (ec == bhttp::error::body_limit) return FailRequest(413, "request body too large", true);
  if (ec == beast::error::timeout) state_->metrics.Timeout();
  if (ec && IsHttpError(ec) && ec != bhttp::error::end_of_stream &&
      ec != bhttp::error::partial_message) {
    return FailRequest(400, "malformed request body", false);
  }
  if (ec) return Close();
  PadBody();
  phase_ = Phase::kHandling;
  if (early_) return WriteResponse(std::move(*early_));
  if (match_.route->async) return CallAsync();
  Dispatch(
      [self = shared_from_this()] { return self->match_.route->handler(self->CurrentRequest()); },
      [self = shared_from_this()](Response r) { self->WriteResponse(std::move(r)); });
}

void Session::CallAsync() {
  pending_self_ = shared_from_this();
  match_.route->async(CurrentRequest(), Responder(std::make_shared<Responder::State>(
                                            state_, loop_, weak_from_this())));
}

void Session::OnDeferred(Response r) {
  std::shared_ptr<Session> keep = std::move(pending_self_);
  if (phase_ != Phase::kHandling) return;  // closed while the answer was pending
  WriteResponse(std::move(r));
}

void Session::WriteResponse(Response r) {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kWriting;
  const bool keep_alive = keep_alive_ && !close_after_ && !state_->stopping.load();
  status_ = r.status;
  out_head_.clear();
  AppendResponseHead(r, version_, keep_alive, &out_head_);
  out_body_ = std::move(r.body);
  if (StatusHasNoBody(r.status)) out_body_.clear();
  SetDeadline(state_->options.write_timeout);
  // An answer usually fits the socket's send buffer: it is written here, with no
  // asynchronous operation and no completion to post; only a rest goes asynchronously.
  const size_t total = out_head_.size() + out_body_.size();
  beast::error_code ec;
  size_t n = socket_.write_some(
      std::array<net::const_buffer, 2>{net::buffer(out_head_), net::buffer(out_body_)}, ec);
  if (ec == net::error::would_block || ec == net::error::try_again) {
    ec = {};
    n = 0;
  }
  if (ec || n == total) {
    // buffer_ still holds the body read in place (ResetRequest drops it); past it, only a
    // pipelined request can be.
    const bool pipelined = buffer_.size() > body_in_place_.value_or(0);
    if (!pipelined) return OnWritten(ec, n, !keep_alive);
    // A pipelined request is waiting in buffer_: answering it from here could nest one call
    // chain per request, so it starts afresh from the io_context.
    return net::post(socket_.get_executor(), [self = shared_from_this(), ec, n, keep_alive] {
      self->OnWritten(ec, n, !keep_alive);
    });
  }
  const size_t head_done = std::min(n, out_head_.size());
  const std::array<net::const_buffer, 2> rest{net::buffer(out_head_) + head_done,
                                              net::buffer(out_body_) + (n - head_done)};
  net::async_write(socket_, rest,
                   [self = shared_from_this(), keep_alive, n](beast::error_code ec, size_t m) {
                     self->OnWritten(self->Checked(ec), n + m, !keep_alive);
                   });
}

void Session::OnWritten(beast::error_code ec, size_t n, bool close) {
  state_->metrics.AddBytesWritten(n);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start_);
  state_->metrics.RecordRequest(status_, static_cast<uint64_t>(micros.count()));
  ResetRequest();
  if (ec == beast::error::timeout) state_->metrics.Timeout();
  if (ec) return Close();
  if (close) return LingeringClose();
  ReadNext();
}

void Session::LingeringClose() {
  // Closing with unread request bytes makes the kernel send RST, which can destroy the response
  // we just sent before the client reads it; so half-close and drain (bounded) first.
  phase_ = Phase::kClosing;
  beast::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return Close();
  buffer_.consume(buffer_.size());
  SetDeadline(std::chrono::duration_cast<std::chrono::milliseconds>(kDrainTime));
  Drain(0);
}

void Session::Drain(size_t drained) {
  socket_.async_read_some(buffer_.prepare(kFirstReadBytes),
                          [self = shared_from_this(), drained](beast::error_code ec, size_t n) {
                            self->buffer_.consume(self->buffer_.size());
                            if (ec || drained + n > kMaxDrainBytes) return self->Close();
                            self->Drain(drained + n);
                          });
}

void Session::Close() {
  std::shared_ptr<Session> keep = std::move(pending_self_);  // a late answer is dropped
  if (phase_ == Phase::kClosed) return;
  // A handler running on the pool still uses body_stream_; the destructor aborts it then.
  if (phase_ != Phase::kHandling) AbortStream();
  phase_ = Phase::kClosed;
  beast::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

}  // namespace pinpipe::http::internal

namespace pinpipe::http {

void Responder::operator()(Response response) const { state_->Deliver(std::move(response)); }

void Responder::State::Deliver(Response r) {
  if (answered.exchange(true)) return;
  // The loop drops the answer once the server's io threads are gone.
  loop->Post(session, std::move(r));
}

Responder::State::~State() {
  if (!answered.load()) Deliver(DefaultErrorResponse(500, "the handler dropped the request"));
}

}  // namespace pinpipe::http
