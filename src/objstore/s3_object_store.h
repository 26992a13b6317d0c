// S3ObjectStore: an ObjectStore in an S3 bucket (AWS or any S3-compatible server: MinIO,
// s3rver, ...), `s3://bucket/prefix`. Requests go through net::HttpClient (libcurl) signed with
// SigV4 by curl (CURLOPT_AWS_SIGV4), with x-amz-content-sha256 over the payload.
//
// - Keys are relative to the prefix: key `k` is the S3 object `<prefix>/k`.
// - Put sends one PutObject up to `multipart_threshold` bytes, a multipart upload above it
//   (parts of `part_size`; aborted on failure, so no partial object is ever visible).
//   if_absent sends `If-None-Match: *` (on PutObject or CompleteMultipartUpload), which AWS
//   S3 and MinIO honour atomically; a server that ignores the header would silently replace.
//   A retried if-absent Put whose first attempt did land (lost reply) finds the object in
//   place: if it holds the same bytes, Put reports OK.
// - List is ListObjectsV2; the page token is S3's continuation token.
// - Transient failures (no reply, 5xx, throttling, a concurrent conditional write) are retried
//   up to `max_attempts` times with exponential backoff and full jitter, sleeping on `clock`;
//   then kUnavailable. Errors are mapped in s3_errors.cc.
//
// Thread-safety: every method may be called from many threads at once; each call borrows an
// HttpClient (a keep-alive connection) from a pool.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/thread_annotations.h"
#include "net/http_client.h"
#include "objstore/object_store.h"
#include "objstore/s3_credentials.h"
#include "objstore/s3_errors.h"

namespace pinpipe::objstore {

struct S3Options {
  // "http(s)://host[:port]"; empty: https://s3.<region>.amazonaws.com.
  std::string endpoint;
  // Empty: $AWS_REGION, else $AWS_DEFAULT_REGION, else us-east-1.
  std::string region;
  // true: <endpoint>/<bucket>/<key>; false: <bucket>.<endpoint host>/<key> (virtual-hosted).
  // Endpoints given by IP address or `localhost` always use path style.
  bool path_style = false;
  S3CredentialsOptions credentials;
  uint64_t multipart_threshold = 64ull << 20;
  uint64_t part_size = 16ull << 20;  // S3's minimum is 5 MiB (except the last part)
  int max_attempts = 5;
  int64_t initial_backoff_ms = 100;
  int64_t max_backoff_ms = 5000;
  int64_t timeout_ms = 120000;  // per HTTP request
  Clock* clock = nullptr;       // backoff sleeps; nullptr: the real clock
};

class S3ObjectStore final : public ObjectStore {
 public:
  // Loads credentials and checks the options; no network I/O (the first request reports a
  // missing bucket or refused credentials).
  static Result<std::unique_ptr<S3ObjectStore>> Open(std::string bucket, std::string prefix,
                                                     S3Options options);
  ~S3ObjectStore() override;

  Status Put(std::string_view key, std::string_view data, const PutOptions& options = {}) override;
  Result<std::string> Get(std::string_view key) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Result<ListPage> List(std::string_view prefix, std::string_view token = {},
                        int max_keys = 1000) override;
  Status Delete(std::string_view key) override;
  std::string Url() const override;

  // The URL a request for `key` (a full S3 key, prefix included) with `query` goes to.
  std::string ObjectUrl(std::string_view full_key,
                        const std::vector<std::pair<std::string, std::string>>& query) const;

 private:
  using Query = std::vector<std::pair<std::string, std::string>>;
  S3ObjectStore(std::string bucket, std::string prefix, S3Options options,
                S3Credentials credentials);

  std::string FullKey(std::string_view key) const { return prefix_ + std::string(key); }
  std::string What(std::string_view method, std::string_view key) const;
  // Sends a signed request, retrying transient failures. A reply with any status is returned
  // (callers map errors); only "no reply after every attempt" is an error here.
  Result<net::HttpResponse> Call(const std::string& method, const std::string& url,
                                 std::vector<std::pair<std::string, std::string>> headers,
                                 std::string_view body);
  Status PutMultipart(const std::string& full_key, std::string_view data, bool if_absent);
  // After kAlreadyExists on an if-absent put: OK if the object holds `data` (our own earlier
  // attempt landed), else the original status.
  Status SameObjectOr(Status status, std::string_view key, std::string_view data);
  int64_t BackoffMs(int attempt);

  std::unique_ptr<net::HttpClient> Borrow();
  void Return(std::unique_ptr<net::HttpClient> client);

  const std::string bucket_;
  const std::string prefix_;  // "" or ending in '/'
  const S3Options options_;
  const S3Credentials credentials_;
  std::string base_url_;  // scheme://host[:port] of requests (with the bucket if virtual)
  bool path_style_ = true;
  Clock* clock_;

  std::mutex mu_;
  std::vector<std::unique_ptr<net::HttpClient>> idle_ GUARDED_BY(mu_);
  std::mt19937_64 rng_ GUARDED_BY(mu_);
};

}  // namespace pinpipe::objstore
