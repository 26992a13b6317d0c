// PLACEHOLDER: replaced by the module's implementation.
#include "cli/command.h"
namespace pinpipe::cli {
void RegisterSeedCommand(CLI::App& app, CommandContext& ctx) {}
}  // namespace pinpipe::cli
