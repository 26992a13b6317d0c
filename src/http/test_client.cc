#include "http/test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace pinpipe::http::testing {

RawClient::~RawClient() { Close(); }

void RawClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buf_.clear();
}

bool RawClient::Connect(uint16_t port, std::chrono::milliseconds timeout) {
  Close();
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return false;
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
}

bool RawClient::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool RawClient::Fill() {
  char tmp[16384];
  ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
  if (n <= 0) return false;
  buf_.append(tmp, static_cast<size_t>(n));
  return true;
}

bool RawClient::ReadLine(std::string* line) {
  size_t pos;
  while ((pos = buf_.find("\r\n")) == std::string::npos) {
    if (!Fill()) return false;
  }
  *line = buf_.substr(0, pos);
  buf_.erase(0, pos + 2);
  return true;
}

bool RawClient::ReadExactly(size_t n, std::string* out) {
  while (buf_.size() < n) {
    if (!Fill()) return false;
  }
  out->append(buf_, 0, n);
  buf_.erase(0, n);
  return true;
}

ClientResponse RawClient::ReadHead() {
  ClientResponse r;
  std::string line;
  do {  // skip interim 1xx responses
    r.headers.clear();
    if (!ReadLine(&line) || line.size() < 12) return {};
    r.status = std::atoi(line.substr(9, 3).c_str());
    while (true) {
      if (!ReadLine(&line)) return {};
      if (line.empty()) break;
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t v = line.find_first_not_of(' ', colon + 1);
      r.headers[name] = v == std::string::npos ? "" : line.substr(v);
    }
  } while (r.status >= 100 && r.status < 200);
  auto te = r.headers.find("transfer-encoding");
  r.chunked = te != r.headers.end() && te->second == "chunked";
  return r;
}

std::string RawClient::ReadChunk(bool* done) {
  *done = true;
  std::string line;
  if (!ReadLine(&line)) return {};
  size_t size = std::strtoul(line.c_str(), nullptr, 16);
  std::string data;
  if (size == 0) {
    ReadLine(&line);  // the empty trailer line
    return {};
  }
  if (!ReadExactly(size, &data) || !ReadLine(&line)) return {};
  *done = false;
  return data;
}

ClientResponse RawClient::Read() {
  ClientResponse r = ReadHead();
  if (r.status == 0) return r;
  if (r.chunked) {
    bool done = false;
    while (!done) r.body += ReadChunk(&done);
    return r;
  }
  auto cl = r.headers.find("content-length");
  size_t n = cl == r.headers.end() ? 0 : std::strtoul(cl->second.c_str(), nullptr, 10);
  if (!ReadExactly(n, &r.body)) return {};
  return r;
}

bool RawClient::WaitClosed(std::chrono::milliseconds within, std::string* seen) {
  auto deadline = std::chrono::steady_clock::now() + within;
  if (seen) *seen += buf_;
  buf_.clear();
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    char tmp[4096];
    ssize_t n = ::recv(fd_, tmp, sizeof(tmp), MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return true;  // reset
    }
    if (seen) seen->append(tmp, static_cast<size_t>(n));
  }
  return false;
}

std::string MakeRequest(std::string_view method, std::string_view target, std::string_view body,
                        std::string_view extra_headers) {
  std::string r;
  r.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: localhost\r\n");
  r.append(extra_headers);
  if (!body.empty() || method == "POST" || method == "PUT") {
    r.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  r.append("\r\n").append(body);
  return r;
}

std::string RunCommand(const std::string& command, int* exit_code) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char tmp[4096];
  size_t n;
  while ((n = std::fread(tmp, 1, sizeof(tmp), p)) > 0) out.append(tmp, n);
  int rc = ::pclose(p);
  if (exit_code) *exit_code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

}  // namespace pinpipe::http::testing

#include <gtest/gtest.h>

namespace pinpipe::http::testing {

bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::unique_ptr<Server> StartServer(ServerOptions options, Router router, ServerHooks hooks) {
  auto server = Server::Open(options, std::move(router), std::move(hooks));
  EXPECT_TRUE(server.ok()) << server.status();
  if (!server.ok()) return nullptr;
  Status s = (*server)->Start();
  EXPECT_TRUE(s.ok()) << s;
  if (!s.ok()) return nullptr;
  return std::move(*server);
}

}  // namespace pinpipe::http::testing
