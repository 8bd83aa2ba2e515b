#include "sim/backtest.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <map>

namespace mullet {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

// Books of one calendar month, before SLA credits are settled.
struct MonthBooks {
  MonthRow row;
  std::vector<double> lease_served_mwh, lease_demand_mwh, lease_rent_usd;
  double price_sum = 0;
  std::int64_t steps = 0;
};

std::pair<int, int> YearMonth(UtcTime t) {
  const std::chrono::year_month_day ymd(std::chrono::floor<std::chrono::days>(t));
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month()))};
}

// SLA credit for a month: the credit fraction of the deepest tier breached.
double SlaCreditFraction(const ColoLease& l, double availability) {
  if (availability >= l.availability_target) return 0;
  double fraction = 0;
  for (const SlaCreditTier& t : l.sla) {
    if (availability < t.availability_below) fraction = std::max(fraction, t.credit_fraction);
  }
  return fraction;
}

// The demand-response cap in force at `t`, and its credit; `baseline` is
// the site draw in the step before the event started.
struct DrNow {
  std::optional<Watts> limit;
  UsdPerMegawattHour credit{0};
  Watts baseline{0};
};

class DemandResponse {
 public:
  explicit DemandResponse(const PowerContract& c) : events_(c.demand_response) {
    std::sort(events_.begin(), events_.end(),
              [](const auto& a, const auto& b) { return a.start < b.start; });
    baselines_.assign(events_.size(), std::nullopt);
  }

  // `last_draw`: the site's facility power in the previous step.
  DrNow At(UtcTime t, Watts last_draw) {
    DrNow now;
    for (size_t i = 0; i < events_.size(); ++i) {
      const DemandResponseEvent& e = events_[i];
      if (t < e.start || t >= e.end) continue;
      if (!baselines_[i]) baselines_[i] = last_draw;
      const Watts cap = e.reduce_to ? *e.reduce_to : *baselines_[i] - e.reduce_by.value_or(Watts(0));
      if (!now.limit || cap < *now.limit) {
        now.limit = cap;
        now.credit = e.credit;
        now.baseline = *baselines_[i];
      }
    }
    return now;
  }

 private:
  std::vector<DemandResponseEvent> events_;
  std::vector<std::optional<Watts>> baselines_;
};

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

  // Settles SLA credits by month and the summary totals.
  void Close() {
    BacktestSummary& s = r_.summary;
    for (auto& [ym, m] : months_) {
      for (size_t i = 0; i < site_.leases.size(); ++i) {
        const double demand = m.lease_demand_mwh[i];
        const double availability = demand > 0 ? m.lease_served_mwh[i] / demand : 1.0;
        m.row.sla_credit_usd += SlaCreditFraction(site_.leases[i], availability) * m.lease_rent_usd[i];
      }
      m.row.mean_price_usd_per_mwh = m.steps > 0 ? m.price_sum / m.steps : 0;
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
    loads.push_back({g.name, LoadKind::kMinerGroup, g.model.power * g.count});
  }
  return loads;
}

