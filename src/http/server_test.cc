// Server behaviour over real sockets: routing, keep-alive, pipelining, base path, API key,
// hooks, percent-decoding, metrics, threading modes, and curl as an independent client.
#include "http/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "base/status_matchers.h"
#include "http/test_client.h"

namespace pinpipe::http {
namespace {

using ::pinpipe::testing::IsOk;
using ::testing::HasSubstr;
using testing::MakeRequest;
using testing::RawClient;
using testing::RunCommand;
using testing::StartServer;

// Echoes method, decoded params, a header and the body.
Response Echo(const Request& req) {
  std::string body = std::string(req.method()) + " " + std::string(req.path());
  for (const char* p : {"topic", "partition"}) {
    if (!req.param(p).empty()) body += " " + std::string(p) + "=" + std::string(req.param(p));
  }
  if (auto h = req.header("x-test")) body += " x-test=" + std::string(*h);
  if (!req.body().empty()) body += " body=" + std::string(req.body());
  return Response{200, "text/plain", {{"X-Served", "yes"}}, body};
}

Router EchoRouter() {
  Router r;
  EXPECT_THAT(r.Add("GET", "/topics/{topic}", Echo), IsOk());
  EXPECT_THAT(r.Add("POST", "/topics/{topic}", Echo), IsOk());
  EXPECT_THAT(r.Add("POST", "/topics/{topic}/partitions/{partition}", Echo), IsOk());
  EXPECT_THAT(r.Add("GET", "/slow/{ms}", [](const Request& req) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(std::string(req.param("ms")))));
    return Response{200, "text/plain", {}, "slow " + std::string(req.param("ms"))};
  }), IsOk());
  EXPECT_THAT(r.Add("GET", "/healthz", [](const Request&) { return Response{200, "", {}, "ok"}; },
                    RouteOptions{.skip_api_key = true}), IsOk());
  return r;
}

TEST(ServerTest, ServesGetAndPostWithParamsHeadersAndBody) {
  auto server = StartServer({}, EchoRouter());
  ASSERT_NE(server, nullptr);
  ASSERT_NE(server->port(), 0);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send(MakeRequest("POST", "/topics/a.pin/partitions/2", "{\"x\":1}",
                                 "X-Test: hello\r\n")));
  auto r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /topics/a.pin/partitions/2 topic=a.pin partition=2 x-test=hello "
                    "body={\"x\":1}");
  EXPECT_EQ(r.headers["x-served"], "yes");
  EXPECT_EQ(r.headers["content-type"], "text/plain");
}

// Every handed-over body is followed by kBodyPadding readable bytes (Request::body()): the
// handler reads them, so a missing one is a heap overflow under ASan (make asan-test). Bodies
// are read in place (Content-Length: sizes around the first read's 16 KiB, pipelined) and
// through the parser (chunked).
TEST(ServerTest, BodiesAreFollowedByPadding) {
  Router r;
  ASSERT_THAT(r.Add("POST", "/pad",
                    [](const Request& req) {
                      const volatile char* p = req.body().data();
                      unsigned sum = 0;
                      for (size_t i = 0; i < req.body().size() + kBodyPadding; ++i)
                        sum += static_cast<unsigned char>(p[i]);
                      (void)sum;
                      return Response{200,
                                      "text/plain",
                                      {},
                                      std::to_string(req.body().size()) + ":" +
                                          std::string(req.body().substr(req.body().size() - 3))};
                    }),
              IsOk());
  auto server = StartServer({}, std::move(r));
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  const std::string head_size = MakeRequest("POST", "/pad", "x");  // head + 1 byte of body
  for (size_t target : {size_t{100}, size_t{16384}, size_t{16385}, size_t{32768}, size_t{70000}}) {
    for (int delta = -2; delta <= 2; ++delta) {
      const size_t n = target + delta - (head_size.size() - 1);
      std::string body(n, 'b');
      const std::string tag = "zz" + std::to_string(delta + 2);
      body.replace(n - 3, 3, tag);
      // Two at once: the first body's padding is the second request's bytes.
      ASSERT_TRUE(c.Send(MakeRequest("POST", "/pad", body) + MakeRequest("POST", "/pad", body)));
      for (int k = 0; k < 2; ++k) {
        auto resp = c.Read();
        ASSERT_EQ(resp.status, 200);
        EXPECT_EQ(resp.body, std::to_string(n) + ":" + tag);
      }
    }
  }
  ASSERT_TRUE(
      c.Send("POST /pad HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             "5\r\nabcde\r\n3\r\nfgh\r\n0\r\n\r\n"));
  auto chunked = c.Read();
  EXPECT_EQ(chunked.status, 200);
  EXPECT_EQ(chunked.body, "8:fgh");
}

TEST(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  auto server = StartServer({}, EchoRouter());
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.Send(MakeRequest("GET", "/topics/t" + std::to_string(i))));
    auto r = c.Read();
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "GET /topics/t" + std::to_string(i) + " topic=t" + std::to_string(i));
    EXPECT_EQ(r.headers.count("connection"), 0u);  // HTTP/1.1 default: keep-alive
  }
  EXPECT_TRUE(testing::Eventually([&] { return server->metrics().latency_count == 5; }));
  MetricsSnapshot m = server->metrics();
  EXPECT_EQ(m.connections_accepted, 1u);
  EXPECT_EQ(m.requests_by_class[2], 5u);
  EXPECT_EQ(m.latency_count, 5u);
  EXPECT_GT(m.bytes_read, 5 * 20u);
  EXPECT_GT(m.bytes_written, 5 * 50u);
}

