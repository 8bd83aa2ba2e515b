#include "storage/pg_store.h"

#include <dlfcn.h>
#include <libpq-fe.h>

#include <charconv>
#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/text/untrusted_text.h"
#include "storage/sqlite_store.h"
#include "storage/token.h"

namespace mullet {
namespace {

// The libpq calls used, resolved once from libpq.so.5.
struct Libpq {
  decltype(&PQconnectdb) connectdb = nullptr;
  decltype(&PQstatus) status = nullptr;
  decltype(&PQerrorMessage) error_message = nullptr;
  decltype(&PQfinish) finish = nullptr;
  decltype(&PQexec) exec = nullptr;  // several statements, no parameters (migrations)
  decltype(&PQexecParams) exec_params = nullptr;
  decltype(&PQresultStatus) result_status = nullptr;
  decltype(&PQresultErrorMessage) result_error = nullptr;
  decltype(&PQntuples) ntuples = nullptr;
  decltype(&PQgetvalue) getvalue = nullptr;
  decltype(&PQgetisnull) getisnull = nullptr;
  decltype(&PQcmdTuples) cmd_tuples = nullptr;
  decltype(&PQclear) clear = nullptr;
};

Result<const Libpq*> LoadLibpq() {
  static Libpq lib;
  static std::string failure;
  static std::once_flag once;
  std::call_once(once, [] {
    void* h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
      failure = std::string("PostgreSQL needs libpq (apt-get install libpq5): ") + dlerror();
      return;
    }
    const auto get = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(h, name));
      if (fn == nullptr && failure.empty()) failure = std::string("libpq.so.5 has no ") + name;
    };
    get(lib.connectdb, "PQconnectdb");
    get(lib.status, "PQstatus");
    get(lib.error_message, "PQerrorMessage");
    get(lib.finish, "PQfinish");
    get(lib.exec, "PQexec");
    get(lib.exec_params, "PQexecParams");
    get(lib.result_status, "PQresultStatus");
    get(lib.result_error, "PQresultErrorMessage");
    get(lib.ntuples, "PQntuples");
    get(lib.getvalue, "PQgetvalue");
    get(lib.getisnull, "PQgetisnull");
    get(lib.cmd_tuples, "PQcmdTuples");
    get(lib.clear, "PQclear");
  });
  if (!failure.empty()) return Status::IoError(failure);
  return &lib;
}



// A parameter: text, or SQL NULL.
using Param = std::optional<std::string>;

Param TimeParam(const std::optional<UtcTime>& t) { return t ? Param(FormatUtc(*t)) : std::nullopt; }
Param Num(double x) {
  char buf[40];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}
Param Int(std::int64_t x) { return std::to_string(x); }

class PgStore final : public Store {
 public:
  PgStore(const Libpq& pq, PGconn* conn) : pq_(pq), conn_(conn) {}
  ~PgStore() override { pq_.finish(conn_); }

  Status Migrate() {
    return InTransaction([&]() -> Status {
      // One migrator at a time, whoever starts first.
      if (Status s = Run("SELECT pg_advisory_xact_lock(7236071)", {}); !s.ok()) return s;
      if (Status s = Run("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at "
                          "TEXT NOT NULL)",
                          {});
          !s.ok()) {
        return s;
      }
      Result<Rows> have = Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {});
      if (!have.ok()) return have.status();
      const int version = std::stoi(have->at(0, 0).value_or("0"));
      if (version > SchemaVersion()) {
        return Status::DataError("the PostgreSQL database's schema is version " + std::to_string(version) +
                                 ", newer than this mullet knows (" + std::to_string(SchemaVersion()) + ")");
      }
      for (int v = version + 1; v <= SchemaVersion(); ++v) {
        if (Status s = ExecScript(Migration(v, "BIGSERIAL PRIMARY KEY", "DOUBLE PRECISION").c_str()); !s.ok()) return s;
        const UtcTime now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        if (Status s = Run("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                            {Int(v), Param(FormatUtc(now))});
            !s.ok()) {
          return s;
        }
      }
      return Status::Ok();
    });
  }

