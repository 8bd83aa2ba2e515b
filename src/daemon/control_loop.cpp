#include "daemon/control_loop.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <nlohmann/json.hpp>

#include "dispatch/contract.h"
#include "dispatch/domain_draw.h"
#include "dispatch/memory_json.h"
#include "dispatch/reason.h"
#include "daemon/policy_params.h"

namespace mullet {

std::string TickJson(const Site& site, const TickReport& r) {
  using json = nlohmann::ordered_json;
  const auto opt = [](const std::optional<Watts>& w) { return w ? json(w->value()) : json(nullptr); };
  json groups = json::array();
  for (std::size_t g = 0; g < site.miners.size(); ++g) {
    groups.push_back({{"name", site.miners[g].name},
                      {"running", g < r.running.size() ? r.running[g] : 0},
                      {"reason", g < r.reasons.size() ? r.reasons[g] : ""},
                      {"deferred", g < r.deferred.size() ? r.deferred[g] : 0},
                      {"held_at", g < r.held.size() && r.held[g] >= 0 ? nlohmann::ordered_json(r.held[g])
                                                                       : nlohmann::ordered_json(nullptr)}});
  }
  json targets = json::object();
  for (const auto& [state, n] : r.targets) targets[state] = n;
  json sla = json::array();
  for (const SlaEvent& e : r.sla_events) {
    sla.push_back({{"tenant", e.tenant},
                   {"reason", ReasonName(Reason::kFirmSlaBreach)},
                   {"demand_kw", e.demand_it.kilowatts()},
                   {"served_kw", e.served_it.kilowatts()},
                   {"gpus_capped", e.gpus_capped},
                   {"cap_w", e.cap ? json(e.cap->value()) : json(nullptr)},
                   {"floor_short_kw", e.floor_short.kilowatts()},
                   {"cost_usd", e.cost_usd}});
  }
  const json j{{"time", FormatUtc(r.time)},
               {"site_meter_w", opt(r.site_meter)},
               {"dr_limit_w", opt(r.dr_limit)},
               {"four_cp_alert", r.four_cp_alert.empty() ? json(nullptr) : json(r.four_cp_alert)},
               {"site_cap_w", r.site_cap.value()},
               {"expected_w", r.expected_facility.value()},
               {"ramping_down_w", r.ramping_down.value()},
               {"tier_w", {{"firm", r.firm.value()}, {"batch", r.batch.value()}, {"mining", r.mining.value()},
                           {"unexplained", r.unexplained.value()}}},
               {"tier_it_w", {{"firm", r.firm_it.value()}, {"batch", r.batch_it.value()}, {"mining", r.mining_it.value()}}},
               {"cooling_w", r.cooling().value()},
               {"swept", r.swept},
               {"answered", r.answered},
               {"silent", r.silent},
               {"slept", r.slept},
               {"woken", r.woken},
               {"refused", r.refused},
               {"pending", r.pending},
               {"batch", {{"gpus", r.batch_gpus}, {"reason", r.batch_reason}, {"jobs_suspended", r.jobs_suspended},
                          {"jobs_resumed", r.jobs_resumed}, {"error", r.batch_error}}},
               {"sla_events", sla},
               {"gpus", {{"capped", r.gpus_capped}, {"restored", r.gpus_restored}, {"error", r.gpu_error}}},
               {"targets", targets},
               {"groups", groups}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

ControlLoop::ControlLoop(const Site& site, Store& store, FleetIo& fleet, std::vector<std::size_t> groups,
                         LoopOptions options)
    : site_(site), store_(store), fleet_(fleet), options_(options), state_(InitialState(site)) {
  assert(groups.size() == fleet.size());
  records_.resize(groups.size());
  for (std::size_t i = 0; i < groups.size(); ++i) {
    assert(groups[i] < site.miners.size());
    records_[i].group = groups[i];
  }
}

Status ControlLoop::Resume() {
  Result<std::optional<std::string>> saved = store_.LoadMemory();
  if (!saved.ok()) return saved.status();
  if (*saved) {
    Result<DispatchState> state = LoadMemoryJson(site_, **saved);
    if (!state.ok()) return Status::DataError("the saved policy memory: " + state.status().message());
    state_ = std::move(state).value();
  }
  Result<std::vector<TargetRow>> targets = store_.Targets();
  if (!targets.ok()) return targets.status();
  std::vector<TargetRow> renamed;
  for (const TargetRow& t : *targets) {
    if (t.miner < 0 || static_cast<std::size_t>(t.miner) >= records_.size()) continue;
    const std::size_t i = static_cast<std::size_t>(t.miner);
    // A row names its miner; one written before rows named miners by
    // address names its index, and is taken as before.
    if (t.name != fleet_.name(i) && t.name != std::to_string(i)) continue;
    const std::optional<TargetState> state = ParseTargetState(t.state);
    if (!state || (t.desired != "sleep" && t.desired != "hash")) continue;
    MinerRecord& r = records_[i];
    r.command = t.desired == "sleep" ? MinerRecord::Command::kSleep : MinerRecord::Command::kHash;
    r.commanded_at = t.commanded_at;
    r.target = *state;
    if (t.name != fleet_.name(i)) renamed.push_back(RowOf(i));
  }
  // Rows taken by their index are written again under the miner's name, so
  // the next restart matches them by name alone.
  if (!renamed.empty()) {
    const UtcTime at = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    if (Status s = store_.SaveTargets(renamed, at); !s.ok()) return s;
  }
  return Status::Ok();
}

TargetRow ControlLoop::RowOf(std::size_t i) const {
  const MinerRecord& r = records_[i];
  return TargetRow{static_cast<std::int64_t>(i), fleet_.name(i),
                   r.command == MinerRecord::Command::kSleep ? "sleep" : "hash",
                   std::string(TargetStateName(r.target)), r.commanded_at};
}

Result<std::optional<Watts>> ControlLoop::EventCap(UtcTime now, std::optional<Watts> draw) {
  Result<std::vector<EventRow>> events = store_.OpenEvents(now);
  if (!events.ok()) return events.status();
  std::optional<Watts> cap;
  for (const EventRow& e : *events) {
    if (!e.ActiveAt(now)) continue;
    Watts limit{e.spec.kw * 1000.0};
    if (e.spec.type == "reduce-by") {
      // The draw when the loop first saw the event (kept in the store, so a
      // restart reduces from the same draw); the interconnect when nothing
      // was measured or expected yet.
      Watts base = draw.value_or(site_.interconnect);
      if (e.baseline_w) {
        base = Watts(*e.baseline_w);
      } else if (Status s = store_.SetEventBaseline(e.id, base.value()); !s.ok()) {
        return s;
      }
      limit = std::max(Watts(0), base - limit);
    }
    if (!cap || limit < *cap) cap = limit;
  }
  return cap;
}

Status ControlLoop::ApplyPolicyParams() {
  Result<std::optional<std::string>> saved = store_.LoadPolicyParams();
  if (!saved.ok()) return saved.status();
  if (!*saved || **saved == params_json_) return Status::Ok();
  Result<PolicyParams> params = ParsePolicyParams(**saved, site_.policy);
  if (!params.ok()) return Status::DataError("the stored policy parameters: " + params.status().message());
  site_.policy = *params;
  params_json_ = **saved;
  return Status::Ok();
}

Status ControlLoop::ApplyOverrides(UtcTime now, TickReport* report) {
  report->held.assign(site_.miners.size(), -1);
  Result<std::vector<GroupOverride>> overrides = store_.Overrides();
  if (!overrides.ok()) return overrides.status();
  for (const GroupOverride& o : *overrides) {
    if (!o.ActiveAt(now)) continue;
    for (std::size_t g = 0; g < site_.miners.size() && g < alloc_.miners.size(); ++g) {
      if (site_.miners[g].name != o.group) continue;
      report->held[g] = o.max_running;
      MinerSetpoint& m = alloc_.miners[g];
      if (m.running <= o.max_running) continue;
      const Watts freed = m.point.power * (m.running - o.max_running);
      m.running = o.max_running;
      m.expected_it -= freed;
      alloc_.mining_facility -= freed * site_.cooling.Pue(site_.miners[g].cooling);
    }
  }
  return Status::Ok();
}

void ControlLoop::DriveBatch(UtcTime now, TickReport* report) {
  if (scheduler_ == nullptr) return;
  const auto fail = [&](const std::string& what, const Status& s) {
    if (report->batch_error.empty()) report->batch_error = what + ": " + s.message();
  };
  Result<std::vector<std::string>> ours = store_.BatchSuspended();
  if (!ours.ok()) return fail("the suspended jobs", ours.status());
  if (alloc_.batch.gpus <= 0) {
    Result<std::vector<SchedulerJob>> jobs = scheduler_->Jobs();
    if (!jobs.ok()) return fail("listing jobs", jobs.status());
    for (const SchedulerJob& j : *jobs) {
      if (j.state != JobState::kRunning || (!partition_.empty() && j.partition != partition_)) continue;
      // Marked first: a crash between the two resumes it after a restart.
      if (Status s = store_.MarkBatchSuspended(j.id, now); !s.ok()) return fail("marking job " + j.id, s);
      if (Status s = scheduler_->SuspendJob(j.id); !s.ok()) {
        fail("suspending job " + j.id, s);  // kept marked: resumed later only if it did get suspended
        continue;
      }
      ++report->jobs_suspended;
    }
    return;
  }
  for (const std::string& id : *ours) {
    Result<SchedulerJob> job = scheduler_->Job(id);
    if (!job.ok() && job.status().code() != StatusCode::kNotFound) {
      fail("reading job " + id, job.status());
      continue;
    }
    if (job.ok() && job->state == JobState::kSuspended) {
      if (Status s = scheduler_->ResumeJob(id); !s.ok()) {
        fail("resuming job " + id, s);
        continue;
      }
      ++report->jobs_resumed;
    }
    // Resumed, finished, or gone: no longer ours to resume.
    if (Status s = store_.ClearBatchSuspended(id); !s.ok()) fail("clearing job " + id, s);
  }
}

void ControlLoop::DriveFirmGpus(UtcTime now, TickReport* report) {
  // Every breach is an SLA event, costed over the tick's step as the backtest
  // books a step, whether or not the tenant has GPU nodes to cap.
  const Hours step(options_.tick.count() / 3600.0);
  for (std::size_t i = 0; i < site_.leases.size() && i < alloc_.leases.size(); ++i) {
    const FirmSetpoint& f = alloc_.leases[i];
    if (f.reason != Reason::kFirmSlaBreach) continue;
    report->sla_events.push_back({site_.leases[i].name, f.demand_it, f.served_it, 0, std::nullopt, Watts(0),
                                  LeaseShortfallUsd(site_.leases[i], f.demand_it, f.served_it, step)});
  }
  for (std::size_t i = 0; i < site_.clouds.size() && i < alloc_.clouds.size(); ++i) {
    const FirmSetpoint& f = alloc_.clouds[i];
    if (f.reason != Reason::kFirmSlaBreach) continue;
    report->sla_events.push_back({site_.clouds[i].name, f.demand_it, f.served_it, 0, std::nullopt, Watts(0),
                                  CloudShortfallUsd(site_.clouds[i], f.demand_it, f.served_it, step)});
  }
  if (gpu_nodes_.empty()) return;
  Result<std::vector<GpuCapRow>> marked = store_.GpuCaps();
  if (!marked.ok()) {
    report->gpu_error = "reading the capped GPUs: " + marked.status().message();
    return;
  }
  std::vector<GpuCapRow> ours = std::move(marked).value();
  std::vector<std::string> tenants;
  for (const FirmGpuNode& n : gpu_nodes_) {
    if (std::find(tenants.begin(), tenants.end(), n.tenant) == tenants.end()) tenants.push_back(n.tenant);
  }
  for (const std::string& tenant : tenants) {
    SlaEvent* event = nullptr;
    for (SlaEvent& e : report->sla_events) event = e.tenant == tenant ? &e : event;
    CapTenantGpus(now, tenant, ours, event, report);
  }
  report->gpus_capped = ours.size();
}

namespace {

// Watts are whole on nvidia-smi's -pl; half a watt apart is the same limit.
bool SameLimit(Watts a, Watts b) { return std::abs(a.value() - b.value()) < 0.5; }

}  // namespace

// One GPU of a tenant's nodes as this tick found it.
struct ControlLoop::TenantGpu {
  const FirmGpuNode* node = nullptr;
  GpuReading reading;
  std::optional<Watts> ceiling;  // the most the loop may leave it at: its limit before the loop's cap
  std::optional<Watts> cap;      // the loop's cap this tick; none: not capped by the loop
};

// The budget shared evenly, water-filled: a GPU whose ceiling is below the
// even share (an operator's lower cap, a smaller part) keeps it, and what it
// leaves is shared by the rest. Each cap is clamped into the range -pl
// accepts; returns what the floors (min_limit) leave above the budget.
Watts ControlLoop::ShareGpuBudget(Watts budget, std::vector<TenantGpu>& gpus) {
  std::vector<TenantGpu*> order;
  for (TenantGpu& g : gpus) {
    if (g.ceiling) order.push_back(&g);
  }
  std::sort(order.begin(), order.end(),
            [](const TenantGpu* a, const TenantGpu* b) { return *a->ceiling < *b->ceiling; });
  Watts left = budget;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const Watts even = left / static_cast<double>(order.size() - k);
    if (*order[k]->ceiling <= even) {
      left -= *order[k]->ceiling;
      continue;
    }
    for (std::size_t m = k; m < order.size(); ++m) {
      const GpuReading& r = order[m]->reading;
      // Whole watts rounded down, so the caps never add up above the budget;
      // not a watt off for a share whole but for floating point (2,400 W / 8
      // computed as 299.99999...).
      Watts cap(std::floor(even.value() + 1e-6));
      if (r.min_limit && cap < *r.min_limit) cap = *r.min_limit;
      if (r.max_limit && cap > *r.max_limit) cap = *r.max_limit;
      if (cap < *order[m]->ceiling && !SameLimit(cap, *order[m]->ceiling)) order[m]->cap = cap;
    }
    break;
  }
  Watts total{0};
  for (const TenantGpu* g : order) total += g->cap ? *g->cap : *g->ceiling;
  return std::max(Watts(0), total - budget);
}

std::vector<ControlLoop::TenantGpu> ControlLoop::ReadTenantGpus(const std::string& tenant, bool breach,
                                                               std::vector<GpuCapRow>& ours, TickReport* report) {
  const auto fail = [&](const std::string& what, const Status& s) {
    if (report->gpu_error.empty()) report->gpu_error = what + ": " + s.message();
  };
  std::vector<TenantGpu> gpus;
  // What the tenant's GPUs draw, when every node was read and every GPU
  // reported its draw: the next tick's model of the tenant's load.
  bool read_all = true, read_any = false;
  double draw_w = 0;
  for (const FirmGpuNode& n : gpu_nodes_) {
    if (n.tenant != tenant) continue;
    const bool capped_here =
        std::any_of(ours.begin(), ours.end(), [&](const GpuCapRow& r) { return r.node == n.name; });
    if (!breach && !capped_here) {  // nothing to cap or restore: not even a read
      read_all = false;
      continue;
    }
    // A node that fails costs its deadline at most (nvidia_smi.h) and is
    // tried again next tick; its marks stay, so nothing is forgotten.
    Result<std::vector<GpuReading>> read = n.node->Read();
    if (!read.ok()) {
      fail("GPU node " + n.name, read.status());
      read_all = false;
      continue;
    }
    read_any = true;
    for (const GpuReading& g : *read) {
      if (g.power_draw) {
        draw_w += g.power_draw->value();
      } else {
        read_all = false;
      }
    }
    for (const GpuReading& g : *read) {
      TenantGpu gpu{&n, g, g.power_limit ? g.power_limit : g.default_limit ? g.default_limit : g.max_limit,
                    std::nullopt};
      for (const GpuCapRow& r : ours) {
        if (r.node == n.name && r.gpu == g.index) gpu.ceiling = Watts(r.before_w);
      }
      gpus.push_back(std::move(gpu));
    }
    // A marked GPU the node no longer lists at its index, or another GPU
    // there (its uuid), is gone: no longer the loop's to restore.
    for (auto it = ours.begin(); it != ours.end();) {
      const bool gone = it->node == n.name && std::none_of(read->begin(), read->end(), [&](const GpuReading& g) {
                          return g.index == it->gpu && (it->uuid.empty() || g.uuid.empty() || g.uuid == it->uuid);
                        });
      if (!gone) {
        ++it;
      } else if (Status s = store_.ClearGpuCap(it->node, it->gpu); !s.ok()) {
        fail("clearing GPU " + std::to_string(it->gpu) + " of " + it->node, s);
        ++it;
      } else {
        it = ours.erase(it);
      }
    }
  }
  if (read_all && read_any) {
    firm_draw_[tenant] = Watts(draw_w);
  } else {
    firm_draw_.erase(tenant);
  }
  return gpus;
}

void ControlLoop::CapTenantGpus(UtcTime now, const std::string& tenant, std::vector<GpuCapRow>& ours,
                                SlaEvent* event, TickReport* report) {
  std::vector<TenantGpu> gpus = ReadTenantGpus(tenant, event != nullptr, ours, report);
  if (event) event->floor_short = ShareGpuBudget(event->served_it, gpus);
  const auto fail = [&](const std::string& what, const Status& s) {
    if (report->gpu_error.empty()) report->gpu_error = what + ": " + s.message();
  };
  // A node whose nvidia-smi failed once this tick (a hung one: a deadline)
  // is left until the next tick, so a node costs one deadline, not one per GPU.
  std::vector<const FirmGpuNode*> failed;
  for (const TenantGpu& g : gpus) {
    if (std::find(failed.begin(), failed.end(), g.node) != failed.end()) continue;
    const std::string& name = g.node->name;
    const int index = g.reading.index;
    const std::string what = "GPU " + std::to_string(index) + " of " + name;
    const std::optional<Watts> limit = g.reading.power_limit;
    auto it = std::find_if(ours.begin(), ours.end(),
                           [&](const GpuCapRow& r) { return r.node == name && r.gpu == index; });
    if (g.cap) {
      // Marked before the cap leaves, with the limit before the loop's first
      // cap: a crash between the two restores it after a restart.
      if (it == ours.end() || !SameLimit(Watts(it->cap_w), *g.cap)) {
        const GpuCapRow row{name, index, g.reading.uuid, tenant,
                            it != ours.end() ? it->before_w : g.ceiling->value(), g.cap->value(), now};
        if (Status s = store_.MarkGpuCap(row); !s.ok()) {
          fail("marking " + what, s);  // never capped unmarked
          continue;
        }
        if (it == ours.end()) {
          ours.push_back(row);
        } else {
          it->cap_w = row.cap_w;
        }
      }
      if (!limit || !SameLimit(*limit, *g.cap)) {
        if (Status s = g.node->node->SetPowerLimit(index, *g.cap); !s.ok()) {
          fail("capping " + what, s);  // marked: sent again next tick, or restored
          failed.push_back(g.node);
          continue;
        }
      }
      ++event->gpus_capped;
      if (!event->cap || *g.cap < *event->cap) event->cap = g.cap;
    } else if (it != ours.end()) {
      // Restored to its limit before, unless an operator has set another
      // since (neither the loop's cap nor the limit before): that one stays.
      const Watts before(it->before_w);
      const bool operators = limit && !SameLimit(*limit, Watts(it->cap_w)) && !SameLimit(*limit, before);
      if (!operators && (!limit || !SameLimit(*limit, before))) {
        if (Status s = g.node->node->SetPowerLimit(index, before); !s.ok()) {
          fail("restoring " + what, s);  // kept marked: tried again next tick
          failed.push_back(g.node);
          continue;
        }
        ++report->gpus_restored;
      }
      if (Status s = store_.ClearGpuCap(name, index); !s.ok()) {
        fail("clearing " + what, s);
        continue;
      }
      ours.erase(it);
    }
  }
}

std::size_t ControlLoop::InFlight() const {
  std::size_t n = 0;
  for (const MinerRecord& r : records_) n += r.target == TargetState::kDispatched ? 1 : 0;
  return n;
}

std::optional<UtcTime> ControlLoop::FirstRampEnd() const {
  std::optional<UtcTime> first;
  for (const MinerRecord& r : records_) {
    if (r.target != TargetState::kDispatched || !r.commanded_at) continue;
    const MinerGroup& g = site_.miners[r.group];
    const Seconds ramp = r.command == MinerRecord::Command::kSleep ? g.ramp_down : g.ramp_up;
    const UtcTime end = *r.commanded_at + std::chrono::duration_cast<UtcTime::duration>(
                                               std::chrono::duration<double>(ramp.count()));
    if (!first || end < *first) first = end;
  }
  return first;
}

Result<ControlLoop::ConfirmReport> ControlLoop::Confirm(UtcTime now) {
  ConfirmReport report;
  std::vector<std::size_t> who;
  for (std::size_t i = 0; i < records_.size(); ++i) {
    if (records_[i].target == TargetState::kDispatched) who.push_back(i);
  }
  report.read = who.size();
  if (!who.empty()) {
    const std::vector<FleetReading> readings = fleet_.SweepSome(who);
    std::vector<TargetRow> changed;
    for (std::size_t k = 0; k < who.size() && k < readings.size(); ++k) {
      MinerRecord& r = records_[who[k]];
      // A miner silent here keeps its target: only a full sweep calls it
      // unavailable (a confirm read is a second look, not a verdict).
      if (!readings[k].answered) continue;
      ++report.answered;
      RecordReading(site_, true, readings[k].power, readings[k].hashrate, &r);
      UpdateTarget(site_, now, &r);
      if (r.target != TargetState::kDispatched) changed.push_back(RowOf(who[k]));
      report.confirmed += r.target == TargetState::kConfirmed ? 1 : 0;
    }
    if (Status saved = store_.SaveTargets(changed, now); !saved.ok()) return saved;
    report.site_meter = fleet_.SiteMeter();
  }
  for (const MinerRecord& r : records_) {
    if (r.target != TargetState::kNone) ++report.targets[std::string(TargetStateName(r.target))];
    report.in_flight += r.target == TargetState::kDispatched ? 1 : 0;
  }
  return report;
}

Result<TickReport> ControlLoop::Tick(UtcTime now, const LoopSignals& signals, bool sweep) {
  TickReport report;
  report.time = now;
  report.swept = sweep;
  if (Status s = ApplyPolicyParams(); !s.ok()) return s;
  std::vector<TargetRow> changed;
  if (sweep) {
    const std::vector<FleetReading> readings = fleet_.Sweep();
    for (std::size_t i = 0; i < records_.size() && i < readings.size(); ++i) {
      MinerRecord& r = records_[i];
      RecordReading(site_, readings[i].answered, readings[i].power, readings[i].hashrate, &r);
      const TargetState before = r.target;
      UpdateTarget(site_, now, &r);
      if (r.target != before && r.target != TargetState::kNone) changed.push_back(RowOf(i));
      (readings[i].answered ? report.answered : report.silent) += 1;
    }
  } else {
    for (const MinerRecord& r : records_) (r.answered ? report.answered : report.silent) += 1;
  }
  Observation observed = Observe(site_, records_, now);
  // A tenant whose GPUs the loop read last tick (capped, or being restored)
  // is modelled at what they drew, not at its demand: else its capped
  // headroom would hide load nobody modelled from the meter.
  if (!firm_draw_.empty()) {
    observed.lease_draw.resize(site_.leases.size());
    observed.cloud_draw.resize(site_.clouds.size());
    for (std::size_t i = 0; i < site_.leases.size(); ++i) {
      if (auto it = firm_draw_.find(site_.leases[i].name); it != firm_draw_.end()) observed.lease_draw[i] = it->second;
    }
    for (std::size_t i = 0; i < site_.clouds.size(); ++i) {
      if (auto it = firm_draw_.find(site_.clouds[i].name); it != firm_draw_.end()) observed.cloud_draw[i] = it->second;
    }
  }
  observed.site_meter = fleet_.SiteMeter();
  report.site_meter = observed.site_meter;
  // Units ramping down are committed to sleep: the policy plans for the
  // site once their ramps end, not for the tail of their draw, which would
  // have it shed more units that ramp no faster and restore them a tick
  // later. The tail (units still measured hashing) leaves the model and the
  // meter alike, so it is not read as unexplained load; a unit that does
  // not go to sleep is measured hashing once its ramp has passed, and
  // counted again.
  for (const MinerRecord& r : records_) {
    const Watts tail = RampTail(site_, r, now);
    if (tail.value() <= 0) continue;
    observed.miners[r.group].ramping_down_it -= tail;
    const Watts facility = tail * site_.cooling.Pue(site_.miners[r.group].cooling);
    report.ramping_down += facility;
    if (observed.site_meter) observed.site_meter = *observed.site_meter - facility;
  }

  // The draw a reduce-by event reduces from: the meter, else what the
  // policy expected last tick.
  std::optional<Watts> draw = report.site_meter;
  if (!draw && !alloc_.miners.empty()) draw = alloc_.facility();
  Result<std::optional<Watts>> cap = EventCap(now, draw);
  if (!cap.ok()) return cap.status();

  TickSignals s;
  s.time = now;
  s.step = Hours(options_.tick.count() / 3600.0);
  s.price = signals.price;
  s.hashprice = signals.hashprice;
  s.ambient_c = signals.ambient_c;
  s.dr_limit = *cap;
  report.dr_limit = *cap;
  // 4CP alerts as the backtest finds them (sim/backtest.cpp: the step
  // [now, now + tick) against the site file's alert hours or rule, at the
  // price in force), and an operator's. The policy weighs an alert only
  // with the site's four_cp charge.
  const bool site_alert =
      site_.contract.four_cp && FourCpAlert(*site_.contract.four_cp, now, s.step, s.price);
  // An operator's: from the file (LoopSignals) or raised through the API
  // (the store, so it survives a restart).
  Result<std::vector<FourCpAlertRow>> raised = store_.OpenFourCpAlerts(now);
  if (!raised.ok()) return raised.status();
  const bool api_alert = std::any_of(raised->begin(), raised->end(),
                                     [&](const FourCpAlertRow& a) { return a.ActiveAt(now); });
  const bool operator_alert = (signals.four_cp_alert || api_alert) && site_.contract.four_cp;
  s.peak_alert = site_alert || operator_alert;
  report.four_cp_alert = site_alert && operator_alert ? "site,operator"
                         : site_alert                 ? "site"
                         : operator_alert             ? "operator"
                                                      : "";
  auto basis = std::make_shared<PreviewBasis>();
  basis->signals = s;
  basis->signals.dr_limit.reset();
  basis->observed = observed;
  basis->memory = state_;
  basis->site_meter = report.site_meter;
  Dispatch(site_, s, observed, options_.policy, PolicyOptions{}, &state_, &alloc_);
  if (Status o = ApplyOverrides(now, &report); !o.ok()) return o;
  basis->now = alloc_;
  basis_ = std::move(basis);
  report.expected_facility = alloc_.facility();
  report.site_cap = alloc_.site_cap;
  report.firm = alloc_.firm_facility;
  report.batch = alloc_.batch_facility;
  report.mining = alloc_.mining_facility;
  report.unexplained = alloc_.unexplained_facility;
  for (const FirmSetpoint& f : alloc_.leases) report.firm_it += f.served_it;
  for (const FirmSetpoint& f : alloc_.clouds) report.firm_it += f.served_it;
  report.batch_it = alloc_.batch.it;
  for (const MinerSetpoint& m : alloc_.miners) report.mining_it += m.expected_it;
  report.domains = DomainDraw(site_, alloc_);
  for (const MinerSetpoint& m : alloc_.miners) {
    report.running.push_back(m.running);
    report.reasons.emplace_back(ReasonName(m.reason));
  }
  report.batch_gpus = alloc_.batch.gpus;
  report.batch_reason = site_.batch ? std::string(ReasonName(alloc_.batch.reason)) : "";
  DriveBatch(now, &report);

  const CommandPlan plan = PlanCommands(site_, alloc_, records_, options_.max_commands, now);
  report.deferred = plan.deferred;
  for (int d : plan.deferred) report.pending += static_cast<std::size_t>(std::max(0, d));

  // Intent first: every target about to be commanded is stored as
  // dispatching before any command leaves.
  for (const bool sleep : {true, false}) {
    for (std::size_t i : sleep ? plan.sleep : plan.wake) {
      MinerRecord& r = records_[i];
      r.command = sleep ? MinerRecord::Command::kSleep : MinerRecord::Command::kHash;
      r.target = TargetState::kDispatching;
      changed.push_back(RowOf(i));
    }
  }
  if (Status saved = store_.SaveTargets(changed, now); !saved.ok()) return saved;
  changed.clear();

  for (const bool sleep : {true, false}) {
    const std::vector<std::size_t>& who = sleep ? plan.sleep : plan.wake;
    if (who.empty()) continue;
    const std::vector<bool> accepted = fleet_.Command(who, sleep);
    const UtcTime sent = options_.clock ? std::max(now, options_.clock()) : now;
    for (std::size_t k = 0; k < who.size(); ++k) {
      MinerRecord& r = records_[who[k]];
      r.commanded_at = sent;
      if (k < accepted.size() && accepted[k]) {
        r.target = TargetState::kDispatched;
        (sleep ? report.slept : report.woken) += 1;
      } else {
        r.target = TargetState::kUnavailable;  // sent again once it answers and is not doing it
        ++report.refused;
      }
      changed.push_back(RowOf(who[k]));
    }
  }
  if (Status saved = store_.SaveTargets(changed, now); !saved.ok()) return saved;
  // After the miners' commands: a GPU node that hangs costs its deadline,
  // never the miners' cut.
  DriveFirmGpus(now, &report);
  for (const MinerRecord& r : records_) {
    if (r.target != TargetState::kNone) ++report.targets[std::string(TargetStateName(r.target))];
  }
  if (Status saved = store_.SaveMemory(SaveMemoryJson(site_, state_), now); !saved.ok()) return saved;
  const UtcTime prune = now - std::chrono::duration_cast<UtcTime::duration>(
                                  std::chrono::duration<double>(options_.retention.count() * 3600.0));
  if (Status logged = store_.AddTick(now, TickJson(site_, report), prune); !logged.ok()) return logged;
  return report;
}

}  // namespace mullet
