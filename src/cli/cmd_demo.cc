// pinpipe demo: the newcomer's first command. Runs every part built so far, end to end, on a
// data directory of its own, and explains what it does as it goes.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "base/clock.h"
#include "cli/command.h"
#include "cli/services.h"
#include "source/kafka_rest_sink.h"
#include "source/emulator.h"
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

Status RunDemo(const Config& config, const DemoFlags& flags) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return IOError("cannot create the data dir '" + config.data_dir + "': " + ec.message());

  std::string url = config.SourceUrl();
  std::printf("== 1/3  seed: %lld rows into the source database %s\n",
              static_cast<long long>(flags.rows), url.c_str());
  ASSIGN_OR_RETURN(std::unique_ptr<source::SourceDb> db, source::SourceDb::Open(url));
  RETURN_IF_ERROR(db->CreateTables(/*replace=*/true));
  source::SeedOptions seed;
  seed.rows = flags.rows;
  ASSIGN_OR_RETURN(source::SeedStats seeded, source::Seed(*db, seed));
  std::printf("        %lld rows in pinterest_data, geolocation_data, user_data (%.2f s)\n\n",
              static_cast<long long>(seeded.rows), seeded.seconds);

  std::printf("== 2/3  up: the Kafka REST API over the embedded topic log in %s\n",
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

  std::printf("== 3/3  emulate: %lld posts drawn as user_posting_emulation.py draws them "
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
  std::printf("\ndemo: done. Next: `pinpipe up`, then `pinpipe emulate --api "
              "http://127.0.0.1:8082 --count 100`;\n      `pinpipe consume --topic %s "
              "--from-beginning --max 3` once it stops.\n",
              config.Topic("geo").c_str());
  return Status::OK();
}

}  // namespace

void RegisterDemoCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<DemoFlags>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "Run the pipeline end to end on embedded defaults: seed the source database, start the "
      "API over the embedded log, emulate posts through HTTP and read them back.");
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
