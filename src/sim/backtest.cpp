#include "sim/backtest.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <map>
#include <random>

namespace mullet {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

// Books of one calendar month, before SLA credits are settled.
struct MonthBooks {
  MonthRow row;
  std::vector<double> lease_served_mwh, lease_demand_mwh, lease_rent_usd;
  double price_sum = 0;
  double hashprice_ph_sum = 0;
  std::int64_t steps = 0;
  std::int64_t curtailed_steps = 0;  // hours from whole steps: 6,252 five-minute
                                     // steps are 521 h, not 520.9999999999575
};

std::pair<int, int> YearMonth(UtcTime t) {
  const std::chrono::year_month_day ymd(std::chrono::floor<std::chrono::days>(t));
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month()))};
}

class Books {
 public:
  Books(const Site& site, BacktestResult& r) : site_(site), r_(r) {}

  MonthBooks& Month(UtcTime t) {
    const auto ym = YearMonth(t);
    auto it = months_.find(ym);
    if (it == months_.end()) {
      MonthBooks m;
      m.row.year = ym.first;
      m.row.month = ym.second;
      m.lease_served_mwh.assign(site_.leases.size(), 0);
      m.lease_demand_mwh.assign(site_.leases.size(), 0);
      m.lease_rent_usd.assign(site_.leases.size(), 0);
      it = months_.emplace(ym, std::move(m)).first;
    }
    return it->second;
  }

  // Settles SLA credits by month and the summary totals; `step_s` is the
  // step in seconds, for hours counted from whole steps.
  void Close(std::int64_t step_s) {
    BacktestSummary& s = r_.summary;
    for (auto& [ym, m] : months_) {
      m.row.hours = static_cast<double>(m.steps * step_s) / 3600.0;
      m.row.curtailed_hours = static_cast<double>(m.curtailed_steps * step_s) / 3600.0;
      for (size_t i = 0; i < site_.leases.size(); ++i) {
        const double demand = m.lease_demand_mwh[i];
        const double availability = demand > 0 ? m.lease_served_mwh[i] / demand : 1.0;
        // SLA credit for a month: dispatch/contract.h's rule on the month's rent.
        m.row.sla_credit_usd += SlaCreditFraction(site_.leases[i], availability) * m.lease_rent_usd[i];
      }
      m.row.mean_price_usd_per_mwh = m.steps > 0 ? m.price_sum / m.steps : 0;
      m.row.mean_hashprice_usd_per_ph_day = m.steps > 0 ? m.hashprice_ph_sum / m.steps : 0;
      m.row.profit_usd -= m.row.sla_credit_usd;
      s.sla_credit_usd += m.row.sla_credit_usd;
      s.months.push_back(m.row);
    }
  }

 private:
  const Site& site_;
  BacktestResult& r_;
  std::map<std::pair<int, int>, MonthBooks> months_;
};

std::vector<LoadInfo> DescribeLoads(const Site& site) {
  std::vector<LoadInfo> loads;
  for (const ColoLease& l : site.leases) loads.push_back({l.name, LoadKind::kColocation, l.contracted_it});
  for (const GpuCloud& c : site.clouds) {
    loads.push_back({c.name, LoadKind::kGpuCloud, c.power_per_node * c.nodes});
  }
  if (site.batch) {
    loads.push_back({site.batch->name, LoadKind::kBatch, site.batch->power_per_gpu * site.batch->gpus});
  }
  for (const MinerGroup& g : site.miners) {
    loads.push_back({g.name, LoadKind::kMinerGroup, g.model.power * g.count, 0, g.count});
  }
  return loads;
}

}  // namespace

std::string_view LoadKindName(LoadKind k) {
  switch (k) {
    case LoadKind::kColocation:
      return "colocation";
    case LoadKind::kGpuCloud:
      return "gpu-cloud";
    case LoadKind::kBatch:
      return "batch";
    case LoadKind::kMinerGroup:
      return "miners";
  }
  return "?";
}

