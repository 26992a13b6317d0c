// Request and Response: what a handler sees and returns. Plain data, no Boost types, so the API
// layer compiles without Beast.
//
// Lifetime: a Request is a set of views into the connection's buffers. It is valid only for the
// duration of the handler call it is passed to; copy what must outlive it.
// Thread-safety: a Request is handed to one handler at a time; const methods never mutate.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pinpipe::http {

struct Header {
  std::string name;
  std::string value;
};

using HeaderView = std::pair<std::string_view, std::string_view>;
// Decoded path parameters, in pattern order: {"topic", "a.pin"}.
using PathParams = std::vector<std::pair<std::string, std::string>>;

// Readable bytes a server Request's body() is followed by (their contents unspecified), so a
// parser that reads whole blocks (simdjson needs 64) can parse it where it lies, uncopied.
inline constexpr size_t kBodyPadding = 64;

class Request {
 public:
  Request() = default;
  // `path` is the target's path after the base path was removed (still percent-encoded).
  Request(std::string_view method, std::string_view target, std::string_view path,
          std::string_view query, std::vector<HeaderView> headers, std::string_view body,
          const PathParams* params)
      : method_(method), target_(target), path_(path), query_(query),
        headers_(std::move(headers)), body_(body), params_(params) {}

  std::string_view method() const { return method_; }   // "GET", "POST", ...
  std::string_view target() const { return target_; }   // as sent: "/test/topics/a?x=1"
  std::string_view path() const { return path_; }       // "/topics/a" (base path removed)
  std::string_view query() const { return query_; }     // "x=1" (raw, without '?')
  // Empty for streaming requests. In a Request the Server makes, a non-empty body is followed
  // by kBodyPadding readable bytes.
  std::string_view body() const { return body_; }
  const std::vector<HeaderView>& headers() const { return headers_; }

  // The first header of that name (case-insensitive), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
  // The decoded value of path parameter `name` ("{topic}"), or empty if there is none.
  std::string_view param(std::string_view name) const;
  // The decoded value ('+' is a space) of the first query parameter `name`, or nullopt when
  // absent or badly encoded.
  std::optional<std::string> query_param(std::string_view name) const;

 private:
  std::string_view method_, target_, path_, query_;
  std::vector<HeaderView> headers_;
  std::string_view body_;
  const PathParams* params_ = nullptr;
};

struct Response {
  int status = 200;
  std::string content_type;     // empty: no Content-Type header
  std::vector<Header> headers;  // extra headers; Content-Length/Connection are the server's
  std::string body;
};

// A handler for an ordinary request: the whole body has been read (within max_body_bytes).
// May block (see README.md, "Threading"). Must not throw.
using Handler = std::function<Response(const Request&)>;

// Answers one deferred request (see AsyncHandler). Cheap to copy; every copy answers the same
// request and only the first call counts. May be called from any thread, before or after the
// handler returns. If the connection has closed or the server has stopped meanwhile, the
// response is dropped. If every copy is destroyed without a call, the request is answered
// 500, so a lost responder never leaves a connection hanging.
class Responder {
 public:
  struct State;  // internal to http/
  explicit Responder(std::shared_ptr<State> state) : state_(std::move(state)) {}
  void operator()(Response response) const;

 private:
  std::shared_ptr<State> state_;
};

// A handler that answers later, without holding a thread while it waits (e.g. for an
// fdatasync): it starts the work, arranges for `respond` to be called once, and returns. It
// runs on the io thread that read the request (whatever handler_threads is), so it must not
// block. The connection reads its next request only after this response is written, so
// keep-alive and pipelined requests are answered in order as with Handler. Must not throw.
using AsyncHandler = std::function<void(const Request&, Responder respond)>;

// Collects response chunks during a BodyStream callback; the server sends what was written as
// one HTTP chunk when the callback returns (empty writes send nothing).
class ChunkWriter {
 public:
  void Write(std::string_view data) { out_.append(data); }
  std::string& buffer() { return out_; }

 private:
  std::string out_;
};

// The receiving side of a streaming request (chunked or not): the body arrives in pieces, split
// anywhere (a JSON record may straddle two pieces), and the response is sent as chunks.
// Callbacks for one stream never run concurrently and run in order.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // One piece of the request body, as it arrived.
  virtual void OnData(std::string_view data, ChunkWriter& out) = 0;
  // The body ended cleanly; what is written here is the last chunk of the response.
  virtual void OnEnd(ChunkWriter& out) = 0;
  // The connection failed or timed out before the end; nothing more can be sent.
  virtual void OnAbort() {}
};

// What a streaming handler decides from the request head (Request::body() is empty):
// with `stream` set, `head` (status + headers; its body is ignored) is sent at once with
// Transfer-Encoding: chunked and the body is fed to `stream`; without it, `head` is a complete
// refusal (e.g. 415) and the connection is closed after it.
struct StreamStart {
  Response head;
  std::unique_ptr<BodyStream> stream;
};
using StreamingHandler = std::function<StreamStart(const Request& head)>;

// Case-insensitive ASCII comparison, as header names compare.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace pinpipe::http
