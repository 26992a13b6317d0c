// pinpipe consume: prints a topic's record values, one per line, like
// kafka-console-consumer. Reads the embedded log directly (not while `pinpipe up` runs; use
// the HTTP consumer API then).
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "cli/command.h"
#include "cli/services.h"

namespace pinpipe::cli {
namespace {

std::atomic<bool> g_stop_consume{false};
extern "C" void OnConsumeSignal(int) { g_stop_consume.store(true); }

struct ConsumeFlags {
  std::string topic;
  bool from_beginning = false;
  std::string group;
  int64_t max = 0;          // 0: no limit
  int64_t timeout_ms = -1;  // exit after this long without a record; -1: wait forever
  bool print_offsets = false;
};

Status RunConsume(const Config& config, const ConsumeFlags& f) {
  ASSIGN_OR_RETURN(auto log, OpenLog(config));
  ASSIGN_OR_RETURN(log::TopicDescription d, log->DescribeTopic(f.topic));
  std::vector<int64_t> pos;
  for (const auto& p : d.partitions) {
    std::optional<int64_t> committed;
    if (!f.group.empty()) {
      ASSIGN_OR_RETURN(committed, log->FetchCommitted(f.group, f.topic, p.partition));
    }
    pos.push_back(committed ? *committed : (f.from_beginning ? p.start_offset : p.end_offset));
  }
  std::signal(SIGINT, OnConsumeSignal);
  std::signal(SIGTERM, OnConsumeSignal);
  int64_t printed = 0;
  int64_t idle_since = Clock::Real()->MonotonicMicros();
  std::string out;
  while (!g_stop_consume.load() && (f.max == 0 || printed < f.max)) {
    bool any = false;
    for (size_t p = 0; p < pos.size() && (f.max == 0 || printed < f.max); p++) {
      ASSIGN_OR_RETURN(auto records,
                       log->Read(f.topic, static_cast<int32_t>(p), pos[p], size_t{1} << 20));
      for (const auto& r : records) {
        if (f.max != 0 && printed >= f.max) break;
        if (f.print_offsets) {
          out += std::to_string(p) + ":" + std::to_string(r.offset) + "\t";
        }
        out += r.record.value;
        out += '\n';
        pos[p] = r.offset + 1;
        printed++;
        any = true;
      }
      if (!f.group.empty() && !records.empty()) {
        RETURN_IF_ERROR(log->CommitOffset(f.group, f.topic, static_cast<int32_t>(p), pos[p]));
      }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    out.clear();
    if (any) {
      std::fflush(stdout);
      idle_since = Clock::Real()->MonotonicMicros();
      continue;
    }
    if (f.timeout_ms >= 0 &&
        Clock::Real()->MonotonicMicros() - idle_since >= f.timeout_ms * 1000) {
      break;
    }
    Clock::Real()->SleepForMicros(50000);
  }
  std::fflush(stdout);
  std::fprintf(stderr, "Processed a total of %lld messages\n", static_cast<long long>(printed));
  return Status::OK();
}

}  // namespace

void RegisterConsumeCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<ConsumeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "consume", "Print a topic's record values, one per line (like kafka-console-consumer).");
  cmd->add_option("--topic", flags->topic, "topic to read")->required();
  cmd->add_flag("--from-beginning", flags->from_beginning,
                "start at the oldest record (default: only new records), unless the group has "
                "committed offsets");
  cmd->add_option("--group", flags->group,
                  "consumer group: start from its committed offsets and commit as records print");
  cmd->add_option("--max", flags->max, "exit after this many records")->check(CLI::PositiveNumber);
  cmd->add_option("--timeout-ms", flags->timeout_ms,
                  "exit after this long without a new record (default: wait until Ctrl-C)");
  cmd->add_flag("--print-offsets", flags->print_offsets, "prefix each value with partition:offset");
  cmd->callback([flags, &ctx] {
    auto config = ctx.Load();
    if (!config.ok()) return;
    Status s = RunConsume(*config, *flags);
    if (!s.ok()) ctx.Fail("consume", s, s.code() == StatusCode::kNotFound ? 2 : 1);
  });
}

}  // namespace pinpipe::cli
