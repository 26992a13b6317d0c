#include "testutil/s3rver_server.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/test_env.h"
#include "net/http_client.h"

namespace pinpipe::testutil {
namespace {

constexpr char kBootstrapHint[] =
    "install the test peers with scripts/bootstrap --test (npm package s3rver under "
    "tests/peers)";

std::string FindNode() {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {  // NOLINT(concurrency-mt-unsafe)
    std::stringstream ss(path);
    for (std::string dir; std::getline(ss, dir, ':');) dirs.push_back(dir);
  }
  dirs.insert(dirs.end(), {"/usr/local/bin", "/usr/bin"});
  for (const std::string& dir : dirs) {
    const std::string candidate = dir + "/node";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<int> WaitExit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0) return ErrnoError("waitpid", std::to_string(pid), errno);
    if (std::chrono::steady_clock::now() > deadline) {
      return DeadlineExceededError("process " + std::to_string(pid) + " still running");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

Result<std::unique_ptr<S3rverServer>> S3rverServer::Start(std::vector<std::string> buckets) {
  const std::string node = FindNode();
  if (node.empty())
    return FailedPreconditionError(std::string("node not found: ") + kBootstrapHint);
  const std::string script = ::pinpipe::testing::SourceDir() + "/tests/testutil/s3rver.js";
  if (!std::filesystem::exists(::pinpipe::testing::SourceDir() +
                               "/tests/peers/node_modules/s3rver/package.json")) {
    return FailedPreconditionError(std::string("s3rver is not installed: ") + kBootstrapHint);
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "pinpipe-s3rver-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return ErrnoError("mkdtemp", tmpl, errno);
  std::unique_ptr<S3rverServer> server(new S3rverServer());
  server->dir_ = tmpl;
  std::filesystem::create_directories(tmpl + "/data");

  std::vector<std::string> args = {node, script, "--dir", tmpl + "/data", "--port", "0"};
  for (const std::string& b : buckets) args.insert(args.end(), {"--bucket", b});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return ErrnoError("pipe", "s3rver", errno);
  const std::string log = tmpl + "/s3rver.log";
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) return ErrnoError("open", log, errno);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return ErrnoError("fork", node, errno);
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(out[1], 1);
    ::dup2(log_fd, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(log_fd);
  server->pid_ = pid;

  // Wait for "READY <port>\n".
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[128];
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;  // exited
    line.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  if (line.rfind("READY ", 0) != 0) {
    auto code = WaitExit(pid, std::chrono::milliseconds(2000));
    if (code.ok()) server->pid_ = -1;
    const std::string why = ReadAll(log);
    if (code.ok() && *code == 3) return FailedPreconditionError(why + kBootstrapHint);
    return InternalError("s3rver did not start: " + why);
  }
  server->port_ = static_cast<uint16_t>(std::atoi(line.c_str() + 6));
  server->endpoint_ = "http://127.0.0.1:" + std::to_string(server->port_);
  return server;
}

S3rverServer::~S3rverServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    if (!WaitExit(pid_, std::chrono::seconds(10)).ok()) {
      ::kill(pid_, SIGKILL);
      WaitExit(pid_, std::chrono::seconds(10)).status().IgnoreError();
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

objstore::S3Options S3rverServer::StoreOptions() const {
  objstore::S3Options o;
  o.endpoint = endpoint_;
  o.region = "us-east-1";
  o.path_style = true;
  o.credentials.source = objstore::S3CredentialsOptions::Source::kEnvironment;
  o.credentials.getenv = [](const char* name) -> const char* {
    const std::string n = name;
    if (n == "AWS_ACCESS_KEY_ID") return kAccessKey;
    if (n == "AWS_SECRET_ACCESS_KEY") return kSecretKey;
    return nullptr;
  };
  o.multipart_threshold = 64 << 10;
  o.part_size = 32 << 10;
  return o;
}

Result<std::unique_ptr<objstore::S3ObjectStore>> S3rverServer::OpenStore(
    const std::string& prefix, const std::string& bucket) const {
  return objstore::S3ObjectStore::Open(bucket, prefix, StoreOptions());
}

Status S3rverServer::Control(const std::string& query) {
  ASSIGN_OR_RETURN(auto client, net::HttpClient::Create(5000));
  net::HttpRequest request;
  request.method = "POST";
  request.url = endpoint_ + "/__pinpipe/fail?" + query;
  ASSIGN_OR_RETURN(net::HttpResponse r, client->Send(request));
  if (r.status != 204) return InternalError("s3rver control: HTTP " + std::to_string(r.status));
  return Status::OK();
}

Status S3rverServer::FailNextRequests(int count, int http_status, const std::string& code) {
  return Control("count=" + std::to_string(count) + "&status=" + std::to_string(http_status) +
                 "&code=" + code);
}

Status S3rverServer::ResetNextConnections(int count) {
  return Control("count=" + std::to_string(count) + "&mode=reset");
}

namespace {
std::unique_ptr<S3rverServer>& SharedSlot() {
  static auto* server = new std::unique_ptr<S3rverServer>();
  return *server;
}
Status& SharedFailure() {
  static auto* status = new Status();
  return *status;
}
}  // namespace

Result<S3rverServer*> SharedS3rverServer() {
  if (SharedSlot() != nullptr) return SharedSlot().get();
  if (!SharedFailure().ok()) return SharedFailure();
  auto started = S3rverServer::Start();
  if (!started.ok()) {
    SharedFailure() = started.status();
    return started.status();
  }
  SharedSlot() = std::move(started).value();
  return SharedSlot().get();
}

void S3rverEnvironment::TearDown() { SharedSlot().reset(); }

}  // namespace pinpipe::testutil
