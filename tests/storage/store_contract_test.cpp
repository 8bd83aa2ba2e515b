// The rules every Store keeps, run against each backend: SQLite on a real
// file and PostgreSQL on a real server started for the test (pg_server.h):
// tokens shown once and kept only as their hash, events stored once per
// source id and cancelled once, an audit row with each change, the policy's
// memory replaced whole and kept across reopening.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "storage/pg_store.h"
#include "storage/sqlite_store.h"
#include "storage/pg_server.h"
#include "storage/store_test_util.h"
#include "storage/token.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;

using testing_store::At;
using testing_store::Spec;

class StoreContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      testing_pg::PgServer& pg = testing_pg::PgServer::Get();
      ASSERT_TRUE(pg.error().empty()) << pg.error();
      db_ = pg.NewDatabaseUrl();
    } else {
      dir_ = fs::temp_directory_path() /
             ("mullet_contract_" + std::to_string(getpid()) + "_" +
              std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
      fs::remove_all(dir_);
      fs::create_directories(dir_);
      db_ = (dir_ / "mullet.db").string();
    }
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::unique_ptr<Store> Open() {
    Result<std::unique_ptr<Store>> s = OpenStore(db_);
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  // One value read straight from the database with its own client (sqlite3
  // or psql), not through the store.
  std::string Query(const std::string& sql) {
    if (GetParam() == "sqlite") return testing_store::SqliteQuery(db_, sql);
    std::string out;
    const std::string cmd = "psql -X -q -t -A -d '" + db_ + "' -c \"" + sql + "\"";
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return out;
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    pclose(p);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  fs::path dir_;
  std::string db_;
};

TEST_P(StoreContractTest, TokensAreShownOnceAndKeptOnlyAsTheirHash) {
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

TEST_P(StoreContractTest, AnEventIsStoredOncePerSourceIdAndCancelledOnce) {
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

TEST_P(StoreContractTest, AFourCpAlertIsStoredOncePerSourceIdCancelledOnceAndOpenUntilItEnds) {
  auto store = Open();
  const UtcTime now = At("2026-08-10T19:00:00Z");
  FourCpAlertRow spec;
  spec.source = "api";
  spec.source_id = "key-1";
  spec.end = At("2026-08-10T22:00:00Z");
  bool created = false;
  Result<FourCpAlertRow> a = store->AddFourCpAlert(spec, "token 2 (ops)", now, &created);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_TRUE(created);
  EXPECT_FALSE(a->start.has_value());
  EXPECT_EQ(*a->end, At("2026-08-10T22:00:00Z"));
  EXPECT_EQ(a->created, now);
  EXPECT_EQ(a->created_by, "token 2 (ops)");
  // A retry: the stored row, no second audit row.
  FourCpAlertRow retry = spec;
  retry.end.reset();
  Result<FourCpAlertRow> again = store->AddFourCpAlert(retry, "token 2 (ops)", now, &created);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ(again->id, a->id);
  EXPECT_TRUE(again->end.has_value());
  // One to come, with no end.
  FourCpAlertRow later;
  later.source = "api";
  later.source_id = "key-2";
  later.start = At("2026-08-11T19:00:00Z");
  Result<FourCpAlertRow> b = store->AddFourCpAlert(later, "token 2 (ops)", now, &created);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(created);
  EXPECT_TRUE(a->ActiveAt(now));
  EXPECT_FALSE(a->ActiveAt(At("2026-08-10T22:00:00Z")));
  EXPECT_FALSE(b->ActiveAt(now));
  EXPECT_TRUE(b->ActiveAt(At("2027-01-01T00:00:00Z")));
  // Open: not cancelled and not ended, begun or not.
  EXPECT_EQ(store->OpenFourCpAlerts(now)->size(), 2u);
  const auto past_first = store->OpenFourCpAlerts(At("2026-08-10T22:00:00Z"));
  ASSERT_EQ(past_first->size(), 1u);
  EXPECT_EQ(past_first->at(0).id, b->id);
  Result<FourCpAlertRow> cancelled = store->CancelFourCpAlert(b->id, "token 2 (ops)", At("2026-08-12T00:00:00Z"));
  ASSERT_TRUE(cancelled.ok());
  EXPECT_TRUE(cancelled->ActiveAt(At("2026-08-11T23:59:59Z")));
  EXPECT_FALSE(cancelled->ActiveAt(At("2026-08-12T00:00:00Z")));
  EXPECT_EQ(store->CancelFourCpAlert(b->id, "x", now).status().code(), StatusCode::kConflict);
  EXPECT_EQ(store->CancelFourCpAlert(999, "x", now).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store->OpenFourCpAlerts(At("2026-08-10T22:00:00Z"))->empty());
  const auto all = store->FourCpAlerts(10);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->at(0).id, b->id);  // newest first
  EXPECT_TRUE(all->at(0).cancelled.has_value());
  EXPECT_EQ(store->FourCpAlert(a->id)->value().source_id, "key-1");
  EXPECT_FALSE(store->FourCpAlert(999)->has_value());
  const auto audit = store->AuditLog(10);
  ASSERT_EQ(audit->size(), 3u);  // two raised, one cancelled
  EXPECT_EQ(audit->at(0).action, "four_cp_alert.cancel");
  EXPECT_EQ(audit->at(1).action, "four_cp_alert.create");
  EXPECT_NE(audit->at(1).detail.find("\"start\":\"2026-08-11T19:00:00Z\""), std::string::npos) << audit->at(1).detail;
}

TEST_P(StoreContractTest, MemoryIsReplacedWholeAndSurvivesReopening) {
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


TEST_P(StoreContractTest, TargetsAreReplacedByMinerAndSurviveReopening) {
  {
    auto store = Open();
    EXPECT_TRUE(store->Targets()->empty());
    ASSERT_TRUE(store->SaveTargets({{0, "10.0.0.1:4028", "sleep", "dispatching", std::nullopt},
                                    {7, "10.0.0.8:4028", "hash", "confirmed", At("2026-12-02T10:00:00Z")}},
                                   At("2026-12-02T10:00:01Z"))
                    .ok());
    ASSERT_TRUE(store->SaveTargets({{0, "10.0.0.1:4028", "sleep", "dispatched", At("2026-12-02T10:00:02Z")}},
                                   At("2026-12-02T10:00:02Z"))
                    .ok());
    ASSERT_TRUE(store->SaveTargets({}, At("2026-12-02T10:00:03Z")).ok());
  }
  auto store = Open();
  const std::vector<TargetRow> t = store->Targets().value();
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].miner, 0);
  EXPECT_EQ(t[0].state, "dispatched");
  EXPECT_EQ(t[0].commanded_at, At("2026-12-02T10:00:02Z"));
  EXPECT_EQ(t[1].name, "10.0.0.8:4028");
  EXPECT_EQ(t[1].desired, "hash");
  EXPECT_EQ(Query("SELECT COUNT(*) FROM targets"), "2");
  // The schema refuses a desire that is not one.
  EXPECT_FALSE(store->SaveTargets({{1, "x", "reboot", "dispatching", std::nullopt}}, At("2026-12-02T10:00:04Z")).ok());
  EXPECT_EQ(Query("SELECT COUNT(*) FROM targets"), "2") << "the failed batch left nothing";
}

TEST_P(StoreContractTest, TicksArePrunedPastRetention) {
  auto store = Open();
  ASSERT_TRUE(store->AddTick(At("2026-12-01T10:00:00Z"), R"({"n":1})", std::nullopt).ok());
  ASSERT_TRUE(store->AddTick(At("2026-12-02T09:00:00Z"), R"({"n":2})", std::nullopt).ok());
  ASSERT_TRUE(store->AddTick(At("2026-12-02T10:00:00Z"), R"({"n":3})", At("2026-12-02T08:00:00Z")).ok());
  const std::vector<TickRow> ticks = store->Ticks(10).value();
  ASSERT_EQ(ticks.size(), 2u);
  EXPECT_EQ(ticks[0].json, R"({"n":3})");
  EXPECT_EQ(ticks[1].at, At("2026-12-02T09:00:00Z"));
  EXPECT_EQ(store->Ticks(1)->size(), 1u);
}

TEST_P(StoreContractTest, OpenEventsAreTheUncancelledAndUnendedWithTheirBaselineKeptOnce) {
  auto store = Open();
  bool created = false;
  EventSpec ended = Spec("reduce-to", 100);
  ended.end = At("2026-12-02T09:00:00Z");
  ASSERT_TRUE(store->AddEvent(ended, "api", "a", "t", At("2026-12-02T08:00:00Z"), &created).ok());
  const EventRow cancelled = store->AddEvent(Spec("reduce-to", 200), "api", "b", "t", At("2026-12-02T08:00:00Z"), &created).value();
  ASSERT_TRUE(store->CancelEvent(cancelled.id, "t", At("2026-12-02T08:30:00Z")).ok());
  EventSpec later = Spec("reduce-by", 300);
  later.start = At("2026-12-02T12:00:00Z");
  const EventRow upcoming = store->AddEvent(later, "api", "c", "t", At("2026-12-02T08:00:00Z"), &created).value();
  const EventRow open = store->AddEvent(Spec("reduce-by", 400), "api", "d", "t", At("2026-12-02T08:00:00Z"), &created).value();
  const std::vector<EventRow> events = store->OpenEvents(At("2026-12-02T10:00:00Z")).value();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id, open.id);
  EXPECT_EQ(events[1].id, upcoming.id);
  EXPECT_FALSE(events[0].baseline_w.has_value());
  ASSERT_TRUE(store->SetEventBaseline(open.id, 5.5e6).ok());
  ASSERT_TRUE(store->SetEventBaseline(open.id, 1.0).ok());
  EXPECT_EQ(store->Event(open.id)->value().baseline_w, 5.5e6) << "the first baseline stands";
}

TEST_P(StoreContractTest, SuspendedBatchJobsAreMarkedOnceAndCleared) {
  {
    auto store = Open();
    ASSERT_TRUE(store->MarkBatchSuspended("1234", At("2026-12-02T10:00:00Z")).ok());
    ASSERT_TRUE(store->MarkBatchSuspended("1234_7", At("2026-12-02T10:00:01Z")).ok());
    ASSERT_TRUE(store->MarkBatchSuspended("1234", At("2026-12-02T10:00:02Z")).ok());
  }
  auto store = Open();
  EXPECT_EQ(store->BatchSuspended().value(), (std::vector<std::string>{"1234", "1234_7"}));
  ASSERT_TRUE(store->ClearBatchSuspended("1234").ok());
  ASSERT_TRUE(store->ClearBatchSuspended("nope").ok());
  EXPECT_EQ(store->BatchSuspended().value(), (std::vector<std::string>{"1234_7"}));
}

TEST_P(StoreContractTest, CappedGpusKeepTheirFirstLimitBeforeAcrossReopens) {
  {
    auto store = Open();
    ASSERT_TRUE(store->MarkGpuCap({"/opt/node-b", 1, "GPU-b1", "tenant-a", 700, 400, At("2026-12-02T10:00:00Z")}).ok());
    ASSERT_TRUE(store->MarkGpuCap({"/opt/node-a", 0, "GPU-a0", "tenant-a", 650.5, 300, At("2026-12-02T10:00:01Z")}).ok());
    // Capped again, deeper: the limit before is still the operator's 700 W.
    ASSERT_TRUE(store->MarkGpuCap({"/opt/node-b", 1, "GPU-b1", "tenant-a", 400, 250, At("2026-12-02T10:00:02Z")}).ok());
  }
  auto store = Open();
  const std::vector<GpuCapRow> rows = store->GpuCaps().value();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].node, "/opt/node-a");
  EXPECT_EQ(rows[0].before_w, 650.5);
  EXPECT_EQ(rows[1].node, "/opt/node-b");
  EXPECT_EQ(rows[1].gpu, 1);
  EXPECT_EQ(rows[1].uuid, "GPU-b1");
  EXPECT_EQ(rows[1].tenant, "tenant-a");
  EXPECT_EQ(rows[1].before_w, 700);
  EXPECT_EQ(rows[1].cap_w, 250);
  EXPECT_EQ(rows[1].capped_at, At("2026-12-02T10:00:00Z"));
  ASSERT_TRUE(store->ClearGpuCap("/opt/node-b", 1).ok());
  ASSERT_TRUE(store->ClearGpuCap("/opt/node-b", 7).ok());
  ASSERT_EQ(store->GpuCaps()->size(), 1u);
}

