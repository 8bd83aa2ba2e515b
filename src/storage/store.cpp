#include "storage/store.h"

#include <nlohmann/json.hpp>

namespace mullet {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
  }
  return "viewer";
}

std::optional<Role> ParseRole(std::string_view text) {
  for (Role r : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
    if (text == RoleName(r)) return r;
  }
  return std::nullopt;
}

bool EventRow::ActiveAt(UtcTime t) const {
  if (cancelled && *cancelled <= t) return false;
  if (spec.start && t < *spec.start) return false;
  if (spec.end && t >= *spec.end) return false;
  const UtcTime begun = spec.start.value_or(created);
  return t >= begun;
}

bool FourCpAlertRow::ActiveAt(UtcTime t) const {
  if (cancelled && *cancelled <= t) return false;
  if (end && t >= *end) return false;
  return t >= start.value_or(created);
}

namespace {

// $ID: the row id's type; $REAL: a float's.
constexpr const char* kMigrations[] = {
    // 1: tokens, events, the audit log, the policy's memory.
    R"sql(
CREATE TABLE tokens (
  id $ID,
  hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  label TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE TABLE events (
  id $ID,
  source TEXT NOT NULL,
  source_id TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('reduce-to', 'reduce-by')),
  kw $REAL NOT NULL CHECK (kw >= 0),
  start_at TEXT,
  end_at TEXT,
  ramp_s $REAL NOT NULL CHECK (ramp_s >= 0),
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  cancelled_at TEXT,
  UNIQUE (source, source_id)
);
CREATE TABLE audit (
  id $ID,
  at TEXT NOT NULL,
  who TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE TABLE memory (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  saved_at TEXT NOT NULL,
  json TEXT NOT NULL
);
)sql",
    // 2: the control loop's targets, its ticks (telemetry with the reasons),
    // the draw each reduce-by event reduces from, and the events in force.
    R"sql(
ALTER TABLE events ADD COLUMN baseline_w $REAL;
CREATE INDEX events_open ON events (cancelled_at, end_at);
CREATE TABLE targets (
  miner INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  desired TEXT NOT NULL CHECK (desired IN ('sleep', 'hash')),
  state TEXT NOT NULL,
  commanded_at TEXT,
  updated_at TEXT NOT NULL
);
CREATE TABLE ticks (
  id $ID,
  at TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX ticks_at ON ticks (at);
)sql",
    // 3: the batch jobs the loop suspended (it resumes only those).
    R"sql(
CREATE TABLE batch_suspended (
  job_id TEXT PRIMARY KEY,
  suspended_at TEXT NOT NULL
);
)sql",
    // 4: operators' group overrides and policy parameters.
    R"sql(
CREATE TABLE overrides (
  group_name TEXT PRIMARY KEY,
  max_running INTEGER NOT NULL CHECK (max_running >= 0),
  until_at TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE TABLE policy_params (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  saved_at TEXT NOT NULL,
  json TEXT NOT NULL
);
)sql",
    // 5: the GPUs the loop capped for a firm tenant's SLA cut, with their
    // limit before (it restores only those).
    R"sql(
CREATE TABLE gpu_caps (
  node TEXT NOT NULL,
  gpu INTEGER NOT NULL CHECK (gpu >= 0),
  uuid TEXT NOT NULL,
  tenant TEXT NOT NULL,
  before_w $REAL NOT NULL,
  cap_w $REAL NOT NULL,
  capped_at TEXT NOT NULL,
  PRIMARY KEY (node, gpu)
);
)sql",
    // 6: operators' 4CP alerts raised through the API.
    R"sql(
CREATE TABLE four_cp_alerts (
  id $ID,
  source TEXT NOT NULL,
  source_id TEXT NOT NULL,
  start_at TEXT,
  end_at TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  cancelled_at TEXT,
  UNIQUE (source, source_id)
);
CREATE INDEX four_cp_alerts_open ON four_cp_alerts (cancelled_at, end_at);
)sql",
};

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

}  // namespace

int SchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

std::string Migration(int version, std::string_view row_id, std::string_view real) {
  std::string sql = kMigrations[version - 1];
  ReplaceAll(sql, "$ID", row_id);
  ReplaceAll(sql, "$REAL", real);
  return sql;
}

std::string TokenAuditDetail(std::int64_t id, Role role, std::string_view label) {
  const nlohmann::ordered_json j{{"id", id}, {"role", RoleName(role)}, {"label", label}};
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string OverrideAuditDetail(const GroupOverride& o) {
  nlohmann::ordered_json j{{"group", o.group}, {"max_running", o.max_running}};
  j["until"] = o.until ? nlohmann::ordered_json(FormatUtc(*o.until)) : nlohmann::ordered_json(nullptr);
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string FourCpAlertAuditDetail(const FourCpAlertRow& a) {
  nlohmann::ordered_json j{{"id", a.id}, {"source", a.source}, {"source_id", a.source_id}};
  j["start"] = a.start ? nlohmann::ordered_json(FormatUtc(*a.start)) : nlohmann::ordered_json(nullptr);
  j["end"] = a.end ? nlohmann::ordered_json(FormatUtc(*a.end)) : nlohmann::ordered_json(nullptr);
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string EventAuditDetail(const EventRow& e) {
  nlohmann::ordered_json j{{"id", e.id},         {"source", e.source}, {"source_id", e.source_id},
                           {"type", e.spec.type}, {"kw", e.spec.kw},    {"ramp_s", e.spec.ramp_s}};
  j["start"] = e.spec.start ? nlohmann::ordered_json(FormatUtc(*e.spec.start)) : nlohmann::ordered_json(nullptr);
  j["end"] = e.spec.end ? nlohmann::ordered_json(FormatUtc(*e.spec.end)) : nlohmann::ordered_json(nullptr);
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace mullet
