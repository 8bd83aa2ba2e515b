// The controller's durable state behind one interface: bearer tokens (hashed),
// demand-response events, the audit log, the policy's saved memory. SQLite in
// WAL mode is the embedded default (sqlite_store.h); a server database can sit
// behind the same interface for larger sites.
//
// Every change that a person or a signal asks for is written in one
// transaction together with its audit row: a crash leaves both or neither.
// Times are UTC; in the database they are text ("2024-07-01T00:00:00Z").
//
// Thread safety: a Store is used from one thread at a time.

#ifndef MULLET_STORAGE_STORE_H_
#define MULLET_STORAGE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status/result.h"
#include "core/time/calendar.h"

namespace mullet {

// What a token may do: viewers read, operators also create and cancel events,
// admins also manage tokens and read the audit log.
enum class Role { kViewer, kOperator, kAdmin };
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view text);
// True when `held` may do what `needed` may.
inline bool RoleAllows(Role held, Role needed) { return static_cast<int>(held) >= static_cast<int>(needed); }

struct TokenInfo {
  std::int64_t id = 0;
  Role role = Role::kViewer;
  std::string label;
  UtcTime created;
  std::optional<UtcTime> revoked;
};

// A demand-response event as asked: bring the site's draw to `kw`
// (reduce-to) or `kw` below its draw when the event began (reduce-by), from
// `start` (now when absent) to `end` (until cancelled when absent), reaching
// it within `ramp_s`.
struct EventSpec {
  std::string type;  // "reduce-to" or "reduce-by"
  double kw = 0;
  std::optional<UtcTime> start;
  std::optional<UtcTime> end;
  double ramp_s = 0;
};

struct EventRow {
  std::int64_t id = 0;
  std::string source;     // "api", an OpenADR VTN, ...
  std::string source_id;  // the source's own id: an event is stored once per (source, source_id)
  EventSpec spec;
  UtcTime created;
  std::string created_by;  // the token's label and id, or the source
  std::optional<UtcTime> cancelled;
  // reduce-by: the draw it reduces from, as the control loop first saw it.
  std::optional<double> baseline_w;

  // In force at `t`: begun, not ended, not cancelled.
  bool ActiveAt(UtcTime t) const;
};

// What the controller wants of one miner, and how far it has got
// (TargetStateName in daemon/fleet_view.h): written before a command leaves,
// so a restart knows what it put to sleep and what was in flight.
struct TargetRow {
  std::int64_t miner = 0;  // index in the fleet
  std::string name;        // its address, to check the fleet is the same one
  std::string desired;     // "sleep" or "hash"
  std::string state;       // "dispatching", "dispatched", "confirmed", "drifted", "unavailable"
  std::optional<UtcTime> commanded_at;
};

// A GPU the control loop capped for a firm tenant's SLA cut, and its limit
// before: written before the cap is sent, so that a restart restores exactly
// the GPUs the loop capped (an operator's own caps are never in this table).
struct GpuCapRow {
  std::string node;  // the GPU node as the loop names it (its nvidia-smi path)
  int gpu = 0;       // nvidia-smi's -i index on that node
  std::string uuid;  // the GPU's, to know it is the same one ("" unknown)
  std::string tenant;    // the lease or cloud it serves
  double before_w = 0;   // its power limit before the loop's first cap
  double cap_w = 0;      // the loop's cap, the last one marked
  UtcTime capped_at;     // when first marked
};

// An operator's hold on one miner group: at most `max_running` units hash
// (0: the group asleep), until `until` (none: until cleared). It only ever
// holds a group below what the policy wants, never above.
struct GroupOverride {
  std::string group;
  int max_running = 0;
  std::optional<UtcTime> until;
  UtcTime created;
  std::string created_by;

  bool ActiveAt(UtcTime t) const { return !until || t < *until; }
};

// An operator's 4CP alert raised through the API: the loop weighs the
// site's 4CP charge while one is in force, exactly as in an alert hour of
// the site file's (dispatch/contract.h). From `start` (its creation when
// absent) to before `end` (until cancelled when absent).
struct FourCpAlertRow {
  std::int64_t id = 0;
  std::string source;     // "api"
  std::string source_id;  // stored once per (source, source_id): a retried POST is the same alert
  std::optional<UtcTime> start;
  std::optional<UtcTime> end;
  UtcTime created;
  std::string created_by;
  std::optional<UtcTime> cancelled;

  bool ActiveAt(UtcTime t) const;
};

// One tick of the control loop as it was logged: the JSON the API serves.
struct TickRow {
  std::int64_t id = 0;
  UtcTime at;
  std::string json;
};

struct AuditRow {
  std::int64_t id = 0;
  UtcTime at;
  std::string who;     // "token 3 (ops-laptop)", "mullet token" (the command line)
  std::string action;  // "event.create", "event.cancel", "token.create", "token.revoke"
  std::string detail;  // JSON of what changed
};

// The schema's migrations, one home for every backend: migration v (from 1)
// with the backend's words for a generated row id ("INTEGER PRIMARY KEY",
// "BIGSERIAL PRIMARY KEY") and a float ("REAL", "DOUBLE PRECISION"). Never
// edit one that has shipped: add the next.
int SchemaVersion();
std::string Migration(int version, std::string_view row_id, std::string_view real);

