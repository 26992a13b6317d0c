// pinpipe: the Pinterest data pipeline as one program. See README.md.
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/command.h"

namespace pinpipe::cli {

Result<Config> CommandContext::Load() {
  Result<Config> config = LoadConfig(config_file, data_dir);
  if (!config.ok()) Fail("config", config.status(), 2);
  return config;
}

void CommandContext::Fail(std::string_view command, const Status& status, int code) {
  std::cerr << "pinpipe " << command << ": " << status.message() << "\n";
  exit_code = code;
}

}  // namespace pinpipe::cli

int main(int argc, char** argv) {
  pinpipe::cli::CommandContext ctx;
  CLI::App app{"pinpipe: the Pinterest data pipeline as one fast program"};
  app.set_version_flag("--version", "pinpipe 0.1.0");
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("--config", ctx.config_file, "TOML configuration file (default ./pinpipe.toml)");
  app.add_option("--data-dir", ctx.data_dir, "data directory (default ./pinpipe-data)");

  pinpipe::cli::RegisterCleanCommand(app, ctx);
  pinpipe::cli::RegisterSeedCommand(app, ctx);
  pinpipe::cli::RegisterEmulateCommand(app, ctx);
  pinpipe::cli::RegisterDemoCommand(app, ctx);
  pinpipe::cli::RegisterUpCommand(app, ctx);
  pinpipe::cli::RegisterTopicsCommand(app, ctx);
  pinpipe::cli::RegisterConsumeCommand(app, ctx);
  pinpipe::cli::RegisterSinkCommand(app, ctx);
  pinpipe::cli::RegisterStoreCommand(app, ctx);
  pinpipe::cli::RegisterBatchCommand(app, ctx);
  pinpipe::cli::RegisterQueryCommand(app, ctx);
  pinpipe::cli::RegisterScheduleCommand(app, ctx);
  pinpipe::cli::RegisterAirflowDagCommand(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  std::fflush(stdout);
  return ctx.exit_code;
}
