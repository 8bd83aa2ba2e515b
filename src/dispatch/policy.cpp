#include "dispatch/policy.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "dispatch/headroom.h"

namespace mullet {
namespace {

// The cost the policy expects of a MWh drawn in this step for 4CP.
UsdPerMegawattHour FourCpAdder(const PowerContract& c, const TickSignals& s) {
  if (!s.peak_alert || !c.four_cp) return UsdPerMegawattHour(0);
  return FourCpAlertAdder(*c.four_cp);
}

// Time since the group last started or stopped.
Hours InState(const MinerGroupState& st, UtcTime now) {
  return st.changed ? Hours(now - *st.changed) : Hours(1e9);
}

Reason CurtailReasonFor(LimitKind k) {
  switch (k) {
    case LimitKind::kDemandResponse:
      return Reason::kCurtailDrEvent;
    case LimitKind::kDomain:
      return Reason::kCurtailDomainLimit;
    case LimitKind::kCooling:
      return Reason::kCurtailCoolingDerate;
    case LimitKind::kInterconnect:
    case LimitKind::kNone:
      break;
  }
  return Reason::kCurtailInterconnect;
}

// The policy would run the group's units: the price (or a baseline) says mine.
bool IsMiningReason(Reason r) {
  return r == Reason::kMineFull || r == Reason::kMinePowerTarget || r == Reason::kMineAlwaysOn ||
         r == Reason::kMineBelowStrike;
}

// How many units of `unit` IT power fit in `room` (a little slack for rounding).
int UnitsThatFit(Watts room, Watts unit) {
  if (unit.value() <= 0 || room.value() <= 0) return 0;
  return static_cast<int>(std::floor((room.value() + 1e-6) / unit.value()));
}

void ServeFirm(const Site& site, const Observation& obs, Headroom& room, Allocation& a) {
  auto serve = [&](Watts demand, int domain, CoolingClass cooling, FirmSetpoint& out) {
    const double pue = site.cooling.Pue(cooling);
    out.demand_it = demand;
    out.served_it = std::min(demand, room.Available(domain, pue).it);
    out.reason = out.served_it < demand ? Reason::kFirmSlaBreach : Reason::kFirmServed;
    room.Take(domain, pue, out.served_it);
    a.firm_facility += out.served_it * pue;
  };
  auto measured = [](const std::vector<std::optional<Watts>>& v, size_t i, Watts otherwise) {
    return i < v.size() && v[i] ? *v[i] : otherwise;
  };
  for (size_t i = 0; i < site.leases.size(); ++i) {
    const ColoLease& l = site.leases[i];
    serve(measured(obs.leases, i, l.contracted_it * l.load_factor), l.domain_index, l.cooling, a.leases[i]);
  }
  for (size_t i = 0; i < site.clouds.size(); ++i) {
    const GpuCloud& c = site.clouds[i];
    serve(measured(obs.clouds, i, c.power_per_node * c.nodes), c.domain_index, c.cooling, a.clouds[i]);
  }
}

// Miners that draw whatever is decided: units that do not answer and units
// still ramping down. They are taken from the headroom before anything else.
void TakeUncommanded(const Site& site, const Observation& obs, Headroom& room, Allocation& a) {
  for (size_t i = 0; i < obs.miners.size() && i < site.miners.size(); ++i) {
    const MinerGroup& g = site.miners[i];
    const GroupObservation& o = obs.miners[i];
    const Watts it = o.unanswering_it + o.ramping_down_it;
    if (it.value() <= 0) continue;
    const double pue = site.cooling.Pue(g.cooling);
    room.Take(g.domain_index, pue, it);
    a.miners[i].expected_it = it;
    a.mining_facility += it * pue;
  }
}

// What the meters read above the model of the plant as observed, taken from
// the headroom first (Observation::site_meter). Deepest domains first: an
// excess found under a domain is part of its parents' and the site's reading
// too, and is not taken twice.
void TakeUnexplained(const Site& site, const Observation& obs, Headroom& room, DispatchState& state,
                     Allocation& a) {
  bool any_domain_meter = false;
  for (const std::optional<Watts>& m : obs.domain_meters) any_domain_meter = any_domain_meter || m;
  if (!obs.site_meter && !any_domain_meter) return;
  DispatchState::Scratch& sc = state.scratch;
  const size_t nd = site.domains.size();
  sc.domain_model.assign(nd, Watts(0));
  sc.domain_explained.assign(nd, Watts(0));
  sc.domain_depth.assign(nd, 0);
  Watts site_model{0};
  const auto add = [&](int domain, Watts facility) {
    site_model += facility;
    for (int d = domain; d >= 0; d = site.domains[d].parent_index) sc.domain_model[d] += facility;
  };
  for (size_t i = 0; i < site.miners.size(); ++i) {
    const MinerGroup& g = site.miners[i];
    const MinerGroupState& st = state.miners[i];
    Watts it = st.unit_it * st.running;
    if (i < obs.miners.size()) {
      const GroupObservation& o = obs.miners[i];
      it = st.unit_it * o.hashing + o.ramping_down_it + o.unanswering_it;
    }
    add(g.domain_index, it * site.cooling.Pue(g.cooling));
  }
  for (size_t i = 0; i < site.leases.size(); ++i) {
    const ColoLease& l = site.leases[i];
    Watts it = i < obs.leases.size() && obs.leases[i] ? *obs.leases[i] : l.contracted_it * l.load_factor;
    if (i < obs.lease_draw.size() && obs.lease_draw[i]) it = *obs.lease_draw[i];
    add(l.domain_index, it * site.cooling.Pue(l.cooling));
  }
  for (size_t i = 0; i < site.clouds.size(); ++i) {
    const GpuCloud& c = site.clouds[i];
    Watts it = i < obs.clouds.size() && obs.clouds[i] ? *obs.clouds[i] : c.power_per_node * c.nodes;
    if (i < obs.cloud_draw.size() && obs.cloud_draw[i]) it = *obs.cloud_draw[i];
    add(c.domain_index, it * site.cooling.Pue(c.cooling));
  }
  if (site.batch) add(site.batch->domain_index, state.batch_it * site.cooling.Pue(site.batch->cooling));

  int deepest = 0;
  for (size_t d = 0; d < nd; ++d) {
    for (int p = site.domains[d].parent_index; p >= 0; p = site.domains[p].parent_index) ++sc.domain_depth[d];
    deepest = std::max(deepest, sc.domain_depth[d]);
  }
  Watts site_explained{0};
  for (int depth = deepest; depth >= 0; --depth) {
    for (size_t d = 0; d < nd && d < obs.domain_meters.size(); ++d) {
      if (sc.domain_depth[d] != depth || !obs.domain_meters[d]) continue;
      const Watts excess = *obs.domain_meters[d] - sc.domain_model[d] - sc.domain_explained[d];
      if (excess.value() <= 0) continue;
      room.TakeFacility(static_cast<int>(d), excess);
      a.unexplained_facility += excess;
      site_explained += excess;
      for (int p = static_cast<int>(d); p >= 0; p = site.domains[p].parent_index) sc.domain_explained[p] += excess;
    }
  }
  if (obs.site_meter) {
    const Watts excess = *obs.site_meter - site_model - site_explained;
    if (excess.value() > 0) {
      room.TakeFacility(-1, excess);
      a.unexplained_facility += excess;
    }
  }
}

// Earliest-deadline-first: the GPUs that must run this step so that every
// released job can still meet its deadline with the whole pool afterwards.
int GpusRequiredByDeadlines(const std::vector<BatchJobState>& jobs, const TickSignals& s,
                            int pool) {
  double work = 0;
  double required = 0;
  const UtcTime next = s.time + std::chrono::duration_cast<std::chrono::seconds>(s.step);
  for (const BatchJobState& j : jobs) {  // sorted by deadline
    if (j.release > s.time) continue;
    work += j.remaining_gpu_hours;
    const double later = std::max(0.0, Hours(j.deadline - next).count()) * pool;
    required = std::max(required, (work - later) / s.step.count());
  }
  return std::clamp(static_cast<int>(std::ceil(required - 1e-9)), 0, pool);
}

// Does `gpu_hours` of work on the released jobs `eligible` accepts, earliest
// deadline first; returns the value of the work done. `jobs` sorted by deadline.
template <typename Eligible>
Usd DoWork(std::vector<BatchJobState>& jobs, UtcTime now, double gpu_hours, Eligible eligible) {
  Usd value{0};
  for (BatchJobState& j : jobs) {
    if (gpu_hours <= 0) break;
    if (j.release > now || !eligible(j)) continue;
    const double take = std::min(gpu_hours, j.remaining_gpu_hours);
    j.remaining_gpu_hours -= take;
    value += Usd(take * j.value_usd_per_gpu_hour);
    gpu_hours -= take;
  }
  return value;
}

// Batch work: what deadlines require (earliest deadline first), plus, under
// the mullet policy, the jobs whose own value per GPU-hour beats their power;
// the baselines run every released job.
void RunBatch(const Site& site, const TickSignals& s, PolicyKind policy, Headroom& room,
              DispatchState& state, Allocation& a) {
  state.batch_it = Watts(0);
  if (!site.batch || site.batch->gpus <= 0) return;
  const BatchQueue& q = *site.batch;
  // Earliest deadline first. Insertion sort: stable, allocates nothing, and
  // linear on the queue, which stays sorted between ticks.
  std::vector<BatchJobState>& jobs = state.jobs;
  for (size_t i = 1; i < jobs.size(); ++i) {
    for (size_t k = i; k > 0 && jobs[k].deadline < jobs[k - 1].deadline; --k) std::swap(jobs[k], jobs[k - 1]);
  }
  BatchSetpoint& out = a.batch;
  double released_work = 0;
  for (const BatchJobState& j : state.jobs) {
    if (j.release <= s.time) released_work += j.remaining_gpu_hours;
  }
  if (released_work <= 0) {
    out.reason = Reason::kBatchIdle;
    return;
  }
  const double pue = site.cooling.Pue(q.cooling);
  const double h = s.step.count();
  const UsdPerMegawattHour price =
      MarginalPrice(site.contract, s.price, a.firm_facility) + FourCpAdder(site.contract, s);
  const double cost_per_gpu_hour = CostOf(EnergyOver(q.power_per_gpu * pue, Hours(1)), price).value();
  auto pays = [&](const BatchJobState& j) {
    return policy != PolicyKind::kMullet || j.value_usd_per_gpu_hour > cost_per_gpu_hour;
  };
  const int required = GpusRequiredByDeadlines(state.jobs, s, q.gpus);
  // The paying work left once the deadlines have had their share (earliest
  // deadline first over the released jobs).
  double paying_left = 0;
  double deadline_work = required * h;
  for (const BatchJobState& j : state.jobs) {
    if (j.release > s.time) continue;
    const double take = std::min(deadline_work, j.remaining_gpu_hours);
    deadline_work -= take;
    if (pays(j)) paying_left += j.remaining_gpu_hours - take;
  }
  const bool any_pays = std::any_of(state.jobs.begin(), state.jobs.end(), [&](const BatchJobState& j) {
    return j.release <= s.time && pays(j);
  });
  const int wanted = std::min(q.gpus, required + static_cast<int>(std::ceil(paying_left / h - 1e-9)));
  // Work that would run for its value anyway is reported so, deadline or not.
  out.reason = wanted == 0 ? Reason::kBatchDeferPrice
               : any_pays  ? Reason::kBatchRunValue
                           : Reason::kBatchRunDeadline;
  const int fit = UnitsThatFit(room.Available(q.domain_index, pue).it, q.power_per_gpu);
  out.gpus = std::min(wanted, fit);
  if (out.gpus < wanted) out.reason = Reason::kBatchLimited;
  out.it = q.power_per_gpu * out.gpus;
  state.batch_it = out.it;
  room.Take(q.domain_index, pue, out.it);
  a.batch_facility = out.it * pue;

  const int for_deadlines = std::min(required, out.gpus);
  out.value = DoWork(state.jobs, s.time, for_deadlines * h, [](const BatchJobState&) { return true; });
  out.value += DoWork(state.jobs, s.time, (out.gpus - for_deadlines) * h, pays);
  std::erase_if(state.jobs, [](const BatchJobState& j) { return j.remaining_gpu_hours <= 1e-9; });
}

// What the policy wants from one group before limits: units and point.
struct MiningWish {
  int units = 0;
  MinerPoint point;
  Reason reason = Reason::kMineFull;
};

MiningWish WishMullet(const Site& site, const MinerGroup& g, const MinerGroupState& st,
                      const TickSignals& s, UsdPerMegawattHour price, UsdPerMegawattHour cp_adder,
                      int available) {
  const double pue = site.cooling.Pue(g.cooling);
  MiningWish w;
  w.point = BestPoint(g, s.hashprice, price + cp_adder, pue);
  const double margin = (ValuePerMegawattHour(g, w.point, s.hashprice, pue) - (price + cp_adder)).value();
  const bool on = st.running > 0;
  // A group a limit stopped (not a price decision) restarts as soon as it pays.
  const double band = st.stopped_by_limit ? 0.0 : site.policy.hysteresis.value();
  const bool run = on ? margin >= 0 : margin >= band;
  const Hours in_state = InState(st, s.time);
  if (on && !run && in_state < g.min_on) {
    w.units = std::min(st.running, available);
    w.reason = Reason::kHoldMinOnTime;
    return w;
  }
  if (!on && run && in_state < g.min_off) {
    w.reason = Reason::kCurtailMinOffTime;
    return w;
  }
  if (run) {
    w.units = available;
    w.reason = w.point.underclocked ? Reason::kMinePowerTarget : Reason::kMineFull;
    return w;
  }
  if (cp_adder.value() > 0) {
    const MinerPoint without = BestPoint(g, s.hashprice, price, pue);
    if (ValuePerMegawattHour(g, without, s.hashprice, pue) >= price) {
      w.reason = Reason::kCurtail4cpPeak;
      return w;
    }
  }
  w.reason = (!on && margin >= 0) ? Reason::kCurtailHysteresis : Reason::kCurtailPriceAboveBreakeven;
  return w;
}

MiningWish WishStrike(const Site& site, const MinerGroup& g, MinerGroupState& st,
                      const TickSignals& s, int available) {
  MiningWish w;
  w.point = NameplatePoint(g);
  // Without a strike of its own, a group's strike is its breakeven index price.
  const UsdPerMegawattHour strike = g.strike_price.value_or(BreakevenIndexPrice(site, g, s.hashprice));
  const bool below = s.price <= strike;
  const bool on = st.strike_on;
  // Foreman-style hysteresis in time: change state at the start of the
  // strike_windows-th window across the strike, i.e. once the price has been
  // across for (strike_windows - 1) x strike_window (1 window: at once).
  if (below != on) {
    if (!st.across_since) st.across_since = s.time;
  } else {
    st.across_since.reset();
  }
  bool run = on;
  const Hours needed = site.policy.strike_window * (std::max(1, site.policy.strike_windows) - 1);
  if (st.across_since && Hours(s.time - *st.across_since).count() + 1e-9 >= needed.count()) {
    run = below;
    st.across_since.reset();
  }
  st.strike_on = run;
  w.units = run ? available : 0;
  w.reason = run ? Reason::kMineBelowStrike : Reason::kCurtailAboveStrike;
  return w;
}

// A group that starts inside the fixed block and would lose money above it
// (where power costs index + adder) runs only the units the block holds.
int FitFixedBlock(const Site& site, const MinerGroup& g, const MinerGroupState& st, const TickSignals& s,
                  Watts draw, UsdPerMegawattHour cp_adder, const MiningWish& w, int available) {
  const auto& block = site.contract.block;
  if (w.units == 0 || w.reason == Reason::kHoldMinOnTime || !block || draw >= block->size) return w.units;
  const MiningWish above = WishMullet(site, g, st, s, s.price + site.contract.adder, cp_adder, available);
  if (above.units > 0) return w.units;
  const double pue = site.cooling.Pue(g.cooling);
  return std::min(w.units, UnitsThatFit((block->size - draw) / pue, w.point.power));
}

void RunMining(const Site& site, const TickSignals& s, const Observation& obs, PolicyKind policy,
               const PolicyOptions& options, Headroom& room, DispatchState& state, Allocation& a) {
  const UsdPerMegawattHour cp_adder = FourCpAdder(site.contract, s);
  // The safety margin held back from mining: a share of the site cap,
  // taken from the site's room only (policy.reserve_fraction).
  const Watts reserve = room.site_cap() * site.policy.reserve_fraction;
  const bool baseline_avoids_alert =
      policy != PolicyKind::kMullet && s.peak_alert && site.contract.four_cp &&
      options.baseline_four_cp == FourCpResponse::kAvoid;
  for (int i : state.merit_order) {
    const MinerGroup& g = site.miners[i];
    MinerGroupState& st = state.miners[i];
    const GroupObservation* o = static_cast<size_t>(i) < obs.miners.size() ? &obs.miners[i] : nullptr;
    const int available = std::max(0, g.count - (o ? o->unanswering + o->ramping_down : 0));
    const double pue = site.cooling.Pue(g.cooling);
    const Watts draw = a.firm_facility + a.batch_facility + a.mining_facility;
    const UsdPerMegawattHour price = MarginalPrice(site.contract, s.price, draw);
    MiningWish w;
    switch (policy) {
      case PolicyKind::kMullet:
        w = WishMullet(site, g, st, s, price, cp_adder, available);
        w.units = FitFixedBlock(site, g, st, s, draw, cp_adder, w, available);
        break;
      case PolicyKind::kStrikePrice:
        w = WishStrike(site, g, st, s, available);
        break;
      case PolicyKind::kAlwaysOn:
        w = {available, NameplatePoint(g), Reason::kMineAlwaysOn};
        break;
    }
    if (baseline_avoids_alert && w.units > 0) w = {0, w.point, Reason::kCurtail4cpPeak};
    MinerSetpoint& out = a.miners[i];
    out.point = w.point;
    out.reason = w.reason;
    if (w.units > 0) {
      const Headroom::Room r = room.Available(g.domain_index, pue, reserve);
      out.running = std::min(w.units, UnitsThatFit(r.it, w.point.power));
      if (out.running < w.units) out.reason = CurtailReasonFor(r.binding);
      const Watts it = w.point.power * out.running;
      room.Take(g.domain_index, pue, it);
      out.expected_it += it;
      a.mining_facility += it * pue;
    }
    // Units ramping down to sleep are not available, so a group that a
    // limit is cutting fits whole in what is left while they ramp: its
    // reason is still the limit when they would not fit beside it, not the
    // price's "mine" (a live loop sees ramps; history never does).
    bool held_by_limit = out.running < w.units;
    if (o && o->ramping_down > 0 && out.running == w.units && IsMiningReason(w.reason)) {
      const Headroom::Room left = room.Available(g.domain_index, pue, reserve);
      if (UnitsThatFit(left.it, w.point.power) < o->ramping_down) {
        out.reason = CurtailReasonFor(left.binding);
        held_by_limit = true;
      }
    }
    if ((st.running > 0) != (out.running > 0)) st.changed = s.time;
    st.running = out.running;
    if (out.running > 0) st.unit_it = w.point.power;
    if (out.running > 0 || !held_by_limit) st.stopped_by_limit = false;
    if (out.running == 0 && held_by_limit) st.stopped_by_limit = true;
  }
}

// Jobs of the recurring batch released up to `now`; the first at the first tick.
void ReleaseRecurringBatch(const Site& site, UtcTime now, DispatchState& state) {
  if (!site.batch || !site.batch->recurring) return;
  const RecurringBatch& rb = *site.batch->recurring;
  if (!state.next_recurring) state.next_recurring = now;
  while (*state.next_recurring <= now) {
    const UtcTime release = *state.next_recurring;
    state.jobs.push_back({"recurring", rb.gpu_hours, release, After(release, rb.deadline_after),
                          rb.value_usd_per_gpu_hour, false});
    state.next_recurring = After(release, rb.every);
  }
}

}  // namespace

std::string_view PolicyName(PolicyKind p) {
  switch (p) {
    case PolicyKind::kMullet:
      return "mullet";
    case PolicyKind::kStrikePrice:
      return "strike-price";
    case PolicyKind::kAlwaysOn:
      return "always-on";
  }
  return "?";
}

Result<PolicyKind> ParsePolicy(std::string_view name) {
  for (PolicyKind p : {PolicyKind::kMullet, PolicyKind::kStrikePrice, PolicyKind::kAlwaysOn}) {
    if (PolicyName(p) == name) return p;
  }
  return Status::InvalidArgument("unknown policy '" + std::string(name) +
                                 "' (expected mullet, strike-price or always-on)");
}

Result<FourCpResponse> ParseFourCpResponse(std::string_view name) {
  if (name == "avoid") return FourCpResponse::kAvoid;
  if (name == "ignore") return FourCpResponse::kIgnore;
  return Status::InvalidArgument("unknown 4CP response '" + std::string(name) + "' (expected avoid or ignore)");
}

DispatchState InitialState(const Site& site) {
  DispatchState st;
  st.miners.resize(site.miners.size());
  for (size_t i = 0; i < site.miners.size(); ++i) {
    st.miners[i].running = site.miners[i].count;
    st.miners[i].unit_it = site.miners[i].model.power;
    st.merit_order.push_back(static_cast<int>(i));
  }
  // Most efficient first: restored first, curtailed last.
  auto facility_j_per_th = [&](int i) {
    const MinerGroup& g = site.miners[i];
    return g.model.efficiency().value() * site.cooling.Pue(g.cooling);
  };
  std::stable_sort(st.merit_order.begin(), st.merit_order.end(),
                   [&](int x, int y) { return facility_j_per_th(x) < facility_j_per_th(y); });
  if (site.batch) {
    for (const BatchJob& j : site.batch->jobs) {
      st.jobs.push_back({j.name, j.gpu_hours, j.release, j.deadline, j.value_usd_per_gpu_hour});
    }
  }
  st.dr_baselines.assign(site.contract.demand_response.size(), std::nullopt);
  return st;
}

void Dispatch(const Site& site, const TickSignals& s, const Observation& observed, PolicyKind policy,
              const PolicyOptions& options, DispatchState* state, Allocation* out) {
  Allocation& a = *out;
  a.leases.assign(site.leases.size(), FirmSetpoint{});
  a.clouds.assign(site.clouds.size(), FirmSetpoint{});
  a.miners.assign(site.miners.size(), MinerSetpoint{});
  a.batch = BatchSetpoint{};
  a.firm_facility = a.batch_facility = a.mining_facility = a.unexplained_facility = Watts(0);
  ReleaseRecurringBatch(site, s.time, *state);
  Headroom room(site, s.ambient_c, s.dr_limit, &state->scratch.domain_room);
  a.site_cap = room.site_cap();
  TakeUnexplained(site, observed, room, *state, a);
  TakeUncommanded(site, observed, room, a);
  ServeFirm(site, observed, room, a);
  RunBatch(site, s, policy, room, *state, a);
  RunMining(site, s, observed, policy, options, room, *state, a);
  state->last_draw = a.facility();
  state->last_tick = s.time;
}

Allocation Dispatch(const Site& site, const TickSignals& s, const Observation& observed, PolicyKind policy,
                    const PolicyOptions& options, DispatchState* state) {
  Allocation a;
  Dispatch(site, s, observed, policy, options, state, &a);
  return a;
}

Allocation Dispatch(const Site& site, const TickSignals& s, PolicyKind policy, DispatchState* state) {
  return Dispatch(site, s, Observation{}, policy, PolicyOptions{}, state);
}

}  // namespace mullet
