#include "storage/sqlite_store.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "storage/token.h"

namespace mullet {
namespace {



// One prepared statement, finalized when it goes out of scope.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  bool ok() const { return stmt_ != nullptr; }
  Statement& Bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int i, double x) {
    sqlite3_bind_double(stmt_, i, x);
    return *this;
  }
  Statement& Bind(int i, std::int64_t x) {
    sqlite3_bind_int64(stmt_, i, x);
    return *this;
  }
  Statement& Bind(int i, const std::optional<UtcTime>& t) {
    if (t) return Bind(i, std::string_view(FormatUtc(*t)));
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  // Ready to bind and step again.
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return stmt_ ? sqlite3_step(stmt_) : SQLITE_MISUSE; }

  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Real(int col) const { return sqlite3_column_double(stmt_, col); }
  std::optional<UtcTime> Time(int col) const {
    if (IsNull(col)) return std::nullopt;
    Result<UtcTime> t = ParseUtcTimestamp(Text(col));
    return t.ok() ? std::optional<UtcTime>(*t) : std::nullopt;
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  ~SqliteStore() override { sqlite3_close_v2(db_); }

  Status Migrate() {
    if (Status s = Exec(R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
)sql");
        !s.ok()) {
      return s;
    }
    Statement max(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (max.Step() != SQLITE_ROW) return Error("reading the schema version");
    const int have = static_cast<int>(max.Int(0));
    if (have > SchemaVersion()) {
      return Status::DataError(path_.string() + ": its schema is version " + std::to_string(have) +
                               ", newer than this mullet knows (" + std::to_string(SchemaVersion()) +
                               "): use the mullet that wrote it, or a newer one");
    }
    for (int v = have + 1; v <= SchemaVersion(); ++v) {
      Status s = InTransaction([&]() -> Status {
        if (Status e = Exec(Migration(v, "INTEGER PRIMARY KEY", "REAL").c_str()); !e.ok()) return e;
        Statement ins(db_, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
        ins.Bind(1, static_cast<std::int64_t>(v)).Bind(2, std::string_view(FormatUtc(Now())));
        return ins.Step() == SQLITE_DONE ? Status::Ok() : Error("recording migration " + std::to_string(v));
      });
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  Result<std::string> CreateToken(Role role, std::string_view label, std::string_view who, UtcTime now) override {
    Result<std::string> token = NewToken();
    if (!token.ok()) return token.status();
    std::int64_t id = 0;
    Status s = InTransaction([&]() -> Status {
      Statement ins(db_, "INSERT INTO tokens (hash, role, label, created_at) VALUES (?, ?, ?, ?)");
      ins.Bind(1, std::string_view(TokenHash(*token))).Bind(2, RoleName(role)).Bind(3, label);
      ins.Bind(4, std::string_view(FormatUtc(now)));
      if (ins.Step() != SQLITE_DONE) return Error("storing the token");
      id = sqlite3_last_insert_rowid(db_);
      return AuditInside(now, who, "token.create", TokenAuditDetail(id, role, label));
    });
    if (!s.ok()) return s;
    return token;
  }

  Result<std::optional<TokenInfo>> FindToken(std::string_view token) override {
    Statement q(db_, "SELECT id, role, label, created_at, revoked_at FROM tokens WHERE hash = ? AND revoked_at IS NULL");
    q.Bind(1, std::string_view(TokenHash(token)));
    const int rc = q.Step();
    if (rc == SQLITE_DONE) return std::optional<TokenInfo>();
    if (rc != SQLITE_ROW) return Error("looking up a token");
    return std::optional<TokenInfo>(TokenOf(q));
  }

  Result<std::vector<TokenInfo>> Tokens() override {
    Statement q(db_, "SELECT id, role, label, created_at, revoked_at FROM tokens ORDER BY id");
    std::vector<TokenInfo> out;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) out.push_back(TokenOf(q));
    if (rc != SQLITE_DONE) return Error("listing tokens");
    return out;
  }

  Status RevokeToken(std::int64_t id, std::string_view who, UtcTime now) override {
    return InTransaction([&]() -> Status {
      Statement q(db_, "SELECT revoked_at FROM tokens WHERE id = ?");
      q.Bind(1, id);
      const int rc = q.Step();
      if (rc == SQLITE_DONE) return Status::NotFound("no token " + std::to_string(id));
      if (rc != SQLITE_ROW) return Error("reading token " + std::to_string(id));
      if (!q.IsNull(0)) return Status::Ok();
      Statement up(db_, "UPDATE tokens SET revoked_at = ? WHERE id = ?");
      up.Bind(1, std::string_view(FormatUtc(now))).Bind(2, id);
      if (up.Step() != SQLITE_DONE) return Error("revoking token " + std::to_string(id));
      return AuditInside(now, who, "token.revoke", "{\"id\":" + std::to_string(id) + "}");
    });
  }

  Result<EventRow> AddEvent(const EventSpec& spec, std::string_view source, std::string_view source_id,
                            std::string_view who, UtcTime now, bool* created) override {
    EventRow row;
    bool inserted = false;
    Status s = InTransaction([&]() -> Status {
      Statement ins(db_,
                    "INSERT INTO events (source, source_id, type, kw, start_at, end_at, ramp_s, created_at, "
                    "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, source_id) DO NOTHING");
      ins.Bind(1, source).Bind(2, source_id).Bind(3, std::string_view(spec.type)).Bind(4, spec.kw);
      ins.Bind(5, spec.start).Bind(6, spec.end).Bind(7, spec.ramp_s);
      ins.Bind(8, std::string_view(FormatUtc(now))).Bind(9, who);
      if (ins.Step() != SQLITE_DONE) return Error("storing the event");
      inserted = sqlite3_changes(db_) == 1;
      Statement q(db_, (std::string(kEventColumns) + " WHERE source = ? AND source_id = ?").c_str());
      q.Bind(1, source).Bind(2, source_id);
      if (q.Step() != SQLITE_ROW) return Error("reading the event back");
      row = EventOf(q);
      if (!inserted) return Status::Ok();
      return AuditInside(now, who, "event.create", EventAuditDetail(row));
    });
    if (!s.ok()) return s;
    if (created) *created = inserted;
    return row;
  }

  Result<EventRow> CancelEvent(std::int64_t id, std::string_view who, UtcTime now) override {
    EventRow row;
    Status s = InTransaction([&]() -> Status {
      Result<std::optional<EventRow>> found = Event(id);
      if (!found.ok()) return found.status();
      if (!*found) return Status::NotFound("no event " + std::to_string(id));
      if ((*found)->cancelled) {
        return Status::Conflict("event " + std::to_string(id) + " was cancelled at " + FormatUtc(*(*found)->cancelled));
      }
      Statement up(db_, "UPDATE events SET cancelled_at = ? WHERE id = ?");
      up.Bind(1, std::string_view(FormatUtc(now))).Bind(2, id);
      if (up.Step() != SQLITE_DONE) return Error("cancelling event " + std::to_string(id));
      row = **found;
      row.cancelled = now;
      return AuditInside(now, who, "event.cancel", "{\"id\":" + std::to_string(id) + "}");
    });
    if (!s.ok()) return s;
    return row;
  }

  Result<std::optional<EventRow>> Event(std::int64_t id) override {
    Statement q(db_, (std::string(kEventColumns) + " WHERE id = ?").c_str());
    q.Bind(1, id);
    const int rc = q.Step();
    if (rc == SQLITE_DONE) return std::optional<EventRow>();
    if (rc != SQLITE_ROW) return Error("reading event " + std::to_string(id));
    return std::optional<EventRow>(EventOf(q));
  }

  Result<std::vector<EventRow>> Events(std::size_t limit) override {
    Statement q(db_, (std::string(kEventColumns) + " ORDER BY id DESC LIMIT ?").c_str());
    q.Bind(1, static_cast<std::int64_t>(limit));
    std::vector<EventRow> out;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) out.push_back(EventOf(q));
    if (rc != SQLITE_DONE) return Error("listing events");
    return out;
  }

  Result<std::vector<AuditRow>> AuditLog(std::size_t limit) override {
    Statement q(db_, "SELECT id, at, who, action, detail FROM audit ORDER BY id DESC LIMIT ?");
    q.Bind(1, static_cast<std::int64_t>(limit));
    std::vector<AuditRow> out;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) {
      AuditRow a;
      a.id = q.Int(0);
      a.at = q.Time(1).value_or(UtcTime{});
      a.who = q.Text(2);
      a.action = q.Text(3);
      a.detail = q.Text(4);
      out.push_back(std::move(a));
    }
    if (rc != SQLITE_DONE) return Error("reading the audit log");
    return out;
  }

  Status SaveMemory(std::string_view text, UtcTime now) override {
    return InTransaction([&]() -> Status {
      Statement up(db_,
                   "INSERT INTO memory (id, saved_at, json) VALUES (1, ?, ?) "
                   "ON CONFLICT (id) DO UPDATE SET saved_at = excluded.saved_at, json = excluded.json");
      up.Bind(1, std::string_view(FormatUtc(now))).Bind(2, text);
      return up.Step() == SQLITE_DONE ? Status::Ok() : Error("saving the policy's memory");
    });
  }

  Result<std::optional<std::string>> LoadMemory() override {
    Statement q(db_, "SELECT json FROM memory WHERE id = 1");
    const int rc = q.Step();
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    if (rc != SQLITE_ROW) return Error("loading the policy's memory");
    return std::optional<std::string>(q.Text(0));
  }

  Result<std::vector<EventRow>> OpenEvents(UtcTime now) override {
    Statement q(db_, (std::string(kEventColumns) +
                      " WHERE cancelled_at IS NULL AND (end_at IS NULL OR end_at > ?) ORDER BY id DESC")
                         .c_str());
    q.Bind(1, std::string_view(FormatUtc(now)));
    std::vector<EventRow> out;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) out.push_back(EventOf(q));
    if (rc != SQLITE_DONE) return Error("listing the events in force");
    return out;
  }

  Status SetEventBaseline(std::int64_t id, double watts) override {
    return InTransaction([&]() -> Status {
      Statement up(db_, "UPDATE events SET baseline_w = ? WHERE id = ? AND baseline_w IS NULL");
      up.Bind(1, watts).Bind(2, id);
      return up.Step() == SQLITE_DONE ? Status::Ok() : Error("recording event " + std::to_string(id) + "'s baseline");
    });
  }

  Result<FourCpAlertRow> AddFourCpAlert(const FourCpAlertRow& alert, std::string_view who, UtcTime now,
                                        bool* created) override {
    FourCpAlertRow row;
    bool inserted = false;
    Status s = InTransaction([&]() -> Status {
      Statement ins(db_,
                    "INSERT INTO four_cp_alerts (source, source_id, start_at, end_at, created_at, created_by) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source, source_id) DO NOTHING");
      ins.Bind(1, std::string_view(alert.source)).Bind(2, std::string_view(alert.source_id));
      ins.Bind(3, alert.start).Bind(4, alert.end).Bind(5, std::string_view(FormatUtc(now))).Bind(6, who);
      if (ins.Step() != SQLITE_DONE) return Error("storing the 4CP alert");
      inserted = sqlite3_changes(db_) == 1;
      Statement q(db_, (std::string(kAlertColumns) + " WHERE source = ? AND source_id = ?").c_str());
      q.Bind(1, std::string_view(alert.source)).Bind(2, std::string_view(alert.source_id));
      if (q.Step() != SQLITE_ROW) return Error("reading the 4CP alert back");
      row = AlertOf(q);
      return inserted ? AuditInside(now, who, "four_cp_alert.create", FourCpAlertAuditDetail(row)) : Status::Ok();
    });
    if (!s.ok()) return s;
    if (created) *created = inserted;
    return row;
  }

  Result<FourCpAlertRow> CancelFourCpAlert(std::int64_t id, std::string_view who, UtcTime now) override {
    FourCpAlertRow row;
    Status s = InTransaction([&]() -> Status {
      Result<std::optional<FourCpAlertRow>> found = FourCpAlert(id);
      if (!found.ok()) return found.status();
      if (!*found) return Status::NotFound("no 4CP alert " + std::to_string(id));
      if ((*found)->cancelled) {
        return Status::Conflict("4CP alert " + std::to_string(id) + " was cancelled at " +
                                FormatUtc(*(*found)->cancelled));
      }
      Statement up(db_, "UPDATE four_cp_alerts SET cancelled_at = ? WHERE id = ?");
      up.Bind(1, std::string_view(FormatUtc(now))).Bind(2, id);
      if (up.Step() != SQLITE_DONE) return Error("cancelling 4CP alert " + std::to_string(id));
      row = **found;
      row.cancelled = now;
      return AuditInside(now, who, "four_cp_alert.cancel", "{\"id\":" + std::to_string(id) + "}");
    });
    if (!s.ok()) return s;
    return row;
  }

  Result<std::optional<FourCpAlertRow>> FourCpAlert(std::int64_t id) override {
    Statement q(db_, (std::string(kAlertColumns) + " WHERE id = ?").c_str());
    q.Bind(1, id);
    const int rc = q.Step();
    if (rc == SQLITE_DONE) return std::optional<FourCpAlertRow>();
    if (rc != SQLITE_ROW) return Error("reading 4CP alert " + std::to_string(id));
    return std::optional<FourCpAlertRow>(AlertOf(q));
  }

  Result<std::vector<FourCpAlertRow>> FourCpAlerts(std::size_t limit) override {
    Statement q(db_, (std::string(kAlertColumns) + " ORDER BY id DESC LIMIT ?").c_str());
    q.Bind(1, static_cast<std::int64_t>(limit));
    return AlertsOf(q, "listing 4CP alerts");
  }

  Result<std::vector<FourCpAlertRow>> OpenFourCpAlerts(UtcTime now) override {
    Statement q(db_, (std::string(kAlertColumns) +
                      " WHERE cancelled_at IS NULL AND (end_at IS NULL OR end_at > ?) ORDER BY id DESC")
                         .c_str());
    q.Bind(1, std::string_view(FormatUtc(now)));
    return AlertsOf(q, "listing the 4CP alerts in force");
  }

  Status SaveTargets(const std::vector<TargetRow>& rows, UtcTime now) override {
    if (rows.empty()) return Status::Ok();
    return InTransaction([&]() -> Status {
      Statement up(db_,
                   "INSERT INTO targets (miner, name, desired, state, commanded_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                   "ON CONFLICT (miner) DO UPDATE SET name = excluded.name, desired = excluded.desired, "
                   "state = excluded.state, commanded_at = excluded.commanded_at, updated_at = excluded.updated_at");
      const std::string at = FormatUtc(now);
      for (const TargetRow& t : rows) {
        up.Reset();
        up.Bind(1, t.miner).Bind(2, std::string_view(t.name)).Bind(3, std::string_view(t.desired));
        up.Bind(4, std::string_view(t.state)).Bind(5, t.commanded_at).Bind(6, std::string_view(at));
        if (up.Step() != SQLITE_DONE) return Error("saving miner " + std::to_string(t.miner) + "'s target");
      }
      return Status::Ok();
    });
  }

  Result<std::vector<TargetRow>> Targets() override {
    Statement q(db_, "SELECT miner, name, desired, state, commanded_at FROM targets ORDER BY miner");
    std::vector<TargetRow> out;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) {
      out.push_back({q.Int(0), q.Text(1), q.Text(2), q.Text(3), q.Time(4)});
    }
    if (rc != SQLITE_DONE) return Error("reading the targets");
    return out;
  }

