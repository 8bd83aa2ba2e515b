// The power contract's rules in one home: what a MWh costs at the margin,
// what a step's energy costs (fixed block, sell-back, adder), the
// demand-response cap, baseline and credit, and the 4CP alerts, peak
// intervals and charge; and the firm tenants' terms: rent, GPU-hour revenue,
// SLA credits, and what a shortfall of firm load costs. The policy calls it
// for prices, the books and the daemon for money, so no tariff rule is
// written twice (docs/backtest.md, "Accounting").
// No I/O and no clock: every function takes the time it is asked about.

#ifndef MULLET_DISPATCH_CONTRACT_H_
#define MULLET_DISPATCH_CONTRACT_H_

#include <map>
#include <optional>
#include <vector>

#include "site/site.h"

namespace mullet {

// ---- Energy.

// The marginal price of power for load added on top of `site_draw` of
// facility power: inside a fixed-price block it is the index price (what
// unused block power sells back for), above it the index price plus adders.
UsdPerMegawattHour MarginalPrice(const PowerContract& c, UsdPerMegawattHour index, Watts site_draw);

// What drawing `facility` for `step` costs. With a fixed block the block is
// paid in full, energy beyond it at index + adder, and unused block energy is
// sold back at the index; without one every MWh costs index + adder.
struct EnergyBill {
  double energy_mwh = 0;
  double cost_usd = 0;
  double sell_back_usd = 0;
};
EnergyBill BillEnergy(const PowerContract& c, UsdPerMegawattHour index, Watts facility, Hours step);

// ---- Demand response.

// The demand-response cap over one step, and its credit.
struct DemandResponseNow {
  std::optional<Watts> limit;  // none: no event
  UsdPerMegawattHour credit{0};
  Watts baseline{0};
  Hours in_event{0};  // the part of the step inside the event
  int event = -1;     // index into contract.demand_response
};

// The events that overlap the step [t, t + step): the site must hold the
// tightest cap for the whole step (one allocation holds for the step, and an
// event may start or end inside it: the cap is never late). `baselines`
// holds, per contract event, the baseline fixed when the event began; an
// event that begins in this step takes `draw_before` (the site's draw in the
// step before). REQUIRES: baselines->size() == c.demand_response.size().
DemandResponseNow DemandResponseAt(const PowerContract& c, UtcTime t, Hours step, Watts draw_before,
                                   std::vector<std::optional<Watts>>* baselines);
// True when some event overlaps the step whose baseline is not yet fixed.
bool DemandResponseNeedsBaseline(const PowerContract& c, UtcTime t, Hours step,
                                 const std::vector<std::optional<Watts>>& baselines);

// Credit for drawing `facility` under `now`: per MWh below the baseline,
// for the time of the step inside the event.
double DemandResponseCreditUsd(const DemandResponseNow& now, Watts facility);

// ---- Firm tenants.

// A colocation lease's rent over `step`: its rate on contracted IT kW, a
// month being kAccountingMonth.
double LeaseRentUsd(const ColoLease& l, Hours step);

// The SLA credit, as a share of the rent, at `availability` (served over
// demanded energy): the credit fraction of the deepest tier breached; 0 at
// or above the lease's availability target.
double SlaCreditFraction(const ColoLease& l, double availability);

// What a GPU cloud earns over `step` serving `served` (0 to 1) of its demand.
double CloudRevenueUsd(const GpuCloud& c, Hours step, double served);

// What serving `served` of a firm tenant's `demand` (IT) over one step costs,
// as the backtest books it: a cloud loses the revenue of the GPU-hours not
// served; a lease credits the SLA fraction at the step's availability on the
// step's rent (the backtest settles the month's availability; this is the
// step's share were the month all like it). 0 when nothing is short.
double LeaseShortfallUsd(const ColoLease& l, Watts demand, Watts served, Hours step);
double CloudShortfallUsd(const GpuCloud& c, Watts demand, Watts served, Hours step);

// ---- 4CP.

// Whether the step [t, t + step) is a 4CP alert: it overlaps a listed alert
// hour, or (no list) the alert rule holds at its start.
bool FourCpAlert(const FourCoincidentPeak& cp, UtcTime t, Hours step, UsdPerMegawattHour index);

// The cost the policy expects of one MWh drawn in an alert: one MW held
// through a peak hour adds rate x 1000 kW / 4 peaks to the year's charge,
// times the chance that the alert is a peak. Independent of the step length.
UsdPerMegawattHour FourCpAlertAdder(const FourCoincidentPeak& cp);

// How much of [t, t + step) lies in listed peak intervals.
Hours FourCpPeakOverlap(const FourCoincidentPeak& cp, UtcTime t, Hours step);

// The 4CP books of a run: each calendar year's charge is rate x the mean
// draw over that year's peak hours, and is booked pro rata to the time the
// run covers of the year (a one-month run books a twelfth, in its month).
class FourCpBook {
 public:
  explicit FourCpBook(const FourCoincidentPeak& cp) : cp_(cp) {}

  // The site drew `facility` over [t, t + step).
  void Add(UtcTime t, Hours step, Watts facility);

  struct Year {
    int year = 0;
    int peaks_listed = 0;        // peak intervals the contract lists for the year
    double peak_hours_seen = 0;  // hours of those intervals inside the run
    double mean_kw = 0;          // mean draw over those hours (0 if none)
    double covered_hours = 0;  // hours of the year the run covers
    double year_hours = 0;
    double annual_charge_usd = 0;  // rate x mean_kw
    double booked_usd = 0;         // annual charge x covered / year hours
    // How the tag was found: "peaks" (every listed peak inside the run),
    // "partial" (some), "none-in-run" (listed peaks all outside the run: no
    // tag measured, nothing booked), "no-peaks-listed" (the contract names
    // no peak for the year: nothing booked).
    const char* basis = "";
  };
  std::vector<Year> Years() const;

 private:
  struct Acc {
    double peak_kwh = 0;
    double peak_hours = 0;
    double covered_hours = 0;
  };
  const FourCoincidentPeak& cp_;
  std::map<int, Acc> years_;
};

}  // namespace mullet

#endif  // MULLET_DISPATCH_CONTRACT_H_
