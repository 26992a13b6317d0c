#include "scheduler/command_job.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <cstring>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "scheduler/civil_time.h"

extern char** environ;  // NOLINT

namespace pinpipe::scheduler {
namespace {

constexpr size_t kMaxLastLine = 1 << 20;

std::string Iso(int64_t micros) { return FormatUtc(micros / 1'000'000); }

std::vector<std::pair<std::string, std::string>> Values(const JobRun& run) {
  std::string nodash;
  for (char c : run.ds) {
    if (c != '-') nodash += c;
  }
  return {{"ds", run.ds},
          {"ds_nodash", nodash},
          {"logical_date", Iso(run.logical_date)},
          {"data_interval_start", Iso(run.interval_start)},
          {"data_interval_end", Iso(run.interval_end)},
          {"try_number", std::to_string(run.try_number)},
          {"job", run.job}};
}

bool IsJsonObject(const std::string& line) {
  if (line.empty() || line.front() != '{') return false;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  return parser.parse(line).get(doc) == simdjson::SUCCESS && doc.is_object();
}

// Appends stdout bytes to the log and keeps the last complete non-empty line.
class LineKeeper {
 public:
  void Add(std::string_view data) {
    for (char c : data) {
      if (c == '\n') {
        if (!current_.empty()) last_ = current_;
        current_.clear();
      } else if (current_.size() < kMaxLastLine) {
        current_ += c;
      }
    }
  }
  std::string Last() const { return current_.empty() ? last_ : current_; }

 private:
  std::string current_, last_;
};

}  // namespace

std::string CommandJob::Expand(const JobRun& run) const {
  std::string out = command_;
  for (const auto& [name, value] : Values(run)) {
    std::string key = "{" + name + "}";
    for (size_t pos = out.find(key); pos != std::string::npos; pos = out.find(key, pos + value.size())) {
      out.replace(pos, key.size(), value);
    }
  }
  return out;
}

JobOutcome CommandJob::Run(const JobRun& run) {
  const std::string command = Expand(run);
  int log_fd = ::open(run.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return {ErrnoError("open", run.log_path, errno), ""};
  std::string header = "$ " + command + "\n";
  (void)!::write(log_fd, header.data(), header.size());
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(log_fd);
    return {ErrnoError("pipe", "", errno), ""};
  }

  // Everything the child needs is built before the spawn.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; e++) {
    if (std::strncmp(*e, "PINPIPE_DS=", 11) != 0) env_strings.emplace_back(*e);
  }
  for (const auto& [name, value] : Values(run)) {
    std::string upper;
    for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    env_strings.push_back("PINPIPE_" + upper + "=" + value);
  }
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string sh = "/bin/sh", dash_c = "-c";
  std::string cmd_copy = command;
  char* argv[] = {sh.data(), dash_c.data(), cmd_copy.data(), nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, log_fd, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(log_fd);
    return {ErrnoError("posix_spawn", "/bin/sh", rc), ""};
  }

  LineKeeper keeper;
  bool eof = false, exited = false;
  int wstatus = 0;
  std::optional<std::chrono::steady_clock::time_point> term_sent;
  char buf[65536];
  while (!exited) {
    bool cancelled = run.cancel != nullptr && run.cancel->cancelled();
    if (cancelled) {
      auto now = std::chrono::steady_clock::now();
      if (!term_sent) {
        ::kill(-pid, SIGTERM);
        term_sent = now;
      } else if (now - *term_sent > std::chrono::seconds(5)) {
        ::kill(-pid, SIGKILL);
      }
    }
    if (!eof) {
      pollfd p{out_pipe[0], POLLIN, 0};
      if (::poll(&p, 1, 100) > 0) {
        ssize_t n = ::read(out_pipe[0], buf, sizeof buf);
        if (n > 0) {
          (void)!::write(log_fd, buf, static_cast<size_t>(n));
          keeper.Add(std::string_view(buf, static_cast<size_t>(n)));
        } else if (n == 0 || errno != EINTR) {
          eof = true;
        }
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    pid_t w = ::waitpid(pid, &wstatus, WNOHANG);
    if (w == pid) exited = true;
  }
  // Drain what the command printed just before it exited (without blocking on a pipe that a
  // background grandchild may still hold open).
  while (!eof) {
    pollfd p{out_pipe[0], POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) break;
    ssize_t n = ::read(out_pipe[0], buf, sizeof buf);
    if (n <= 0) break;
    (void)!::write(log_fd, buf, static_cast<size_t>(n));
    keeper.Add(std::string_view(buf, static_cast<size_t>(n)));
  }
  ::close(out_pipe[0]);
  ::close(log_fd);

  std::string last = keeper.Last();
  std::string summary = IsJsonObject(last) ? last : "";
  if (run.cancel != nullptr && run.cancel->timed_out()) {
    return {DeadlineExceededError("command stopped at its execution timeout; log " + run.log_path), summary};
  }
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) return {Status::OK(), summary};
  std::string why = WIFEXITED(wstatus) ? "exited with status " + std::to_string(WEXITSTATUS(wstatus))
                                       : "killed by signal " + std::to_string(WTERMSIG(wstatus));
  if (run.cancel != nullptr && run.cancel->cancelled()) return {CancelledError("command cancelled; " + why), summary};
  return {Status(StatusCode::kUnknown, "command " + why + "; log " + run.log_path), summary};
}

}  // namespace pinpipe::scheduler
