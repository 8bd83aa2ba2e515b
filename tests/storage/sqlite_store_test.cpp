// The SQLite store on real files: WAL, the schema's version, a file that is
// not a database, and what a kill -9 in the middle of writing leaves. The
// rules every store keeps are in store_contract_test.cpp.

#include "storage/sqlite_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "storage/store_test_util.h"
#include "storage/token.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;

using testing_store::At;
using testing_store::Spec;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mullet_store_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::unique_ptr<Store> Open() {
    Result<std::unique_ptr<Store>> s = OpenSqliteStore(dir_ / "mullet.db");
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  // A value read straight from the file with SQLite, not through the store.
  std::string Query(const std::string& sql) { return testing_store::SqliteQuery((dir_ / "mullet.db").string(), sql); }

  fs::path dir_;
};

TEST_F(SqliteStoreTest, OpensInWalModeAtTheCurrentSchemaVersionAndOpensAgain) {
  { ASSERT_NE(Open(), nullptr); }
  EXPECT_EQ(Query("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(Query("SELECT MAX(version) FROM schema_migrations"), std::to_string(SchemaVersion()));
  { ASSERT_NE(Open(), nullptr); }  // migrations run once
  EXPECT_EQ(Query("SELECT COUNT(*) FROM schema_migrations"), std::to_string(SchemaVersion()));
}

TEST_F(SqliteStoreTest, ANewerSchemaOrAFileThatIsNotADatabaseIsRefusedByName) {
  { ASSERT_NE(Open(), nullptr); }
  sqlite3* db = nullptr;
  sqlite3_open((dir_ / "mullet.db").c_str(), &db);
  sqlite3_exec(db, "INSERT INTO schema_migrations VALUES (999, 'x')", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  Result<std::unique_ptr<Store>> newer = OpenSqliteStore(dir_ / "mullet.db");
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.status().code(), StatusCode::kDataError);
  EXPECT_NE(newer.status().message().find("version 999, newer than this mullet knows"), std::string::npos)
      << newer.status().message();

  std::ofstream(dir_ / "notes.txt") << "not a database, but long enough to look like a header........\n";
  Result<std::unique_ptr<Store>> text = OpenSqliteStore(dir_ / "notes.txt");
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("notes.txt"), std::string::npos) << text.status().message();
  Result<std::unique_ptr<Store>> nowhere = OpenSqliteStore(dir_ / "no" / "such" / "dir" / "x.db");
  ASSERT_FALSE(nowhere.ok());
  EXPECT_EQ(nowhere.status().code(), StatusCode::kIoError);
}

// A writer killed with SIGKILL in the middle of a stream of changes: every
// change it reported done is there, the file passes SQLite's integrity check,
// and each event has its audit row (one transaction for both).
TEST_F(SqliteStoreTest, NothingReportedDoneIsLostToAKill9) {
  { ASSERT_NE(Open(), nullptr); }
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    Result<std::unique_ptr<Store>> s = OpenSqliteStore(dir_ / "mullet.db");
    if (!s.ok()) _exit(3);
    for (int i = 0;; ++i) {
      bool created = false;
      const UtcTime now = At("2026-12-02T10:00:00Z") + std::chrono::seconds(i);
      if (!(*s)->AddEvent(Spec("reduce-by", 1.0 * i), "api", "k" + std::to_string(i), "t", now, &created).ok())
        _exit(4);
      const int done = i + 1;
      if (write(pipe_fds[1], &done, sizeof done) != sizeof done) _exit(5);
    }
  }
  close(pipe_fds[1]);
  int done = 0;
  int last = 0;
  while (last < 40 && read(pipe_fds[0], &done, sizeof done) == sizeof done) last = done;
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  close(pipe_fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped by itself: " << status;
  ASSERT_GE(last, 40);
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Query("PRAGMA integrity_check"), "ok");
  const int stored = std::stoi(Query("SELECT COUNT(*) FROM events"));
  EXPECT_GE(stored, last);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM audit WHERE action = 'event.create'"), std::to_string(stored));
  for (int i = 0; i < last; ++i) {
    EXPECT_EQ(Query("SELECT kw FROM events WHERE source_id = 'k" + std::to_string(i) + "'"), std::to_string(i) + ".0");
  }
}

}  // namespace
}  // namespace mullet
