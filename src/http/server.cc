#include "http/server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <cstdio>
#include <exception>
#include <thread>
#include <utility>
#include <vector>

#include "http/session.h"

namespace pinpipe::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using internal::ServerState;
using internal::Session;

Status ValidateOptions(const ServerOptions& o, const Router& router) {
  if (router.empty()) return InvalidArgumentError("http server: the router has no routes");
  if (o.io_threads < 1) return InvalidArgumentError("http server: io_threads must be >= 1");
  if (o.handler_threads < 0) return InvalidArgumentError("http server: handler_threads < 0");
  if (o.max_connections < 1) return InvalidArgumentError("http server: max_connections < 1");
  if (o.max_header_bytes < 64) return InvalidArgumentError("http server: max_header_bytes < 64");
  if (!o.base_path.empty() && (o.base_path[0] != '/' || o.base_path == "/")) {
    return InvalidArgumentError("http server: base_path must look like \"/stage\"");
  }
  return Status::OK();
}

}  // namespace

Response DefaultErrorResponse(int status, std::string_view message) {
  Response r;
  r.status = status;
  r.content_type = "text/plain";
  r.body = std::string(message) + "\n";
  return r;
}

struct Server::Impl {
  enum class Phase { kOpen, kRunning, kStopped };

  void Accept();
  void RunIo();

  std::shared_ptr<ServerState> state;
  std::unique_ptr<net::io_context> ioc;  // declared before acceptor: destroyed after it
  std::unique_ptr<tcp::acceptor> acceptor;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  uint16_t port = 0;
  Phase phase = Phase::kOpen;
};

void Server::Impl::Accept() {
  acceptor->async_accept(net::make_strand(*ioc), [this](boost::system::error_code ec,
                                                        tcp::socket socket) {
    if (!acceptor->is_open() || state->stopping.load()) return;
    // Errors such as EMFILE concern one connection; keep accepting.
    if (!ec) std::make_shared<Session>(std::move(socket), state)->Start();
    Accept();
  });
}

void Server::Impl::RunIo() {
  // Boost may throw from run(); our handlers do not. Report and keep the thread serving.
  while (true) {
    try {
      ioc->run();
      return;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "pinpipe http: io thread: %s\n", e.what());
    }
  }
}

Result<std::unique_ptr<Server>> Server::Open(const ServerOptions& options, Router router,
                                             ServerHooks hooks) {
  RETURN_IF_ERROR(ValidateOptions(options, router));
  auto impl = std::make_unique<Impl>();
  impl->state = std::make_shared<ServerState>(options, std::move(router), std::move(hooks));
  impl->ioc = std::make_unique<net::io_context>(options.io_threads);

  boost::system::error_code ec;
  std::string where = options.host + ":" + std::to_string(options.port);
  tcp::endpoint endpoint;
  net::ip::address address = net::ip::make_address(options.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options.port);
  } else {
    tcp::resolver resolver(*impl->ioc);
    auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec || results.empty()) {
      return InvalidArgumentError("http server: cannot resolve " + where + ": " + ec.message());
    }
    endpoint = results.begin()->endpoint();
  }
  impl->acceptor = std::make_unique<tcp::acceptor>(net::make_strand(*impl->ioc));
  tcp::acceptor& a = *impl->acceptor;
  if (a.open(endpoint.protocol(), ec); ec) {
    return IOError("http server: socket for " + where + ": " + ec.message());
  }
  a.set_option(net::socket_base::reuse_address(true), ec);
  if (a.bind(endpoint, ec); ec) return IOError("http server: bind " + where + ": " + ec.message());
  if (a.listen(net::socket_base::max_listen_connections, ec); ec) {
    return IOError("http server: listen " + where + ": " + ec.message());
  }
  impl->port = a.local_endpoint(ec).port();
  if (ec) return IOError("http server: local address: " + ec.message());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(std::chrono::milliseconds(0)).IgnoreError(); }

