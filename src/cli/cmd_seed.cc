// pinpipe seed [--rows N] [--seed S] [--source URL] [--replace]: creates the three source
// tables and fills them with generated posts (source/generator.h).
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/progress.h"
#include "source/seeder.h"
#include "source/source_db.h"

namespace pinpipe::cli {
namespace {

// Below this many rows a seed takes well under a second: no progress bar.
constexpr int64_t kProgressMinRows = 200000;

struct SeedFlags {
  int64_t rows = 11153;
  uint64_t seed = 1;
  std::string source;
  bool replace = false;
};

void RunSeed(const SeedFlags& flags, CommandContext& ctx) {
  Result<Config> config = ctx.Load();
  if (!config.ok()) return;
  const std::string url = flags.source.empty() ? config->SourceUrl() : flags.source;
  Result<std::unique_ptr<source::SourceDb>> db = source::SourceDb::Open(url);
  if (!db.ok()) {
    const int code = db.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
    return ctx.Fail("seed", db.status(), code);
  }
  const Status created = (*db)->CreateTables(flags.replace);
  if (created.code() == StatusCode::kAlreadyExists) {
    return ctx.Fail("seed",
                    Status(created.code(),
                           std::string(created.message()) + " (pass --replace to overwrite them)"),
                    2);
  }
  if (!created.ok()) return ctx.Fail("seed", created);

  ProgressBar progress("seed", flags.rows, flags.rows >= kProgressMinRows);
  source::SeedOptions options;
  options.rows = flags.rows;
  options.generator.seed = flags.seed;
  options.progress = [&progress](int64_t done) { progress.Update(done); };
  Result<source::SeedStats> stats = source::Seed(**db, options);
  progress.Finish();
  if (!stats.ok()) return ctx.Fail("seed", stats.status());
  const double rate = stats->seconds > 0 ? static_cast<double>(stats->rows) / stats->seconds : 0;
  std::printf("%s\n", fmt::format("seeded {} rows (seed {}) in {:.2f} s, {:.0f} rows/s, into {}",
                                  stats->rows, flags.seed, stats->seconds, rate, (*db)->Describe())
                          .c_str());
}

}  // namespace

void RegisterSeedCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<SeedFlags>();
  CLI::App* cmd =
      app.add_subcommand("seed", "create the source tables and fill them with generated posts");
  cmd->add_option("--rows", flags->rows, "posts to generate (default 11153, the original size)")
      ->check(CLI::Range(int64_t{0}, int64_t{2000000000}));
  cmd->add_option("--seed", flags->seed,
                  "generator seed; one seed gives identical rows (default 1)");
  cmd->add_option("--source", flags->source,
                  "source database URL: a file path, sqlite:PATH or mysql://user:pass@host:port/db "
                  "(default <data_dir>/source.db)");
  cmd->add_flag("--replace", flags->replace, "drop existing source tables first");
  cmd->callback([flags, &ctx] { RunSeed(*flags, ctx); });
}

}  // namespace pinpipe::cli