namespace {

// The plant of a backtest: what the miners really do. Commands take effect
// within the step they are given in, except that a group told to sleep draws
// until its ramp-down ends; a share of units (drawn each step from a seeded
// generator) does not answer and keeps doing what it did.
class Plant {
 public:
  Plant(const Site& site, const BacktestOptions& o) : site_(site), share_(o.unanswering_share), rng_(o.seed) {
    groups_.resize(site.miners.size());
    for (size_t i = 0; i < site.miners.size(); ++i) {
      groups_[i].hashing = site.miners[i].count;
      groups_[i].unit_power = site.miners[i].model.power;
      groups_[i].unit_hashrate = site.miners[i].model.hashrate;
    }
  }

  // What the site measures at the start of the step [t, t + step).
  const Observation& Observe() {
    obs_.miners.resize(groups_.size());
    for (size_t i = 0; i < groups_.size(); ++i) {
      const MinerGroup& g = site_.miners[i];
      G& p = groups_[i];
      GroupObservation& o = obs_.miners[i];
      o = GroupObservation{};
      o.ramping_down = p.ramping_down;
      o.ramping_down_it = p.unit_power * p.ramping_down;
      if (share_ > 0) {
        std::binomial_distribution<int> silent(g.count - p.ramping_down, share_);
        o.unanswering = silent(rng_);
        // Silent units keep their state: hashing in proportion.
        const int awake = std::max(0, g.count - p.ramping_down);
        p.silent_hashing = awake > 0 ? static_cast<int>(std::lround(static_cast<double>(o.unanswering) *
                                                                    p.hashing / awake))
                                     : 0;
        o.unanswering_it = p.unit_power * p.silent_hashing;
      } else {
        p.silent_hashing = 0;
      }
      o.hashing = p.hashing;
    }
    return obs_;
  }

  // The step's commands take effect.
  void Apply(const Allocation& a, Hours step) {
    for (size_t i = 0; i < groups_.size(); ++i) {
      const MinerGroup& g = site_.miners[i];
      G& p = groups_[i];
      const MinerSetpoint& m = a.miners[i];
      const int hashing_now = m.running + p.silent_hashing;
      const int stopped = std::max(0, p.hashing - hashing_now);
      p.ramping_down = Hours(g.ramp_down) > step ? stopped : 0;
      p.started = std::max(0, hashing_now - p.hashing);
      p.hashing = hashing_now;
      p.silent_hashrate = p.unit_hashrate * p.silent_hashing;
      if (m.running > 0) {
        p.unit_power = m.point.power;
        p.unit_hashrate = m.point.hashrate;
      }
    }
  }
  int started(size_t i) const { return groups_[i].started; }
  int silent_hashing(size_t i) const { return groups_[i].silent_hashing; }
  TerahashPerSecond silent_hashrate(size_t i) const { return groups_[i].silent_hashrate; }

 private:
  struct G {
    int hashing = 0, ramping_down = 0, silent_hashing = 0, started = 0;
    Watts unit_power{0};
    TerahashPerSecond unit_hashrate{0};
    TerahashPerSecond silent_hashrate{0};
  };
  const Site& site_;
  const double share_;
  std::mt19937_64 rng_;
  std::vector<G> groups_;
  Observation obs_;
};

// One run: the policy state, the books, and one method per part of a step.
class Run {
 public:
  Run(const Scenario& scenario, const MarketSeries& market, PolicyKind policy, const BacktestOptions& o)
      : site_(scenario.site), market_(market), policy_(policy), options_(o), state_(InitialState(site_)),
        plant_(site_, o), books_(site_, r_), dt_(market.step), h_(dt_.count()) {
    BacktestSummary& s = r_.summary;
    s.scenario = scenario.name;
    s.policy = std::string(PolicyName(policy));
    s.power_filled_steps = market.power_filled_steps;
    s.hashprice_filled_steps = market.hashprice_filled_steps;
    r_.loads = DescribeLoads(site_);
    nl_ = r_.loads.size();
    for (const LoadInfo& l : r_.loads) {
      (l.kind == LoadKind::kMinerGroup ? mining_it_kw_ : ai_it_kw_) += l.nameplate_it.kilowatts();
    }
    if (site_.contract.four_cp) four_cp_.emplace(*site_.contract.four_cp);
    if (!o.series) return;
    const size_t n = market.times.size();
    r_.times = market.times;
    for (auto* v : {&r_.price, &r_.hashprice_ph, &r_.ambient_c, &r_.site_cap_mw, &r_.facility_mw,
                    &r_.firm_mw, &r_.batch_mw, &r_.mining_mw, &r_.profit_usd}) {
      v->resize(n);
    }
    r_.load_mw.resize(n * nl_);
    r_.load_reason.resize(n * nl_);
    r_.load_units.resize(n * nl_);
  }

