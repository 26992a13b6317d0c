#include "objstore/s3_object_store.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <utility>

#include "objstore/s3_wire.h"

namespace pinpipe::objstore {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr size_t kMaxIdleClients = 16;

std::string EnvOr(const char* name, std::string fallback) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

// "http://127.0.0.1:9000/" -> scheme "http", authority "127.0.0.1:9000".
Status SplitEndpoint(const std::string& endpoint, std::string* scheme, std::string* authority) {
  const size_t sep = endpoint.find("://");
  if (sep == std::string::npos) {
    return InvalidArgumentError("S3 endpoint '" + endpoint + "' is not http(s)://host[:port]");
  }
  *scheme = endpoint.substr(0, sep);
  if (*scheme != "http" && *scheme != "https") {
    return InvalidArgumentError("S3 endpoint '" + endpoint + "' must be http:// or https://");
  }
  *authority = endpoint.substr(sep + 3);
  while (!authority->empty() && authority->back() == '/') authority->pop_back();
  if (authority->empty() || authority->find('/') != std::string::npos) {
    return InvalidArgumentError("S3 endpoint '" + endpoint + "' must be a host, without a path");
  }
  return Status::OK();
}

// An IP address or localhost: a virtual-hosted bucket name cannot be put in front of it.
bool NeedsPathStyle(const std::string& authority) {
  if (!authority.empty() && authority.front() == '[') return true;  // IPv6
  const std::string host = authority.substr(0, authority.rfind(':'));
  if (host == "localhost") return true;
  return !host.empty() && host.find_first_not_of("0123456789.") == std::string::npos;
}

std::string EncodeQuery(std::vector<std::pair<std::string, std::string>> query) {
  std::sort(query.begin(), query.end());  // SigV4's canonical order
  std::string out;
  for (const auto& [k, v] : query) {
    out += out.empty() ? "?" : "&";
    out += s3::UriEncode(k, false) + "=" + s3::UriEncode(v, false);
  }
  return out;
}

Status ReplyStatus(const net::HttpResponse& r, std::string_view what) {
  return s3::ErrorToStatus(s3::ParseErrorReply(r.status, r.body, r.Header("x-amz-error-code")),
                           what);
}

uint64_t ParseU64(const std::string& s) { return std::strtoull(s.c_str(), nullptr, 10); }

}  // namespace

Result<std::unique_ptr<S3ObjectStore>> S3ObjectStore::Open(std::string bucket, std::string prefix,
                                                           S3Options options) {
  if (bucket.empty() || bucket.find('/') != std::string::npos) {
    return InvalidArgumentError("S3 bucket name '" + bucket + "' is invalid");
  }
  while (!prefix.empty() && prefix.front() == '/') prefix.erase(0, 1);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (!prefix.empty()) {
    RETURN_IF_ERROR(ValidateKey(prefix).WithContext("S3 prefix"));
    prefix += "/";
  }
  if (options.region.empty()) {
    options.region = EnvOr("AWS_REGION", EnvOr("AWS_DEFAULT_REGION", "us-east-1"));
  }
  if (options.multipart_threshold == 0 || options.part_size == 0 || options.max_attempts < 1) {
    return InvalidArgumentError("S3 multipart_threshold, part_size and max_attempts must be > 0");
  }
  ASSIGN_OR_RETURN(S3Credentials credentials, LoadS3Credentials(options.credentials));
  std::unique_ptr<S3ObjectStore> store(new S3ObjectStore(
      std::move(bucket), std::move(prefix), std::move(options), std::move(credentials)));
  const std::string endpoint = store->options_.endpoint.empty()
                                   ? "https://s3." + store->options_.region + ".amazonaws.com"
                                   : store->options_.endpoint;
  std::string scheme, authority;
  RETURN_IF_ERROR(SplitEndpoint(endpoint, &scheme, &authority));
  store->path_style_ = store->options_.path_style || NeedsPathStyle(authority);
  store->base_url_ = store->path_style_ ? scheme + "://" + authority
                                        : scheme + "://" + store->bucket_ + "." + authority;
  return store;
}

