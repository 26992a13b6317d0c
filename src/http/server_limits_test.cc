// Limits and lifecycle: body and header limits, max connections, timeouts (slowloris),
// graceful shutdown.
#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "base/status_matchers.h"
#include "http/server.h"
#include "http/test_client.h"

namespace pinpipe::http {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::MakeRequest;
using testing::RawClient;
using testing::StartServer;
using namespace std::chrono_literals;

struct Counting {
  std::atomic<int> calls{0};
  Router MakeRouter() {
    Router r;
    EXPECT_THAT(r.Add("POST", "/topics/{t}",
                      [this](const Request& req) {
                        calls++;
                        return Response{200, "", {}, "got " + std::to_string(req.body().size())};
                      }),
                IsOk());
    EXPECT_THAT(r.Add("GET", "/ping",
                      [](const Request&) {
                        return Response{200, "", {}, "pong"};
                      }),
                IsOk());
    return r;
  }
};

ServerHooks TooLargeHook() {
  ServerHooks h;
  h.payload_too_large = [](const Request& req) {
    return Response{413,
                    "application/json",
                    {},
                    R"({"error_code":413,"path":")" + std::string(req.path()) + "\"}"};
  };
  return h;
}

TEST(ServerLimitsTest, BodyOverLimitGets413FromHookAndNeverReachesHandler) {
  Counting counting;
  ServerOptions o;
  o.max_body_bytes = 1024;
  auto server = StartServer(o, counting.MakeRouter(), TooLargeHook());
  ASSERT_NE(server, nullptr);
  {  // Content-Length over the limit: refused from the head, the body is never read.
    RawClient c;
    ASSERT_TRUE(c.Connect(server->port()));
    ASSERT_TRUE(c.Send(MakeRequest("POST", "/topics/a", std::string(1 << 20, 'x'))));
    auto r = c.Read();
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.body, R"({"error_code":413,"path":"/topics/a"})");
    EXPECT_EQ(r.headers["connection"], "close");
    EXPECT_TRUE(c.WaitClosed(10s));
  }
  {  // Chunked body that grows over the limit.
    RawClient c;
    ASSERT_TRUE(c.Connect(server->port()));
    std::string req = "POST /topics/b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i) req += "200\r\n" + std::string(512, 'y') + "\r\n";
    req += "0\r\n\r\n";
    ASSERT_TRUE(c.Send(req));
    auto r = c.Read();
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.body, R"({"error_code":413,"path":"/topics/b"})");
  }
  {  // Expect: 100-continue over the limit: 413 instead of 100.
    RawClient c;
    ASSERT_TRUE(c.Connect(server->port()));
    ASSERT_TRUE(
        c.Send("POST /topics/c HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n"
               "Expect: 100-continue\r\n\r\n"));
    EXPECT_EQ(c.Read().status, 413);
  }
  {  // At the limit: served.
    RawClient c;
    ASSERT_TRUE(c.Connect(server->port()));
    ASSERT_TRUE(c.Send(MakeRequest("POST", "/topics/a", std::string(1024, 'x'))));
    EXPECT_EQ(c.Read().body, "got 1024");
  }
  EXPECT_EQ(counting.calls.load(), 1);
  EXPECT_TRUE(testing::Eventually([&] { return server->metrics().requests_by_class[4] == 3; }));
}

TEST(ServerLimitsTest, ExpectContinueWithinLimitGets100ThenResponse) {
  Counting counting;
  auto server = StartServer({}, counting.MakeRouter());
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(
      c.Send("POST /topics/c HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
             "Expect: 100-continue\r\n\r\n"));
  std::string seen;
  char buf[64];
  ssize_t n = ::recv(c.fd(), buf, sizeof(buf), 0);
  ASSERT_GT(n, 0);
  EXPECT_THAT(std::string(buf, n), HasSubstr("100 Continue"));
  ASSERT_TRUE(c.Send("abc"));
  EXPECT_EQ(c.Read().body, "got 3");
}

TEST(ServerLimitsTest, HeadersOverLimitGet431) {
  Counting counting;
  ServerOptions o;
  o.max_header_bytes = 1024;
  auto server = StartServer(o, counting.MakeRouter());
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/ping", "", "X-Big: " + std::string(2000, 'h') + "\r\n")));
  EXPECT_EQ(c.Read().status, 431);
  EXPECT_TRUE(c.WaitClosed(10s));
  RawClient ok;
  ASSERT_TRUE(ok.Connect(server->port()));
  ASSERT_TRUE(
      ok.Send(MakeRequest("GET", "/ping", "", "X-Small: " + std::string(500, 'h') + "\r\n")));
  EXPECT_EQ(ok.Read().body, "pong");
}