uint16_t Server::port() const { return impl_->port; }

MetricsSnapshot Server::metrics() const { return impl_->state->metrics.Snapshot(); }

Status Server::Start() {
  if (impl_->phase != Impl::Phase::kOpen) {
    return FailedPreconditionError("http server: Start() after Start() or Stop()");
  }
  const ServerOptions& o = impl_->state->options;
  try {
    if (o.handler_threads > 0) {
      impl_->state->pool = std::make_unique<net::thread_pool>(o.handler_threads);
    }
    impl_->work.emplace(net::make_work_guard(*impl_->ioc));
    impl_->Accept();
    impl_->phase = Impl::Phase::kRunning;
    for (int i = 0; i < o.io_threads; ++i) {
      impl_->threads.emplace_back([impl = impl_.get()] { impl->RunIo(); });
    }
  } catch (const std::exception& e) {
    Status s = InternalError(std::string("http server: cannot start threads: ") + e.what());
    Stop(std::chrono::milliseconds(0)).IgnoreError();
    return s;
  }
  return Status::OK();
}

Status Server::Stop(std::chrono::milliseconds grace) {
  Impl& impl = *impl_;
  if (impl.phase == Impl::Phase::kStopped) return Status::OK();
  ServerState& state = *impl.state;
  std::vector<std::weak_ptr<Session>> sessions;
  {
    std::lock_guard<std::mutex> lock(state.mu);
    state.stopping.store(true);
    for (auto& [ptr, weak] : state.sessions) sessions.push_back(weak);
  }
  if (impl.phase == Impl::Phase::kOpen) {  // never started: nothing runs the io_context
    boost::system::error_code ec;
    impl.acceptor->close(ec);
    impl.phase = Impl::Phase::kStopped;
    return Status::OK();
  }
  net::post(impl.acceptor->get_executor(), [&impl] {
    boost::system::error_code ec;
    impl.acceptor->close(ec);
  });
  for (auto& weak : sessions) {
    if (auto s = weak.lock()) s->NotifyStop();
  }

  Status result;
  {
    std::unique_lock<std::mutex> lock(state.mu);
    auto deadline = std::chrono::steady_clock::now() + grace;
    if (!state.cv.wait_until(lock, deadline, [&] { return state.sessions.empty(); })) {
      result = DeadlineExceededError("http server: " + std::to_string(state.sessions.size()) +
                                     " connection(s) still busy after the grace period");
      sessions.clear();
      for (auto& [ptr, weak] : state.sessions) sessions.push_back(weak);
    }
  }
  for (auto& weak : sessions) {
    if (auto s = weak.lock()) s->ForceClose();
  }
  if (state.hooks.on_drain) state.hooks.on_drain();
  if (state.pool) state.pool->join();  // waits for handlers still running
  impl.work.reset();
  if (!result.ok()) {
    // Give the forced closes a moment to run before the io threads are stopped.
    std::unique_lock<std::mutex> lock(state.mu);
    state.cv.wait_for(lock, std::chrono::seconds(1), [&] { return state.sessions.empty(); });
  }
  impl.ioc->stop();
  for (std::thread& t : impl.threads) t.join();
  impl.threads.clear();
  {
    // From now on deferred answers are dropped instead of posted.
    std::lock_guard<std::mutex> lock(state.post_mu);
    state.io_down = true;
  }
  // A session still waiting for a deferred answer keeps itself alive; release it now, while
  // its io_context exists (it unregisters, so collect first).
  sessions.clear();
  {
    std::lock_guard<std::mutex> lock(state.mu);
    for (auto& [ptr, weak] : state.sessions) sessions.push_back(weak);
  }
  for (auto& weak : sessions) {
    if (auto s = weak.lock()) s->ReleaseAfterStop();
  }
  impl.phase = Impl::Phase::kStopped;
  return result;
}

}  // namespace pinpipe::http
