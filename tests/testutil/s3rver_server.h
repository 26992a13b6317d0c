// S3rverServer: a private s3rver for C++ tests (the S3 conformance run, the sink's crash
// tests), so the S3 backend is tested against a server no one here wrote.
//
// Start() runs `node tests/testutil/s3rver.js` (see that file for what it adds to s3rver:
// SigV4 verification, `If-None-Match: *`, fault injection) on a free 127.0.0.1 port with its
// data in a fresh temp dir and the given buckets created, and waits until it listens. The
// destructor stops it (SIGTERM, then SIGKILL) and removes the dir; the server also dies with
// the test process (PR_SET_PDEATHSIG).
//
// A missing node or s3rver is a FailedPrecondition naming `scripts/bootstrap --test`: tests
// that need the server fail, never skip.
//
// Credentials: access key kAccessKey, secret kSecretKey (pass them in S3Options via the
// credentials' getenv hook, or as AWS_* variables to a child process).
//
// Thread-safety: Start/destruction from one thread; the accessors from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/types.h>

#include "base/result.h"
#include "objstore/s3_object_store.h"

namespace pinpipe::testutil {

class S3rverServer {
 public:
  static constexpr char kAccessKey[] = "S3RVER";
  static constexpr char kSecretKey[] = "S3RVER";
  static constexpr char kBucket[] = "pinpipe-test";

  static Result<std::unique_ptr<S3rverServer>> Start(std::vector<std::string> buckets = {kBucket});
  ~S3rverServer();
  S3rverServer(const S3rverServer&) = delete;
  S3rverServer& operator=(const S3rverServer&) = delete;

  // http://127.0.0.1:<port>
  const std::string& endpoint() const { return endpoint_; }
  uint16_t port() const { return port_; }
  // Options for an S3ObjectStore on this server: its endpoint, us-east-1, path style, its
  // credentials (from a getenv hook, not the process environment), and a small multipart
  // threshold (64 KiB, parts of 32 KiB) so tests exercise multipart uploads.
  objstore::S3Options StoreOptions() const;
  // An S3ObjectStore on `bucket` (default kBucket) under `prefix`.
  Result<std::unique_ptr<objstore::S3ObjectStore>> OpenStore(
      const std::string& prefix, const std::string& bucket = kBucket) const;
  // Where s3rver keeps the buckets (for tests that look at the files).
  std::string data_dir() const { return dir_ + "/data"; }

  // The next `count` requests fail with HTTP `http_status` and S3 error `code` (0 disarms).
  Status FailNextRequests(int count, int http_status = 503, const std::string& code = "SlowDown");
  // The next `count` requests get their connection closed without a reply.
  Status ResetNextConnections(int count);

 private:
  S3rverServer() = default;
  Status Control(const std::string& query);

  std::string dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string endpoint_;
};

// The server shared by all tests of one binary, started on first call (bucket kBucket). A
// failed start is remembered and returned again, so a missing s3rver fails every test quickly.
Result<S3rverServer*> SharedS3rverServer();

// Register with ::testing::AddGlobalTestEnvironment to stop the shared server at the end.
class S3rverEnvironment : public ::testing::Environment {
 public:
  void TearDown() override;
};

}  // namespace pinpipe::testutil