bool IsPeakHour(const FourCoincidentPeak& cp, UtcTime t, Hours step) {
  const UtcTime end = t + duration_cast<seconds>(step);
  for (UtcTime p : cp.peak_hours) {
    if (p >= t && p < end) return true;
    if (t >= p && t < p + std::chrono::hours(1)) return true;
  }
  return false;
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

// One run: the policy state, the books, and one method per part of a step.
class Run {
 public:
  Run(const Scenario& scenario, const MarketSeries& market, PolicyKind policy)
      : site_(scenario.site), market_(market), policy_(policy), state_(InitialState(site_)),
        dr_(site_.contract), books_(site_, r_), dt_(market.step), h_(dt_.count()) {
    BacktestSummary& s = r_.summary;
    s.scenario = scenario.name;
    s.policy = std::string(PolicyName(policy));
    s.power_filled_steps = market.power_filled_steps;
    s.hashprice_filled_steps = market.hashprice_filled_steps;
    r_.loads = DescribeLoads(site_);
    nl_ = r_.loads.size();
    const size_t n = market.times.size();
    r_.times = market.times;
    for (auto* v : {&r_.price, &r_.hashprice_ph, &r_.ambient_c, &r_.site_cap_mw, &r_.facility_mw,
                    &r_.firm_mw, &r_.batch_mw, &r_.mining_mw, &r_.profit_usd}) {
      v->resize(n);
    }
    r_.load_mw.resize(n * nl_);
    r_.load_reason.resize(n * nl_);
    if (site_.batch && site_.batch->recurring) next_recurring_ = market.times.front();
  }

  BacktestResult Finish() && {
    books_.Close();
    BookFourCp();
    BacktestSummary& s = r_.summary;
    s.ai_revenue_usd = s.colocation_revenue_usd + s.gpu_cloud_revenue_usd + s.batch_revenue_usd;
    s.profit_usd = s.mining_revenue_usd + s.ai_revenue_usd + s.sell_back_credit_usd + s.dr_credit_usd -
                   s.power_cost_usd - s.four_cp_charge_usd - s.sla_credit_usd;
    s.direct_cost_per_btc_usd = s.btc_mined > 0 ? mining_power_cost_ / s.btc_mined : 0;
    s.mining_uptime = mining_nameplate_mwh_ > 0 ? mining_it_mwh_ / mining_nameplate_mwh_ : 0;
    s.firm_availability = firm_demand_mwh_ > 0 ? firm_served_mwh_ / firm_demand_mwh_ : 1.0;
    return std::move(r_);
  }

  void Step(size_t k) {
    const UtcTime t = market_.times[k];
    ReleaseRecurringBatch(t);
    const TickSignals sig = Signals(k);
    const std::vector<MinerGroupState> before = state_.miners;
    const Allocation a = Dispatch(site_, sig, policy_, &state_);
    StepBooks b;
    BookPower(k, sig, a, &b);
    BookMining(k, a, before, &b);
    BookFirm(k, a, &b);
    BookBatch(k, t, a, &b);
    Record(k, t, sig, a, b);
    last_draw_ = a.facility();
    have_last_ = true;
  }

 private:
  // What one step adds to the books.
  struct StepBooks {
    double energy = 0, cost = 0, sell_back = 0, dr_credit = 0;
    double mining_usd = 0, btc = 0, colo_usd = 0, cloud_usd = 0, batch_usd = 0;
    bool curtailed = false, breach = false;
  };

  void ReleaseRecurringBatch(UtcTime t) {
    while (next_recurring_ && *next_recurring_ <= t) {
      const RecurringBatch& rb = *site_.batch->recurring;
      state_.jobs.push_back({"recurring", rb.gpu_hours, *next_recurring_,
                             *next_recurring_ + duration_cast<seconds>(rb.deadline_after),
                             rb.value_usd_per_gpu_hour, false});
      *next_recurring_ += duration_cast<seconds>(rb.every);
    }
  }

  TickSignals Signals(size_t k) {
    TickSignals sig;
    sig.time = market_.times[k];
    sig.step = dt_;
    sig.price = market_.power_price[k];
    sig.hashprice = market_.hashprice[k];
    sig.ambient_c = site_.ambient.At(sig.time);
    dr_now_ = dr_.At(sig.time, have_last_ ? last_draw_ : site_.interconnect);
    sig.dr_limit = dr_now_.limit;
    sig.peak_alert = site_.contract.four_cp && IsPeakHour(*site_.contract.four_cp, sig.time, dt_);
    return sig;
  }

  // Energy and its cost: the fixed block is paid every step; energy beyond it
  // costs index + adder; unused block energy sells back at the index.
  void BookPower(size_t k, const TickSignals& sig, const Allocation& a, StepBooks* b) {
    const Watts facility = a.facility();
    b->energy = EnergyOver(facility, dt_).value();
    const double index = sig.price.value();
    const double adder = site_.contract.adder.value();
    if (site_.contract.block) {
      const double block = EnergyOver(site_.contract.block->size, dt_).value();
      b->cost = block * site_.contract.block->price.value() + std::max(0.0, b->energy - block) * (index + adder);
      b->sell_back = std::max(0.0, block - b->energy) * index;
    } else {
      b->cost = b->energy * (index + adder);
    }
    if (dr_now_.limit) {
      b->dr_credit =
          std::max(0.0, dr_now_.baseline.megawatts() - facility.megawatts()) * h_ * dr_now_.credit.value();
    }
    if (sig.peak_alert) {
      auto& [sum_kw, count] = cp_by_year_[YearMonth(market_.times[k]).first];
      sum_kw += facility.kilowatts();
      ++count;
    }
  }

  // Hashprice x TH/s running; units started this step hash only after ramp-up.
  void BookMining(size_t k, const Allocation& a, const std::vector<MinerGroupState>& before, StepBooks* b) {
    const size_t first_miner = nl_ - site_.miners.size();
    for (size_t i = 0; i < site_.miners.size(); ++i) {
      const MinerGroup& g = site_.miners[i];
      const MinerSetpoint& m = a.miners[i];
      const int started = std::max(0, m.running - before[i].running);
      const double ramp = std::clamp(1.0 - Hours(g.ramp_up).count() / h_, 0.0, 1.0);
      const double th = m.point.hashrate.value() * ((m.running - started) + started * ramp);
      const double share = g.uptime * (1.0 - g.pool_fee);
      b->mining_usd += market_.hashprice[k].value() * th * (h_ / 24.0) * share;
      b->btc += market_.btc_per_th_day[k].value() * th * (h_ / 24.0) * share;
      const Watts it = m.point.power * m.running;
      mining_it_mwh_ += it.megawatts() * h_;
      mining_nameplate_mwh_ += (g.model.power * g.count).megawatts() * h_;
      b->curtailed |= m.running < g.count && IsCurtailmentDecision(m.reason);
      SetLoad(k, first_miner + i, it, m.reason);
    }
    const Watts facility = a.facility();
    const double mining_share = facility.value() > 0 ? a.mining_facility / facility : 0.0;
    mining_power_cost_ += mining_share * (b->cost - b->sell_back);
  }

  // Colocation rent accrues on contracted kW; GPU cloud earns what it serves.
  void BookFirm(size_t k, const Allocation& a, StepBooks* b) {
    MonthBooks& month = books_.Month(market_.times[k]);
    size_t li = 0;
    for (size_t i = 0; i < site_.leases.size(); ++i, ++li) {
      const ColoLease& l = site_.leases[i];
      const FirmSetpoint& f = a.leases[i];
      const double rent = l.rate.value() * l.contracted_it.kilowatts() * (h_ / Hours(kAccountingMonth).count());
      b->colo_usd += rent;
      month.lease_rent_usd[i] += rent;
      month.lease_served_mwh[i] += f.served_it.megawatts() * h_;
      month.lease_demand_mwh[i] += f.demand_it.megawatts() * h_;
      BookFirmEnergy(k, li, f, b);
    }
    for (size_t i = 0; i < site_.clouds.size(); ++i, ++li) {
      const GpuCloud& c = site_.clouds[i];
      const FirmSetpoint& f = a.clouds[i];
      const double served = f.demand_it.value() > 0 ? f.served_it / f.demand_it : 1.0;
      b->cloud_usd += c.nodes * c.gpus_per_node * c.usd_per_gpu_hour * c.utilisation * h_ * served;
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
    const UtcTime next = t + duration_cast<seconds>(dt_);
    for (BatchJobState& j : state_.jobs) {
      if (!j.missed && j.deadline <= next && j.remaining_gpu_hours > 0) {
        j.missed = true;
        ++r_.summary.batch_deadlines_missed;
      }
    }
  }

  void SetLoad(size_t k, size_t load, Watts it, Reason reason) {
    r_.load_mw[k * nl_ + load] = static_cast<float>(it.megawatts());
    r_.load_reason[k * nl_ + load] = reason;
  }

  // Per-load energy, the step's series, the month's and the run's totals.
  void Record(size_t k, UtcTime t, const TickSignals& sig, const Allocation& a, const StepBooks& b) {
    for (size_t i = 0; i < nl_; ++i) r_.loads[i].energy_mwh += r_.load_mw[k * nl_ + i] * h_;
    const double ai_usd = b.colo_usd + b.cloud_usd + b.batch_usd;
    const double profit = b.mining_usd + ai_usd + b.sell_back + b.dr_credit - b.cost;
    r_.price[k] = static_cast<float>(sig.price.value());
    r_.hashprice_ph[k] = static_cast<float>(sig.hashprice.usd_per_ph_day());
    r_.ambient_c[k] = static_cast<float>(sig.ambient_c);
    r_.site_cap_mw[k] = static_cast<float>(a.site_cap.megawatts());
    r_.facility_mw[k] = static_cast<float>(a.facility().megawatts());
    r_.firm_mw[k] = static_cast<float>(a.firm_facility.megawatts());
    r_.batch_mw[k] = static_cast<float>(a.batch_facility.megawatts());
    r_.mining_mw[k] = static_cast<float>(a.mining_facility.megawatts());
    r_.profit_usd[k] = static_cast<float>(profit);

    MonthBooks& month = books_.Month(t);
    MonthRow& m = month.row;
    m.energy_mwh += b.energy;
    m.power_cost_usd += b.cost;
    m.sell_back_credit_usd += b.sell_back;
    m.dr_credit_usd += b.dr_credit;
    m.mining_revenue_usd += b.mining_usd;
    m.btc_mined += b.btc;
    m.ai_revenue_usd += ai_usd;
    m.profit_usd += profit;
    m.curtailed_hours += b.curtailed ? h_ : 0;
    month.price_sum += sig.price.value();
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
    s.max_site_power_mw = std::max(s.max_site_power_mw, a.facility().megawatts());
    s.curtailed_hours += b.curtailed ? h_ : 0;
    s.sla_breach_hours += b.breach ? h_ : 0;
    s.hours += h_;
    ++s.steps;
  }

  // 4CP: rate x mean kW over the year's peak intervals, booked in the
  // year's last month of the run.
  void BookFourCp() {
    if (!site_.contract.four_cp) return;
    BacktestSummary& s = r_.summary;
    for (const auto& [year, sum] : cp_by_year_) {
      const double charge = site_.contract.four_cp->rate_usd_per_kw_year * sum.first / sum.second;
      s.four_cp_charge_usd += charge;
      for (auto it = s.months.rbegin(); it != s.months.rend(); ++it) {
        if (it->year == year) {
          it->four_cp_charge_usd += charge;
          it->profit_usd -= charge;
          break;
        }
      }
    }
  }

  const Site& site_;
  const MarketSeries& market_;
  const PolicyKind policy_;
  BacktestResult r_;
  DispatchState state_;
  DemandResponse dr_;
  DrNow dr_now_;
  Books books_;
  const Hours dt_;
  const double h_;
  size_t nl_ = 0;
  Watts last_draw_{0};
  bool have_last_ = false;
  std::optional<UtcTime> next_recurring_;
  double mining_it_mwh_ = 0, mining_nameplate_mwh_ = 0, firm_served_mwh_ = 0, firm_demand_mwh_ = 0;
  double mining_power_cost_ = 0;
  std::map<int, std::pair<double, int>> cp_by_year_;  // year -> (sum of kW at peaks, count)
};

}  // namespace

BacktestResult RunBacktest(const Scenario& scenario, const MarketSeries& market, PolicyKind policy) {
  assert(!market.times.empty());
  Run run(scenario, market, policy);
  for (size_t k = 0; k < market.times.size(); ++k) run.Step(k);
  return std::move(run).Finish();
}

}  // namespace mullet
