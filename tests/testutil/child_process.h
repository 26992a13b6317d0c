// Starting and stopping the real peer servers the tests run (mariadbd, s3rver under node):
// finding a program, fork+exec with output to a log, waiting for exit, stopping politely,
// and the one-per-test-binary shared instance. Test-only; no thread may fork concurrently.
#pragma once

#include <chrono>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

#include "base/result.h"
#include "base/status.h"

namespace pinpipe::testutil {

// The first of `names` found executable in $PATH, then in `extra_dirs`; "" when none is.
std::string FindProgram(std::initializer_list<const char*> names,
                        std::initializer_list<const char*> extra_dirs = {
                            "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"});

// The last `bytes` of a file ("" when it can't be read): for error messages.
std::string TailOfFile(const std::string& path, size_t bytes = 1500);

// fork + exec of args[0] with stderr to `log` (created or truncated), and stdout to `log`
// too, or to `stdout_fd` when it is >= 0. The child gets SIGKILL when the test process dies.
Result<pid_t> Spawn(const std::vector<std::string>& args, const std::string& log,
                    int stdout_fd = -1);

// Waits up to `timeout` for `pid` to exit: its exit code (128 + signal when killed), or
// DeadlineExceeded while it still runs.
Result<int> WaitExit(pid_t pid, std::chrono::milliseconds timeout);

// SIGTERM, up to `grace` to exit, then SIGKILL and reap. No-op for pid <= 0.
void StopProcess(pid_t pid, std::chrono::milliseconds grace);

// A free TCP port on 127.0.0.1 (bound and released: another process may take it first).
Result<uint16_t> FreePort();

// One peer server per test binary, started on first use; a failed start is remembered so
// the remaining tests fail (or skip) at once instead of each waiting for a timeout.
// T needs `static Result<std::unique_ptr<T>> Start()`.
template <typename T>
class SharedPeer {
 public:
  static Result<T*> Get() {
    if (Slot() != nullptr) return Slot().get();
    if (!Failure().ok()) return Failure();
    auto started = T::Start();
    if (!started.ok()) {
      Failure() = started.status();
      return started.status();
    }
    Slot() = std::move(started).value();
    return Slot().get();
  }
  static void Reset() { Slot().reset(); }

 private:
  // Leaked on purpose: no destructor order problems at exit (Reset stops the server).
  static std::unique_ptr<T>& Slot() {
    static auto* slot = new std::unique_ptr<T>();
    return *slot;
  }
  static Status& Failure() {
    static auto* status = new Status();
    return *status;
  }
};

}  // namespace pinpipe::testutil