  BacktestResult Finish() && {
    const std::int64_t step_s = std::chrono::duration_cast<std::chrono::seconds>(market_.step).count();
    books_.Close(step_s);
    BacktestSummary& sum = r_.summary;
    sum.hours = static_cast<double>(sum.steps * step_s) / 3600.0;
    sum.curtailed_hours = static_cast<double>(curtailed_steps_ * step_s) / 3600.0;
    sum.sla_breach_hours = static_cast<double>(breach_steps_ * step_s) / 3600.0;
    BookFourCp();
    BacktestSummary& s = r_.summary;
    s.ai_revenue_usd = s.colocation_revenue_usd + s.gpu_cloud_revenue_usd + s.batch_revenue_usd;
    s.profit_usd = s.mining_revenue_usd + s.ai_revenue_usd + s.sell_back_credit_usd + s.dr_credit_usd +
                   s.power_reimbursed_usd - s.power_cost_usd - s.four_cp_charge_usd - s.sla_credit_usd -
                   s.opex_usd;
    s.profit_after_capital_usd = s.profit_usd - s.capital_charge_usd;
    for (MonthRow& m : s.months) m.profit_after_capital_usd = m.profit_usd - m.capital_charge_usd;
    s.direct_cost_per_btc_usd = s.btc_mined > 0 ? mining_power_cost_ / s.btc_mined : 0;
    s.mining_uptime = mining_nameplate_mwh_ > 0 ? mining_it_mwh_ / mining_nameplate_mwh_ : 0;
    s.firm_availability = firm_demand_mwh_ > 0 ? firm_served_mwh_ / firm_demand_mwh_ : 1.0;
    return std::move(r_);
  }

  void Step(size_t k) {
    const UtcTime t = market_.times[k];
    const Observation& obs = plant_.Observe();
    const TickSignals sig = SignalsAt(site_, market_, k, policy_, options_.policy, obs, &state_, &dr_now_, &ambient_);
    Dispatch(site_, sig, obs, policy_, options_.policy, &state_, &alloc_);
    const Allocation& a = alloc_;
    plant_.Apply(a, dt_);
    StepBooks b;
    BookPower(k, sig, a, &b);
    BookMining(k, a, &b);
    BookFirm(k, a, &b);
    BookBatch(k, t, a, &b);
    BookCosts(t, &b);
    Record(k, t, sig, a, b);
  }

 private:
  // What one step adds to the books.
  struct StepBooks {
    double energy = 0, cost = 0, sell_back = 0, dr_credit = 0;
    double mining_usd = 0, btc = 0, colo_usd = 0, cloud_usd = 0, batch_usd = 0;
    double reimbursed = 0, opex = 0, capital = 0;
    double curtailed_unit_hours = 0;
    bool breach = false;
  };

  // Energy and its cost, DR credit and 4CP (dispatch/contract.h has the rules).
  void BookPower(size_t k, const TickSignals& sig, const Allocation& a, StepBooks* b) {
    const Watts facility = a.facility();
    const EnergyBill bill = BillEnergy(site_.contract, sig.price, facility, dt_);
    b->energy = bill.energy_mwh;
    b->cost = bill.cost_usd;
    b->sell_back = bill.sell_back_usd;
    b->dr_credit = DemandResponseCreditUsd(dr_now_, facility);
    if (four_cp_) four_cp_->Add(market_.times[k], dt_, facility);
  }

