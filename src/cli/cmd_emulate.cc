// pinpipe emulate: the original user_posting_emulation.py loop (source/emulator.h).
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "cli/command.h"
#include "cli/progress.h"
#include "source/emulator.h"
#include "source/kafka_rest_sink.h"
#include "source/source_db.h"

namespace pinpipe::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void OnSignal(int) { g_stop.store(true); }

struct EmulateFlags {
  std::string source;
  bool print = false;
  std::optional<uint64_t> python_seed;
  uint64_t seed = 1;
  int64_t max_offset = 11000;
  int64_t count = 0;
  double duration_s = 0;
  double rate = 0;
  std::string sleep = "none";
  std::string api;
  std::string mode = "kafka";
  std::string api_key;
  int concurrency = 1;
  int batch = 1;
};

// Sends each post to every sink in turn (--print together with --api).
class TeeSink final : public source::PostSink {
 public:
  explicit TeeSink(std::vector<source::PostSink*> sinks) : sinks_(std::move(sinks)) {}
  Status Send(const model::Post& post) override {
    for (auto* s : sinks_) RETURN_IF_ERROR(s->Send(post));
    return Status::OK();
  }
  Status Flush() override {
    for (auto* s : sinks_) RETURN_IF_ERROR(s->Flush());
    return Status::OK();
  }

 private:
  std::vector<source::PostSink*> sinks_;
};

void PrintHttpSummary(const source::HttpSinkStats& s, double secs) {
  std::fprintf(stderr,
               "emulate: %lld posts acknowledged (%lld records), %lld failed; %lld requests "
               "(%.0f req/s), %lld retries; latency p50 %.1f ms, p99 %.1f ms\n",
               static_cast<long long>(s.posts_sent), static_cast<long long>(s.posts_sent * 3),
               static_cast<long long>(s.posts_failed), static_cast<long long>(s.requests),
               secs > 0 ? static_cast<double>(s.requests) / secs : 0.0,
               static_cast<long long>(s.retries), static_cast<double>(s.p50_micros) / 1e3,
               static_cast<double>(s.p99_micros) / 1e3);
  if (!s.first_error.empty()) std::fprintf(stderr, "emulate: first failure: %s\n", s.first_error.c_str());
}

void Run(const EmulateFlags& f, CommandContext& ctx) {
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  auto config = ctx.Load();
  if (!config.ok()) return;
  if (!f.print && f.api.empty()) {
    ctx.Fail("emulate", InvalidArgumentError("choose where posts go: --print and/or --api URL"), 2);
    return;
  }
  std::string url = f.source.empty() ? config->SourceUrl() : f.source;
  auto db = source::SourceDb::Open(url);
  if (!db.ok()) return ctx.Fail("emulate", db.status());

  source::EmulatorOptions opts;
  opts.python_seed = f.python_seed;
  opts.seed = f.seed;
  opts.max_offset = f.max_offset;
  opts.count = f.count;
  opts.duration_micros = static_cast<int64_t>(f.duration_s * 1e6);
  opts.rate = f.rate;
  opts.sleep_original = f.sleep == "original";

  source::PrintSink print_sink(stdout);
  std::unique_ptr<source::KafkaRestSink> http_sink;
  std::vector<source::PostSink*> sinks;
  if (f.print) sinks.push_back(&print_sink);
  if (!f.api.empty()) {
    source::HttpSinkOptions o;
    o.api_url = f.api;
    o.user_id = config->user_id;
    o.api_key = f.api_key;
    o.concurrency = f.concurrency;
    o.batch = f.batch;
    o.cancel = &g_stop;
    auto created = source::KafkaRestSink::Create(o);
    if (!created.ok()) return ctx.Fail("emulate", created.status(), 2);
    http_sink = std::move(created).value();
    sinks.push_back(http_sink.get());
  }
  TeeSink sink(sinks);
  // Printing goes to stdout; the progress bar would interleave with it on a terminal.
  ProgressBar bar("emulate", f.count, /*enabled=*/!f.print);
  source::Emulator emulator(db->get(), &sink, Clock::Real(), opts);
  auto stats = emulator.Run(&g_stop, [&](const source::EmulatorStats& s) {
    bar.Update(s.sent + s.failed);
  });
  bar.Finish();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!stats.ok()) return ctx.Fail("emulate", stats.status());
  double secs = static_cast<double>(stats->elapsed_micros) / 1e6;
  int64_t drawn = stats->sent + stats->failed;
  std::fprintf(stderr, "emulate: %lld posts drawn in %.2f s (%.0f posts/s)\n",
               static_cast<long long>(drawn), secs,
               secs > 0 ? static_cast<double>(drawn) / secs : 0.0);
  if (http_sink) {
    source::HttpSinkStats hs = http_sink->stats();
    PrintHttpSummary(hs, secs);
    if (hs.posts_failed > 0) ctx.exit_code = 1;
  }
  if (stats->failed > 0) ctx.exit_code = 1;
}

}  // namespace

void RegisterEmulateCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<EmulateFlags>();
  CLI::App* cmd = app.add_subcommand(
      "emulate",
      "Replay user posts from the source database, as user_posting_emulation.py does:\n"
      "draw a row offset, read that row of pinterest_data, geolocation_data and user_data,\n"
      "and send the three records.");
  cmd->add_option("--source", flags->source, "source database URL (default <data_dir>/source.db)");
  cmd->add_flag("--print", flags->print,
                "print pin_result, geo_result and user_result for each draw, as the original");
  cmd->add_option("--python-seed", flags->python_seed,
                  "draw offsets exactly as CPython's random.seed(N) does in the original "
                  "(N=100: 7528, 2863, 5730, ...)");
  cmd->add_option("--seed", flags->seed, "seed of the fast offset draw")->capture_default_str();
  cmd->add_option("--max-offset", flags->max_offset,
                  "largest offset drawn (capped at rows - 1), the original's randint(0, 11000)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--count", flags->count, "posts to send (default: until stopped)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--duration", flags->duration_s, "seconds to run (default: until stopped)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--rate", flags->rate, "posts per second (default: as fast as possible)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--sleep", flags->sleep,
                  "'original': sleep the drawn 0 or 1 second per post as the original; 'none'")
      ->check(CLI::IsMember({"original", "none"}))
      ->capture_default_str();
  cmd->add_option("--api", flags->api,
                  "base URL of the ingest API to send to, e.g. http://127.0.0.1:8082 (an API "
                  "Gateway stage URL works too)");
  cmd->add_option("--mode", flags->mode, "which API: kafka (Kafka REST v2 topics)")
      ->check(CLI::IsMember({"kafka"}))
      ->capture_default_str();
  cmd->add_option("--api-key", flags->api_key, "sent as x-api-key")->envname("PINPIPE_API_KEY");
  cmd->add_option("--concurrency", flags->concurrency, "parallel connections")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_option("--batch", flags->batch, "posts per request (records per topic request)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  cmd->callback([flags, &ctx] { Run(*flags, ctx); });
}

}  // namespace pinpipe::cli
