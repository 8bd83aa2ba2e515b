#include "planner/site_model.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "dispatch/contract.h"
#include "dispatch/headroom.h"
#include "dispatch/operating_point.h"

namespace mullet {
namespace {

constexpr Hours kHour{1};

// As the policy counts them: how many units of `unit` fit in `room`.
int UnitsThatFit(Watts room, Watts unit) {
  if (unit.value() <= 0 || room.value() <= 0) return 0;
  return static_cast<int>(std::min(std::floor((room.value() + 1e-6) / unit.value()), 1e9));
}

// The mullet policy's wish for one group before limits (policy.cpp's
// WishMullet, with every unit answering), from the best point's margin at
// the asked price.
struct Wish {
  int units = 0;
  MinerPoint point;
  bool hold = false;  // kept on by its minimum on time
};

int UnitsWished(const MinerGroup& g, const SiteModelState::Group& st, double margin, double hysteresis,
                bool* hold) {
  const bool on = st.running > 0;
  const double band = st.stopped_by_limit ? 0.0 : hysteresis;
  const bool run = on ? margin >= 0 : margin >= band;
  *hold = false;
  if (on && !run && st.since_change_h < g.min_on.count()) {
    *hold = true;
    return std::min(st.running, g.count);
  }
  if (!on && run && st.since_change_h < g.min_off.count()) return 0;
  return run ? g.count : 0;
}

// Earliest deadline first: the GPUs that must run this hour so that every
// released job can still meet its deadline with the whole pool afterwards.
int GpusRequiredByDeadlines(const std::vector<SiteModelState::Job>& jobs, UtcTime now, int pool) {
  double work = 0;
  double required = 0;
  const UtcTime next = After(now, kHour);
  for (const SiteModelState::Job& j : jobs) {
    if (j.release > now) continue;
    work += j.remaining_gpu_hours;
    const double later = std::max(0.0, Hours(j.deadline - next).count()) * pool;
    required = std::max(required, work - later);
  }
  return std::clamp(static_cast<int>(std::ceil(required - 1e-9)), 0, pool);
}

template <typename Eligible>
double DoWork(std::vector<SiteModelState::Job>& jobs, UtcTime now, double gpu_hours, Eligible eligible) {
  double value = 0;
  for (SiteModelState::Job& j : jobs) {
    if (gpu_hours <= 0) break;
    if (j.release > now || !eligible(j)) continue;
    const double take = std::min(gpu_hours, j.remaining_gpu_hours);
    j.remaining_gpu_hours -= take;
    value += take * j.value_usd_per_gpu_hour;
    gpu_hours -= take;
  }
  return value;
}

}  // namespace

SiteCalendar::SiteCalendar(const Site& site, UtcTime first, int days) {
  hours_.resize(static_cast<std::size_t>(days) * 24);
  AmbientClock ambient(site.ambient);
  const FourCoincidentPeak* cp = site.contract.four_cp ? &*site.contract.four_cp : nullptr;
  for (std::size_t i = 0; i < hours_.size(); ++i) {
    const UtcTime t = first + std::chrono::hours(i);
    CalendarHour& c = hours_[i];
    c.ambient_c = ambient.At(t);
    if (cp) {
      // The rule's price condition is checked with the hour's own price.
      c.alert = FourCpAlert(*cp, t, kHour, UsdPerMegawattHour(std::numeric_limits<double>::max()));
      c.peak_overlap_h = FourCpPeakOverlap(*cp, t, kHour).count();
    }
  }
}

void SiteBooks::Add(const SiteBooks& o) {
  hours += o.hours;
  energy_mwh += o.energy_mwh;
  power_cost_usd += o.power_cost_usd;
  sell_back_usd += o.sell_back_usd;
  mining_power_cost_usd += o.mining_power_cost_usd;
  mining_revenue_usd += o.mining_revenue_usd;
  btc_mined += o.btc_mined;
  colocation_rent_usd += o.colocation_rent_usd;
  gpu_cloud_revenue_usd += o.gpu_cloud_revenue_usd;
  batch_revenue_usd += o.batch_revenue_usd;
  power_reimbursed_usd += o.power_reimbursed_usd;
  mining_it_mwh += o.mining_it_mwh;
  firm_demand_mwh += o.firm_demand_mwh;
  firm_served_mwh += o.firm_served_mwh;
  max_facility_mw = std::max(max_facility_mw, o.max_facility_mw);
  alert_mwh += o.alert_mwh;
  alert_hours += o.alert_hours;
  peak_mwh += o.peak_mwh;
  peak_hours += o.peak_hours;
  dr_credit_usd += o.dr_credit_usd;
  auto add = [](std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() < b.size()) a.resize(b.size(), 0);
    for (size_t i = 0; i < b.size(); ++i) a[i] += b[i];
  };
  add(lease_served_mwh, o.lease_served_mwh);
  add(lease_demand_mwh, o.lease_demand_mwh);
  add(lease_rent_usd, o.lease_rent_usd);
}