  // Hashprice x TH/s hashing; units started this step hash only after ramp-up.
  void BookMining(size_t k, const Allocation& a, StepBooks* b) {
    const size_t first_miner = nl_ - site_.miners.size();
    for (size_t i = 0; i < site_.miners.size(); ++i) {
      const MinerGroup& g = site_.miners[i];
      const MinerSetpoint& m = a.miners[i];
      const int started = std::min(plant_.started(i), m.running);
      const double ramp = std::clamp(1.0 - Hours(g.ramp_up).count() / h_, 0.0, 1.0);
      const double th = m.point.hashrate.value() * ((m.running - started) + started * ramp) +
                        plant_.silent_hashrate(i).value();
      const double share = g.uptime * (1.0 - g.pool_fee);
      b->mining_usd += market_.hashprice[k].value() * th * (h_ / 24.0) * share;
      b->btc += market_.btc_per_th_day[k].value() * th * (h_ / 24.0) * share;
      const Watts it = m.expected_it;
      mining_it_mwh_ += it.megawatts() * h_;
      mining_nameplate_mwh_ += (g.model.power * g.count).megawatts() * h_;
      if (IsCurtailmentDecision(m.reason)) {
        const int hashing = m.running + plant_.silent_hashing(i);
        b->curtailed_unit_hours += std::max(0, g.count - hashing) * h_;
      }
      SetLoad(k, first_miner + i, it, m.reason);
      if (options_.series) r_.load_units[k * nl_ + first_miner + i] = m.running + plant_.silent_hashing(i);
    }
    const Watts facility = a.facility();
    const double mining_share = facility.value() > 0 ? a.mining_facility / facility : 0.0;
    mining_power_cost_ += mining_share * (b->cost - b->sell_back);
  }
  // Operating costs on nameplate IT kW, and the capital charge of the year
  // spread over its hours.
  void BookCosts(UtcTime t, StepBooks* b) {
    const Costs& c = site_.costs;
    const double months = h_ / Hours(kAccountingMonth).count();
    b->opex = (c.ai_opex.value() * ai_it_kw_ + c.mining_opex.value() * mining_it_kw_) * months;
    b->capital = c.AnnualCapitalCharge().value() * h_ / HoursInYear(YearOf(t));
  }

  // Colocation rent accrues on contracted kW; GPU cloud earns what it serves.
  void BookFirm(size_t k, const Allocation& a, StepBooks* b) {
    MonthBooks& month = books_.Month(market_.times[k]);
    size_t li = 0;
    for (size_t i = 0; i < site_.leases.size(); ++i, ++li) {
      const ColoLease& l = site_.leases[i];
      const FirmSetpoint& f = a.leases[i];
      const double rent = LeaseRentUsd(l, Hours(h_));
      b->colo_usd += rent;
      month.lease_rent_usd[i] += rent;
      month.lease_served_mwh[i] += f.served_it.megawatts() * h_;
      month.lease_demand_mwh[i] += f.demand_it.megawatts() * h_;
      if (l.type == LeaseType::kTripleNet) {
        // The tenant pays the power its load draws, cooling included.
        const double price = market_.power_price[k].value() + site_.contract.adder.value();
        b->reimbursed += f.served_it.megawatts() * site_.cooling.Pue(l.cooling) * h_ * price;
      }
      BookFirmEnergy(k, li, f, b);
    }
    for (size_t i = 0; i < site_.clouds.size(); ++i, ++li) {
      const GpuCloud& c = site_.clouds[i];
      const FirmSetpoint& f = a.clouds[i];
      const double served = f.demand_it.value() > 0 ? f.served_it / f.demand_it : 1.0;
      b->cloud_usd += CloudRevenueUsd(c, Hours(h_), served);
      BookFirmEnergy(k, li, f, b);
    }
  }

  void BookFirmEnergy(size_t k, size_t load, const FirmSetpoint& f, StepBooks* b) {
    firm_served_mwh_ += f.served_it.megawatts() * h_;
    firm_demand_mwh_ += f.demand_it.megawatts() * h_;
    b->breach |= f.served_it < f.demand_it;
    SetLoad(k, load, f.served_it, f.reason);
  }