S3ObjectStore::S3ObjectStore(std::string bucket, std::string prefix, S3Options options,
                             S3Credentials credentials)
    : bucket_(std::move(bucket)),
      prefix_(std::move(prefix)),
      options_(std::move(options)),
      credentials_(std::move(credentials)),
      clock_(options_.clock != nullptr ? options_.clock : Clock::Real()),
      rng_(std::random_device{}()) {}

S3ObjectStore::~S3ObjectStore() = default;

std::string S3ObjectStore::Url() const {
  std::string url = "s3://" + bucket_;
  if (!prefix_.empty()) url += "/" + prefix_.substr(0, prefix_.size() - 1);
  return url;
}

std::string S3ObjectStore::What(std::string_view method, std::string_view key) const {
  return std::string(method) + " " + Url() + (key.empty() ? "" : "/" + std::string(key));
}

std::string S3ObjectStore::ObjectUrl(std::string_view full_key, const Query& query) const {
  std::string url = base_url_;
  if (path_style_) url += "/" + bucket_;
  if (!full_key.empty() || !path_style_) url += "/" + s3::UriEncode(full_key, true);
  return url + EncodeQuery(query);
}

std::unique_ptr<net::HttpClient> S3ObjectStore::Borrow() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!idle_.empty()) {
      auto client = std::move(idle_.back());
      idle_.pop_back();
      return client;
    }
  }
  auto client = net::HttpClient::Create(options_.timeout_ms);
  return client.ok() ? std::move(*client) : nullptr;
}

void S3ObjectStore::Return(std::unique_ptr<net::HttpClient> client) {
  std::lock_guard<std::mutex> l(mu_);
  if (idle_.size() < kMaxIdleClients) idle_.push_back(std::move(client));
}

int64_t S3ObjectStore::BackoffMs(int attempt) {
  int64_t cap = options_.initial_backoff_ms;
  for (int i = 1; i < attempt && cap < options_.max_backoff_ms; ++i) cap *= 2;
  cap = std::min(cap, options_.max_backoff_ms);
  std::lock_guard<std::mutex> l(mu_);
  // Half fixed, half random: spread out, yet never a zero wait.
  return cap / 2 + static_cast<int64_t>(rng_() % static_cast<uint64_t>(cap / 2 + 1));
}

Result<net::HttpResponse> S3ObjectStore::Call(const std::string& method, const std::string& url,
                                              Headers headers, std::string_view body) {
  net::HttpRequest request;
  request.method = method;
  request.url = url;
  request.headers = std::move(headers);
  request.body = std::string(body);
  if (!credentials_.anonymous()) {
    request.headers.emplace_back("x-amz-content-sha256", s3::Sha256Hex(body));
    if (!credentials_.session_token.empty()) {
      request.headers.emplace_back("x-amz-security-token", credentials_.session_token);
    }
    request.aws_sigv4 = "aws:amz:" + options_.region + ":s3";
    request.aws_credentials = credentials_.access_key_id + ":" + credentials_.secret_access_key;
  }
  Status last;
  for (int attempt = 1;; ++attempt) {
    if (attempt > 1) clock_->SleepForMicros(BackoffMs(attempt - 1) * 1000);
    std::unique_ptr<net::HttpClient> client = Borrow();
    if (client == nullptr) return InternalError("cannot create an HTTP client");
    Result<net::HttpResponse> response = client->Send(request);
    Return(std::move(client));
    if (!response.ok()) {
      last = response.status();
      if (last.code() != StatusCode::kUnavailable) return last;
      if (attempt >= options_.max_attempts) break;
      continue;
    }
    if (response->status >= 300 && attempt < options_.max_attempts &&
        s3::IsRetryable(s3::ParseErrorReply(response->status, response->body,
                                            response->Header("x-amz-error-code")))) {
      continue;
    }
    if (attempt > 1) response->headers.emplace_back("x-pinpipe-attempts", std::to_string(attempt));
    return response;
  }
  return UnavailableError(std::string(last.message()) + " (after " +
                          std::to_string(options_.max_attempts) + " attempts)");
}

