// pinpipe sink: the S3-sink connector (SPEC §5) on its own: topics matching sink.topics_regex
// → objects in the lake. Reads the embedded log directly, so it runs while `pinpipe up` does
// not (`up` runs the same sink as a service). Without --once it runs until SIGINT/SIGTERM;
// with --once it drains what the topics hold, cuts the open objects and exits with a summary.
#include <pthread.h>
#include <signal.h>

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include "base/clock.h"
#include "cli/command.h"
#include "cli/services.h"
#include "cli/sink_wiring.h"

namespace pinpipe::cli {
namespace {

struct SinkFlags {
  bool once = false;
  std::string store;
};

// --once gives up on a put or commit after this many attempts (~25 s of backoff) instead of
// retrying forever: a batch job should fail, not hang. Nothing is skipped either way.
constexpr int64_t kOnceMaxAttempts = 8;

Status RunSink(const Config& config, const SinkFlags& flags) {
  ASSIGN_OR_RETURN(sink::SinkOptions options, SinkOptionsFrom(config));
  if (flags.once) options.max_attempts = kOnceMaxAttempts;
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  // The service mode takes signals with sigwait; --once may simply die (it is exactly-once).
  if (!flags.once) pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ASSIGN_OR_RETURN(auto log, OpenLog(config));
  ASSIGN_OR_RETURN(auto store, OpenLake(config, flags.store));
  ASSIGN_OR_RETURN(auto sink, sink::Sink::Create(log.get(), store.get(), Clock::Real(), options));

  if (flags.once) {
    int64_t start = Clock::Real()->MonotonicMicros();
    ASSIGN_OR_RETURN(sink::SinkStats stats, sink->Drain(/*cut_tails=*/true));
    double secs = static_cast<double>(Clock::Real()->MonotonicMicros() - start) / 1e6;
    sink::TopicCounters total = stats.Total();
    std::printf("pinpipe sink: drained %" PRId64 " records into %" PRId64 " objects (%" PRId64
                " bytes) in %s in %.3f s\n",
                total.records, total.objects, total.bytes, store->Url().c_str(), secs);
    PrintSinkSummary(stdout, stats, "  ");
    return Status::OK();
  }

  sink::SinkRunner runner(sink.get());
  RETURN_IF_ERROR(runner.Start());
  std::fprintf(stderr,
               "pinpipe sink: %s → %s as group %s (flush_size %" PRId64 "); Ctrl-C stops\n",
               options.topics_regex.c_str(), store->Url().c_str(), options.GroupName().c_str(),
               options.flush_size);
  std::fflush(stderr);
  const timespec step{0, 200'000'000};
  while (!runner.finished()) {
    int sig = sigtimedwait(&signals, nullptr, &step);
    if (sig == SIGINT || sig == SIGTERM) break;
  }
  Status s = runner.Stop();
  PrintSinkSummary(stderr, sink->stats(), "pinpipe sink: ");
  return s;
}

}  // namespace

void RegisterSinkCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<SinkFlags>();
  CLI::App* cmd = app.add_subcommand(
      "sink", "Write the topics matching sink.topics_regex to the object store in the S3 sink "
              "layout (topics/<topic>/partition=<p>/<topic>+<p>+<offset>.json), exactly once.");
  cmd->add_flag("--once", flags->once,
                "drain what the topics hold now (cutting the open objects), then exit");
  cmd->add_option("--store", flags->store,
                  "where to write: file:///abs/dir, a directory or s3://bucket/prefix "
                  "(default lake.url, <data_dir>/lake)");
  cmd->callback([flags, &ctx] {
    auto config = ctx.Load();
    if (!config.ok()) return;
    Status s = RunSink(*config, *flags);
    if (!s.ok()) ctx.Fail("sink", s, s.code() == StatusCode::kInvalidArgument ? 2 : 1);
  });
}

}  // namespace pinpipe::cli