TEST_P(StoreContractTest, OverridesAndPolicyParametersAreReplacedAndAudited) {
  auto store = Open();
  GroupOverride o;
  o.group = "s21";
  o.max_running = 10;
  ASSERT_TRUE(store->SetOverride(o, "token 2 (ops)", At("2026-12-02T10:00:00Z")).ok());
  o.max_running = 0;
  o.until = At("2026-12-02T12:00:00Z");
  ASSERT_TRUE(store->SetOverride(o, "token 2 (ops)", At("2026-12-02T10:01:00Z")).ok());
  const std::vector<GroupOverride> list = store->Overrides().value();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].max_running, 0);
  EXPECT_EQ(list[0].until, At("2026-12-02T12:00:00Z"));
  EXPECT_TRUE(list[0].ActiveAt(At("2026-12-02T11:59:59Z")));
  EXPECT_FALSE(list[0].ActiveAt(At("2026-12-02T12:00:00Z")));
  EXPECT_EQ(store->ClearOverride("s21", "t", At("2026-12-02T10:02:00Z")).code(), StatusCode::kOk);
  EXPECT_EQ(store->ClearOverride("s21", "t", At("2026-12-02T10:02:00Z")).code(), StatusCode::kNotFound);
  EXPECT_FALSE(store->LoadPolicyParams()->has_value());
  ASSERT_TRUE(store->SavePolicyParams(R"({"reserve_fraction":0.1})", "t", At("2026-12-02T10:03:00Z")).ok());
  EXPECT_EQ(store->LoadPolicyParams()->value(), R"({"reserve_fraction":0.1})");
  const std::vector<AuditRow> audit = store->AuditLog(10).value();
  ASSERT_EQ(audit.size(), 4u) << "two sets, one clear, one policy; the refused clear left nothing";
  EXPECT_EQ(audit[0].action, "policy.set");
  EXPECT_EQ(audit[1].action, "override.clear");
  EXPECT_EQ(audit[2].action, "override.set");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace mullet
