#include "testutil/mariadb_server.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <mysql.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pinpipe::testutil {
namespace {

constexpr char kBootstrapHint[] =
    "install the test dependencies with scripts/bootstrap --test (Debian package "
    "mariadb-server)";

std::string FindProgram(std::initializer_list<const char*> names) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    for (std::string dir; std::getline(ss, dir, ':');) dirs.push_back(dir);
  }
  dirs.insert(dirs.end(), {"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"});
  for (const char* name : names) {
    for (const std::string& dir : dirs) {
      const std::string candidate = dir + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return "";
}

std::string CurrentUser() {
  const passwd* pw = ::getpwuid(::geteuid());
  return pw != nullptr ? pw->pw_name : "root";
}

std::string Tail(const std::string& path, size_t bytes = 1500) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string all = ss.str();
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

// fork + exec with stdout/stderr to `log`; the child gets SIGKILL when the test process dies.
Result<pid_t> Spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("open", log, errno);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fd);
    return ErrnoError("fork", args[0], errno);
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fd);
  return pid;
}

// Waits for `pid` up to `timeout`; the exit status, or DeadlineExceeded.
Result<int> WaitExit(pid_t pid, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0) return ErrnoError("waitpid", std::to_string(pid), errno);
    if (std::chrono::steady_clock::now() > deadline) {
      return DeadlineExceededError("process " + std::to_string(pid) + " still running");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Result<uint16_t> FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoError("socket", "127.0.0.1", errno);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoError("bind", "127.0.0.1:0", err);
  }
  ::close(fd);
  return ntohs(addr.sin_port);
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
                         Tail(tmpl + "/install.log"));
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
      return InternalError("mariadbd exited during startup: " + Tail(dir_ + "/error.log"));
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
  return DeadlineExceededError("mariadbd not ready after 60 s: " + Tail(dir_ + "/error.log"));
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
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    if (!WaitExit(pid_, std::chrono::seconds(15)).ok()) {
      ::kill(pid_, SIGKILL);
      WaitExit(pid_, std::chrono::seconds(10)).status().IgnoreError();
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

namespace {
std::unique_ptr<MariaDbServer>& SharedSlot() {
  static auto* server = new std::unique_ptr<MariaDbServer>();
  return *server;
}
Status& SharedFailure() {
  static auto* status = new Status();
  return *status;
}
}  // namespace

Result<MariaDbServer*> SharedMariaDbServer() {
  if (SharedSlot() != nullptr) return SharedSlot().get();
  if (!SharedFailure().ok()) return SharedFailure();
  auto started = MariaDbServer::Start();
  if (!started.ok()) {
    SharedFailure() = started.status();
    return started.status();
  }
  SharedSlot() = std::move(started).value();
  return SharedSlot().get();
}

void MariaDbEnvironment::TearDown() { SharedSlot().reset(); }

}  // namespace pinpipe::testutil
