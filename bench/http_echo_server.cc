// The smallest pinpipe HTTP server, for bench/http_bench.sh: answers 200 to POST /echo (any
// body up to the limit) with a fixed 2-byte body, on the port given as argv[1] (0 = any; the
// bound port is printed on stdout). argv[2] = io threads (default 1). Runs until stdin closes.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "http/router.h"
#include "http/server.h"

int main(int argc, char** argv) {
  using pinpipe::http::Request;
  using pinpipe::http::Response;
  pinpipe::http::Router router;
  auto ok = [](const Request&) { return Response{200, "text/plain", {}, "ok"}; };
  if (!router.Add("POST", "/echo", ok).ok() || !router.Add("GET", "/echo", ok).ok()) return 1;
  pinpipe::http::ServerOptions options;
  options.port = static_cast<uint16_t>(argc > 1 ? std::atoi(argv[1]) : 0);
  options.io_threads = argc > 2 ? std::atoi(argv[2]) : 1;
  auto server = pinpipe::http::Server::Open(options, std::move(router));
  if (!server.ok()) {
    std::fprintf(stderr, "http_echo_server: %s\n", server.status().ToString().c_str());
    return 1;
  }
  if (auto s = (*server)->Start(); !s.ok()) {
    std::fprintf(stderr, "http_echo_server: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("%u\n", (*server)->port());
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  return (*server)->Stop(std::chrono::seconds(5)).ok() ? 0 : 1;
}