void SiteBooks::Clear() {
  std::vector<double> served = std::move(lease_served_mwh), demand = std::move(lease_demand_mwh),
                      rent = std::move(lease_rent_usd);
  *this = SiteBooks{};
  std::fill(served.begin(), served.end(), 0);
  std::fill(demand.begin(), demand.end(), 0);
  std::fill(rent.begin(), rent.end(), 0);
  lease_served_mwh = std::move(served);
  lease_demand_mwh = std::move(demand);
  lease_rent_usd = std::move(rent);
}

SiteModel::SiteModel(Site site) : site_(std::move(site)) {
  points_.reserve(site_.miners.size());  // they refer to site_.miners: no reallocation
  for (size_t i = 0; i < site_.miners.size(); ++i) {
    const MinerGroup& g = site_.miners[i];
    GroupConstants& gc = groups_.emplace_back();
    gc.pue = site_.cooling.Pue(g.cooling);
    gc.share = g.uptime * (1.0 - g.pool_fee);
    gc.value_coef = gc.share * 1e6 / (24.0 * gc.pue);
    gc.ramp_hashing = std::clamp(1.0 - Hours(g.ramp_up).count(), 0.0, 1.0);
    gc.single_point = g.firmware.profiles.empty() && !(g.firmware.power_target_min && g.firmware.power_target_max);
    gc.nameplate = NameplatePoint(g);
    gc.nameplate_value = gc.nameplate.hashrate.value() * gc.value_coef / gc.nameplate.power.value();
    points_.emplace_back(site_.miners[i], site_.cooling.Pue(site_.miners[i].cooling));
    merit_order_.push_back(static_cast<int>(i));
    mining_it_mw_ += (site_.miners[i].model.power * site_.miners[i].count).megawatts();
  }
  // Most efficient first, as InitialState(site) orders them.
  auto facility_j_per_th = [&](int i) {
    const MinerGroup& g = site_.miners[i];
    return g.model.efficiency().value() * site_.cooling.Pue(g.cooling);
  };
  std::stable_sort(merit_order_.begin(), merit_order_.end(),
                   [&](int x, int y) { return facility_j_per_th(x) < facility_j_per_th(y); });
  for (const ColoLease& l : site_.leases) firm_it_mw_ += (l.contracted_it * l.load_factor).megawatts();
  for (const GpuCloud& c : site_.clouds) firm_it_mw_ += (c.power_per_node * c.nodes).megawatts();
  // The most every load can draw, per domain and at the interconnect.
  std::vector<double> domain_max(site_.domains.size(), 0.0);
  double site_max = 0;
  auto add = [&](Watts it, int domain, CoolingClass cooling) {
    const double facility = (it * site_.cooling.Pue(cooling)).value();
    max_it_ += it;
    site_max += facility;
    for (int d = domain; d >= 0; d = site_.domains[d].parent_index) domain_max[d] += facility;
  };
  for (const ColoLease& l : site_.leases) add(l.contracted_it * l.load_factor, l.domain_index, l.cooling);
  for (const GpuCloud& c : site_.clouds) add(c.power_per_node * c.nodes, c.domain_index, c.cooling);
  if (site_.batch) add(site_.batch->power_per_gpu * site_.batch->gpus, site_.batch->domain_index, site_.batch->cooling);
  for (const MinerGroup& g : site_.miners) {
    Watts unit = g.model.power;
    for (const MinerProfile& p : g.firmware.profiles) unit = std::max(unit, p.power);
    if (g.firmware.power_target_max) unit = std::max(unit, *g.firmware.power_target_max);
    add(unit * g.count, g.domain_index, g.cooling);
  }
  power_never_binds_ = site_max <= site_.interconnect.value() * (1 - site_.policy.reserve_fraction);
  for (std::size_t d = 0; d < site_.domains.size(); ++d) {
    power_never_binds_ = power_never_binds_ && domain_max[d] <= site_.domains[d].limit.value();
  }
  if (site_.batch) {
    listed_jobs_ = site_.batch->jobs;
    std::stable_sort(listed_jobs_.begin(), listed_jobs_.end(),
                     [](const BatchJob& a, const BatchJob& b) { return a.deadline < b.deadline; });
  }
}