  Status AddTick(UtcTime at, std::string_view json, std::optional<UtcTime> prune_before) override {
    return InTransaction([&]() -> Status {
      Statement ins(db_, "INSERT INTO ticks (at, json) VALUES (?, ?)");
      ins.Bind(1, std::string_view(FormatUtc(at))).Bind(2, json);
      if (ins.Step() != SQLITE_DONE) return Error("logging the tick");
      if (!prune_before) return Status::Ok();
      Statement del(db_, "DELETE FROM ticks WHERE at < ?");
      del.Bind(1, std::string_view(FormatUtc(*prune_before)));
      return del.Step() == SQLITE_DONE ? Status::Ok() : Error("pruning old ticks");
    });
  }

  Result<std::vector<TickRow>> Ticks(std::size_t limit) override {
    Statement q(db_, "SELECT id, at, json FROM ticks ORDER BY id DESC LIMIT ?");
    q.Bind(1, static_cast<std::int64_t>(limit));
    std::vector<TickRow> out;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) out.push_back({q.Int(0), q.Time(1).value_or(UtcTime{}), q.Text(2)});
    if (rc != SQLITE_DONE) return Error("reading the ticks");
    return out;
  }

  Status MarkBatchSuspended(std::string_view job_id, UtcTime now) override {
    Statement ins(db_, "INSERT INTO batch_suspended (job_id, suspended_at) VALUES (?, ?) ON CONFLICT (job_id) DO NOTHING");
    ins.Bind(1, job_id).Bind(2, std::string_view(FormatUtc(now)));
    return ins.Step() == SQLITE_DONE ? Status::Ok() : Error("marking batch job " + std::string(job_id));
  }

  Status ClearBatchSuspended(std::string_view job_id) override {
    Statement del(db_, "DELETE FROM batch_suspended WHERE job_id = ?");
    del.Bind(1, job_id);
    return del.Step() == SQLITE_DONE ? Status::Ok() : Error("clearing batch job " + std::string(job_id));
  }

  Result<std::vector<std::string>> BatchSuspended() override {
    Statement q(db_, "SELECT job_id FROM batch_suspended ORDER BY suspended_at, job_id");
    std::vector<std::string> out;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) out.push_back(q.Text(0));
    if (rc != SQLITE_DONE) return Error("reading the suspended batch jobs");
    return out;
  }

  Status MarkGpuCap(const GpuCapRow& row) override {
    Statement up(db_,
                 "INSERT INTO gpu_caps (node, gpu, uuid, tenant, before_w, cap_w, capped_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (node, gpu) DO UPDATE SET "
                 "tenant = excluded.tenant, cap_w = excluded.cap_w");
    up.Bind(1, std::string_view(row.node)).Bind(2, static_cast<std::int64_t>(row.gpu))
        .Bind(3, std::string_view(row.uuid)).Bind(4, std::string_view(row.tenant)).Bind(5, row.before_w)
        .Bind(6, row.cap_w).Bind(7, std::string_view(FormatUtc(row.capped_at)));
    return up.Step() == SQLITE_DONE ? Status::Ok()
                                    : Error("marking GPU " + std::to_string(row.gpu) + " of " + row.node);
  }

  Status ClearGpuCap(std::string_view node, int gpu) override {
    Statement del(db_, "DELETE FROM gpu_caps WHERE node = ? AND gpu = ?");
    del.Bind(1, node).Bind(2, static_cast<std::int64_t>(gpu));
    return del.Step() == SQLITE_DONE ? Status::Ok()
                                     : Error("clearing GPU " + std::to_string(gpu) + " of " + std::string(node));
  }

  Result<std::vector<GpuCapRow>> GpuCaps() override {
    Statement q(db_, "SELECT node, gpu, uuid, tenant, before_w, cap_w, capped_at FROM gpu_caps ORDER BY node, gpu");
    std::vector<GpuCapRow> out;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) {
      out.push_back({q.Text(0), static_cast<int>(q.Int(1)), q.Text(2), q.Text(3), q.Real(4), q.Real(5),
                     q.Time(6).value_or(UtcTime{})});
    }
    if (rc != SQLITE_DONE) return Error("reading the capped GPUs");
    return out;
  }

  Status SetOverride(const GroupOverride& o, std::string_view who, UtcTime now) override {
    return InTransaction([&]() -> Status {
      Statement up(db_,
                   "INSERT INTO overrides (group_name, max_running, until_at, created_at, created_by) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_name) DO UPDATE SET max_running = excluded.max_running, "
                   "until_at = excluded.until_at, created_at = excluded.created_at, created_by = excluded.created_by");
      up.Bind(1, std::string_view(o.group)).Bind(2, static_cast<std::int64_t>(o.max_running)).Bind(3, o.until);
      up.Bind(4, std::string_view(FormatUtc(now))).Bind(5, who);
      if (up.Step() != SQLITE_DONE) return Error("setting the override of " + o.group);
      return AuditInside(now, who, "override.set", OverrideAuditDetail(o));
    });
  }

  Status ClearOverride(std::string_view group, std::string_view who, UtcTime now) override {
    return InTransaction([&]() -> Status {
      Statement del(db_, "DELETE FROM overrides WHERE group_name = ?");
      del.Bind(1, group);
      if (del.Step() != SQLITE_DONE) return Error("clearing the override of " + std::string(group));
      if (sqlite3_changes(db_) == 0) return Status::NotFound("no override of group " + std::string(group));
      const nlohmann::ordered_json j{{"group", group}};
      return AuditInside(now, who, "override.clear", j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    });
  }

  Result<std::vector<GroupOverride>> Overrides() override {
    Statement q(db_, "SELECT group_name, max_running, until_at, created_at, created_by FROM overrides ORDER BY group_name");
    std::vector<GroupOverride> out;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) {
      out.push_back({q.Text(0), static_cast<int>(q.Int(1)), q.Time(2), q.Time(3).value_or(UtcTime{}), q.Text(4)});
    }
    if (rc != SQLITE_DONE) return Error("reading the overrides");
    return out;
  }

  Status SavePolicyParams(std::string_view text, std::string_view who, UtcTime now) override {
    return InTransaction([&]() -> Status {
      Statement up(db_,
                   "INSERT INTO policy_params (id, saved_at, json) VALUES (1, ?, ?) "
                   "ON CONFLICT (id) DO UPDATE SET saved_at = excluded.saved_at, json = excluded.json");
      up.Bind(1, std::string_view(FormatUtc(now))).Bind(2, text);
      if (up.Step() != SQLITE_DONE) return Error("saving the policy parameters");
      return AuditInside(now, who, "policy.set", std::string(text));
    });
  }

  Result<std::optional<std::string>> LoadPolicyParams() override {
    Statement q(db_, "SELECT json FROM policy_params WHERE id = 1");
    const int rc = q.Step();
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    if (rc != SQLITE_ROW) return Error("loading the policy parameters");
    return std::optional<std::string>(q.Text(0));
  }

 private:
  static constexpr const char* kEventColumns =
      "SELECT id, source, source_id, type, kw, start_at, end_at, ramp_s, created_at, created_by, cancelled_at, "
      "baseline_w FROM events";

  static EventRow EventOf(const Statement& q) {
    EventRow e;
    e.id = q.Int(0);
    e.source = q.Text(1);
    e.source_id = q.Text(2);
    e.spec.type = q.Text(3);
    e.spec.kw = q.Real(4);
    e.spec.start = q.Time(5);
    e.spec.end = q.Time(6);
    e.spec.ramp_s = q.Real(7);
    e.created = q.Time(8).value_or(UtcTime{});
    e.created_by = q.Text(9);
    e.cancelled = q.Time(10);
    if (!q.IsNull(11)) e.baseline_w = q.Real(11);
    return e;
  }

  static constexpr const char* kAlertColumns =
      "SELECT id, source, source_id, start_at, end_at, created_at, created_by, cancelled_at FROM four_cp_alerts";

  static FourCpAlertRow AlertOf(const Statement& q) {
    FourCpAlertRow a;
    a.id = q.Int(0);
    a.source = q.Text(1);
    a.source_id = q.Text(2);
    a.start = q.Time(3);
    a.end = q.Time(4);
    a.created = q.Time(5).value_or(UtcTime{});
    a.created_by = q.Text(6);
    a.cancelled = q.Time(7);
    return a;
  }

  Result<std::vector<FourCpAlertRow>> AlertsOf(Statement& q, const char* what) {
    std::vector<FourCpAlertRow> out;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) out.push_back(AlertOf(q));
    if (rc != SQLITE_DONE) return Error(what);
    return out;
  }

  static TokenInfo TokenOf(const Statement& q) {
    TokenInfo t;
    t.id = q.Int(0);
    t.role = ParseRole(q.Text(1)).value_or(Role::kViewer);
    t.label = q.Text(2);
    t.created = q.Time(3).value_or(UtcTime{});
    t.revoked = q.Time(4);
    return t;
  }

  static UtcTime Now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

  Status AuditInside(UtcTime now, std::string_view who, std::string_view action, const std::string& detail) {
    Statement ins(db_, "INSERT INTO audit (at, who, action, detail) VALUES (?, ?, ?, ?)");
    ins.Bind(1, std::string_view(FormatUtc(now))).Bind(2, who).Bind(3, action).Bind(4, std::string_view(detail));
    return ins.Step() == SQLITE_DONE ? Status::Ok() : Error("writing the audit log");
  }

  // Runs `body` in a transaction (BEGIN IMMEDIATE: the write lock at once,
  // so two writers never deadlock on an upgrade); rolls back when it fails.
  template <typename F>
  Status InTransaction(F body) {
    if (Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    Status s = body();
    if (s.ok()) s = Exec("COMMIT");
    if (!s.ok()) Exec("ROLLBACK");
    return s;
  }

  Status Exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK) return Status::Ok();
    const std::string why = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    return Status::IoError(path_.string() + ": " + why);
  }

  Status Error(const std::string& doing) const {
    return Status::IoError(path_.string() + ": " + doing + ": " + sqlite3_errmsg(db_));
  }

  sqlite3* db_;
  std::filesystem::path path_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW,
                                 nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::IoError("cannot open the database " + path.string() + ": " + why);
  }
  auto store = std::make_unique<SqliteStore>(db, path);
  // WAL: readers (the API) never block the writer (the loop); FULL: a
  // transaction that returned is on the disk. busy_timeout: a second process
  // (`mullet token create` beside a running daemon) waits its turn.
  sqlite3_busy_timeout(db, 5000);
  char* message = nullptr;
  const int pragmas = sqlite3_exec(
      db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;", nullptr, nullptr, &message);
  if (pragmas != SQLITE_OK) {
    const std::string why = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    return Status::IoError("cannot open the database " + path.string() + ": " + why);
  }
  if (Status s = store->Migrate(); !s.ok()) return s;
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace mullet