TEST(ServerTest, ConnectionCloseIsHonoured) {
  auto server = StartServer({}, EchoRouter());
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/topics/a", "", "Connection: close\r\n")));
  auto r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["connection"], "close");
  EXPECT_TRUE(c.WaitClosed(std::chrono::seconds(10)));
}

void ExpectPipelinedInOrder(const ServerOptions& options) {
  auto server = StartServer(options, EchoRouter());
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  // The slow request comes first; the fast ones must still be answered after it.
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/slow/150") + MakeRequest("POST", "/topics/b", "B") +
                     MakeRequest("GET", "/slow/1") + MakeRequest("GET", "/topics/d")));
  EXPECT_EQ(c.Read().body, "slow 150");
  EXPECT_EQ(c.Read().body, "POST /topics/b topic=b body=B");
  EXPECT_EQ(c.Read().body, "slow 1");
  EXPECT_EQ(c.Read().body, "GET /topics/d topic=d");
}

TEST(ServerTest, PipelinedRequestsAreAnsweredInOrder) { ExpectPipelinedInOrder({}); }

// An answer larger than the socket's send buffer, to a client that waits before reading: the
// server writes what fits at once and the rest as the client reads; the connection then
// serves the next request.
TEST(ServerTest, AnswerLargerThanTheSendBufferArrivesWholeAndTheConnectionGoesOn) {
  const std::string big = [] {
    std::string s(24 << 20, ' ');
    for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>('a' + i % 26);
    return s;
  }();
  Router r;
  ASSERT_THAT(r.Add("GET", "/big",
                    [&](const Request&) {
                      return Response{200, "text/plain", {}, big};
                    }),
              IsOk());
  ASSERT_THAT(r.Add("GET", "/small",
                    [](const Request&) {
                      return Response{200, "", {}, "ok"};
                    }),
              IsOk());
  auto server = StartServer({}, std::move(r));
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/big")));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the send buffer fills
  auto first = c.Read();
  EXPECT_EQ(first.status, 200);
  EXPECT_TRUE(first.body == big) << "got " << first.body.size() << " bytes";
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/small")));
  EXPECT_EQ(c.Read().body, "ok");
  EXPECT_TRUE(testing::Eventually([&] { return server->metrics().latency_count == 2; }));
  EXPECT_GT(server->metrics().bytes_written, big.size());
}