  Result<std::string> CreateToken(Role role, std::string_view label, std::string_view who, UtcTime now) override {
    Result<std::string> token = NewToken();
    if (!token.ok()) return token.status();
    Status s = InTransaction([&]() -> Status {
      Result<Rows> id = Exec("INSERT INTO tokens (hash, role, label, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                             {TokenHash(*token), std::string(RoleName(role)), std::string(label), FormatUtc(now)});
      if (!id.ok()) return id.status();
      return Audit(now, who, "token.create",
                   TokenAuditDetail(std::stoll(id->at(0, 0).value_or("0")), role, label));
    });
    if (!s.ok()) return s;
    return token;
  }

  Result<std::optional<TokenInfo>> FindToken(std::string_view token) override {
    Result<Rows> r = Exec(std::string(kTokenColumns) + " WHERE hash = $1 AND revoked_at IS NULL", {TokenHash(token)});
    if (!r.ok()) return r.status();
    if (r->size() == 0) return std::optional<TokenInfo>();
    return std::optional<TokenInfo>(TokenOf(*r, 0));
  }

  Result<std::vector<TokenInfo>> Tokens() override {
    Result<Rows> r = Exec(std::string(kTokenColumns) + " ORDER BY id", {});
    if (!r.ok()) return r.status();
    std::vector<TokenInfo> out;
    for (int i = 0; i < r->size(); ++i) out.push_back(TokenOf(*r, i));
    return out;
  }

  Status RevokeToken(std::int64_t id, std::string_view who, UtcTime now) override {
    return InTransaction([&]() -> Status {
      Result<Rows> r = Exec("SELECT revoked_at FROM tokens WHERE id = $1 FOR UPDATE", {Int(id)});
      if (!r.ok()) return r.status();
      if (r->size() == 0) return Status::NotFound("no token " + std::to_string(id));
      if (r->at(0, 0)) return Status::Ok();
      if (Status s = Run("UPDATE tokens SET revoked_at = $1 WHERE id = $2", {FormatUtc(now), Int(id)});
          !s.ok()) {
        return s;
      }
      return Audit(now, who, "token.revoke", "{\"id\":" + std::to_string(id) + "}");
    });
  }

  Result<EventRow> AddEvent(const EventSpec& spec, std::string_view source, std::string_view source_id,
                            std::string_view who, UtcTime now, bool* created) override {
    EventRow row;
    bool inserted = false;
    Status s = InTransaction([&]() -> Status {
      Result<Rows> ins = Exec(
          "INSERT INTO events (source, source_id, type, kw, start_at, end_at, ramp_s, created_at, created_by) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (source, source_id) DO NOTHING RETURNING id",
          {std::string(source), std::string(source_id), spec.type, Num(spec.kw), TimeParam(spec.start),
           TimeParam(spec.end), Num(spec.ramp_s), FormatUtc(now), std::string(who)});
      if (!ins.ok()) return ins.status();
      inserted = ins->size() == 1;
      Result<Rows> r = Exec(std::string(kEventColumns) + " WHERE source = $1 AND source_id = $2",
                            {std::string(source), std::string(source_id)});
      if (!r.ok()) return r.status();
      if (r->size() != 1) return Status::IoError("PostgreSQL: the event was not read back");
      row = EventOf(*r, 0);
      return inserted ? Audit(now, who, "event.create", EventAuditDetail(row)) : Status::Ok();
    });
    if (!s.ok()) return s;
    if (created) *created = inserted;
    return row;
  }

  Result<EventRow> CancelEvent(std::int64_t id, std::string_view who, UtcTime now) override {
    EventRow row;
    Status s = InTransaction([&]() -> Status {
      Result<Rows> r = Exec(std::string(kEventColumns) + " WHERE id = $1 FOR UPDATE", {Int(id)});
      if (!r.ok()) return r.status();
      if (r->size() == 0) return Status::NotFound("no event " + std::to_string(id));
      row = EventOf(*r, 0);
      if (row.cancelled) {
        return Status::Conflict("event " + std::to_string(id) + " was cancelled at " + FormatUtc(*row.cancelled));
      }
      if (Status u = Run("UPDATE events SET cancelled_at = $1 WHERE id = $2", {FormatUtc(now), Int(id)});
          !u.ok()) {
        return u;
      }
      row.cancelled = now;
      return Audit(now, who, "event.cancel", "{\"id\":" + std::to_string(id) + "}");
    });
    if (!s.ok()) return s;
    return row;
  }

  Result<std::optional<EventRow>> Event(std::int64_t id) override {
    Result<Rows> r = Exec(std::string(kEventColumns) + " WHERE id = $1", {Int(id)});
    if (!r.ok()) return r.status();
    if (r->size() == 0) return std::optional<EventRow>();
    return std::optional<EventRow>(EventOf(*r, 0));
  }

  Result<std::vector<EventRow>> Events(std::size_t limit) override {
    Result<Rows> r = Exec(std::string(kEventColumns) + " ORDER BY id DESC LIMIT $1", {Int(static_cast<std::int64_t>(limit))});
    if (!r.ok()) return r.status();
    std::vector<EventRow> out;
    for (int i = 0; i < r->size(); ++i) out.push_back(EventOf(*r, i));
    return out;
  }

  Result<std::vector<AuditRow>> AuditLog(std::size_t limit) override {
    Result<Rows> r = Exec("SELECT id, at, who, action, detail FROM audit ORDER BY id DESC LIMIT $1",
                          {Int(static_cast<std::int64_t>(limit))});
    if (!r.ok()) return r.status();
    std::vector<AuditRow> out;
    for (int i = 0; i < r->size(); ++i) {
      AuditRow a;
      a.id = std::stoll(r->at(i, 0).value_or("0"));
      a.at = TimeOf(r->at(i, 1)).value_or(UtcTime{});
      a.who = r->at(i, 2).value_or("");
      a.action = r->at(i, 3).value_or("");
      a.detail = r->at(i, 4).value_or("");
      out.push_back(std::move(a));
    }
    return out;
  }

  Status SaveMemory(std::string_view json, UtcTime now) override {
    return InTransaction([&]() -> Status {
      return Run("INSERT INTO memory (id, saved_at, json) VALUES (1, $1, $2) "
                  "ON CONFLICT (id) DO UPDATE SET saved_at = excluded.saved_at, json = excluded.json",
                  {FormatUtc(now), std::string(json)});
    });
  }

  Result<std::optional<std::string>> LoadMemory() override {
    Result<Rows> r = Exec("SELECT json FROM memory WHERE id = 1", {});
    if (!r.ok()) return r.status();
    if (r->size() == 0) return std::optional<std::string>();
    return std::optional<std::string>(r->at(0, 0).value_or(""));
  }

  Result<std::vector<EventRow>> OpenEvents(UtcTime now) override {
    Result<Rows> r = Exec(std::string(kEventColumns) +
                              " WHERE cancelled_at IS NULL AND (end_at IS NULL OR end_at > $1) ORDER BY id DESC",
                          {FormatUtc(now)});
    if (!r.ok()) return r.status();
    std::vector<EventRow> out;
    for (int i = 0; i < r->size(); ++i) out.push_back(EventOf(*r, i));
    return out;
  }

  Result<FourCpAlertRow> AddFourCpAlert(const FourCpAlertRow& alert, std::string_view who, UtcTime now,
                                        bool* created) override {
    FourCpAlertRow row;
    bool inserted = false;
    Status s = InTransaction([&]() -> Status {
      Result<Rows> ins = Exec(
          "INSERT INTO four_cp_alerts (source, source_id, start_at, end_at, created_at, created_by) "
          "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (source, source_id) DO NOTHING RETURNING id",
          {alert.source, alert.source_id, TimeParam(alert.start), TimeParam(alert.end), FormatUtc(now),
           std::string(who)});
      if (!ins.ok()) return ins.status();
      inserted = ins->size() == 1;
      Result<Rows> r = Exec(std::string(kAlertColumns) + " WHERE source = $1 AND source_id = $2",
                            {alert.source, alert.source_id});
      if (!r.ok()) return r.status();
      if (r->size() != 1) return Status::IoError("PostgreSQL: the 4CP alert was not read back");
      row = AlertOf(*r, 0);
      return inserted ? Audit(now, who, "four_cp_alert.create", FourCpAlertAuditDetail(row)) : Status::Ok();
    });
    if (!s.ok()) return s;
    if (created) *created = inserted;
    return row;
  }

  Result<FourCpAlertRow> CancelFourCpAlert(std::int64_t id, std::string_view who, UtcTime now) override {
    FourCpAlertRow row;
    Status s = InTransaction([&]() -> Status {
      Result<Rows> r = Exec(std::string(kAlertColumns) + " WHERE id = $1 FOR UPDATE", {Int(id)});
      if (!r.ok()) return r.status();
      if (r->size() == 0) return Status::NotFound("no 4CP alert " + std::to_string(id));
      row = AlertOf(*r, 0);
      if (row.cancelled) {
        return Status::Conflict("4CP alert " + std::to_string(id) + " was cancelled at " + FormatUtc(*row.cancelled));
      }
      if (Status u = Run("UPDATE four_cp_alerts SET cancelled_at = $1 WHERE id = $2", {FormatUtc(now), Int(id)});
          !u.ok()) {
        return u;
      }
      row.cancelled = now;
      return Audit(now, who, "four_cp_alert.cancel", "{\"id\":" + std::to_string(id) + "}");
    });
    if (!s.ok()) return s;
    return row;
  }

  Result<std::optional<FourCpAlertRow>> FourCpAlert(std::int64_t id) override {
    Result<Rows> r = Exec(std::string(kAlertColumns) + " WHERE id = $1", {Int(id)});
    if (!r.ok()) return r.status();
    if (r->size() == 0) return std::optional<FourCpAlertRow>();
    return std::optional<FourCpAlertRow>(AlertOf(*r, 0));
  }

  Result<std::vector<FourCpAlertRow>> FourCpAlerts(std::size_t limit) override {
    return AlertsOf(Exec(std::string(kAlertColumns) + " ORDER BY id DESC LIMIT $1",
                         {Int(static_cast<std::int64_t>(limit))}));
  }

  Result<std::vector<FourCpAlertRow>> OpenFourCpAlerts(UtcTime now) override {
    return AlertsOf(Exec(std::string(kAlertColumns) +
                             " WHERE cancelled_at IS NULL AND (end_at IS NULL OR end_at > $1) ORDER BY id DESC",
                         {FormatUtc(now)}));
  }

  Status SetEventBaseline(std::int64_t id, double watts) override {
    return Run("UPDATE events SET baseline_w = $1 WHERE id = $2 AND baseline_w IS NULL", {Num(watts), Int(id)});
  }

  Status SaveTargets(const std::vector<TargetRow>& rows, UtcTime now) override {
    if (rows.empty()) return Status::Ok();
    return InTransaction([&]() -> Status {
      const std::string at = FormatUtc(now);
      for (const TargetRow& t : rows) {
        if (Status s = Run("INSERT INTO targets (miner, name, desired, state, commanded_at, updated_at) "
                           "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (miner) DO UPDATE SET name = excluded.name, "
                           "desired = excluded.desired, state = excluded.state, commanded_at = excluded.commanded_at, "
                           "updated_at = excluded.updated_at",
                           {Int(t.miner), t.name, t.desired, t.state, TimeParam(t.commanded_at), at});
            !s.ok()) {
          return s;
        }
      }
      return Status::Ok();
    });
  }

  Result<std::vector<TargetRow>> Targets() override {
    Result<Rows> r = Exec("SELECT miner, name, desired, state, commanded_at FROM targets ORDER BY miner", {});
    if (!r.ok()) return r.status();
    std::vector<TargetRow> out;
    for (int i = 0; i < r->size(); ++i) {
      out.push_back({std::stoll(r->at(i, 0).value_or("0")), r->at(i, 1).value_or(""), r->at(i, 2).value_or(""),
                     r->at(i, 3).value_or(""), TimeOf(r->at(i, 4))});
    }
    return out;
  }

  Status AddTick(UtcTime at, std::string_view json, std::optional<UtcTime> prune_before) override {
    return InTransaction([&]() -> Status {
      if (Status s = Run("INSERT INTO ticks (at, json) VALUES ($1, $2)", {FormatUtc(at), std::string(json)}); !s.ok()) {
        return s;
      }
      if (!prune_before) return Status::Ok();
      return Run("DELETE FROM ticks WHERE at < $1", {FormatUtc(*prune_before)});
    });
  }

  Result<std::vector<TickRow>> Ticks(std::size_t limit) override {
    Result<Rows> r = Exec("SELECT id, at, json FROM ticks ORDER BY id DESC LIMIT $1",
                          {Int(static_cast<std::int64_t>(limit))});
    if (!r.ok()) return r.status();
    std::vector<TickRow> out;
    for (int i = 0; i < r->size(); ++i) {
      out.push_back({std::stoll(r->at(i, 0).value_or("0")), TimeOf(r->at(i, 1)).value_or(UtcTime{}),
                     r->at(i, 2).value_or("")});
    }
    return out;
  }

  Status MarkBatchSuspended(std::string_view job_id, UtcTime now) override {
    return Run("INSERT INTO batch_suspended (job_id, suspended_at) VALUES ($1, $2) ON CONFLICT (job_id) DO NOTHING",
               {std::string(job_id), FormatUtc(now)});
  }

  Status ClearBatchSuspended(std::string_view job_id) override {
    return Run("DELETE FROM batch_suspended WHERE job_id = $1", {std::string(job_id)});
  }

  Result<std::vector<std::string>> BatchSuspended() override {
    Result<Rows> r = Exec("SELECT job_id FROM batch_suspended ORDER BY suspended_at, job_id", {});
    if (!r.ok()) return r.status();
    std::vector<std::string> out;
    for (int i = 0; i < r->size(); ++i) out.push_back(r->at(i, 0).value_or(""));
    return out;
  }

  Status MarkGpuCap(const GpuCapRow& row) override {
    return Run("INSERT INTO gpu_caps (node, gpu, uuid, tenant, before_w, cap_w, capped_at) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (node, gpu) DO UPDATE SET "
               "tenant = excluded.tenant, cap_w = excluded.cap_w",
               {row.node, Int(row.gpu), row.uuid, row.tenant, Num(row.before_w), Num(row.cap_w),
                FormatUtc(row.capped_at)});
  }

  Status ClearGpuCap(std::string_view node, int gpu) override {
    return Run("DELETE FROM gpu_caps WHERE node = $1 AND gpu = $2", {std::string(node), Int(gpu)});
  }

  Result<std::vector<GpuCapRow>> GpuCaps() override {
    Result<Rows> r = Exec("SELECT node, gpu, uuid, tenant, before_w, cap_w, capped_at FROM gpu_caps ORDER BY node COLLATE \"C\", gpu",
                          {});
    if (!r.ok()) return r.status();
    std::vector<GpuCapRow> out;
    for (int i = 0; i < r->size(); ++i) {
      out.push_back({r->at(i, 0).value_or(""), std::stoi(r->at(i, 1).value_or("0")), r->at(i, 2).value_or(""),
                     r->at(i, 3).value_or(""), std::stod(r->at(i, 4).value_or("0")),
                     std::stod(r->at(i, 5).value_or("0")), TimeOf(r->at(i, 6)).value_or(UtcTime{})});
    }
    return out;
  }

  Status SetOverride(const GroupOverride& o, std::string_view who, UtcTime now) override {
    return InTransaction([&]() -> Status {
      if (Status s = Run("INSERT INTO overrides (group_name, max_running, until_at, created_at, created_by) "
                         "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (group_name) DO UPDATE SET "
                         "max_running = excluded.max_running, until_at = excluded.until_at, "
                         "created_at = excluded.created_at, created_by = excluded.created_by",
                         {o.group, Int(o.max_running), TimeParam(o.until), FormatUtc(now), std::string(who)});
          !s.ok()) {
        return s;
      }
      return Audit(now, who, "override.set", OverrideAuditDetail(o));
    });
  }

  Status ClearOverride(std::string_view group, std::string_view who, UtcTime now) override {
    return InTransaction([&]() -> Status {
      Result<Rows> r = Exec("DELETE FROM overrides WHERE group_name = $1 RETURNING group_name", {std::string(group)});
      if (!r.ok()) return r.status();
      if (r->size() == 0) return Status::NotFound("no override of group " + std::string(group));
      const nlohmann::ordered_json j{{"group", group}};
      return Audit(now, who, "override.clear", j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    });
  }

  Result<std::vector<GroupOverride>> Overrides() override {
    Result<Rows> r = Exec("SELECT group_name, max_running, until_at, created_at, created_by FROM overrides ORDER BY group_name", {});
    if (!r.ok()) return r.status();
    std::vector<GroupOverride> out;
    for (int i = 0; i < r->size(); ++i) {
      out.push_back({r->at(i, 0).value_or(""), std::stoi(r->at(i, 1).value_or("0")), TimeOf(r->at(i, 2)),
                     TimeOf(r->at(i, 3)).value_or(UtcTime{}), r->at(i, 4).value_or("")});
    }
    return out;
  }

  Status SavePolicyParams(std::string_view json, std::string_view who, UtcTime now) override {
    return InTransaction([&]() -> Status {
      if (Status s = Run("INSERT INTO policy_params (id, saved_at, json) VALUES (1, $1, $2) "
                         "ON CONFLICT (id) DO UPDATE SET saved_at = excluded.saved_at, json = excluded.json",
                         {FormatUtc(now), std::string(json)});
          !s.ok()) {
        return s;
      }
      return Audit(now, who, "policy.set", std::string(json));
    });
  }

  Result<std::optional<std::string>> LoadPolicyParams() override {
    Result<Rows> r = Exec("SELECT json FROM policy_params WHERE id = 1", {});
    if (!r.ok()) return r.status();
    if (r->size() == 0) return std::optional<std::string>();
    return std::optional<std::string>(r->at(0, 0).value_or(""));
  }

 private:
  static constexpr const char* kEventColumns =
      "SELECT id, source, source_id, type, kw, start_at, end_at, ramp_s, created_at, created_by, cancelled_at, "
      "baseline_w FROM events";
  static constexpr const char* kTokenColumns = "SELECT id, role, label, created_at, revoked_at FROM tokens";

  // A query's rows as text, owned.
  class Rows {
   public:
    Rows(const Libpq& pq, PGresult* res) : pq_(&pq), res_(res) {}
    Rows(Rows&& o) noexcept : pq_(o.pq_), res_(std::exchange(o.res_, nullptr)) {}
    Rows& operator=(Rows&&) = delete;
    ~Rows() {
      if (res_) pq_->clear(res_);
    }
    int size() const { return res_ ? pq_->ntuples(res_) : 0; }
    PGresult* result() const { return res_; }
    std::optional<std::string> at(int row, int col) const {
      if (row >= size() || pq_->getisnull(res_, row, col)) return std::nullopt;
      return std::string(pq_->getvalue(res_, row, col));
    }

   private:
    const Libpq* pq_;
    PGresult* res_;
  };

  static std::optional<UtcTime> TimeOf(const std::optional<std::string>& text) {
    if (!text) return std::nullopt;
    Result<UtcTime> t = ParseUtcTimestamp(*text);
    return t.ok() ? std::optional<UtcTime>(*t) : std::nullopt;
  }

  static EventRow EventOf(const Rows& r, int i) {
    EventRow e;
    e.id = std::stoll(r.at(i, 0).value_or("0"));
    e.source = r.at(i, 1).value_or("");
    e.source_id = r.at(i, 2).value_or("");
    e.spec.type = r.at(i, 3).value_or("");
    e.spec.kw = std::stod(r.at(i, 4).value_or("0"));
    e.spec.start = TimeOf(r.at(i, 5));
    e.spec.end = TimeOf(r.at(i, 6));
    e.spec.ramp_s = std::stod(r.at(i, 7).value_or("0"));
    e.created = TimeOf(r.at(i, 8)).value_or(UtcTime{});
    e.created_by = r.at(i, 9).value_or("");
    e.cancelled = TimeOf(r.at(i, 10));
    if (const std::optional<std::string> b = r.at(i, 11)) e.baseline_w = std::stod(*b);
    return e;
  }

  static constexpr const char* kAlertColumns =
      "SELECT id, source, source_id, start_at, end_at, created_at, created_by, cancelled_at FROM four_cp_alerts";

  static FourCpAlertRow AlertOf(const Rows& r, int i) {
    FourCpAlertRow a;
    a.id = std::stoll(r.at(i, 0).value_or("0"));
    a.source = r.at(i, 1).value_or("");
    a.source_id = r.at(i, 2).value_or("");
    a.start = TimeOf(r.at(i, 3));
    a.end = TimeOf(r.at(i, 4));
    a.created = TimeOf(r.at(i, 5)).value_or(UtcTime{});
    a.created_by = r.at(i, 6).value_or("");
    a.cancelled = TimeOf(r.at(i, 7));
    return a;
  }

  static Result<std::vector<FourCpAlertRow>> AlertsOf(Result<Rows> r) {
    if (!r.ok()) return r.status();
    std::vector<FourCpAlertRow> out;
    for (int i = 0; i < r->size(); ++i) out.push_back(AlertOf(*r, i));
    return out;
  }

  static TokenInfo TokenOf(const Rows& r, int i) {
    TokenInfo t;
    t.id = std::stoll(r.at(i, 0).value_or("0"));
    t.role = ParseRole(r.at(i, 1).value_or("")).value_or(Role::kViewer);
    t.label = r.at(i, 2).value_or("");
    t.created = TimeOf(r.at(i, 3)).value_or(UtcTime{});
    t.revoked = TimeOf(r.at(i, 4));
    return t;
  }

  Status Audit(UtcTime now, std::string_view who, std::string_view action, const std::string& detail) {
    return Run("INSERT INTO audit (at, who, action, detail) VALUES ($1, $2, $3, $4)",
                {FormatUtc(now), std::string(who), std::string(action), detail});
  }

  template <typename F>
  Status InTransaction(F body) {
    if (Status s = Run("BEGIN", {}); !s.ok()) return s;
    Status s = body();
    if (s.ok()) s = Run("COMMIT", {});
    if (!s.ok()) (void)Run("ROLLBACK", {});
    return s;
  }

  // Several statements at once: PQexecParams takes one.
  Status ExecScript(const char* sql) {
    Result<Rows> r = Check(Rows(pq_, pq_.exec(conn_, sql)));
    return r.ok() ? Status::Ok() : r.status();
  }

  // A statement whose rows are not wanted.
  Status Run(const std::string& sql, const std::vector<Param>& params) {
    Result<Rows> r = Exec(sql, params);
    return r.ok() ? Status::Ok() : r.status();
  }

  Result<Rows> Exec(const std::string& sql, const std::vector<Param>& params) {
    std::vector<const char*> values;
    for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);
    return Check(Rows(pq_, pq_.exec_params(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                           values.data(), nullptr, nullptr, 0)));
  }

  Result<Rows> Check(Rows rows) {
    const ExecStatusType st = rows.result() ? pq_.result_status(rows.result()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      std::string why = rows.result() ? pq_.result_error(rows.result()) : pq_.error_message(conn_);
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      return Status::IoError("PostgreSQL: " + Printable(why, 400));
    }
    return rows;
  }

  const Libpq& pq_;
  PGconn* conn_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPgStore(std::string_view url) {
  Result<const Libpq*> pq = LoadLibpq();
  if (!pq.ok()) return pq.status();
  PGconn* conn = (*pq)->connectdb(std::string(url).c_str());
  if (conn == nullptr || (*pq)->status(conn) != CONNECTION_OK) {
    std::string why = conn ? (*pq)->error_message(conn) : "out of memory";
    if (conn) (*pq)->finish(conn);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Status::IoError("cannot connect to PostgreSQL: " + Printable(why, 400));
  }
  auto store = std::make_unique<PgStore>(**pq, conn);
  if (Status s = store->Migrate(); !s.ok()) return s;
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<Store>> OpenStore(std::string_view db) {
  if (db.starts_with("postgresql://") || db.starts_with("postgres://")) return OpenPgStore(db);
  return OpenSqliteStore(std::filesystem::path(db));
}

}  // namespace mullet