  void BookBatch(size_t k, UtcTime t, const Allocation& a, StepBooks* b) {
    if (!site_.batch) return;
    SetLoad(k, site_.leases.size() + site_.clouds.size(), a.batch.it, a.batch.reason);
    r_.summary.batch_gpu_hours += a.batch.gpus * h_;
    b->batch_usd = a.batch.value.value();
    const UtcTime next = After(t, dt_);
    for (BatchJobState& j : state_.jobs) {
      if (!j.missed && j.deadline <= next && j.remaining_gpu_hours > 0) {
        j.missed = true;
        ++r_.summary.batch_deadlines_missed;
      }
    }
  }

  void SetLoad(size_t k, size_t load, Watts it, Reason reason) {
    r_.loads[load].energy_mwh += it.megawatts() * h_;
    if (!options_.series) return;
    r_.load_mw[k * nl_ + load] = static_cast<float>(it.megawatts());
    r_.load_reason[k * nl_ + load] = reason;
  }

  // Per-load energy, the step's series, the month's and the run's totals.
  void Record(size_t k, UtcTime t, const TickSignals& sig, const Allocation& a, const StepBooks& b) {
    const double ai_usd = b.colo_usd + b.cloud_usd + b.batch_usd;
    const double profit = b.mining_usd + ai_usd + b.sell_back + b.dr_credit + b.reimbursed - b.cost - b.opex;
    if (options_.series) RecordSeries(k, sig, a, profit);

    MonthBooks& month = books_.Month(t);
    MonthRow& m = month.row;
    m.energy_mwh += b.energy;
    m.power_cost_usd += b.cost;
    m.sell_back_credit_usd += b.sell_back;
    m.dr_credit_usd += b.dr_credit;
    m.mining_revenue_usd += b.mining_usd;
    m.btc_mined += b.btc;
    m.ai_revenue_usd += ai_usd;
    m.power_reimbursed_usd += b.reimbursed;
    m.opex_usd += b.opex;
    m.capital_charge_usd += b.capital;
    m.profit_usd += profit;
    month.curtailed_steps += b.curtailed_unit_hours > 0 ? 1 : 0;
    m.curtailed_machine_hours += b.curtailed_unit_hours;
    month.price_sum += sig.price.value();
    month.hashprice_ph_sum += sig.hashprice.value() * 1000;  // USD/TH/day -> USD/PH/day
    ++month.steps;

    BacktestSummary& s = r_.summary;
    s.energy_mwh += b.energy;
    s.power_cost_usd += b.cost;
    s.sell_back_credit_usd += b.sell_back;
    s.dr_credit_usd += b.dr_credit;
    s.mining_revenue_usd += b.mining_usd;
    s.btc_mined += b.btc;
    s.colocation_revenue_usd += b.colo_usd;
    s.gpu_cloud_revenue_usd += b.cloud_usd;
    s.batch_revenue_usd += b.batch_usd;
    s.power_reimbursed_usd += b.reimbursed;
    s.opex_usd += b.opex;
    s.capital_charge_usd += b.capital;
    s.max_site_power_mw = std::max(s.max_site_power_mw, a.facility().megawatts());
    curtailed_steps_ += b.curtailed_unit_hours > 0 ? 1 : 0;
    s.curtailed_machine_hours += b.curtailed_unit_hours;
    breach_steps_ += b.breach ? 1 : 0;
    ++s.steps;
  }

  void RecordSeries(size_t k, const TickSignals& sig, const Allocation& a, double profit) {
    r_.price[k] = static_cast<float>(sig.price.value());
    r_.hashprice_ph[k] = static_cast<float>(sig.hashprice.usd_per_ph_day());
    r_.ambient_c[k] = static_cast<float>(sig.ambient_c);
    r_.site_cap_mw[k] = static_cast<float>(a.site_cap.megawatts());
    r_.facility_mw[k] = static_cast<float>(a.facility().megawatts());
    r_.firm_mw[k] = static_cast<float>(a.firm_facility.megawatts());
    r_.batch_mw[k] = static_cast<float>(a.batch_facility.megawatts());
    r_.mining_mw[k] = static_cast<float>(a.mining_facility.megawatts());
    r_.profit_usd[k] = static_cast<float>(profit);
  }