Status S3ObjectStore::SameObjectOr(Status status, std::string_view key, std::string_view data) {
  auto current = Get(key);
  if (current.ok() && *current == data) return Status::OK();
  return status;
}

Status S3ObjectStore::Put(std::string_view key, std::string_view data, const PutOptions& options) {
  RETURN_IF_ERROR(ValidateKey(key));
  const std::string full_key = FullKey(key);
  if (data.size() > options_.multipart_threshold) {
    Status s = PutMultipart(full_key, data, options.if_absent);
    if (s.code() == StatusCode::kAlreadyExists) return SameObjectOr(std::move(s), key, data);
    return s;
  }
  Headers headers = {{"Content-Type", "application/octet-stream"}};
  if (options.if_absent) headers.emplace_back("If-None-Match", "*");
  ASSIGN_OR_RETURN(net::HttpResponse r, Call("PUT", ObjectUrl(full_key, {}), headers, data));
  if (r.status / 100 == 2) return Status::OK();
  Status s = ReplyStatus(r, What("PUT", key));
  if (s.code() == StatusCode::kAlreadyExists && !r.Header("x-pinpipe-attempts").empty()) {
    return SameObjectOr(std::move(s), key, data);  // maybe our own lost first attempt
  }
  return s;
}

Status S3ObjectStore::PutMultipart(const std::string& full_key, std::string_view data,
                                   bool if_absent) {
  const std::string what = What("multipart PUT", full_key.substr(prefix_.size()));
  ASSIGN_OR_RETURN(net::HttpResponse init,
                   Call("POST", ObjectUrl(full_key, {{"uploads", ""}}),
                        {{"Content-Type", "application/octet-stream"}}, ""));
  if (init.status / 100 != 2) return ReplyStatus(init, what);
  const std::string upload_id = s3::XmlText(init.body, "UploadId");
  if (upload_id.empty()) return CorruptionError(what + ": no UploadId in the reply");

  Status s = [&]() -> Status {
    std::string complete = "<CompleteMultipartUpload>";
    int part = 0;
    for (uint64_t off = 0; off < data.size(); off += options_.part_size) {
      ++part;
      const std::string_view chunk = data.substr(off, options_.part_size);
      ASSIGN_OR_RETURN(
          net::HttpResponse r,
          Call("PUT",
               ObjectUrl(full_key, {{"partNumber", std::to_string(part)}, {"uploadId", upload_id}}),
               {{"Content-Type", "application/octet-stream"}}, chunk));
      if (r.status / 100 != 2) return ReplyStatus(r, what + " part " + std::to_string(part));
      const std::string etag = r.Header("etag");
      if (etag.empty()) return CorruptionError(what + ": no ETag for part " + std::to_string(part));
      complete += "<Part><PartNumber>" + std::to_string(part) + "</PartNumber><ETag>" +
                  s3::XmlEscape(etag) + "</ETag></Part>";
    }
    complete += "</CompleteMultipartUpload>";
    Headers headers = {{"Content-Type", "application/xml"}};
    if (if_absent) headers.emplace_back("If-None-Match", "*");
    ASSIGN_OR_RETURN(
        net::HttpResponse r,
        Call("POST", ObjectUrl(full_key, {{"uploadId", upload_id}}), headers, complete));
    // S3 may answer 200 and put the error in the body.
    if (r.status / 100 != 2 || r.body.find("<Error>") != std::string::npos) {
      return ReplyStatus(r, what);
    }
    return Status::OK();
  }();
  if (!s.ok()) {
    Call("DELETE", ObjectUrl(full_key, {{"uploadId", upload_id}}), {}, "").status().IgnoreError();
  }
  return s;
}

Result<std::string> S3ObjectStore::Get(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  ASSIGN_OR_RETURN(net::HttpResponse r, Call("GET", ObjectUrl(FullKey(key), {}), {}, ""));
  if (r.status != 200) return ReplyStatus(r, What("GET", key));
  return std::move(r.body);
}

