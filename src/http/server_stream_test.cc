// Streaming handlers: a chunked request body fed in pieces, a report streamed back per record.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

#include "base/status_matchers.h"
#include "http/server.h"
#include "http/test_client.h"

namespace pinpipe::http {
namespace {

using ::pinpipe::testing::IsOk;
using testing::MakeRequest;
using testing::RawClient;
using testing::RunCommand;
using testing::StartServer;
using namespace std::chrono_literals;

struct StreamEvents {
  std::atomic<int> aborted{0};
  std::atomic<int> ended{0};
};

// Newline-separated records (split anywhere across pieces); one "ack <record>\n" per record,
// then "done <n>\n" at the end.
class LineAcker : public BodyStream {
 public:
  explicit LineAcker(StreamEvents* events) : events_(events) {}
  void OnData(std::string_view data, ChunkWriter& out) override {
    partial_.append(data);
    size_t nl;
    while ((nl = partial_.find('\n')) != std::string::npos) {
      out.Write("ack " + partial_.substr(0, nl) + "\n");
      partial_.erase(0, nl + 1);
      ++count_;
    }
  }
  void OnEnd(ChunkWriter& out) override {
    events_->ended++;
    out.Write("done " + std::to_string(count_) + "\n");
  }
  void OnAbort() override { events_->aborted++; }

 private:
  StreamEvents* events_;
  std::string partial_;
  int count_ = 0;
};

Router StreamRouter(StreamEvents* events, uint64_t max_stream_bytes = 0) {
  Router r;
  EXPECT_THAT(r.AddStreaming("POST", "/v3/clusters/{c}/topics/{t}/records",
                             [events](const Request& head) {
                               StreamStart s;
                               if (head.header("content-type").value_or("") != "application/json") {
                                 s.head = Response{415, "application/json", {},
                                                   R"({"error_code":415})"};
                                 return s;
                               }
                               s.head.content_type = "application/json";
                               s.head.headers.push_back({"X-Topic", std::string(head.param("t"))});
                               s.stream = std::make_unique<LineAcker>(events);
                               return s;
                             },
                             RouteOptions{.max_stream_body_bytes = max_stream_bytes}),
              IsOk());
  EXPECT_THAT(r.Add("GET", "/ping", [](const Request&) { return Response{200, "", {}, "pong"}; }),
              IsOk());
  return r;
}

constexpr std::string_view kStreamHead =
    "POST /v3/clusters/c1/topics/t1/records HTTP/1.1\r\nHost: x\r\n"
    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

std::string Chunk(std::string_view data) {
  char size[16];
  std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  return std::string(size) + std::string(data) + "\r\n";
}

void ExpectInteractiveStream(const ServerOptions& options) {
  StreamEvents events;
  auto server = StartServer(options, StreamRouter(&events));
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send(kStreamHead));
  // The head comes back before any body was sent.
  auto head = c.ReadHead();
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.chunked);
  EXPECT_EQ(head.headers["x-topic"], "t1");
  // Each record is acknowledged while the request is still open; a record may span chunks.
  bool done = false;
  ASSERT_TRUE(c.Send(Chunk("{\"a\":1}\n{\"b\"")));
  EXPECT_EQ(c.ReadChunk(&done), "ack {\"a\":1}\n");
  ASSERT_TRUE(c.Send(Chunk(":2}\n")));
  EXPECT_EQ(c.ReadChunk(&done), "ack {\"b\":2}\n");
  ASSERT_TRUE(c.Send(Chunk("x\ny\n") + "0\r\n\r\n"));
  std::string rest;
  while (!done) rest += c.ReadChunk(&done);
  EXPECT_EQ(rest, "ack x\nack y\ndone 4\n");
  EXPECT_EQ(events.ended.load(), 1);
  // The connection is still good for ordinary requests.
  ASSERT_TRUE(c.Send(MakeRequest("GET", "/ping")));
  EXPECT_EQ(c.Read().body, "pong");
  EXPECT_EQ(events.aborted.load(), 0);
  EXPECT_TRUE(testing::Eventually([&] { return server->metrics().requests_by_class[2] == 2; }));
}

TEST(ServerStreamTest, ChunkedBodyIsStreamedAndAnsweredAsItArrives) {
  ExpectInteractiveStream({});
}

TEST(ServerStreamTest, StreamingWorksWithHandlerPool) {
  ServerOptions o;
  o.handler_threads = 2;
  ExpectInteractiveStream(o);
}

TEST(ServerStreamTest, ContentLengthBodyOnStreamingRoute) {
  StreamEvents events;
  auto server = StartServer({}, StreamRouter(&events));
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send(MakeRequest("POST", "/v3/clusters/c/topics/t/records", "1\n2\n",
                                 "Content-Type: application/json\r\n")));
  auto r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ack 1\nack 2\ndone 2\n");
}

TEST(ServerStreamTest, RefusedStreamGetsItsResponseAndClose) {
  StreamEvents events;
  auto server = StartServer({}, StreamRouter(&events));
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send("POST /v3/clusters/c/topics/t/records HTTP/1.1\r\nHost: x\r\n"
                     "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n" +
                     Chunk("x\n")));
  auto r = c.Read();
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(r.body, R"({"error_code":415})");
  EXPECT_TRUE(c.WaitClosed(10s));
}

TEST(ServerStreamTest, ClientDisconnectAbortsTheStream) {
  StreamEvents events;
  auto server = StartServer({}, StreamRouter(&events));
  ASSERT_NE(server, nullptr);
  {
    RawClient c;
    ASSERT_TRUE(c.Connect(server->port()));
    ASSERT_TRUE(c.Send(std::string(kStreamHead) + Chunk("a\n")));
    bool done = false;
    ASSERT_EQ(c.ReadHead().status, 200);
    EXPECT_EQ(c.ReadChunk(&done), "ack a\n");
  }
  for (int i = 0; i < 200 && events.aborted.load() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(events.aborted.load(), 1);
  EXPECT_EQ(events.ended.load(), 0);
}

TEST(ServerStreamTest, StreamOverItsBodyCapIsCut) {
  StreamEvents events;
  auto server = StartServer({}, StreamRouter(&events, /*max_stream_bytes=*/100));
  ASSERT_NE(server, nullptr);
  RawClient c;
  ASSERT_TRUE(c.Connect(server->port()));
  ASSERT_TRUE(c.Send(std::string(kStreamHead) + Chunk(std::string(99, 'z') + "\n") +
                     Chunk(std::string(50, 'q'))));
  EXPECT_EQ(c.ReadHead().status, 200);
  EXPECT_TRUE(c.WaitClosed(10s));
  for (int i = 0; i < 200 && events.aborted.load() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(events.aborted.load(), 1);
}

TEST(ServerStreamTest, CurlChunkedUpload) {
  StreamEvents events;
  auto server = StartServer({}, StreamRouter(&events));
  ASSERT_NE(server, nullptr);
  std::string path = ::testing::TempDir() + "/http_stream_records.txt";
  {
    std::ofstream f(path);
    for (int i = 0; i < 1000; ++i) f << "{\"i\":" << i << "}\n";
  }
  int rc = -1;
  std::string out = RunCommand(
      "curl -s -X POST -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' "
      "-T " + path + " http://127.0.0.1:" + std::to_string(server->port()) +
      "/v3/clusters/c/topics/t/records", &rc);
  EXPECT_EQ(rc, 0);
  std::string want;
  for (int i = 0; i < 1000; ++i) want += "ack {\"i\":" + std::to_string(i) + "}\n";
  want += "done 1000\n";
  EXPECT_EQ(out, want);
}

}  // namespace
}  // namespace pinpipe::http
