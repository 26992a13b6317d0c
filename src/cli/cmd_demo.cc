// pinpipe demo: the newcomer's first command. Runs every part built so far, end to end, on a
// data directory of its own, and explains what it does as it goes.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "base/clock.h"
#include "batch/batch_job.h"
#include "batch/table_format.h"
#include "cli/batch_wiring.h"
#include "cli/command.h"
#include "cli/services.h"
#include "cli/sink_wiring.h"
#include "source/kafka_rest_sink.h"
#include "source/emulator.h"
#include "sink/object_key.h"
#include "source/seeder.h"
#include "source/source_db.h"

namespace pinpipe::cli {
namespace {

struct DemoFlags {
  int64_t rows = 11153;
  int64_t posts = 500;
  int64_t print = 3;
};

// Emulates `posts` posts through the HTTP API (Kafka REST, as the original), printing the
// first few like the original did.
Status EmulateThroughApi(source::SourceDb* db, const std::string& api_url, const Config& config,
                         const DemoFlags& flags) {
  source::EmulatorOptions opts;
  opts.python_seed = 100;
  opts.count = flags.print;
  source::PrintSink print(stdout);
  RETURN_IF_ERROR(source::Emulator(db, &print, Clock::Real(), opts).Run().status());

  source::HttpSinkOptions http;
  http.api_url = api_url;
  http.user_id = config.user_id;
  http.concurrency = 4;
  ASSIGN_OR_RETURN(auto sink, source::KafkaRestSink::Create(http));
  opts.count = flags.posts;
  ASSIGN_OR_RETURN(source::EmulatorStats stats,
                   source::Emulator(db, sink.get(), Clock::Real(), opts).Run());
  source::HttpSinkStats hs = sink->stats();
  double secs = static_cast<double>(stats.elapsed_micros) / 1e6;
  std::printf("        %lld posts sent as %lld HTTP requests in %.2f s (p50 %.1f ms, p99 %.1f ms), "
              "%lld failed\n",
              static_cast<long long>(hs.posts_sent), static_cast<long long>(hs.requests), secs,
              static_cast<double>(hs.p50_micros) / 1e3, static_cast<double>(hs.p99_micros) / 1e3,
              static_cast<long long>(hs.posts_failed));
  if (hs.posts_failed > 0) return UnavailableError("some posts failed: " + hs.first_error);
  return Status::OK();
}

// Drains the topics into a fresh local lake with the S3 sink, as `pinpipe sink --once` does.
Status DrainSink(log::TopicLog* log, const Config& config) {
  if (config.lake.url.empty()) {
    // The log was emptied, so is the default lake (a configured one is left alone: the
    // sink's group starts over and rewrites the same keys).
    std::error_code rm;
    std::filesystem::remove_all(std::filesystem::path(config.data_dir) / "lake", rm);
  }
  ASSIGN_OR_RETURN(sink::SinkOptions options, SinkOptionsFrom(config));
  ASSIGN_OR_RETURN(auto store, OpenLake(config));
  std::printf("\n== 4/5  sink: the topics %s into the lake %s, flush_size %lld\n",
              config.SinkTopicsRegex().c_str(), store->Url().c_str(),
              static_cast<long long>(config.sink.flush_size));
  ASSIGN_OR_RETURN(auto sink, sink::Sink::Create(log, store.get(), Clock::Real(), options));
  ASSIGN_OR_RETURN(sink::SinkStats stats, sink->Drain(/*cut_tails=*/true));
  PrintSinkSummary(stdout, stats, "        ");
  std::printf("        keys like %s\n",
              sink::ObjectKey(config.Topic("pin"), 0, 0).c_str());
  return Status::OK();
}

// The batch job on the fresh lake (the sink step emptied the default one), as `pinpipe batch`
// runs it: the cleaned tables, the analyses, and the data-quality summary.
Status RunBatchStep(const Config& config) {
  ASSIGN_OR_RETURN(batch::BatchOptions options, BatchOptionsFrom(config));
  options.full_refresh = true;  // the lake was rebuilt from an emptied log
  ASSIGN_OR_RETURN(auto lake, OpenLake(config));
  ASSIGN_OR_RETURN(auto session, OpenEngine(config));
  std::printf("\n== 5/5  batch: raw objects -> Delta tables cleaned_pin|geo|user -> the %zu "
              "analyses of sql/analysis\n\n",
              options.analyses.size());
  ASSIGN_OR_RETURN(batch::BatchResult result, batch::RunBatch(*lake, *session, options));
  for (const batch::AnalysisRun& run : result.analyses) {
    engine::QueryResult shown = run.result;
    constexpr size_t kMaxRows = 10;
    if (shown.rows.size() > kMaxRows) shown.rows.resize(kMaxRows);
    std::printf("%s%s\n%s\n", run.table.c_str(),
                run.result.rows.size() > kMaxRows
                    ? (" (first " + std::to_string(kMaxRows) + " of " +
                       std::to_string(run.result.rows.size()) + " rows)").c_str()
                    : "",
                batch::FormatTable(shown).c_str());
  }
  std::printf("data quality:\n%s", result.QualityText().c_str());
  std::printf("        tables in %s/tables; summary %s\n", lake->Url().c_str(),
              batch::RunSummaryKey(result.started_ms).c_str());
  return Status::OK();
}

Status RunDemo(const Config& config, const DemoFlags& flags) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return IOError("cannot create the data dir '" + config.data_dir + "': " + ec.message());

