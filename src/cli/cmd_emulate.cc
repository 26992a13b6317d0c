// pinpipe emulate: the original user_posting_emulation.py loop (source/emulator.h).
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "cli/command.h"
#include "cli/progress.h"
#include "source/emulator.h"
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
};

void Run(const EmulateFlags& f, CommandContext& ctx) {
  auto config = ctx.Load();
  if (!config.ok()) return;
  if (!f.print) {
    ctx.Fail("emulate", InvalidArgumentError("choose where posts go: --print"), 2);
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

  source::PrintSink sink(stdout);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
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
  std::fprintf(stderr, "emulate: sent %lld posts (%lld records), failed %lld, in %.2f s (%.0f posts/s)\n",
               static_cast<long long>(stats->sent), static_cast<long long>(stats->sent * 3),
               static_cast<long long>(stats->failed), secs,
               secs > 0 ? static_cast<double>(stats->sent) / secs : 0.0);
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
  cmd->callback([flags, &ctx] { Run(*flags, ctx); });
}

}  // namespace pinpipe::cli
