#include "http/server.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

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

// How often each io thread checks its connections' deadlines: a quarter of the shortest
// timeout, within [10 ms, 250 ms], so a timeout fires at most that much late.
std::chrono::milliseconds SweepPeriod(const ServerOptions& o) {
  auto shortest = std::min({o.idle_timeout, o.header_timeout, o.body_timeout, o.write_timeout});
  return std::clamp(shortest / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(250));
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
  void RunIo(net::io_context& ioc);

  std::shared_ptr<ServerState> state;
  // One per io thread, run by that thread alone; the acceptor lives on the first. Declared
  // before acceptor: destroyed after it.
  std::vector<std::unique_ptr<net::io_context>> iocs;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  size_t next_io = 0;  // the io thread of the next connection (round-robin); acceptor only
  uint16_t port = 0;
  Phase phase = Phase::kOpen;
};

void Server::Impl::Accept() {
  const size_t io = next_io++ % iocs.size();
  acceptor->async_accept(
      iocs[io]->get_executor(), [this, io](boost::system::error_code ec, internal::Socket socket) {
        if (!acceptor->is_open() || state->stopping.load()) return;
        // Errors such as EMFILE concern one connection; keep accepting.
        if (!ec) {
          std::make_shared<Session>(std::move(socket), state, state->loops[io].get())->Start();
        }
        Accept();
      });
}

void Server::Impl::RunIo(net::io_context& ioc) {
  // Boost may throw from run(); our handlers do not. Report and keep the thread serving.
  while (true) {
    try {
      ioc.run();
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
  for (int i = 0; i < options.io_threads; ++i) {
    impl->iocs.push_back(std::make_unique<net::io_context>(1));
    impl->state->loops.push_back(
        std::make_unique<internal::Loop>(impl->iocs.back().get(), SweepPeriod(options)));
  }

  boost::system::error_code ec;
  std::string where = options.host + ":" + std::to_string(options.port);
  tcp::endpoint endpoint;
  net::ip::address address = net::ip::make_address(options.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options.port);
  } else {
    tcp::resolver resolver(*impl->iocs[0]);
    auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec || results.empty()) {
      return InvalidArgumentError("http server: cannot resolve " + where + ": " + ec.message());
    }
    endpoint = results.begin()->endpoint();
  }
  impl->acceptor = std::make_unique<tcp::acceptor>(*impl->iocs[0]);
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
    for (auto& ioc : impl_->iocs) impl_->work.push_back(net::make_work_guard(*ioc));
    for (auto& loop : impl_->state->loops) loop->StartSweep();
    impl_->Accept();
    impl_->phase = Impl::Phase::kRunning;
    for (auto& ioc : impl_->iocs) {
      impl_->threads.emplace_back([impl = impl_.get(), ioc = ioc.get()] { impl->RunIo(*ioc); });
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
    for (auto& loop : state.loops) loop->Close();
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
  impl.work.clear();
  if (!result.ok()) {
    // Give the forced closes a moment to run before the io threads are stopped.
    std::unique_lock<std::mutex> lock(state.mu);
    state.cv.wait_for(lock, std::chrono::seconds(1), [&] { return state.sessions.empty(); });
  }
  for (auto& ioc : impl.iocs) ioc->stop();
  for (std::thread& t : impl.threads) t.join();
  impl.threads.clear();
  // From now on deferred answers are dropped instead of posted.
  for (auto& loop : state.loops) loop->Close();
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
