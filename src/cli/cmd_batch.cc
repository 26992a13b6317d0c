// pinpipe batch: the daily batch job (SPEC §8) — the raw objects the sink wrote → cleaned Delta
// tables → the analyses (sql/analysis) as Delta tables analysis_<name>, printed as aligned
// tables, and with --format csv|json also written to --output-dir, one file per analysis.
// Incremental and exactly once (batch/batch_job.h); --full-refresh rebuilds the cleaned tables
// from every object. The data-quality summary is printed and kept in the lake
// (_pinpipe/batch_runs/<start ms>.json); --summary-json prints it as the last stdout line,
// which is how the scheduler collects it.
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "base/clock.h"
#include "batch/table_format.h"
#include "cli/batch_wiring.h"
#include "cli/command.h"
#include "cli/sink_wiring.h"

namespace pinpipe::cli {
namespace {

struct BatchFlags {
  std::string date;
  std::string source;
  bool full_refresh = false;
  bool no_analyses = false;
  bool quiet = false;
  bool summary_json = false;
  std::string format = "table";
  std::string output_dir;
};

Status WriteOutputs(const batch::BatchResult& result, batch::OutputFormat format,
                    const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IOError("cannot create " + dir + ": " + ec.message());
  const char* ext = format == batch::OutputFormat::kCsv ? ".csv" : ".json";
  for (const batch::AnalysisRun& run : result.analyses) {
    std::string path = dir + "/" + run.table + ext;
    std::ofstream out(path, std::ios::trunc);
    out << batch::Format(run.result, format);
    out.close();
    if (!out) return IOError("cannot write " + path);
  }
  return Status::OK();
}

Status RunBatchCommand(const Config& config, const BatchFlags& flags) {
  batch::OutputFormat format;
  if (!batch::ParseOutputFormat(flags.format, &format)) {
    return InvalidArgumentError("--format must be table, csv or json");
  }
  if (format != batch::OutputFormat::kTable && flags.output_dir.empty()) {
    return InvalidArgumentError("--format " + flags.format + " needs --output-dir");
  }
  ASSIGN_OR_RETURN(batch::BatchOptions options, BatchOptionsFrom(config));
  options.full_refresh = flags.full_refresh;
  options.run_analyses = !flags.no_analyses;
  if (!flags.date.empty()) options.date = flags.date;
  ASSIGN_OR_RETURN(auto lake, OpenLake(config, flags.source));
  ASSIGN_OR_RETURN(auto session, OpenEngine(config));

  int64_t start = Clock::Real()->MonotonicMicros();
  ASSIGN_OR_RETURN(batch::BatchResult result, batch::RunBatch(*lake, *session, options));
  double secs = static_cast<double>(Clock::Real()->MonotonicMicros() - start) / 1e6;

  if (!flags.quiet) {
    for (const batch::AnalysisRun& run : result.analyses) {
      std::printf("%s\n%s\n", run.table.c_str(), batch::FormatTable(run.result).c_str());
    }
    std::printf("data quality%s:\n%s", flags.date.empty() ? "" : (" (" + flags.date + ")").c_str(),
                result.QualityText().c_str());
    std::printf("pinpipe batch: %s done in %.2f s; summary in %s/%s\n",
                flags.date.empty() ? "run" : flags.date.c_str(), secs, lake->Url().c_str(),
                batch::RunSummaryKey(result.started_ms).c_str());
  }
  if (!flags.output_dir.empty()) {
    RETURN_IF_ERROR(WriteOutputs(result, format == batch::OutputFormat::kTable
                                             ? batch::OutputFormat::kCsv : format,
                                 flags.output_dir));
  }
  if (flags.summary_json) std::printf("%s\n", result.QualityJson().c_str());
  return Status::OK();
}

}  // namespace

void RegisterBatchCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<BatchFlags>();
  CLI::App* cmd = app.add_subcommand(
      "batch", "Clean the raw objects the sink wrote into the Delta tables cleaned_pin, "
               "cleaned_geo, cleaned_user (incrementally, exactly once) and run the analyses "
               "of sql/analysis into analysis_<name> tables.");
  cmd->add_option("--date", flags->date, "The run's logical date (YYYY-MM-DD), for the record");
  cmd->add_option("--source", flags->source,
                  "The lake to read and write (file:///dir, a path, s3://bucket/prefix); "
                  "default lake.url");
  cmd->add_flag("--full-refresh", flags->full_refresh,
                "Drop the cleaned tables and rebuild them from every raw object");
  cmd->add_flag("--no-analyses", flags->no_analyses, "Only load the cleaned tables");
  cmd->add_option("--format", flags->format, "table (default), csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->add_option("--output-dir", flags->output_dir,
                  "Write each analysis as <dir>/analysis_<name>.csv|json");
  cmd->add_flag("--quiet", flags->quiet, "Print nothing but errors (and --summary-json)");
  cmd->add_flag("--summary-json", flags->summary_json,
                "Print the run's data-quality summary as one JSON line, last");
  cmd->callback([&ctx, flags] {
    Result<Config> config = ctx.Load();
    if (!config.ok()) return;
    Status s = RunBatchCommand(*config, *flags);
    if (!s.ok()) ctx.Fail("batch", s, s.code() == StatusCode::kInvalidArgument ? 2 : 1);
  });
}

}  // namespace pinpipe::cli