  // 4CP: each year's charge (contract.h) spread over the run's months of
  // that year in proportion to their hours.
  void BookFourCp() {
    if (!four_cp_) return;
    BacktestSummary& s = r_.summary;
    for (const FourCpBook::Year& y : four_cp_->Years()) {
      s.four_cp_years.push_back({y.year, y.peaks_listed, y.peak_hours_seen, y.mean_kw, y.covered_hours,
                                 y.year_hours, y.annual_charge_usd, y.booked_usd, y.basis});
      s.four_cp_charge_usd += y.booked_usd;
      if (y.covered_hours <= 0) continue;
      for (MonthRow& m : s.months) {
        if (m.year != y.year) continue;
        const double charge = y.booked_usd * m.hours / y.covered_hours;
        m.four_cp_charge_usd += charge;
        m.profit_usd -= charge;
      }
    }
  }

  const Site& site_;
  const MarketSeries& market_;
  const PolicyKind policy_;
  const BacktestOptions options_;
  BacktestResult r_;
  DispatchState state_;
  Plant plant_;
  DemandResponseNow dr_now_;
  AmbientClock ambient_{site_.ambient};
  Allocation alloc_;  // reused from step to step
  Books books_;
  std::optional<FourCpBook> four_cp_;
  const Hours dt_;
  const double h_;
  size_t nl_ = 0;
  double mining_it_mwh_ = 0, mining_nameplate_mwh_ = 0, firm_served_mwh_ = 0, firm_demand_mwh_ = 0;
  std::int64_t curtailed_steps_ = 0, breach_steps_ = 0;  // hours from whole steps (Finish)
  double mining_power_cost_ = 0;
  double ai_it_kw_ = 0, mining_it_kw_ = 0;  // nameplate IT, for operating costs
};

}  // namespace

TickSignals SignalsAt(const Site& site, const MarketSeries& market, size_t k, PolicyKind policy,
                      const PolicyOptions& options, const Observation& observed, DispatchState* state,
                      DemandResponseNow* dr, AmbientClock* ambient) {
  TickSignals sig;
  sig.time = market.times[k];
  sig.step = market.step;
  sig.price = market.power_price[k];
  sig.hashprice = market.hashprice[k];
  sig.ambient_c = ambient ? ambient->At(sig.time) : site.ambient.At(sig.time);
  if (site.contract.four_cp) sig.peak_alert = FourCpAlert(*site.contract.four_cp, sig.time, sig.step, sig.price);
  // An event's baseline is the site's draw in the step before it began; a run
  // that starts inside an event (no step before) takes the draw the site
  // would have had now without the event.
  Watts before{0};
  if (DemandResponseNeedsBaseline(site.contract, sig.time, sig.step, state->dr_baselines)) {
    const bool previous_step =
        state->last_tick && state->last_draw &&
        sig.time <= After(*state->last_tick, sig.step);
    if (previous_step) {
      before = *state->last_draw;
    } else {
      DispatchState trial = *state;
      before = Dispatch(site, sig, observed, policy, options, &trial).facility();
    }
  }
  const DemandResponseNow now =
      DemandResponseAt(site.contract, sig.time, sig.step, before, &state->dr_baselines);
  sig.dr_limit = now.limit;
  if (dr) *dr = now;
  return sig;
}

BacktestResult RunBacktest(const Scenario& scenario, const MarketSeries& market, PolicyKind policy,
                           const BacktestOptions& options) {
  assert(!market.times.empty());
  Run run(scenario, market, policy, options);
  for (size_t k = 0; k < market.times.size(); ++k) run.Step(k);
  return std::move(run).Finish();
}

}  // namespace mullet
