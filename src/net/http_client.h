// HttpClient: a blocking HTTP/1.1 client over libcurl, the one seam to libcurl (the emulator's
// sinks use it today; the S3 and Kinesis clients will). One client holds one connection pool
// (keep-alive); curl's errors become Status here and nowhere else.
//
// Thread-safety: one HttpClient per thread. Open one per worker.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace pinpipe::net {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // AWS Signature V4 (curl's CURLOPT_AWS_SIGV4) when non-empty: "aws:amz:<region>:<service>",
  // signed with `aws_credentials` "<access key id>:<secret access key>". Every header above is
  // signed; set x-amz-content-sha256 (and x-amz-security-token) here as S3 requires.
  std::string aws_sigv4;
  std::string aws_credentials;
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;

  // The first header named `name` (lowercase), or "".
  std::string Header(const std::string& name) const;
};

class HttpClient {
 public:
  static Result<std::unique_ptr<HttpClient>> Create(int64_t timeout_ms = 30000);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends the request and waits for the whole response. A response with any status is OK;
  // Unavailable means no response (connection refused or reset, timeout): worth a retry.
  Result<HttpResponse> Send(const HttpRequest& request);

 private:
  explicit HttpClient(void* curl, int64_t timeout_ms) : curl_(curl), timeout_ms_(timeout_ms) {}
  void* curl_;  // CURL*, owned
  int64_t timeout_ms_;
};

}  // namespace pinpipe::net
