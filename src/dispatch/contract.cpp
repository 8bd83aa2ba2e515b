#include "dispatch/contract.h"

#include <algorithm>
#include <chrono>

namespace mullet {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

// Hours of [a0, a1) inside [b0, b1).
double OverlapHours(UtcTime a0, UtcTime a1, UtcTime b0, UtcTime b1) {
  const UtcTime lo = std::max(a0, b0);
  const UtcTime hi = std::min(a1, b1);
  return hi > lo ? Hours(hi - lo).count() : 0.0;
}

bool RuleHolds(const FourCpAlertRule& r, UtcTime t, UsdPerMegawattHour index) {
  const auto local = t + duration_cast<seconds>(Hours(r.utc_offset_hours));
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day ymd(day);
  const int month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  if (std::find(r.months.begin(), r.months.end(), month) == r.months.end()) return false;
  const unsigned wd = std::chrono::weekday(day).c_encoding();  // 0 Sunday
  if (r.weekdays_only && (wd == 0 || wd == 6)) return false;
  const double hour = Hours(local - day).count();
  if (hour < r.from_hour || hour >= r.to_hour) return false;
  return !r.min_price || index >= *r.min_price;
}

}  // namespace

UsdPerMegawattHour MarginalPrice(const PowerContract& c, UsdPerMegawattHour index, Watts site_draw) {
  if (c.block && site_draw < c.block->size) return index;
  return index + c.adder;
}

EnergyBill BillEnergy(const PowerContract& c, UsdPerMegawattHour index, Watts facility, Hours step) {
  EnergyBill b;
  b.energy_mwh = EnergyOver(facility, step).value();
  const double bought = index.value() + c.adder.value();
  if (c.block) {
    const double block = EnergyOver(c.block->size, step).value();
    b.cost_usd = block * c.block->price.value() + std::max(0.0, b.energy_mwh - block) * bought;
    b.sell_back_usd = std::max(0.0, block - b.energy_mwh) * index.value();
  } else {
    b.cost_usd = b.energy_mwh * bought;
  }
  return b;
}

DemandResponseNow DemandResponseAt(const PowerContract& c, UtcTime t, Hours step, Watts draw_before,
                                   std::vector<std::optional<Watts>>* baselines) {
  DemandResponseNow now;
  const UtcTime end = After(t, step);
  for (size_t i = 0; i < c.demand_response.size(); ++i) {
    const DemandResponseEvent& e = c.demand_response[i];
    const double inside = OverlapHours(t, end, e.start, e.end);
    if (inside <= 0) continue;
    std::optional<Watts>& base = (*baselines)[i];
    if (!base) base = draw_before;
    const Watts cap = e.reduce_to ? *e.reduce_to : std::max(Watts(0), *base - e.reduce_by.value_or(Watts(0)));
    if (!now.limit || cap < *now.limit) {
      now.limit = cap;
      now.credit = e.credit;
      now.baseline = *base;
      now.in_event = Hours(inside);
      now.event = static_cast<int>(i);
    }
  }
  return now;
}

bool DemandResponseNeedsBaseline(const PowerContract& c, UtcTime t, Hours step,
                                 const std::vector<std::optional<Watts>>& baselines) {
  const UtcTime end = After(t, step);
  for (size_t i = 0; i < c.demand_response.size(); ++i) {
    const DemandResponseEvent& e = c.demand_response[i];
    if (OverlapHours(t, end, e.start, e.end) > 0 && !baselines[i]) return true;
  }
  return false;
}

double DemandResponseCreditUsd(const DemandResponseNow& now, Watts facility) {
  if (!now.limit) return 0;
  return std::max(0.0, now.baseline.megawatts() - facility.megawatts()) * now.in_event.count() *
         now.credit.value();
}

double LeaseRentUsd(const ColoLease& l, Hours step) {
  return l.rate.value() * l.contracted_it.kilowatts() * (step.count() / Hours(kAccountingMonth).count());
}

double SlaCreditFraction(const ColoLease& l, double availability) {
  if (availability >= l.availability_target) return 0;
  double fraction = 0;
  for (const SlaCreditTier& t : l.sla) {
    if (availability < t.availability_below) fraction = std::max(fraction, t.credit_fraction);
  }
  return fraction;
}

double CloudRevenueUsd(const GpuCloud& c, Hours step, double served) {
  return c.nodes * c.gpus_per_node * c.usd_per_gpu_hour * c.utilisation * step.count() * served;
}

namespace {
double ServedShare(Watts demand, Watts served) {
  return demand.value() > 0 ? std::clamp(served / demand, 0.0, 1.0) : 1.0;
}
}  // namespace

double LeaseShortfallUsd(const ColoLease& l, Watts demand, Watts served, Hours step) {
  return SlaCreditFraction(l, ServedShare(demand, served)) * LeaseRentUsd(l, step);
}

double CloudShortfallUsd(const GpuCloud& c, Watts demand, Watts served, Hours step) {
  return CloudRevenueUsd(c, step, 1.0) - CloudRevenueUsd(c, step, ServedShare(demand, served));
}

bool FourCpAlert(const FourCoincidentPeak& cp, UtcTime t, Hours step, UsdPerMegawattHour index) {
  if (!cp.alert_hours.empty()) {
    const UtcTime end = After(t, step);
    for (UtcTime a : cp.alert_hours) {
      if (OverlapHours(t, end, a, a + std::chrono::hours(1)) > 0) return true;
    }
    return false;
  }
  return RuleHolds(cp.alert_rule, t, index);
}

UsdPerMegawattHour FourCpAlertAdder(const FourCoincidentPeak& cp) {
  // $/kW-year x 1000 kW/MW / 4 peaks, per MWh of a one-hour peak interval.
  return UsdPerMegawattHour(cp.rate_usd_per_kw_year * 1000.0 / 4.0 * cp.alert_peak_probability);
}

Hours FourCpPeakOverlap(const FourCoincidentPeak& cp, UtcTime t, Hours step) {
  const UtcTime end = After(t, step);
  double h = 0;
  const auto interval = duration_cast<seconds>(cp.peak_interval);
  for (UtcTime p : cp.peaks) h += OverlapHours(t, end, p, p + interval);
  return Hours(h);
}

void FourCpBook::Add(UtcTime t, Hours step, Watts facility) {
  Acc& a = years_[YearOf(t)];
  a.covered_hours += step.count();
  const Hours in_peak = FourCpPeakOverlap(cp_, t, step);
  a.peak_hours += in_peak.count();
  a.peak_kwh += facility.kilowatts() * in_peak.count();
}

std::vector<FourCpBook::Year> FourCpBook::Years() const {
  std::vector<Year> out;
  for (const auto& [year, a] : years_) {
    Year y;
    y.year = year;
    for (UtcTime p : cp_.peaks) y.peaks_listed += YearOf(p) == year;
    y.peak_hours_seen = a.peak_hours;
    y.covered_hours = a.covered_hours;
    y.year_hours = HoursInYear(year);
    if (y.peaks_listed == 0) {
      y.basis = "no-peaks-listed";
    } else if (a.peak_hours <= 1e-9) {
      y.basis = "none-in-run";
    } else {
      y.mean_kw = a.peak_kwh / a.peak_hours;
      y.basis = a.peak_hours + 1e-9 >= y.peaks_listed * cp_.peak_interval.count() ? "peaks" : "partial";
      y.annual_charge_usd = cp_.rate_usd_per_kw_year * y.mean_kw;
      y.booked_usd = y.annual_charge_usd * std::min(1.0, y.covered_hours / y.year_hours);
    }
    out.push_back(y);
  }
  return out;
}

}  // namespace mullet
