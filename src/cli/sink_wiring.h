// The sink's wiring, shared by `pinpipe sink`, `up` and `demo`: options from the
// configuration, the lake (object store) to write to, a summary printer, and SinkService (a
// Sink on its own thread with the store it writes to, as `up` runs it).
//
// Thread-safety: as the objects returned; the functions keep no state.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "base/result.h"
#include "cli/config.h"
#include "log/topic_log.h"
#include "objstore/object_store.h"
#include "sink/sink.h"
#include "sink/sink_runner.h"

namespace pinpipe::cli {

// The sink.* keys as SinkOptions (topics_regex defaulted, errors_tolerance parsed).
Result<sink::SinkOptions> SinkOptionsFrom(const Config& config);

// The store the sink writes to: `url` (file:///abs/dir, a directory, s3://bucket/prefix), or
// when empty lake.url (default <data_dir>/lake); see OpenConfiguredStore.
Result<std::unique_ptr<objstore::ObjectStore>> OpenLake(const Config& config,
                                                        const std::string& url = "");

// One line per topic: "<indent><topic>  <n> records in <m> objects, <b> bytes[, <d> to the DLQ]".
void PrintSinkSummary(std::FILE* out, const sink::SinkStats& stats, const char* indent);

// The sink as a service of `pinpipe up`: owns the store and the Sink, runs it on a thread.
class SinkService {
 public:
  // Opens the lake and starts the sink on `log` (borrowed; must outlive the service).
  static Result<std::unique_ptr<SinkService>> Start(log::TopicLog* log, const Config& config);
  ~SinkService();
  // Graceful: the put or commit in progress finishes; open objects are re-read next start.
  Status Stop();
  std::string MetricsText() const { return sink_->MetricsText(); }
  std::string store_url() const { return store_->Url(); }

 private:
  SinkService() = default;
  std::unique_ptr<objstore::ObjectStore> store_;
  std::unique_ptr<sink::Sink> sink_;
  std::unique_ptr<sink::SinkRunner> runner_;
};

}  // namespace pinpipe::cli
