// pinpipe query "SQL": SQL (DuckDB's dialect) over the lake's Delta tables — cleaned_pin,
// cleaned_geo, cleaned_user, analysis_<name> and any other table under <lake>/tables — each a
// view named as the table. Prints an aligned table, CSV, or JSON with one object per row.
#include <cstdio>
#include <memory>
#include <string>

#include "batch/batch_job.h"
#include "batch/table_format.h"
#include "cli/batch_wiring.h"
#include "cli/command.h"
#include "cli/sink_wiring.h"

namespace pinpipe::cli {
namespace {

struct QueryFlags {
  std::string sql;
  std::string format = "table";
  std::string source;
};

Status RunQuery(const Config& config, const QueryFlags& flags) {
  batch::OutputFormat format;
  if (!batch::ParseOutputFormat(flags.format, &format)) {
    return InvalidArgumentError("--format must be table, csv or json");
  }
  ASSIGN_OR_RETURN(auto lake, OpenLake(config, flags.source));
  ASSIGN_OR_RETURN(auto session, OpenEngine(config));
  ASSIGN_OR_RETURN(std::vector<std::string> tables, batch::CreateTableViews(*lake, *session));
  Result<engine::QueryResult> result = session->Query(flags.sql);
  if (!result.ok()) {
    std::string known;
    for (const std::string& t : tables) known += (known.empty() ? "" : ", ") + t;
    return Status(result.status().code(),
                  std::string(result.status().message()) + "\n(tables in " + lake->Url() + ": " +
                      (known.empty() ? "none yet; run `pinpipe batch` first" : known) + ")");
  }
  std::string text = batch::Format(*result, format);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return Status::OK();
}

}  // namespace

void RegisterQueryCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<QueryFlags>();
  CLI::App* cmd = app.add_subcommand(
      "query", "Run SQL over the lake's tables (cleaned_*, analysis_*), e.g. "
               "pinpipe query \"SELECT * FROM analysis_top_country\"");
  cmd->add_option("sql", flags->sql, "The SQL statement")->required();
  cmd->add_option("--format", flags->format, "table (default), csv, or json (one object per row)")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->add_option("--source", flags->source, "The lake (default lake.url)");
  cmd->callback([&ctx, flags] {
    Result<Config> config = ctx.Load();
    if (!config.ok()) return;
    Status s = RunQuery(*config, *flags);
    if (!s.ok()) ctx.Fail("query", s, s.code() == StatusCode::kInvalidArgument ? 2 : 1);
  });
}

}  // namespace pinpipe::cli
