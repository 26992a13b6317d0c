// PostSink: where the emulator sends each drawn post. The emulator is the loop of the
// original `user_posting_emulation.py`; what happens to a post — printed like the original's
// pin_result/geo_result/user_result, POSTed to the Kafka REST API, PUT to the API Gateway
// Kinesis shapes — is a sink, so new destinations plug in without touching the loop.
//
// Thread-safety: a sink is driven by one emulator thread; implementations that fan out to
// several connections do their own locking.
#pragma once

#include <cstdio>

#include "base/status.h"
#include "model/records.h"

namespace pinpipe::source {

class PostSink {
 public:
  virtual ~PostSink() = default;
  // Delivers one post. A failure the sink has already retried returns Unavailable (the
  // emulator counts it and goes on); Cancelled means the destination is gone (stdout closed)
  // and stops the emulator.
  virtual Status Send(const model::Post& post) = 0;
  // Delivers anything buffered (batching sinks). Called once at the end of a run.
  virtual Status Flush() { return Status::OK(); }
};

// Prints each post as the original printed pin_result, geo_result and user_result: three
// lines of Python dict reprs, datetimes as `datetime.datetime(...)`.
class PrintSink final : public PostSink {
 public:
  // `out` must outlive the sink; it is not closed.
  explicit PrintSink(std::FILE* out) : out_(out) {}
  Status Send(const model::Post& post) override;
  Status Flush() override;

 private:
  std::FILE* out_;
};

// The Python dict repr of one row, keys in source column order.
std::string PinResultRepr(const model::RawPin& pin);
std::string GeoResultRepr(const model::RawGeo& geo);
std::string UserResultRepr(const model::RawUser& user);

}  // namespace pinpipe::source
