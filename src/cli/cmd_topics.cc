// pinpipe topics create|list|describe|delete: topic admin on the embedded log, like
// kafka-topics.sh. Works on the data dir directly, so not while `pinpipe up` holds it.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/services.h"

namespace pinpipe::cli {
namespace {

struct TopicsFlags {
  std::string name;
  int64_t partitions = 0;  // 0: log.partitions
  int64_t retention_ms = -2;  // -2: from the config
  int64_t retention_bytes = -2;
  bool if_not_exists = false;
};

Status Create(log::TopicLog& log, const Config& config, const TopicsFlags& f) {
  log::TopicConfig t = TopicSettings(
      config, static_cast<int32_t>(f.partitions > 0 ? f.partitions : config.log.partitions));
  if (f.retention_ms != -2) t.retention_ms = f.retention_ms;
  if (f.retention_bytes != -2) t.retention_bytes = f.retention_bytes;
  Status s = log.CreateTopic(f.name, t);
  if (s.code() == StatusCode::kAlreadyExists && f.if_not_exists) return Status::OK();
  RETURN_IF_ERROR(s);
  std::printf("Created topic %s.\n", f.name.c_str());
  return Status::OK();
}

Status Describe(log::TopicLog& log, const std::string& name) {
  ASSIGN_OR_RETURN(log::TopicDescription d, log.DescribeTopic(name));
  std::printf("Topic: %s\tPartitionCount: %zu\tretention.ms=%lld\tretention.bytes=%lld\tsegment.bytes=%lld\n",
              d.name.c_str(), d.partitions.size(), static_cast<long long>(d.config.retention_ms),
              static_cast<long long>(d.config.retention_bytes),
              static_cast<long long>(d.config.segment_bytes));
  for (const auto& p : d.partitions) {
    std::printf("\tTopic: %s\tPartition: %d\tStartOffset: %lld\tEndOffset: %lld\n", d.name.c_str(),
                p.partition, static_cast<long long>(p.start_offset),
                static_cast<long long>(p.end_offset));
  }
  return Status::OK();
}

Status Run(const std::string& action, const Config& config, const TopicsFlags& f) {
  ASSIGN_OR_RETURN(auto log, OpenLog(config));
  if (action == "create") return Create(*log, config, f);
  if (action == "delete") {
    RETURN_IF_ERROR(log->DeleteTopic(f.name));
    std::printf("Deleted topic %s.\n", f.name.c_str());
    return Status::OK();
  }
  if (action == "describe") {
    if (!f.name.empty()) return Describe(*log, f.name);
    ASSIGN_OR_RETURN(auto topics, log->ListTopics());
    for (const auto& t : topics) RETURN_IF_ERROR(Describe(*log, t));
    return Status::OK();
  }
  ASSIGN_OR_RETURN(auto topics, log->ListTopics());
  for (const auto& t : topics) std::printf("%s\n", t.c_str());
  return Status::OK();
}

}  // namespace

void RegisterTopicsCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* cmd = app.add_subcommand("topics", "Create, list, describe and delete topics of the "
                                               "embedded log (not while `pinpipe up` runs).");
  cmd->require_subcommand(1);
  auto flags = std::make_shared<TopicsFlags>();
  auto add = [&](const char* name, const char* help, bool needs_name) {
    CLI::App* sub = cmd->add_subcommand(name, help);
    auto* opt = sub->add_option("topic", flags->name, "topic name");
    if (needs_name) opt->required();
    sub->callback([flags, &ctx, action = std::string(name)] {
      auto config = ctx.Load();
      if (!config.ok()) return;
      Status s = Run(action, *config, *flags);
      if (!s.ok()) {
        ctx.Fail("topics " + action, s,
                 s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kNotFound ||
                         s.code() == StatusCode::kAlreadyExists
                     ? 2
                     : 1);
      }
    });
    return sub;
  };
  CLI::App* create = add("create", "create a topic", true);
  create->add_option("--partitions", flags->partitions, "partitions (default log.partitions)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000}));
  create->add_option("--retention-ms", flags->retention_ms, "-1: keep forever");
  create->add_option("--retention-bytes", flags->retention_bytes, "per partition; -1: no limit");
  create->add_flag("--if-not-exists", flags->if_not_exists, "succeed if it exists");
  add("list", "list topics", false);
  add("describe", "describe a topic (all topics without a name)", false);
  add("delete", "delete a topic and its data", true);
}

}  // namespace pinpipe::cli
