// The composition root's shared pieces: every subcommand registers itself on the CLI11 app
// with a Register*Command function (one file per subcommand, cmd_<name>.cc) and reports its
// outcome through CommandContext::exit_code.
//
// Exit codes: 0 success, 1 a runtime failure (printed as one line on stderr), 2 bad input or
// usage.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "base/result.h"
#include "cli/config.h"

namespace pinpipe::cli {

struct CommandContext {
  std::string config_file;  // --config
  std::string data_dir;     // --data-dir
  int exit_code = 0;

  // Loads the configuration with the global flags applied; prints the error and sets
  // exit_code 2 on failure.
  Result<Config> Load();
  // Prints "pinpipe <command>: <status message>" on stderr and sets exit_code (1 if unset).
  void Fail(std::string_view command, const Status& status, int code = 1);
};

void RegisterCleanCommand(CLI::App& app, CommandContext& ctx);
void RegisterSeedCommand(CLI::App& app, CommandContext& ctx);
void RegisterEmulateCommand(CLI::App& app, CommandContext& ctx);
void RegisterDemoCommand(CLI::App& app, CommandContext& ctx);
void RegisterUpCommand(CLI::App& app, CommandContext& ctx);
void RegisterTopicsCommand(CLI::App& app, CommandContext& ctx);
void RegisterConsumeCommand(CLI::App& app, CommandContext& ctx);
void RegisterSinkCommand(CLI::App& app, CommandContext& ctx);
void RegisterStoreCommand(CLI::App& app, CommandContext& ctx);
void RegisterBatchCommand(CLI::App& app, CommandContext& ctx);
void RegisterQueryCommand(CLI::App& app, CommandContext& ctx);
void RegisterScheduleCommand(CLI::App& app, CommandContext& ctx);
void RegisterAirflowDagCommand(CLI::App& app, CommandContext& ctx);

}  // namespace pinpipe::cli