  std::string url = config.SourceUrl();
  std::printf("== 1/5  seed: %lld rows into the source database %s\n",
              static_cast<long long>(flags.rows), url.c_str());
  ASSIGN_OR_RETURN(std::unique_ptr<source::SourceDb> db, source::SourceDb::Open(url));
  RETURN_IF_ERROR(db->CreateTables(/*replace=*/true));
  source::SeedOptions seed;
  seed.rows = flags.rows;
  ASSIGN_OR_RETURN(source::SeedStats seeded, source::Seed(*db, seed));
  std::printf("        %lld rows in pinterest_data, geolocation_data, user_data (%.2f s)\n\n",
              static_cast<long long>(seeded.rows), seeded.seconds);

  std::printf("== 2/5  up: the Kafka REST API over the embedded topic log in %s\n",
              config.LogDir().c_str());
  std::error_code rm;
  std::filesystem::remove_all(config.LogDir(), rm);  // a demo starts from empty topics
  ASSIGN_OR_RETURN(auto log, OpenLog(config));
  RETURN_IF_ERROR(EnsurePipelineTopics(*log, config).status());
  Config api_config = config;
  api_config.api.auto_create_topics = true;  // as in Confluent's quickstart
  ASSIGN_OR_RETURN(auto api, StartApi(log.get(), api_config, "127.0.0.1:0"));
  std::string api_url = "http://127.0.0.1:" + std::to_string(api->port()) + config.api.base_path;
  std::printf("        listening on %s; topics %s, %s, %s\n\n", api_url.c_str(),
              config.Topic("pin").c_str(), config.Topic("geo").c_str(),
              config.Topic("user").c_str());

  std::printf("== 3/5  emulate: %lld posts drawn as user_posting_emulation.py draws them "
              "(random.seed(100)),\n        POSTed to /topics/<user_id>.pin|geo|user; the first "
              "%lld as the original printed them:\n",
              static_cast<long long>(flags.posts), static_cast<long long>(flags.print));
  std::fflush(stdout);
  RETURN_IF_ERROR(EmulateThroughApi(db.get(), api_url, config, flags));
  RETURN_IF_ERROR(api->Stop(std::chrono::seconds(10)));

  std::printf("\n        records read back from the log:\n");
  for (const char* table : {"pin", "geo", "user"}) {
    std::string topic = config.Topic(table);
    ASSIGN_OR_RETURN(log::TopicDescription d, log->DescribeTopic(topic));
    int64_t records = 0;
    for (const auto& p : d.partitions) {
      int64_t offset = p.start_offset;
      while (offset < p.end_offset) {
        ASSIGN_OR_RETURN(auto batch, log->Read(topic, p.partition, offset, size_t{4} << 20));
        if (batch.empty()) break;
        records += static_cast<int64_t>(batch.size());
        offset = batch.back().offset + 1;
      }
    }
    std::printf("        %-24s %lld records\n", topic.c_str(), static_cast<long long>(records));
  }
  RETURN_IF_ERROR(DrainSink(log.get(), config));
  RETURN_IF_ERROR(RunBatchStep(config));

  std::printf("\ndemo: done. Next: `pinpipe query \"SELECT * FROM cleaned_pin LIMIT 5\"`;\n"
              "      `pinpipe up`, then `pinpipe emulate --api http://127.0.0.1:8082 --count 100`,\n"
              "      then `pinpipe batch` again (it takes in only the new objects).\n");
  return Status::OK();
}

}  // namespace

void RegisterDemoCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<DemoFlags>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "Run the pipeline end to end on embedded defaults: seed the source database, start the "
      "API over the embedded log, emulate posts through HTTP, read them back and sink them into "
      "the lake.");
  cmd->add_option("--rows", flags->rows, "rows to seed")->capture_default_str()->check(
      CLI::Range(int64_t{1}, int64_t{100000000}));
  cmd->add_option("--posts", flags->posts, "posts to emulate through the API")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  cmd->add_option("--print", flags->print, "posts to print as the original did")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1000}));
  cmd->callback([flags, &ctx] {
    auto config = ctx.Load();
    if (!config.ok()) return;
    Status s = RunDemo(*config, *flags);
    if (!s.ok()) ctx.Fail("demo", s);
  });
}

}  // namespace pinpipe::cli
