// Test-only: a blocking HTTP/1.1 client over a raw socket, so tests control the exact bytes
// (pipelining, dribbling, chunking) and see exactly what the server sends back.
//
// Thread-safety: one RawClient per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace pinpipe::http::testing {

struct ClientResponse {
  int status = 0;                             // 0: no (complete) response
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;                            // de-chunked
  bool chunked = false;
};

class RawClient {
 public:
  RawClient() = default;
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // Connects to 127.0.0.1:port; reads give up after `timeout`.
  bool Connect(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  bool Send(std::string_view bytes);
  // Reads one response (Content-Length or chunked body).
  ClientResponse Read();
  // Reads one chunk of a chunked body after the head was read with ReadHead(); empty string
  // with *done = true at the last chunk.
  ClientResponse ReadHead();
  std::string ReadChunk(bool* done);
  // True if the server closes the connection (EOF or reset) within `within`; bytes that arrive
  // meanwhile are appended to *seen when given.
  bool WaitClosed(std::chrono::milliseconds within, std::string* seen = nullptr);
  void Close();
  int fd() const { return fd_; }

 private:
  bool Fill();  // reads more bytes into buf_; false on EOF/error/timeout
  bool ReadLine(std::string* line);
  bool ReadExactly(size_t n, std::string* out);

  int fd_ = -1;
  std::string buf_;
};

// A request with a Content-Length body.
std::string MakeRequest(std::string_view method, std::string_view target,
                        std::string_view body = {}, std::string_view extra_headers = {});

// Runs a shell command, returns its stdout (and sets *exit_code if given).
std::string RunCommand(const std::string& command, int* exit_code = nullptr);

}  // namespace pinpipe::http::testing

#include <functional>
#include <memory>
#include <thread>

#include "http/server.h"

namespace pinpipe::http::testing {

// Polls `done` until it holds or `within` passes; returns its last value. For effects that
// follow a response on the server side (metrics are recorded after the write completes).
bool Eventually(const std::function<bool()>& done,
                std::chrono::milliseconds within = std::chrono::seconds(10));

// Opens and starts a server on an ephemeral port; nullptr (and a test failure) on error.
std::unique_ptr<Server> StartServer(ServerOptions options, Router router, ServerHooks hooks = {});

}  // namespace pinpipe::http::testing
