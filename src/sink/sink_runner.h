// SinkRunner: a Sink on a thread of its own — the sink service inside `pinpipe up`.
//
// Stop() sets the stop flag and joins: a put or commit in progress finishes (or its retry
// sleep is cut short), open objects are dropped uncommitted, to be re-read after a restart.
// If Run ends by itself (a bad record under errors_tolerance none), `on_exit` is called on
// the sink's thread with the reason, and the rest of the process keeps running.
//
// Ownership: the Sink is borrowed and must outlive the runner (or its Stop()).
// Thread-safety: Start and Stop from one controlling thread; finished()/status() from any.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include "base/status.h"
#include "base/thread_annotations.h"
#include "sink/sink.h"

namespace pinpipe::sink {

class SinkRunner {
 public:
  explicit SinkRunner(Sink* sink, std::function<void(const Status&)> on_exit = {})
      : sink_(sink), on_exit_(std::move(on_exit)) {}
  SinkRunner(const SinkRunner&) = delete;
  SinkRunner& operator=(const SinkRunner&) = delete;
  ~SinkRunner() { Stop().IgnoreError(); }

  // Starts the thread; kFailedPrecondition if already started.
  Status Start();
  // Stops and joins; returns how Run ended (OK when stopped). No-op (OK) if not started.
  Status Stop();

  bool finished() const { return finished_.load(); }
  Status status() const LOCKS_EXCLUDED(mu_);

 private:
  Sink* const sink_;
  const std::function<void(const Status&)> on_exit_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  Status status_ GUARDED_BY(mu_);
};

}  // namespace pinpipe::sink
