// MariaDbServer: a private mariadbd for tests, so the MySQL backend is tested against a real
// server and no shared one is needed.
//
// Start() initialises a data directory in a fresh temp dir with mariadb-install-db, starts
// mariadbd on a free 127.0.0.1 TCP port with its own socket, creates the database
// `pinpipe_test` and the user `pinpipe` (password `pinpipe-pw`), and hands out a mysql:// URL.
// The destructor stops the server (SIGTERM, SIGKILL after 15 s) and removes the directory;
// the server also dies with the test process (PR_SET_PDEATHSIG), so a crashed test leaves no
// server behind.
//
// A missing mariadbd is a FailedPrecondition naming `scripts/bootstrap --test`: tests that
// need the server fail, never skip.
//
// Thread-safety: Start/destruction from one thread; url() may be read from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <sys/types.h>

#include "base/result.h"

struct st_mysql;

namespace pinpipe::testutil {

class MariaDbServer {
 public:
  static Result<std::unique_ptr<MariaDbServer>> Start();
  ~MariaDbServer();
  MariaDbServer(const MariaDbServer&) = delete;
  MariaDbServer& operator=(const MariaDbServer&) = delete;

  // mysql://pinpipe:pinpipe-pw@127.0.0.1:<port>/pinpipe_test
  const std::string& url() const { return url_; }
  uint16_t port() const { return port_; }

  // Drops and creates database `name` and returns its URL: one empty database per test.
  Result<std::string> FreshDatabase(const std::string& name);

 private:
  MariaDbServer() = default;
  Status Launch();
  Status WaitReady();
  Status Admin(const std::string& sql);

  std::string dir_;  // the temp dir holding data/, the socket and the logs
  std::string mariadbd_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string url_;
  st_mysql* admin_ = nullptr;  // root over the unix socket
};

// The server shared by all tests of one binary, started on first call. A failed start is
// remembered and returned again, so a missing server fails every test quickly.
Result<MariaDbServer*> SharedMariaDbServer();

// Register with ::testing::AddGlobalTestEnvironment to stop the shared server at the end.
class MariaDbEnvironment : public ::testing::Environment {
 public:
  void TearDown() override;
};

}  // namespace pinpipe::testutil
