#include "cli/scheduler_wiring.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "base/json_writer.h"
#include "scheduler/command_job.h"
#include "scheduler/scheduler_report.h"

namespace pinpipe::cli {
namespace {

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string SelfExe() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "pinpipe";
}

Result<scheduler::JobSpec> SpecFrom(const std::string& name, const Config::Job& j) {
  scheduler::JobSpec spec;
  spec.name = name;
  spec.schedule = j.schedule;
  spec.timezone = j.timezone;
  spec.catchup = j.catchup;
  auto zone = scheduler::TimeZone::Load(j.timezone);
  if (!zone.ok()) return zone.status().WithContext("jobs." + name + ".timezone");
  if (!j.start_date.empty()) {
    auto t = scheduler::ParseWhen(j.start_date, *zone);
    if (!t.ok()) return t.status().WithContext("jobs." + name + ".start_date");
    spec.start_date = *t;
  }
  if (!j.end_date.empty()) {
    auto t = scheduler::ParseWhen(j.end_date, *zone);
    if (!t.ok()) return t.status().WithContext("jobs." + name + ".end_date");
    spec.end_date = *t;
  }
  if (j.retries < 0 || j.retries > 1000 || j.retry_delay_s < 0 || j.max_retry_delay_s < 0 ||
      j.max_active_runs < 1 || j.max_active_runs > 1000 || j.execution_timeout_s < 0) {
    return InvalidArgumentError("jobs." + name +
                                ": retries (0-1000), retry_delay_s, max_retry_delay_s, "
                                "execution_timeout_s (>= 0) or max_active_runs (1-1000) out of range");
  }
  spec.retries = static_cast<int>(j.retries);
  spec.retry_delay = j.retry_delay_s * 1'000'000;
  spec.retry_exponential_backoff = j.retry_exponential_backoff;
  spec.max_retry_delay = j.max_retry_delay_s * 1'000'000;
  spec.max_active_runs = static_cast<int>(j.max_active_runs);
  spec.execution_timeout = j.execution_timeout_s * 1'000'000;
  return spec;
}

}  // namespace

std::string BatchCommand(const Config& config) {
  std::string cmd = ShellQuote(SelfExe());
  if (!config.config_path.empty()) cmd += " --config " + ShellQuote(config.config_path);
  cmd += " --data-dir " + ShellQuote(std::filesystem::absolute(config.data_dir).string()) + " batch --date {ds} --summary-json";
  return cmd;
}

Result<std::unique_ptr<scheduler::JobRegistry>> BuildJobRegistry(const Config& config) {
  auto registry = std::make_unique<scheduler::JobRegistry>();
  for (const auto& [name, job] : config.jobs) {
    ASSIGN_OR_RETURN(scheduler::JobSpec spec, SpecFrom(name, job));
    std::string command = job.command;
    if (command.empty()) {
      if (name != "batch") return InvalidArgumentError("jobs." + name + ".command is required");
      command = BatchCommand(config);
    }
    RETURN_IF_ERROR(registry->Add(spec, std::make_unique<scheduler::CommandJob>(command)));
  }
  return registry;
}

Result<std::unique_ptr<SchedulerService>> SchedulerService::Start(const Config& config) {
  auto service = std::unique_ptr<SchedulerService>(new SchedulerService());
  ASSIGN_OR_RETURN(service->registry_, BuildJobRegistry(config));
  scheduler::SchedulerOptions o;
  o.data_dir = config.data_dir;
  o.poll_interval = std::chrono::milliseconds(config.scheduler.poll_ms > 0 ? config.scheduler.poll_ms : 1000);
  o.log = [](const std::string& line) {
    std::fprintf(stderr, "pinpipe scheduler: %s\n", line.c_str());
    std::fflush(stderr);
  };
  ASSIGN_OR_RETURN(service->scheduler_,
                   scheduler::Scheduler::Open(service->registry_.get(), Clock::Real(), o));
  RETURN_IF_ERROR(service->scheduler_->Start());
  return service;
}

SchedulerService::~SchedulerService() { Stop(); }

void SchedulerService::Stop() {
  if (scheduler_) scheduler_->Stop();
}

std::string SchedulerService::StatusJson() const {
  auto json = scheduler::ScheduleJson(scheduler_->store(), *registry_, Clock::Real()->NowMicros(), true);
  if (!json.ok()) {
    std::string out = "{\"error\":";
    AppendJsonString(&out, json.status().message(), false);
    return out + "}";
  }
  return *json;
}

std::string SchedulerService::MetricsText() const {
  auto text = scheduler::ScheduleMetrics(scheduler_->store(), *registry_, Clock::Real()->NowMicros());
  return text.ok() ? *text : "";
}

}  // namespace pinpipe::cli
