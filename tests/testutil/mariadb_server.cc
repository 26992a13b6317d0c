#include "testutil/mariadb_server.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <mysql.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil/child_process.h"

namespace pinpipe::testutil {
namespace {

constexpr char kBootstrapHint[] =
    "install the test dependencies with scripts/bootstrap --test (Debian package "
    "mariadb-server)";

std::string CurrentUser() {
  const passwd* pw = ::getpwuid(::geteuid());
  return pw != nullptr ? pw->pw_name : "root";
}

}  // namespace

Result<std::unique_ptr<MariaDbServer>> MariaDbServer::Start() {
  const std::string mariadbd = FindProgram({"mariadbd", "mysqld"});
  const std::string install_db = FindProgram({"mariadb-install-db", "mysql_install_db"});
  if (mariadbd.empty() || install_db.empty()) {
    return FailedPreconditionError(std::string("mariadbd / mariadb-install-db not found: ") +
                                   kBootstrapHint);
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "pinpipe-mariadb-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return ErrnoError("mkdtemp", tmpl, errno);
  std::unique_ptr<MariaDbServer> server(new MariaDbServer());
  // A private tmpdir: concurrent bootstraps in a shared /tmp collide on temp-table names.
  if (::mkdir((tmpl + "/tmp").c_str(), 0700) != 0) return ErrnoError("mkdir", tmpl + "/tmp", errno);
  server->dir_ = tmpl;
  server->mariadbd_ = mariadbd;

  ASSIGN_OR_RETURN(
      pid_t install,
      Spawn({install_db, "--no-defaults", "--datadir=" + tmpl + "/data", "--user=" + CurrentUser(),
             "--auth-root-authentication-method=normal", "--innodb-log-file-size=8M",
             "--tmpdir=" + tmpl + "/tmp", "--skip-test-db"},
            tmpl + "/install.log"));
  ASSIGN_OR_RETURN(int code, WaitExit(install, std::chrono::seconds(120)));
  if (code != 0) {
    return InternalError("mariadb-install-db exited with " + std::to_string(code) + ": " +
                         TailOfFile(tmpl + "/install.log"));
  }
  // A free port can be taken between probing and binding: retry with another.
  Status launched;
  for (int attempt = 0; attempt < 3; ++attempt) {
    launched = server->Launch();
    if (launched.ok()) break;
  }
  RETURN_IF_ERROR(launched);
  RETURN_IF_ERROR(server->Admin("CREATE USER 'pinpipe'@'%' IDENTIFIED BY 'pinpipe-pw'"));
  RETURN_IF_ERROR(server->Admin("GRANT ALL PRIVILEGES ON *.* TO 'pinpipe'@'%'"));
  ASSIGN_OR_RETURN(server->url_, server->FreshDatabase("pinpipe_test"));
  return server;
}

Status MariaDbServer::Launch() {
  ASSIGN_OR_RETURN(port_, FreePort());
  ASSIGN_OR_RETURN(
      pid_, Spawn({mariadbd_, "--no-defaults", "--datadir=" + dir_ + "/data",
                   "--user=" + CurrentUser(), "--socket=" + dir_ + "/mysqld.sock",
                   "--port=" + std::to_string(port_), "--bind-address=127.0.0.1",
                   "--pid-file=" + dir_ + "/mysqld.pid", "--log-error=" + dir_ + "/error.log",
                   "--skip-log-bin", "--skip-name-resolve", "--innodb-buffer-pool-size=64M",
                   "--innodb-log-file-size=8M", "--tmpdir=" + dir_ + "/tmp",
                   "--innodb-flush-log-at-trx-commit=2", "--max-connections=200"},
                  dir_ + "/mariadbd.out"));
  const Status ready = WaitReady();
  if (!ready.ok() && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    WaitExit(pid_, std::chrono::seconds(10)).status().IgnoreError();
    pid_ = -1;
  }
  return ready;
}

Status MariaDbServer::WaitReady() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  const std::string socket = dir_ + "/mysqld.sock";
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return InternalError("mariadbd exited during startup: " + TailOfFile(dir_ + "/error.log"));
    }
    MYSQL* db = mysql_init(nullptr);
    if (db == nullptr) return ResourceExhaustedError("mysql_init");
    if (mysql_real_connect(db, "localhost", "root", "", nullptr, 0, socket.c_str(), 0) != nullptr) {
      admin_ = db;
      return Status::OK();
    }
    mysql_close(db);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return DeadlineExceededError("mariadbd not ready after 60 s: " + TailOfFile(dir_ + "/error.log"));
}

Status MariaDbServer::Admin(const std::string& sql) {
  if (mysql_query(admin_, sql.c_str()) != 0) {
    return InternalError("mariadb admin '" + sql + "': " + mysql_error(admin_));
  }
  return Status::OK();
}

Result<std::string> MariaDbServer::FreshDatabase(const std::string& name) {
  RETURN_IF_ERROR(Admin("DROP DATABASE IF EXISTS `" + name + "`"));
  RETURN_IF_ERROR(Admin("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4"));
  return "mysql://pinpipe:pinpipe-pw@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

MariaDbServer::~MariaDbServer() {
  if (admin_ != nullptr) mysql_close(admin_);
  StopProcess(pid_, std::chrono::seconds(15));
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Result<MariaDbServer*> SharedMariaDbServer() { return SharedPeer<MariaDbServer>::Get(); }

void MariaDbEnvironment::TearDown() { SharedPeer<MariaDbServer>::Reset(); }

}  // namespace pinpipe::testutil
