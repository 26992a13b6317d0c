// pinpipe up: the long-running services on embedded defaults — the HTTP API (Kafka REST) over
// the embedded topic log, and the S3 sink into the lake (sink.enabled). Stops gracefully on
// SIGINT/SIGTERM: in-flight requests finish (their records are durable), then the sink stops
// after its put or commit in progress, then the scheduler cancels running tries (they run again
// at the next start), then the process exits 0. The scheduler (scheduler.enabled) runs the
// [jobs.*] of the configuration, by default the daily batch.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/services.h"
#include "cli/scheduler_wiring.h"
#include "cli/sink_wiring.h"
#include "log/retention_runner.h"

namespace pinpipe::cli {
namespace {

struct UpFlags {
  std::string listen;
};

Status RunUp(const Config& config, const UpFlags& flags) {
  // Signals are taken by sigwait below, never by a server thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ASSIGN_OR_RETURN(auto log, OpenLog(config));
  if (log->recovered_truncated_bytes() > 0) {
    std::fprintf(stderr,
                 "pinpipe up: recovery cut %llu bytes of unacknowledged writes from the end of "
                 "the log (the last run stopped while writing; no acknowledged record is lost)\n",
                 static_cast<unsigned long long>(log->recovered_truncated_bytes()));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> created, EnsurePipelineTopics(*log, config));
  for (const auto& t : created) std::fprintf(stderr, "pinpipe up: created topic %s\n", t.c_str());
  log::RetentionRunner retention(log.get());
  RETURN_IF_ERROR(retention.Start(std::chrono::milliseconds(config.log.retention_check_ms)));
  std::unique_ptr<SinkService> sink;  // outlives the API, whose /metrics reads it
  std::vector<std::function<std::string()>> extra_metrics;
  if (config.sink.enabled) {
    ASSIGN_OR_RETURN(sink, SinkService::Start(log.get(), config));
    extra_metrics.push_back([s = sink.get()] { return s->MetricsText(); });
    std::fprintf(stderr, "pinpipe up: sink %s → %s\n", config.SinkTopicsRegex().c_str(),
                 sink->store_url().c_str());
  }
  std::unique_ptr<SchedulerService> scheduler;  // outlives the API (/api/schedule, /metrics)
  std::function<std::string()> schedule_json;
  if (config.scheduler.enabled) {
    ASSIGN_OR_RETURN(scheduler, SchedulerService::Start(config));
    extra_metrics.push_back([s = scheduler.get()] { return s->MetricsText(); });
    schedule_json = [s = scheduler.get()] { return s->StatusJson(); };
    std::fprintf(stderr, "pinpipe up: scheduler on (pinpipe schedule list)\n");
  }
  ASSIGN_OR_RETURN(auto api, StartApi(log.get(), config, flags.listen, std::move(extra_metrics),
                                      std::move(schedule_json)));
  std::string host;
  uint16_t port = 0;
  RETURN_IF_ERROR(ParseHostPort(flags.listen.empty() ? config.api.listen : flags.listen, &host, &port));
  std::fprintf(stderr, "pinpipe up: Kafka REST API on http://%s:%u%s (data in %s); Ctrl-C stops\n",
               host.c_str(), static_cast<unsigned>(api->port()), config.api.base_path.c_str(),
               config.data_dir.c_str());
  std::fflush(stderr);

  int sig = 0;
  sigwait(&signals, &sig);
  std::fprintf(stderr, "pinpipe up: %s received, finishing in-flight requests\n",
               sig == SIGINT ? "SIGINT" : "SIGTERM");
  Status stopped = api->Stop(std::chrono::seconds(10));
  if (sink) {
    if (Status s = sink->Stop(); !s.ok()) {
      std::fprintf(stderr, "pinpipe up: the sink had stopped: %s\n",
                   std::string(s.message()).c_str());
    }
  }
  if (scheduler) scheduler->Stop();  // running tries are cancelled and re-queued
  retention.Stop();
  if (!stopped.ok() && stopped.code() != StatusCode::kDeadlineExceeded) return stopped;
  std::fprintf(stderr, "pinpipe up: stopped\n");
  return Status::OK();
}

}  // namespace

void RegisterUpCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<UpFlags>();
  CLI::App* cmd = app.add_subcommand(
      "up", "Run the long-running services (the Kafka REST API over the embedded log, the S3 "
            "sink into the lake) until SIGINT/SIGTERM.");
  cmd->add_option("--listen", flags->listen, "HOST:PORT to listen on (default api.listen, "
                                             "127.0.0.1:8082)");
  cmd->callback([flags, &ctx] {
    auto config = ctx.Load();
    if (!config.ok()) return;
    if (Status s = RunUp(*config, *flags); !s.ok()) ctx.Fail("up", s);
  });
}

}  // namespace pinpipe::cli