Result<std::string> S3ObjectStore::GetRange(std::string_view key, uint64_t offset,
                                            uint64_t length) {
  RETURN_IF_ERROR(ValidateKey(key));
  if (length == 0) {
    RETURN_IF_ERROR(Head(key).status());
    return std::string();
  }
  std::string range = "bytes=" + std::to_string(offset) + "-";
  if (length <= std::numeric_limits<uint64_t>::max() - offset) {
    range += std::to_string(offset + length - 1);
  }
  ASSIGN_OR_RETURN(net::HttpResponse r,
                   Call("GET", ObjectUrl(FullKey(key), {}), {{"Range", range}}, ""));
  if (r.status == 206) return std::move(r.body);
  if (r.status == 200) {  // the server ignored the range
    if (offset >= r.body.size()) return std::string();
    return r.body.substr(offset, std::min<uint64_t>(length, r.body.size() - offset));
  }
  Status s = ReplyStatus(r, What("GET", key));
  if (s.code() == StatusCode::kOutOfRange) return std::string();  // offset at or past the end
  return s;
}

Result<ObjectInfo> S3ObjectStore::Head(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  ASSIGN_OR_RETURN(net::HttpResponse r, Call("HEAD", ObjectUrl(FullKey(key), {}), {}, ""));
  if (r.status != 200) return ReplyStatus(r, What("HEAD", key));
  ObjectInfo info;
  info.key = std::string(key);
  info.size = ParseU64(r.Header("content-length"));
  auto mtime = s3::ParseHttpDateMs(r.Header("last-modified"));
  if (mtime.ok()) info.mtime_ms = *mtime;
  info.etag = r.Header("etag");
  return info;
}

Result<ListPage> S3ObjectStore::List(std::string_view prefix, std::string_view token,
                                     int max_keys) {
  if (max_keys <= 0) return InvalidArgumentError("max_keys must be positive");
  Query query = {{"list-type", "2"},
                 {"prefix", prefix_ + std::string(prefix)},
                 {"max-keys", std::to_string(std::min(max_keys, 1000))}};
  if (!token.empty()) query.emplace_back("continuation-token", std::string(token));
  ASSIGN_OR_RETURN(net::HttpResponse r, Call("GET", ObjectUrl("", query), {}, ""));
  if (r.status != 200) return ReplyStatus(r, What("LIST", prefix));
  ListPage page;
  for (std::string_view contents : s3::XmlElements(r.body, "Contents")) {
    ObjectInfo info;
    std::string full_key = s3::XmlText(contents, "Key");
    if (full_key.compare(0, prefix_.size(), prefix_) != 0) {
      return CorruptionError(What("LIST", prefix) + ": key '" + full_key + "' outside the prefix");
    }
    info.key = full_key.substr(prefix_.size());
    info.size = ParseU64(s3::XmlText(contents, "Size"));
    auto mtime = s3::ParseIso8601Ms(s3::XmlText(contents, "LastModified"));
    if (mtime.ok()) info.mtime_ms = *mtime;
    info.etag = s3::XmlText(contents, "ETag");
    page.objects.push_back(std::move(info));
  }
  if (s3::XmlText(r.body, "IsTruncated") == "true") {
    page.next = s3::XmlText(r.body, "NextContinuationToken");
    if (page.next.empty()) {
      return CorruptionError(What("LIST", prefix) + ": truncated without a continuation token");
    }
  }
  return page;
}

Status S3ObjectStore::Delete(std::string_view key) {
  RETURN_IF_ERROR(ValidateKey(key));
  ASSIGN_OR_RETURN(net::HttpResponse r, Call("DELETE", ObjectUrl(FullKey(key), {}), {}, ""));
  if (r.status / 100 == 2) return Status::OK();
  Status s = ReplyStatus(r, What("DELETE", key));
  if (s.code() == StatusCode::kNotFound &&
      s.message().find("no such bucket") == std::string::npos) {
    return Status::OK();
  }
  return s;
}

}  // namespace pinpipe::objstore
