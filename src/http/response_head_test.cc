#include "http/response_head.h"

#include <gtest/gtest.h>

namespace pinpipe::http {
namespace {

TEST(ResponseHeadTest, StatusLineTypeHeadersLengthInOrder) {
  Response r{201, "application/json", {{"X-A", "1"}, {"x-b", "two"}}, R"({"ok":true})"};
  std::string head = "kept:";
  AppendResponseHead(r, 11, /*keep_alive=*/true, &head);
  EXPECT_EQ(head,
            "kept:HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-A: 1\r\n"
            "x-b: two\r\nContent-Length: 11\r\n\r\n");
}

TEST(ResponseHeadTest, ConnectionFollowsTheVersionAndKeepAlive) {
  Response r{200, "", {}, "ok"};
  std::string h11_close, h10_keep, h10_close;
  AppendResponseHead(r, 11, false, &h11_close);
  AppendResponseHead(r, 10, true, &h10_keep);
  AppendResponseHead(r, 10, false, &h10_close);
  EXPECT_EQ(h11_close, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(h10_keep, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(h10_close, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n");
}

TEST(ResponseHeadTest, TheServersHeadersAreNotTakenFromTheResponse) {
  Response r{200,
             "text/plain",
             {{"content-length", "999"}, {"Connection", "close"}, {"Transfer-Encoding", "chunked"}},
             "abc"};
  std::string head;
  AppendResponseHead(r, 11, true, &head);
  EXPECT_EQ(head, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\n");
}

TEST(ResponseHeadTest, NoLengthForStatusesWithoutBody) {
  for (int status : {100, 204, 304}) {
    EXPECT_TRUE(StatusHasNoBody(status));
    std::string head;
    AppendResponseHead(Response{status, "", {}, ""}, 11, true, &head);
    EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
  }
  EXPECT_FALSE(StatusHasNoBody(200));
  EXPECT_FALSE(StatusHasNoBody(404));
}

TEST(ResponseHeadTest, LineBreaksInHeadersCannotSplitTheResponse) {
  Response r{200, "text/plain\r\nX-Evil: 1", {{"X-Name\n", "a\r\n\r\nHTTP/1.1 200 OK"}}, ""};
  std::string head;
  AppendResponseHead(r, 11, true, &head);
  EXPECT_EQ(head,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain  X-Evil: 1\r\nX-Name : a    HTTP/1.1 200 "
            "OK\r\nContent-Length: 0\r\n\r\n");
}

TEST(ResponseHeadTest, UnknownStatusesKeepTheirCode) {
  std::string head;
  AppendResponseHead(Response{599, "", {}, ""}, 11, true, &head);
  EXPECT_EQ(head.rfind("HTTP/1.1 599 ", 0), 0u) << head;
}

}  // namespace
}  // namespace pinpipe::http
