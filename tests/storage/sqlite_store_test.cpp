// The SQLite store on real files: tokens, events (idempotent on their
// source's id), the audit row written with each change, the policy's memory,
// the schema's version, and what a kill -9 in the middle of writing leaves.

#include "storage/sqlite_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "storage/token.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;

UtcTime At(const char* text) { return *ParseUtcTimestamp(text); }

EventSpec Spec(const char* type, double kw) {
  EventSpec s;
  s.type = type;
  s.kw = kw;
  return s;
}

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
  std::string Query(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open_v2((dir_ / "mullet.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    std::string out;
    sqlite3_exec(
        db, sql.c_str(),
        [](void* o, int, char** v, char**) {
          *static_cast<std::string*>(o) += v[0] ? v[0] : "NULL";
          return 0;
        },
        &out, nullptr);
    sqlite3_close(db);
    return out;
  }

  fs::path dir_;
};

TEST_F(SqliteStoreTest, OpensInWalModeAtTheCurrentSchemaVersionAndOpensAgain) {
  { ASSERT_NE(Open(), nullptr); }
  EXPECT_EQ(Query("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(Query("SELECT MAX(version) FROM schema_migrations"), std::to_string(SqliteSchemaVersion()));
  { ASSERT_NE(Open(), nullptr); }  // migrations run once
  EXPECT_EQ(Query("SELECT COUNT(*) FROM schema_migrations"), std::to_string(SqliteSchemaVersion()));
}

TEST_F(SqliteStoreTest, TokensAreShownOnceAndKeptOnlyAsTheirHash) {
  auto store = Open();
  const UtcTime now = At("2026-12-02T10:00:00Z");
  Result<std::string> token = store->CreateToken(Role::kOperator, "ops laptop", "mullet token", now);
  ASSERT_TRUE(token.ok()) << token.status().message();
  EXPECT_EQ(token->rfind("mlt_", 0), 0u);
  EXPECT_EQ(token->size(), 4u + 64u);
  // The file holds the SHA-256, never the token.
  EXPECT_EQ(Query("SELECT hash FROM tokens"), TokenHash(*token));
  EXPECT_EQ(Query("SELECT COUNT(*) FROM tokens WHERE hash LIKE '%" + token->substr(4, 16) + "%'"), "0");
  Result<std::optional<TokenInfo>> found = store->FindToken(*token);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->role, Role::kOperator);
  EXPECT_EQ((*found)->label, "ops laptop");
  EXPECT_FALSE(store->FindToken(*token + "0")->has_value());
  EXPECT_FALSE(store->FindToken("")->has_value());
  // Two tokens differ; a revoked one is found no more.
  Result<std::string> second = store->CreateToken(Role::kViewer, "wall screen", "mullet token", now);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(*second, *token);
  ASSERT_TRUE(store->RevokeToken((*found)->id, "mullet token", now).ok());
  EXPECT_FALSE(store->FindToken(*token)->has_value());
  EXPECT_TRUE(store->FindToken(*second)->has_value());
  EXPECT_EQ(store->RevokeToken(99, "mullet token", now).code(), StatusCode::kNotFound);
  const auto tokens = store->Tokens();
  ASSERT_EQ(tokens->size(), 2u);
  EXPECT_TRUE(tokens->at(0).revoked.has_value());
  // Each change has its audit row, newest first.
  const auto audit = store->AuditLog(10);
  ASSERT_EQ(audit->size(), 3u);
  EXPECT_EQ(audit->at(0).action, "token.revoke");
  EXPECT_EQ(audit->at(2).action, "token.create");
  EXPECT_EQ(audit->at(2).who, "mullet token");
  EXPECT_EQ(nlohmann::json::parse(audit->at(2).detail)["role"], "operator");
}

TEST_F(SqliteStoreTest, AnEventIsStoredOncePerSourceIdAndCancelledOnce) {
  auto store = Open();
  const UtcTime now = At("2026-12-02T10:00:00Z");
  EventSpec spec{.type = "reduce-to", .kw = 2500, .start = std::nullopt, .end = At("2026-12-02T12:00:00Z"), .ramp_s = 60};
  bool created = false;
  Result<EventRow> a = store->AddEvent(spec, "api", "key-1", "token 1 (ops)", now, &created);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_TRUE(created);
  EXPECT_EQ(a->spec.kw, 2500);
  EXPECT_FALSE(a->spec.start.has_value());
  EXPECT_EQ(*a->spec.end, At("2026-12-02T12:00:00Z"));
  // The same source id again (a retried POST, a VTN polled twice): the
  // stored row, nothing new, no second audit row.
  spec.kw = 1;
  Result<EventRow> again = store->AddEvent(spec, "api", "key-1", "token 1 (ops)", now, &created);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ(again->id, a->id);
  EXPECT_EQ(again->spec.kw, 2500);
  Result<EventRow> other = store->AddEvent(spec, "vtn", "key-1", "vtn", now, &created);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(created);
  EXPECT_NE(other->id, a->id);
  // In force from its creation to its end.
  EXPECT_TRUE(a->ActiveAt(now));
  EXPECT_TRUE(a->ActiveAt(At("2026-12-02T11:59:59Z")));
  EXPECT_FALSE(a->ActiveAt(At("2026-12-02T12:00:00Z")));
  EXPECT_FALSE(a->ActiveAt(At("2026-12-02T09:59:59Z")));
  Result<EventRow> cancelled = store->CancelEvent(a->id, "token 1 (ops)", At("2026-12-02T10:30:00Z"));
  ASSERT_TRUE(cancelled.ok());
  EXPECT_FALSE(cancelled->ActiveAt(At("2026-12-02T10:30:00Z")));
  EXPECT_TRUE(cancelled->ActiveAt(At("2026-12-02T10:29:59Z")));
  EXPECT_EQ(store->CancelEvent(a->id, "x", now).status().code(), StatusCode::kConflict);
  EXPECT_EQ(store->CancelEvent(12345, "x", now).status().code(), StatusCode::kNotFound);
  const auto events = store->Events(10);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ(events->at(0).id, other->id);  // newest first
  EXPECT_TRUE(events->at(1).cancelled.has_value());
  const auto audit = store->AuditLog(10);
  ASSERT_EQ(audit->size(), 3u);  // two creates, one cancel
  EXPECT_EQ(audit->at(0).action, "event.cancel");
  // A kW the schema refuses is refused by the database too.
  EXPECT_FALSE(store->AddEvent(Spec("shed-all", 1), "api", "key-2", "x", now, &created).ok());
  EXPECT_EQ(store->Events(10)->size(), 2u);
}

TEST_F(SqliteStoreTest, MemoryIsReplacedWholeAndSurvivesReopening) {
  {
    auto store = Open();
    EXPECT_FALSE(store->LoadMemory()->has_value());
    ASSERT_TRUE(store->SaveMemory(R"({"v":1})", At("2026-12-02T10:00:00Z")).ok());
    ASSERT_TRUE(store->SaveMemory(R"({"v":2})", At("2026-12-02T10:00:10Z")).ok());
  }
  auto store = Open();
  EXPECT_EQ(store->LoadMemory()->value(), R"({"v":2})");
  EXPECT_EQ(Query("SELECT COUNT(*) FROM memory"), "1");
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
