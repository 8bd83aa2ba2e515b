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

BacktestResult RunBacktest(const Scenario& scenario, const MarketSeries& market, PolicyKind policy) {
  assert(!market.times.empty());
  const Site& site = scenario.site;
  BacktestResult r;
  BacktestSummary& s = r.summary;
  s.scenario = scenario.name;
  s.policy = std::string(PolicyName(policy));
  s.power_filled_steps = market.power_filled_steps;
  s.hashprice_filled_steps = market.hashprice_filled_steps;
  r.loads = DescribeLoads(site);
  const size_t n = market.times.size();
  const size_t nl = r.loads.size();
  r.times = market.times;
  for (auto* v : {&r.price, &r.hashprice_ph, &r.ambient_c, &r.site_cap_mw, &r.facility_mw, &r.firm_mw,
                  &r.batch_mw, &r.mining_mw, &r.profit_usd}) {
    v->resize(n);
  }
  r.load_mw.resize(n * nl);
  r.load_reason.resize(n * nl);

  DispatchState state = InitialState(site);
  DemandResponse dr(site.contract);
  Books books(site, r);
  const Hours dt = market.step;
  const double h = dt.count();
  Watts last_draw{0};
  bool have_last = false;
  std::optional<UtcTime> next_recurring;
  if (site.batch && site.batch->recurring) next_recurring = market.times.front();
  double mining_it_mwh = 0, mining_nameplate_mwh = 0, firm_served = 0, firm_demand = 0;
  double mining_power_cost = 0;
  std::map<int, std::pair<double, int>> cp_by_year;  // year -> (sum kW at peaks, count)

  for (size_t k = 0; k < n; ++k) {
    const UtcTime t = market.times[k];
    // Recurring batch work released up to this step.
    while (next_recurring && *next_recurring <= t) {
      const RecurringBatch& rb = *site.batch->recurring;
      state.jobs.push_back({"recurring", rb.gpu_hours, *next_recurring,
                            *next_recurring + duration_cast<seconds>(rb.deadline_after),
                            rb.value_usd_per_gpu_hour, false});
      *next_recurring += duration_cast<seconds>(rb.every);
    }
    TickSignals sig;
    sig.time = t;
    sig.step = dt;
    sig.price = market.power_price[k];
    sig.hashprice = market.hashprice[k];
    sig.ambient_c = site.ambient.At(t);
    const DrNow drn = dr.At(t, have_last ? last_draw : site.interconnect);
    sig.dr_limit = drn.limit;
    sig.peak_alert = site.contract.four_cp && IsPeakHour(*site.contract.four_cp, t, dt);

    const std::vector<MinerGroupState> before = state.miners;
    const Allocation a = Dispatch(site, sig, policy, &state);

    // ---- Power and its cost.
    const Watts facility = a.facility();
    const double energy = EnergyOver(facility, dt).value();
    const double index = sig.price.value();
    double cost = 0, sell_back = 0;
    if (site.contract.block) {
      const double block = EnergyOver(site.contract.block->size, dt).value();
      cost = block * site.contract.block->price.value() +
             std::max(0.0, energy - block) * (index + site.contract.adder.value());
      sell_back = std::max(0.0, block - energy) * index;
    } else {
      cost = energy * (index + site.contract.adder.value());
    }
    const double dr_credit =
        drn.limit ? std::max(0.0, drn.baseline.megawatts() - facility.megawatts()) * h * drn.credit.value()
                  : 0.0;
    if (sig.peak_alert) {
      auto& [sum_kw, count] = cp_by_year[YearMonth(t).first];
      sum_kw += facility.kilowatts();
      ++count;
    }

    // ---- Mining.
    double mining_usd = 0, btc = 0, mining_it = 0, nameplate_it = 0;
    bool curtailed = false;
    const size_t first_miner = nl - site.miners.size();
    for (size_t i = 0; i < site.miners.size(); ++i) {
      const MinerGroup& g = site.miners[i];
      const MinerSetpoint& m = a.miners[i];
      const int started = std::max(0, m.running - before[i].running);
      const double ramp = std::clamp(1.0 - Hours(g.ramp_up).count() / h, 0.0, 1.0);
      const double effective_units = (m.running - started) + started * ramp;
      const double th = m.point.hashrate.value() * effective_units;
      const double share = g.uptime * (1.0 - g.pool_fee);
      mining_usd += market.hashprice[k].value() * th * (h / 24.0) * share;
      btc += market.btc_per_th_day[k].value() * th * (h / 24.0) * share;
      const Watts it = m.point.power * m.running;
      mining_it += it.megawatts() * h;
      nameplate_it += (g.model.power * g.count).megawatts() * h;
      curtailed |= m.running < g.count && IsCurtailmentDecision(m.reason);
      r.load_mw[k * nl + first_miner + i] = static_cast<float>(it.megawatts());
      r.load_reason[k * nl + first_miner + i] = m.reason;
    }
    mining_it_mwh += mining_it;
    mining_nameplate_mwh += nameplate_it;
    const double mining_share = facility.value() > 0 ? a.mining_facility / facility : 0.0;
    mining_power_cost += mining_share * (cost - sell_back);

    // ---- AI and batch.
    MonthBooks& month = books.Month(t);
    double colo_usd = 0, cloud_usd = 0;
    size_t li = 0;
    bool breach = false;
    for (size_t i = 0; i < site.leases.size(); ++i, ++li) {
      const ColoLease& l = site.leases[i];
      const FirmSetpoint& f = a.leases[i];
      const double rent = l.rate.value() * l.contracted_it.kilowatts() * (h / Hours(kAccountingMonth).count());
      colo_usd += rent;
      month.lease_rent_usd[i] += rent;
      month.lease_served_mwh[i] += f.served_it.megawatts() * h;
      month.lease_demand_mwh[i] += f.demand_it.megawatts() * h;
      firm_served += f.served_it.megawatts() * h;
      firm_demand += f.demand_it.megawatts() * h;
      breach |= f.served_it < f.demand_it;
      r.load_mw[k * nl + li] = static_cast<float>(f.served_it.megawatts());
      r.load_reason[k * nl + li] = f.reason;
    }
    for (size_t i = 0; i < site.clouds.size(); ++i, ++li) {
      const GpuCloud& c = site.clouds[i];
      const FirmSetpoint& f = a.clouds[i];
      const double served = f.demand_it.value() > 0 ? f.served_it / f.demand_it : 1.0;
      cloud_usd += c.nodes * c.gpus_per_node * c.usd_per_gpu_hour * c.utilisation * h * served;
      firm_served += f.served_it.megawatts() * h;
      firm_demand += f.demand_it.megawatts() * h;
      breach |= f.served_it < f.demand_it;
      r.load_mw[k * nl + li] = static_cast<float>(f.served_it.megawatts());
      r.load_reason[k * nl + li] = f.reason;
    }
    if (site.batch) {
      r.load_mw[k * nl + li] = static_cast<float>(a.batch.it.megawatts());
      r.load_reason[k * nl + li] = a.batch.reason;
      s.batch_gpu_hours += a.batch.gpus * h;
    }
    const double batch_usd = a.batch.value.value();
    const UtcTime next = t + duration_cast<seconds>(dt);
    for (BatchJobState& j : state.jobs) {
      if (!j.missed && j.deadline <= next && j.remaining_gpu_hours > 0) {
        j.missed = true;
        ++s.batch_deadlines_missed;
      }
    }

    // ---- Per-load energy, step series, month and run totals.
    for (size_t i = 0; i < nl; ++i) r.loads[i].energy_mwh += r.load_mw[k * nl + i] * h;
    const double ai_usd = colo_usd + cloud_usd + batch_usd;
    const double profit = mining_usd + ai_usd + sell_back + dr_credit - cost;
    r.price[k] = static_cast<float>(index);
    r.hashprice_ph[k] = static_cast<float>(market.hashprice[k].usd_per_ph_day());
    r.ambient_c[k] = static_cast<float>(sig.ambient_c);
    r.site_cap_mw[k] = static_cast<float>(a.site_cap.megawatts());
    r.facility_mw[k] = static_cast<float>(facility.megawatts());
    r.firm_mw[k] = static_cast<float>(a.firm_facility.megawatts());
    r.batch_mw[k] = static_cast<float>(a.batch_facility.megawatts());
    r.mining_mw[k] = static_cast<float>(a.mining_facility.megawatts());
    r.profit_usd[k] = static_cast<float>(profit);

    month.row.energy_mwh += energy;
    month.row.power_cost_usd += cost;
    month.row.sell_back_credit_usd += sell_back;
    month.row.dr_credit_usd += dr_credit;
    month.row.mining_revenue_usd += mining_usd;
    month.row.btc_mined += btc;
    month.row.ai_revenue_usd += ai_usd;
    month.row.profit_usd += profit;
    month.row.curtailed_hours += curtailed ? h : 0;
    month.price_sum += index;
    ++month.steps;

    s.energy_mwh += energy;
    s.power_cost_usd += cost;
    s.sell_back_credit_usd += sell_back;
    s.dr_credit_usd += dr_credit;
    s.mining_revenue_usd += mining_usd;
    s.btc_mined += btc;
    s.colocation_revenue_usd += colo_usd;
    s.gpu_cloud_revenue_usd += cloud_usd;
    s.batch_revenue_usd += batch_usd;
    s.max_site_power_mw = std::max(s.max_site_power_mw, facility.megawatts());
    s.curtailed_hours += curtailed ? h : 0;
    s.sla_breach_hours += breach ? h : 0;
    s.hours += h;
    ++s.steps;
    last_draw = facility;
    have_last = true;
  }

  books.Close();
  // 4CP: rate x mean kW over the year's peak intervals, booked in the year's last month.
  if (site.contract.four_cp) {
    for (const auto& [year, sum] : cp_by_year) {
      const double charge = site.contract.four_cp->rate_usd_per_kw_year * sum.first / sum.second;
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
  s.ai_revenue_usd = s.colocation_revenue_usd + s.gpu_cloud_revenue_usd + s.batch_revenue_usd;
  s.profit_usd = s.mining_revenue_usd + s.ai_revenue_usd + s.sell_back_credit_usd + s.dr_credit_usd -
                 s.power_cost_usd - s.four_cp_charge_usd - s.sla_credit_usd;
  s.direct_cost_per_btc_usd = s.btc_mined > 0 ? mining_power_cost / s.btc_mined : 0;
  s.mining_uptime = mining_nameplate_mwh > 0 ? mining_it_mwh / mining_nameplate_mwh : 0;
  s.firm_availability = firm_demand > 0 ? firm_served / firm_demand : 1.0;
  return r;
}

}  // namespace mullet
