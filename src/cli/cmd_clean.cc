// pinpipe clean --table pin|geo|user [--quality]: raw JSON lines on stdin -> cleaned JSON lines
// on stdout (SPEC §6), one RowCleaner over the whole input.
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "cli/command.h"
#include "model/records.h"
#include "model/row_cleaner.h"

namespace pinpipe::cli {
namespace {

constexpr size_t kChunk = 1 << 20;
constexpr size_t kFlushAt = 1 << 20;

struct CleanOptions {
  std::string table;
  bool quality = false;
};

bool IsBlankLine(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

void WriteAll(std::string* out) {
  std::fwrite(out->data(), 1, out->size(), stdout);
  out->clear();
}

// Returns the exit code: 0, or 2 if any line was not a valid record.
int RunClean(const CleanOptions& opts) {
  std::optional<model::Table> table = model::ParseTableName(opts.table);
  if (!table.has_value()) {
    std::fprintf(stderr, "pinpipe clean: unknown table '%s' (want pin, geo or user)\n",
                 opts.table.c_str());
    return 2;
  }
  model::RowCleaner cleaner(*table);
  std::string out;
  out.reserve(kFlushAt + (64 << 10));
  std::string pending;  // bytes of a line not yet terminated
  std::string chunk(kChunk, '\0');
  int64_t line_no = 0;
  bool any_invalid = false;

  auto handle_line = [&](std::string_view line) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (IsBlankLine(line)) return;
    Result<bool> r = cleaner.Process(line, &out);
    if (!r.ok()) {
      any_invalid = true;
      std::fprintf(stderr, "pinpipe clean: line %lld: %s\n", static_cast<long long>(line_no),
                   std::string(r.status().message()).c_str());
      return;
    }
    if (*r) out.push_back('\n');
    if (out.size() >= kFlushAt) WriteAll(&out);
  };

  while (true) {
    size_t n = std::fread(chunk.data(), 1, chunk.size(), stdin);
    if (n == 0) break;
    std::string_view data(chunk.data(), n);
    size_t start = 0;
    for (size_t nl = data.find('\n'); nl != std::string_view::npos; nl = data.find('\n', start)) {
      if (!pending.empty()) {
        pending.append(data.substr(start, nl - start));
        handle_line(pending);
        pending.clear();
      } else {
        handle_line(data.substr(start, nl - start));
      }
      start = nl + 1;
    }
    pending.append(data.substr(start));
  }
  if (!pending.empty()) handle_line(pending);
  WriteAll(&out);
  std::fflush(stdout);
  if (opts.quality) std::fputs(cleaner.quality().ToText().c_str(), stderr);
  return any_invalid ? 2 : 0;
}

}  // namespace

void RegisterCleanCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<CleanOptions>();
  CLI::App* cmd = app.add_subcommand(
      "clean", "Clean raw JSON records (one per line on stdin) into cleaned JSON lines on stdout");
  cmd->add_option("--table", opts->table, "the table of the records: pin, geo or user")
      ->required()
      ->check(CLI::IsMember({"pin", "geo", "user"}));
  cmd->add_flag("--quality", opts->quality,
                "print the data-quality counters (per column nulled/converted/rejected) to "
                "stderr at the end");
  cmd->footer(
      "Applies the cleaning rules of SPEC section 6 (placeholders and blank strings to null,\n"
      "follower_count to an integer, save_location to its path, timestamps to ISO-8601 UTC,\n"
      "user_name = first + ' ' + last, coordinates = [latitude, longitude]).\n"
      "De-duplicates by ind: only the first record with a given ind is written.\n"
      "Blank lines are skipped. A line that is not a valid record is reported on stderr as\n"
      "'pinpipe clean: line N: <reason>'; processing continues and the exit code is 2.");
  cmd->callback([opts, &ctx] { ctx.exit_code = RunClean(*opts); });
}

}  // namespace pinpipe::cli