// The audit row's detail for a created token or event (JSON): one home for
// what every store records.
std::string TokenAuditDetail(std::int64_t id, Role role, std::string_view label);
std::string EventAuditDetail(const EventRow& event);
std::string OverrideAuditDetail(const GroupOverride& o);
std::string FourCpAlertAuditDetail(const FourCpAlertRow& alert);

class Store {
 public:
  virtual ~Store() = default;

  // A new token for `role`, shown once: only its SHA-256 is kept.
  virtual Result<std::string> CreateToken(Role role, std::string_view label, std::string_view who, UtcTime now) = 0;
  // The token's row when `token` is one that exists and is not revoked.
  virtual Result<std::optional<TokenInfo>> FindToken(std::string_view token) = 0;
  virtual Result<std::vector<TokenInfo>> Tokens() = 0;
  // NotFound when there is no such token; revoking twice is fine.
  virtual Status RevokeToken(std::int64_t id, std::string_view who, UtcTime now) = 0;

  // Stores the event unless (source, source_id) is already stored; either
  // way returns the stored row, and `created` says which.
  virtual Result<EventRow> AddEvent(const EventSpec& spec, std::string_view source, std::string_view source_id,
                                    std::string_view who, UtcTime now, bool* created) = 0;
  // NotFound when there is no such event; Conflict when it was cancelled
  // already.
  virtual Result<EventRow> CancelEvent(std::int64_t id, std::string_view who, UtcTime now) = 0;
  virtual Result<std::optional<EventRow>> Event(std::int64_t id) = 0;
  // Every event, newest first, at most `limit`.
  virtual Result<std::vector<EventRow>> Events(std::size_t limit) = 0;

  // The events not cancelled and not ended at `now` (begun or not), newest
  // first: what the loop reads every tick, through an index.
  virtual Result<std::vector<EventRow>> OpenEvents(UtcTime now) = 0;
  // Records the draw a reduce-by event reduces from (once: a second call
  // keeps the first).
  virtual Status SetEventBaseline(std::int64_t id, double watts) = 0;

  // 4CP alerts, as events: stored once per (source, source_id), `created`
  // saying whether this call stored it; cancelled once (NotFound, Conflict
  // as CancelEvent); listed newest first; the open ones (not cancelled, not
  // ended at `now`) are what the loop reads every tick.
  virtual Result<FourCpAlertRow> AddFourCpAlert(const FourCpAlertRow& alert, std::string_view who, UtcTime now,
                                                bool* created) = 0;
  virtual Result<FourCpAlertRow> CancelFourCpAlert(std::int64_t id, std::string_view who, UtcTime now) = 0;
  virtual Result<std::optional<FourCpAlertRow>> FourCpAlert(std::int64_t id) = 0;
  virtual Result<std::vector<FourCpAlertRow>> FourCpAlerts(std::size_t limit) = 0;
  virtual Result<std::vector<FourCpAlertRow>> OpenFourCpAlerts(UtcTime now) = 0;

  // Targets replaced row by row (by miner), in one transaction.
  virtual Status SaveTargets(const std::vector<TargetRow>& rows, UtcTime now) = 0;
  virtual Result<std::vector<TargetRow>> Targets() = 0;

  // The batch jobs the loop suspended, so that it resumes those and no
  // other: marked before the suspend is sent, cleared once resumed or gone.
  virtual Status MarkBatchSuspended(std::string_view job_id, UtcTime now) = 0;
  virtual Status ClearBatchSuspended(std::string_view job_id) = 0;
  virtual Result<std::vector<std::string>> BatchSuspended() = 0;

  // The GPUs the loop capped (GpuCapRow), keyed by (node, gpu). Marking a
  // GPU marked already updates its cap and tenant and keeps its first
  // limit before and time; clearing one not marked is fine.
  virtual Status MarkGpuCap(const GpuCapRow& row) = 0;
  virtual Status ClearGpuCap(std::string_view node, int gpu) = 0;
  // By node, then gpu.
  virtual Result<std::vector<GpuCapRow>> GpuCaps() = 0;

  // Group overrides, one per group: set replaces, both audited.
  virtual Status SetOverride(const GroupOverride& o, std::string_view who, UtcTime now) = 0;
  // NotFound when the group has none.
  virtual Status ClearOverride(std::string_view group, std::string_view who, UtcTime now) = 0;
  virtual Result<std::vector<GroupOverride>> Overrides() = 0;

  // The policy parameters an operator set (JSON), replaced whole and audited.
  virtual Status SavePolicyParams(std::string_view json, std::string_view who, UtcTime now) = 0;
  virtual Result<std::optional<std::string>> LoadPolicyParams() = 0;

  // A tick's record; with `prune_before`, ticks older than it are deleted in
  // the same transaction (retention).
  virtual Status AddTick(UtcTime at, std::string_view json, std::optional<UtcTime> prune_before) = 0;
  // Newest first, at most `limit`.
  virtual Result<std::vector<TickRow>> Ticks(std::size_t limit) = 0;

  // Newest first, at most `limit`.
  virtual Result<std::vector<AuditRow>> AuditLog(std::size_t limit) = 0;

  // The policy's memory (dispatch/memory_json.h), replaced whole.
  virtual Status SaveMemory(std::string_view json, UtcTime now) = 0;
  virtual Result<std::optional<std::string>> LoadMemory() = 0;
};

}  // namespace mullet

#endif  // MULLET_STORAGE_STORE_H_