// Thousands of requests sent at once are answered in order, each from the bytes already read:
// answering them must not nest one call chain per request (a deep stack), whichever order the
// writes complete in.
TEST(ServerTest, ThousandsOfPipelinedRequestsAreAnsweredInOrder) {
  auto server = StartServer({}, EchoRouter());
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  constexpr int kRequests = 5000;
  std::string all;
  for (int i = 0; i < kRequests; ++i) all += MakeRequest("GET", "/topics/t" + std::to_string(i));
  std::thread sender([&] { EXPECT_TRUE(c.Send(all)); });
  for (int i = 0; i < kRequests; ++i) {
    auto r = c.Read();
    ASSERT_EQ(r.status, 200) << "request " << i;
    ASSERT_EQ(r.body, "GET /topics/t" + std::to_string(i) + " topic=t" + std::to_string(i));
  }
  sender.join();
}

TEST(ServerTest, PipelinedRequestsInOrderWithHandlerPoolAndSeveralIoThreads) {
  ServerOptions o;
  o.io_threads = 2;
  o.handler_threads = 3;
  ExpectPipelinedInOrder(o);
}

TEST(ServerTest, HandlerPoolLetsOneIoThreadServeWhileHandlersBlock) {
  // Two requests whose handlers each wait for the other: only possible if both run at once.
  std::atomic<int> arrived{0};
  Router r;
  ASSERT_THAT(r.Add("GET", "/meet", [&](const Request&) {
    arrived.fetch_add(1);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (arrived.load() < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return Response{200, "", {}, arrived.load() >= 2 ? "met" : "alone"};
  }), IsOk());
  ServerOptions o;
  o.io_threads = 1;
  o.handler_threads = 2;
  auto server = StartServer(o, std::move(r));
  ASSERT_NE(server, nullptr);
  RawClient a, b;
  ASSERT_TRUE(a.Connect(server->port()));
  ASSERT_TRUE(b.Connect(server->port()));
  ASSERT_TRUE(a.Send(MakeRequest("GET", "/meet")));
  ASSERT_TRUE(b.Send(MakeRequest("GET", "/meet")));
  EXPECT_EQ(a.Read().body, "met");
  EXPECT_EQ(b.Read().body, "met");
}

TEST(ServerTest, BasePathIsStrippedAndOptional) {
  ServerOptions o;
  o.base_path = "/test";
  auto server = StartServer(o, EchoRouter());
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/test/topics/x?q=1")));
  EXPECT_EQ(c.Read().body, "GET /topics/x topic=x");
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/topics/y")));
  EXPECT_EQ(c.Read().body, "GET /topics/y topic=y");
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/testing/topics/y")));
  EXPECT_EQ(c.Read().status, 404);
}

TEST(ServerTest, ApiKeyIsRequiredWhenConfigured) {
  ServerOptions o;
  o.api_key = "s3cret";
  auto server = StartServer(o, EchoRouter());
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  for (std::string headers : {"", "x-api-key: wrong\r\n", "x-api-key: s3cre\r\n"}) {
    ASSERT_TRUE(c.Send(MakeRequest("POST", "/topics/a", "{}", headers)));
    auto r = c.Read();
    EXPECT_EQ(r.status, 403) << headers;
    EXPECT_EQ(r.body, R"({"message":"Forbidden"})");
    EXPECT_EQ(r.headers["content-type"], "application/json");
  }
  // Unknown paths are refused the same way, so they cannot be probed without the key.
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/nope")));
  EXPECT_EQ(c.Read().status, 403);
  ASSERT_TRUE(c.Send(MakeRequest("POST", "/topics/a", "{}", "X-Api-Key: s3cret\r\n")));
  EXPECT_EQ(c.Read().status, 200);
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/healthz")));  // skip_api_key
  EXPECT_EQ(c.Read().body, "ok");
}

TEST(ServerTest, NotFoundAndMethodNotAllowedUseHooks) {
  ServerHooks hooks;
  hooks.not_found = [](const Request& req) {
    return Response{404, "application/json", {},
                    R"({"error_code":404,"path":")" + std::string(req.path()) + "\"}"};
  };
  hooks.method_not_allowed = [](const Request&, std::string_view allow) {
    return Response{405, "application/json", {},
                    R"({"error_code":405,"allow":")" + std::string(allow) + "\"}"};
  };
  auto server = StartServer({}, EchoRouter(), hooks);
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/brokers")));
  auto r = c.Read();
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"error_code":404,"path":"/brokers"})");
  // A body sent with a refused request is skipped and the connection stays usable.
  ASSERT_TRUE(c.Send(MakeRequest("DELETE", "/topics/a", "ignored body")));
  r = c.Read();
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.body, R"({"error_code":405,"allow":"GET, POST"})");
  EXPECT_EQ(r.headers["allow"], "GET, POST");
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/topics/ok")));
  EXPECT_EQ(c.Read().status, 200);
}