void SiteModel::PriceLogs(const UsdPerMegawattHour* prices, double* log_price, double* log_bought) const {
  const double adder = site_.contract.adder.value();
  for (int h = 0; h < 24; ++h) {
    const double p = prices[h].value();
    log_price[h] = p > 0 ? std::log(p) : 0.0;
    log_bought[h] = p + adder > 0 ? std::log(p + adder) : 0.0;
  }
}

SiteModelState SiteModel::InitialState(UtcTime start) const {
  SiteModelState st;
  st.groups.resize(site_.miners.size());
  for (size_t i = 0; i < site_.miners.size(); ++i) st.groups[i].running = site_.miners[i].count;
  for (const BatchJob& j : listed_jobs_) {
    if (j.deadline > start) st.jobs.push_back({j.gpu_hours, j.release, j.deadline, j.value_usd_per_gpu_hour});
  }
  return st;
}

void SiteModel::RunDay(const SiteDay& day, SiteModelState* state, SiteBooks* b) const {
  SiteModelState& st = *state;
  const Site& s = site_;
  const PowerContract& contract = s.contract;
  const FourCoincidentPeak* cp = contract.four_cp ? &*contract.four_cp : nullptr;
  b->lease_served_mwh.resize(s.leases.size(), 0);
  b->lease_demand_mwh.resize(s.leases.size(), 0);
  b->lease_rent_usd.resize(s.leases.size(), 0);
  // Whether any limit can bind today (else Headroom is not asked: it would
  // find room for everything).
  bool limits = !power_never_binds_;
  for (int h = 0; h < 24 && !limits; ++h) limits = day.calendar[h].dr;
  if (!limits && s.cooling.capacity) {
    double hottest = day.calendar[0].ambient_c;
    for (int h = 1; h < 24; ++h) hottest = std::max(hottest, day.calendar[h].ambient_c);
    limits = s.cooling.CapacityAt(hottest) < max_it_;
  }
  constexpr Watts kNoLimit{1e18};
  const double hysteresis = s.policy.hysteresis.value();
  double own_logs[48];
  const double* log_price = day.log_prices;
  const double* log_bought = day.log_bought;
  if (!log_price || !log_bought) {
    PriceLogs(day.prices, own_logs, own_logs + 24);
    log_price = own_logs;
    log_bought = own_logs + 24;
  }
  double last_hp = std::numeric_limits<double>::quiet_NaN(), log_hp = 0;
  for (int h = std::clamp(day.first_hour, 0, 24); h < 24; ++h) {
    const UtcTime t = day.start + std::chrono::hours(h);
    const UsdPerMegawattHour price = day.prices[h];
    const UsdPerTerahashDay hashprice = day.hashprice[h];
    const CalendarHour& cal = day.calendar[h];
    const bool alert = cal.alert && (!cp->alert_hours.empty() || !cp->alert_rule.min_price ||
                                     price >= *cp->alert_rule.min_price);
    const UsdPerMegawattHour cp_adder = alert ? FourCpAlertAdder(*cp) : UsdPerMegawattHour(0);
    // A demand-response event: its baseline is the draw of the hour before it.
    std::optional<Watts> dr_cap;
    if (cal.dr) {
      // Taken at the event's first hour; -2: it had no hour before it.
      if (st.dr_baseline_w == -1) st.dr_baseline_w = st.last_facility_w >= 0 ? st.last_facility_w : -2;
      if (cal.dr_reduce_to_w >= 0) {
        dr_cap = Watts(cal.dr_reduce_to_w);
      } else if (st.dr_baseline_w >= 0) {
        dr_cap = Watts(std::max(0.0, st.dr_baseline_w - cal.dr_reduce_by_w));
      }
    } else {
      st.dr_baseline_w = -1;
    }
    std::optional<Headroom> headroom;
    if (limits) headroom.emplace(s, cal.ambient_c, dr_cap, &st.domain_room);
    auto available = [&](int domain, double pue, Watts reserve = Watts(0)) {
      return headroom ? headroom->Available(domain, pue, reserve).it : kNoLimit;
    };
    auto take_room = [&](int domain, double pue, Watts it) {
      if (headroom) headroom->Take(domain, pue, it);
    };

    // Firm loads first.
    Watts firm{0};
    auto serve = [&](Watts demand, int domain, CoolingClass cooling) {
      const double pue = s.cooling.Pue(cooling);
      const Watts served = std::min(demand, available(domain, pue));
      take_room(domain, pue, served);
      firm += served * pue;
      b->firm_demand_mwh += demand.megawatts();
      b->firm_served_mwh += served.megawatts();
      return served;
    };
    for (size_t i = 0; i < s.leases.size(); ++i) {
      const ColoLease& l = s.leases[i];
      const Watts demand = l.contracted_it * l.load_factor;
      const Watts served = serve(demand, l.domain_index, l.cooling);
      const double rent = LeaseRentUsd(l, kHour);
      b->colocation_rent_usd += rent;
      b->lease_rent_usd[i] += rent;
      b->lease_served_mwh[i] += served.megawatts();
      b->lease_demand_mwh[i] += demand.megawatts();
      if (l.type == LeaseType::kTripleNet) {
        b->power_reimbursed_usd += served.megawatts() * s.cooling.Pue(l.cooling) * (price + contract.adder).value();
      }
    }
    for (const GpuCloud& c : s.clouds) {
      const Watts demand = c.power_per_node * c.nodes;
      const Watts served = serve(demand, c.domain_index, c.cooling);
      b->gpu_cloud_revenue_usd += CloudRevenueUsd(c, kHour, demand.value() > 0 ? served / demand : 1.0);
    }

    // Batch: what deadlines require, and the work whose value beats its power.
    Watts batch{0};
    if (s.batch && s.batch->gpus > 0) {
      const BatchQueue& q = *s.batch;
      if (q.recurring) {
        if (!st.next_recurring) st.next_recurring = t;
        while (*st.next_recurring <= t) {
          const UtcTime release = *st.next_recurring;
          st.jobs.push_back({q.recurring->gpu_hours, release, After(release, q.recurring->deadline_after),
                             q.recurring->value_usd_per_gpu_hour});
          st.next_recurring = After(release, q.recurring->every);
        }
      }
      auto& jobs = st.jobs;
      for (size_t i = 1; i < jobs.size(); ++i) {
        for (size_t k = i; k > 0 && jobs[k].deadline < jobs[k - 1].deadline; --k) std::swap(jobs[k], jobs[k - 1]);
      }
      double released = 0;
      for (const auto& j : jobs) released += j.release <= t ? j.remaining_gpu_hours : 0;
      if (released > 0) {
        const double pue = s.cooling.Pue(q.cooling);
        const UsdPerMegawattHour bp = MarginalPrice(contract, price, firm) + cp_adder;
        const double cost = CostOf(EnergyOver(q.power_per_gpu * pue, kHour), bp).value();
        auto pays = [&](const SiteModelState::Job& j) { return j.value_usd_per_gpu_hour > cost; };
        const int required = GpusRequiredByDeadlines(jobs, t, q.gpus);
        double paying_left = 0;
        double deadline_work = required;
        for (const auto& j : jobs) {
          if (j.release > t) continue;
          const double take = std::min(deadline_work, j.remaining_gpu_hours);
          deadline_work -= take;
          if (pays(j)) paying_left += j.remaining_gpu_hours - take;
        }
        const int wanted = std::min(q.gpus, required + static_cast<int>(std::ceil(paying_left - 1e-9)));
        const int gpus = std::min(wanted, UnitsThatFit(available(q.domain_index, pue), q.power_per_gpu));
        const Watts it = q.power_per_gpu * gpus;
        take_room(q.domain_index, pue, it);
        batch = it * pue;
        const int for_deadlines = std::min(required, gpus);
        b->batch_revenue_usd += DoWork(jobs, t, for_deadlines, [](const auto&) { return true; });
        b->batch_revenue_usd += DoWork(jobs, t, gpus - for_deadlines, pays);
        std::erase_if(jobs, [](const auto& j) { return j.remaining_gpu_hours <= 1e-9; });
      }
    }

    // Mining takes the rest, most efficient first. A group is asked the
    // index inside the block, the index and the adder beyond it, each with
    // the hour's 4CP adder.
    Watts mining{0};
    const Watts reserve = headroom ? headroom->site_cap() * s.policy.reserve_fraction : Watts(0);
    double mining_usd = 0, btc = 0;
    const double hp = hashprice.value();
    if (hp != last_hp) {
      last_hp = hp;
      log_hp = hp > 0 ? std::log(hp) : 0.0;
    }
    const double cp_usd = cp_adder.value();
    const double asked_in = price.value() + cp_usd, asked_out = price.value() + contract.adder.value() + cp_usd;
    double u_in, u_out;
    if (cp_usd == 0) {
      u_in = log_price[h] - log_hp;
      u_out = log_bought[h] - log_hp;
    } else {
      u_in = asked_in > 0 ? std::log(asked_in) - log_hp : 0.0;
      u_out = asked_out > 0 ? std::log(asked_out) - log_hp : 0.0;
    }
    // The best point at the asked price, and its margin ($/MWh of facility energy).
    auto evaluate = [&](int i, double asked, double u, MinerPoint* point) {
      const GroupConstants& gc = groups_[i];
      if (gc.single_point) {
        *point = gc.nameplate;
        return hp * gc.nameplate_value - asked;
      }
      *point = points_[i].Best(hashprice, UsdPerMegawattHour(asked), u);
      return hp * point->hashrate.value() * gc.value_coef / point->power.value() - asked;
    };
    for (int i : merit_order_) {
      const MinerGroup& g = s.miners[i];
      const GroupConstants& gc = groups_[i];
      SiteModelState::Group& gs = st.groups[i];
      const Watts draw = firm + batch + mining;
      const bool in_block = contract.block && draw < contract.block->size;
      MinerPoint point;
      const double margin = in_block ? evaluate(i, asked_in, u_in, &point) : evaluate(i, asked_out, u_out, &point);
      bool hold = false;
      int units = UnitsWished(g, gs, margin, hysteresis, &hold);
      if (units > 0 && !hold && in_block) {
        // A group that would lose money above the block runs what the block holds.
        MinerPoint above;
        bool above_hold = false;
        if (UnitsWished(g, gs, evaluate(i, asked_out, u_out, &above), hysteresis, &above_hold) == 0) {
          units = std::min(units, UnitsThatFit((contract.block->size - draw) / gc.pue, point.power));
        }
      }
      int running = 0;
      if (units > 0) {
        running = units;
        if (headroom && !headroom->Fits(g.domain_index, gc.pue, reserve, point.power * units)) {
          running = std::min(units, UnitsThatFit(headroom->Available(g.domain_index, gc.pue, reserve).it, point.power));
        }
        const Watts it = point.power * running;
        take_room(g.domain_index, gc.pue, it);
        mining += it * gc.pue;
        b->mining_it_mwh += it.megawatts();
      }
      // Units started this hour hash only after their ramp-up.
      const int started = std::max(0, running - gs.running);
      const double th = point.hashrate.value() * ((running - started) + started * gc.ramp_hashing);
      mining_usd += hp * th / 24.0 * gc.share;
      btc += day.btc_per_th_day[h] * th / 24.0 * gc.share;
      const bool changed = (gs.running > 0) != (running > 0);
      gs.since_change_h = changed ? 1.0 : gs.since_change_h + 1.0;
      gs.running = running;
      if (running > 0 || units == 0) gs.stopped_by_limit = false;
      if (running == 0 && units > 0) gs.stopped_by_limit = true;
    }

    const Watts facility = firm + batch + mining;
    const EnergyBill bill = BillEnergy(contract, price, facility, kHour);
    b->hours += 1;
    b->energy_mwh += bill.energy_mwh;
    b->power_cost_usd += bill.cost_usd;
    b->sell_back_usd += bill.sell_back_usd;
    if (facility.value() > 0) b->mining_power_cost_usd += mining / facility * (bill.cost_usd - bill.sell_back_usd);
    b->mining_revenue_usd += mining_usd;
    b->btc_mined += btc;
    b->max_facility_mw = std::max(b->max_facility_mw, facility.megawatts());
    if (cal.dr && st.dr_baseline_w >= 0) {
      b->dr_credit_usd += std::max(0.0, (st.dr_baseline_w - facility.value()) / 1e6) * cal.dr_credit_usd_per_mwh;
    }
    st.last_facility_w = facility.value();
    if (cp) {
      if (alert) {
        b->alert_mwh += facility.megawatts();
        b->alert_hours += 1;
      }
      const double overlap = cal.peak_overlap_h;
      if (overlap > 0) {
        b->peak_mwh += facility.megawatts() * overlap;
        b->peak_hours += overlap;
      }
    }
  }
}

}  // namespace mullet
