// A real PostgreSQL server for the store's tests: initdb into a fresh folder,
// started with pg_ctl on a Unix socket in that folder (no TCP port, nothing
// shared with a system cluster), stopped and removed when the test binary
// exits. Each test gets a database of its own. Debian's `postgresql` package
// (scripts/install-deps.sh --test); as root the server runs as the
// `postgres` user, as PostgreSQL requires.

#ifndef MULLET_TESTS_STORAGE_PG_SERVER_H_
#define MULLET_TESTS_STORAGE_PG_SERVER_H_

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace mullet::testing_pg {

class PgServer {
 public:
  // The server, started on first use; empty error() when it runs.
  static PgServer& Get() {
    static PgServer* server = new PgServer();
    return *server;
  }
  const std::string& error() const { return error_; }

  // A fresh, empty database's URL.
  std::string NewDatabaseUrl() {
    const std::string name = "t" + std::to_string(++databases_);
    Run(bin_ + "/psql -q -d '" + Url("postgres") + "' -c 'CREATE DATABASE " + name + "' >/dev/null");
    return Url(name);
  }
  std::string Url(const std::string& db) const {
    return "postgresql:///" + db + "?host=" + dir_.string() + "&port=" + std::to_string(port_) + "&user=mullet";
  }

 private:
  PgServer() {
    for (const char* v : {"16", "15", "14", "13"}) {
      const std::string bin = std::string("/usr/lib/postgresql/") + v + "/bin";
      if (std::filesystem::exists(bin + "/initdb")) {
        bin_ = bin;
        break;
      }
    }
    if (bin_.empty()) {
      error_ = "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (scripts/install-deps.sh --test)";
      return;
    }
    dir_ = std::filesystem::temp_directory_path() / ("mullet_pg_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    port_ = 40000 + getpid() % 20000;
    as_ = geteuid() == 0 ? "runuser -u postgres -- " : "";
    if (geteuid() == 0) Run("chown postgres " + dir_.string());
    const std::string data = (dir_ / "data").string();
    if (Run(as_ + bin_ + "/initdb -D " + data + " -A trust -U mullet --no-sync >" + dir_.string() + "/initdb.log 2>&1") !=
        0) {
      error_ = "initdb failed (" + dir_.string() + "/initdb.log)";
      return;
    }
    if (Run(as_ + bin_ + "/pg_ctl -D " + data + " -w -l " + dir_.string() + "/server.log -o \"-k " + dir_.string() +
            " -p " + std::to_string(port_) + " -c listen_addresses='' -c fsync=off\" start >/dev/null") != 0) {
      error_ = "pg_ctl start failed (" + dir_.string() + "/server.log)";
      return;
    }
    std::atexit([] { Get().Stop(); });
  }
  void Stop() {
    Run(as_ + bin_ + "/pg_ctl -D " + (dir_ / "data").string() + " -m immediate stop >/dev/null 2>&1");
    std::filesystem::remove_all(dir_);
  }
  static int Run(const std::string& command) { return std::system(command.c_str()); }

  std::string bin_, as_, error_;
  std::filesystem::path dir_;
  int port_ = 0;
  int databases_ = 0;
};

}  // namespace mullet::testing_pg

#endif  // MULLET_TESTS_STORAGE_PG_SERVER_H_