TEST(ServerTest, PercentDecodedParamsAndRefusedSlashOrNul) {
  std::atomic<int> calls{0};
  Router r;
  ASSERT_THAT(r.Add("GET", "/topics/{topic}", [&](const Request& req) {
    calls++;
    return Response{200, "", {}, std::string(req.param("topic"))};
  }), IsOk());
  ServerHooks hooks;
  hooks.bad_request = [](const Request&, std::string_view why) {
    return Response{400, "application/json", {}, R"({"error_code":40002})"};
  };
  auto server = StartServer({}, std::move(r), hooks);
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/topics/a%2Epin%20%C3%A9")));
  EXPECT_EQ(c.Read().body, "a.pin \xC3\xA9");
  for (const char* bad : {"/topics/..%2Fetc", "/topics/a%00", "/topics/a%G1"}) {
    ASSERT_TRUE(c.Send(MakeRequest("GET", bad)));
    auto resp = c.Read();
    EXPECT_EQ(resp.status, 400) << bad;
    EXPECT_EQ(resp.body, R"({"error_code":40002})");
  }
  EXPECT_EQ(calls.load(), 1);
}

TEST(ServerTest, MalformedRequestGets400AndClose) {
  auto server = StartServer({}, EchoRouter());
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send("GARBAGE\x01 / HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(c.Read().status, 400);
  EXPECT_TRUE(c.WaitClosed(std::chrono::seconds(10)));
}

TEST(ServerTest, CurlGetAndPost) {
  ServerOptions o;
  o.base_path = "/test";
  o.api_key = "k";
  auto server = StartServer(o, EchoRouter());
  ASSERT_NE(server, nullptr);
  std::string base = "http://127.0.0.1:" + std::to_string(server->port());
  int rc = -1;
  std::string out = RunCommand("curl -s -H 'x-api-key: k' -w ' %{http_code}' " + base +
                               "/test/topics/c%2Epin", &rc);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(out, "GET /topics/c%2Epin topic=c.pin 200");
  out = RunCommand("curl -s -H 'x-api-key: k' -H 'Content-Type: application/vnd.kafka.json.v2+json'"
                   " --data-binary '{\"records\":[]}' -w ' %{http_code}' " + base +
                   "/test/topics/u.pin", &rc);
  EXPECT_EQ(out, "POST /topics/u.pin topic=u.pin body={\"records\":[]} 200");
  out = RunCommand("curl -s -w ' %{http_code}' " + base + "/test/topics/u.pin", &rc);
  EXPECT_EQ(out, R"({"message":"Forbidden"} 403)");
}

TEST(ServerTest, OpenRefusesBadOptions) {
  ServerOptions o;
  EXPECT_THAT(Server::Open(o, Router()), pinpipe::testing::StatusIs(StatusCode::kInvalidArgument));
  o.base_path = "test";
  EXPECT_THAT(Server::Open(o, EchoRouter()),
              pinpipe::testing::StatusIs(StatusCode::kInvalidArgument, HasSubstr("base_path")));
  o.base_path = "";
  o.host = "256.1.1.1.nonexistent.invalid";
  EXPECT_THAT(Server::Open(o, EchoRouter()),
              pinpipe::testing::StatusIs(StatusCode::kInvalidArgument, HasSubstr("resolve")));
}

TEST(ServerTest, BindingAPortInUseFails) {
  auto first = StartServer({}, EchoRouter());
  ASSERT_NE(first, nullptr);
  ServerOptions o;
  o.port = first->port();
  EXPECT_THAT(Server::Open(o, EchoRouter()),
              pinpipe::testing::StatusIs(StatusCode::kIOError, HasSubstr("bind")));
}

}  // namespace
}  // namespace pinpipe::http
