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
#include "testutil/child_process.h"

namespace pinpipe::testutil {
namespace {

constexpr char kBootstrapHint[] =
    "install the test peers with scripts/bootstrap --test (npm package s3rver under "
    "tests/peers)";

}  // namespace

Result<std::unique_ptr<S3rverServer>> S3rverServer::Start(std::vector<std::string> buckets) {
  const std::string node = FindProgram({"node"}, {"/usr/local/bin", "/usr/bin"});
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
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return ErrnoError("pipe", "s3rver", errno);
  const std::string log = tmpl + "/s3rver.log";
  auto spawned = Spawn(args, log, out[1]);
  ::close(out[1]);
  if (!spawned.ok()) {
    ::close(out[0]);
    return spawned.status();
  }
  const pid_t pid = *spawned;
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
    const std::string why = TailOfFile(log, 4000);
    if (code.ok() && *code == 3) return FailedPreconditionError(why + kBootstrapHint);
    return InternalError("s3rver did not start: " + why);
  }
  server->port_ = static_cast<uint16_t>(std::atoi(line.c_str() + 6));
  server->endpoint_ = "http://127.0.0.1:" + std::to_string(server->port_);
  return server;
}

S3rverServer::~S3rverServer() {
  StopProcess(pid_, std::chrono::seconds(10));
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

Result<S3rverServer*> SharedS3rverServer() { return SharedPeer<S3rverServer>::Get(); }

void S3rverEnvironment::TearDown() { SharedPeer<S3rverServer>::Reset(); }

}  // namespace pinpipe::testutil
