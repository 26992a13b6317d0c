#include "sink/sink_runner.h"

namespace pinpipe::sink {

Status SinkRunner::Start() {
  if (thread_.joinable()) return FailedPreconditionError("the sink runner is already started");
  stop_ = false;
  finished_ = false;
  thread_ = std::thread([this] {
    Status s = sink_->Run(stop_);
    {
      std::lock_guard<std::mutex> l(mu_);
      status_ = s;
    }
    finished_ = true;
    if (!s.ok() && on_exit_) on_exit_(s);
  });
  return Status::OK();
}

Status SinkRunner::Stop() {
  if (!thread_.joinable()) return Status::OK();
  stop_ = true;
  thread_.join();
  return status();
}

Status SinkRunner::status() const {
  std::lock_guard<std::mutex> l(mu_);
  return status_;
}

}  // namespace pinpipe::sink