TEST(ServerLimitsTest, ConnectionsBeyondTheMaximumAreRefused) {
  Counting counting;
  ServerOptions o;
  o.max_connections = 2;
  auto server = StartServer(o, counting.MakeRouter());
  ASSERT_NE(server, nullptr);
  RawClient a, b;
  for (RawClient* c : {&a, &b}) {  // a served request proves the connection is registered
    ASSERT_TRUE(c->Connect(server->port()));
    ASSERT_TRUE(c->Send(MakeRequest("GET", "/ping")));
    ASSERT_EQ(c->Read().status, 200);
  }
  RawClient third;
  ASSERT_TRUE(third.Connect(server->port()));
  auto r = third.Read();
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(third.WaitClosed(10s));
  EXPECT_EQ(server->metrics().connections_refused, 1u);

  a.Close();  // frees a slot once the server notices
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    RawClient again;
    ASSERT_TRUE(again.Connect(server->port()));
    ASSERT_TRUE(again.Send(MakeRequest("GET", "/ping")));
    served = again.Read().status == 200;
    if (!served) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(served);
}

TEST(ServerLimitsTest, SlowlorisIsClosedByTheHeaderTimeout) {
  Counting counting;
  ServerOptions o;
  o.header_timeout = 300ms;
  o.idle_timeout = 60s;
  auto server = StartServer(o, counting.MakeRouter());
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send("GET /ping HTTP/1.1\r\n"));
  // Dribble a header line every 50 ms: each byte arrives well within any per-read timeout.
  bool closed = false;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!closed && std::chrono::steady_clock::now() < deadline) {
    if (!c.Send("X-A: b\r\n")) break;
    closed = c.WaitClosed(50ms);
  }
  EXPECT_TRUE(closed || c.WaitClosed(5s));
  EXPECT_TRUE(testing::Eventually([&] { return server->metrics().timeouts >= 1; }));
  EXPECT_EQ(server->metrics().requests_total(), 0u);
}

