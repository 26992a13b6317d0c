// PLACEHOLDER: replaced by the module's implementation.
#include "cli/command.h"
namespace pinpipe::cli {
void RegisterEmulateCommand(CLI::App& app, CommandContext& ctx) {}
}  // namespace pinpipe::cli