TEST(ServerLimitsTest, BodiesInPiecesAndPipelinedAfterLargeOnesArriveWhole) {
  // Bodies are used where they were read (behind the head, in the connection's buffer): a
  // body that arrives in pieces, and a request pipelined right behind a large body, must
  // each reach their handler byte for byte.
  std::mutex mu;
  std::vector<std::string> bodies;
  Router r;
  ASSERT_THAT(r.Add("POST", "/b",
                    [&](const Request& req) {
                      std::lock_guard<std::mutex> l(mu);
                      bodies.emplace_back(req.body());
                      return Response{200, "", {}, std::to_string(req.body().size())};
                    }),
              IsOk());
  auto server = StartServer({}, std::move(r));
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  std::string big(300 * 1024, 'x');
  for (size_t i = 0; i < big.size(); i += 997) big[i] = static_cast<char>('a' + i % 26);
  std::string request = MakeRequest("POST", "/b", big);
  for (size_t at = 0; at < request.size(); at += 70000) {
    ASSERT_TRUE(c.Send(std::string_view(request).substr(at, 70000)));
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(c.Read().body, std::to_string(big.size()));
  ASSERT_TRUE(c.Send(MakeRequest("POST", "/b", big) + MakeRequest("POST", "/b", "small") +
                     MakeRequest("POST", "/b", "")));
  EXPECT_EQ(c.Read().body, std::to_string(big.size()));
  EXPECT_EQ(c.Read().body, "5");
  EXPECT_EQ(c.Read().body, "0");
  std::lock_guard<std::mutex> l(mu);
  ASSERT_EQ(bodies.size(), 4u);
  EXPECT_EQ(bodies[0], big);
  EXPECT_EQ(bodies[1], big);
  EXPECT_EQ(bodies[2], "small");
  EXPECT_EQ(bodies[3], "");
}

TEST(ServerLimitsTest, ABodyCutShortOrTooSlowClosesTheConnectionWithoutTheHandler) {
  Counting counting;
  ServerOptions o;
  o.body_timeout = 300ms;
  auto server = StartServer(o, counting.MakeRouter());
  ASSERT_NE(server, nullptr);
  // Says 100 bytes of body, sends 10.
  constexpr std::string_view kTruncated =
      "POST /topics/a HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789";
  {
    RawClient c;  // leaves
    ASSERT_TRUE(c.Connect(server->port()));
    ASSERT_TRUE(c.Send(kTruncated));
  }
  RawClient slow;  // waits
  ASSERT_TRUE(slow.Connect(server->port()));
  ASSERT_TRUE(slow.Send(kTruncated));
  EXPECT_TRUE(slow.WaitClosed(5s));
  EXPECT_TRUE(testing::Eventually([&] { return server->metrics().timeouts >= 1; }));
  EXPECT_EQ(counting.calls.load(), 0);
  RawClient after;  // the server still serves
  ASSERT_TRUE(after.Connect(server->port()));
  ASSERT_TRUE(after.Send(MakeRequest("POST", "/topics/a", "abc")));
  EXPECT_EQ(after.Read().body, "got 3");
}

TEST(ServerLimitsTest, IdleKeepAliveConnectionIsClosed) {
  Counting counting;
  ServerOptions o;
  o.idle_timeout = 200ms;
  auto server = StartServer(o, counting.MakeRouter());
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/ping")));
  ASSERT_EQ(c.Read().status, 200);
  EXPECT_TRUE(c.WaitClosed(20s));
}

TEST(ServerLimitsTest, StopFinishesInFlightRequestThenDrains) {
  std::mutex mu;
  std::vector<std::string> events;
  auto log = [&](std::string e) {
    std::lock_guard<std::mutex> l(mu);
    events.push_back(e);
  };
  std::atomic<bool> started{false};
  Router r;
  ASSERT_THAT(r.Add("GET", "/slow",
                    [&](const Request&) {
                      started = true;
                      std::this_thread::sleep_for(500ms);
                      log("handler done");
                      return Response{200, "", {}, "finished"};
                    }),
              IsOk());
  ServerHooks hooks;
  hooks.on_drain = [&] { log("drain"); };
  auto server = StartServer({}, std::move(r), hooks);
  ASSERT_NE(server, nullptr);
  RawClient idle;
  ASSERT_TRUE(idle.Connect(server->port()));
  RawClient busy;
  ASSERT_TRUE(busy.Connect(server->port()));
  ASSERT_TRUE(busy.Send(MakeRequest("GET", "/slow")));
  while (!started) std::this_thread::sleep_for(1ms);
  auto stop = std::async(std::launch::async, [&] { return server->Stop(30s); });
  auto resp = busy.Read();
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "finished");
  EXPECT_EQ(resp.headers["connection"], "close");
  EXPECT_THAT(stop.get(), IsOk());
  EXPECT_TRUE(busy.WaitClosed(10s));
  EXPECT_TRUE(idle.WaitClosed(10s));
  EXPECT_THAT(events, ElementsAre("handler done", "drain"));
  RawClient late;
  EXPECT_FALSE(late.Connect(server->port()));
  EXPECT_THAT(server->Stop(1s), IsOk());  // idempotent
}

TEST(ServerLimitsTest, StopReportsDeadlineWhenAHandlerOutlastsTheGrace) {
  std::atomic<bool> started{false};
  Router r;
  ASSERT_THAT(r.Add("GET", "/stuck",
                    [&](const Request&) {
                      started = true;
                      std::this_thread::sleep_for(1500ms);
                      return Response{200, "", {}, "late"};
                    }),
              IsOk());
  ServerOptions o;
  o.handler_threads = 1;
  bool drained = false;
  ServerHooks hooks;
  hooks.on_drain = [&] { drained = true; };
  auto server = StartServer(o, std::move(r), hooks);
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/stuck")));
  while (!started) std::this_thread::sleep_for(1ms);
  EXPECT_THAT(server->Stop(100ms), StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("busy")));
  EXPECT_TRUE(drained);
  EXPECT_TRUE(c.WaitClosed(10s));
}

TEST(ServerLimitsTest, StartTwiceAndStopBeforeStart) {
  Counting counting;
  auto opened = Server::Open({}, counting.MakeRouter());
  ASSERT_THAT(opened, IsOk());
  EXPECT_THAT((*opened)->Stop(1s), IsOk());
  EXPECT_THAT((*opened)->Start(), StatusIs(StatusCode::kFailedPrecondition));
  auto server = StartServer({}, counting.MakeRouter());
  ASSERT_NE(server, nullptr);
  EXPECT_THAT(server->Start(), StatusIs(StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace pinpipe::http
