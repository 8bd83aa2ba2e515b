// The site's operation in the planner: the dispatch policy of `backtest` and
// `serve` (dispatch/policy.h, the mullet policy) run hour by hour over one
// simulated day, with an ideal plant and books kept per day.
//
// Aggregated as far as accuracy allows. What the hourly Dispatch() does that
// this does not, and why it does not move the books:
// - every unit answers and every command takes effect (the backtest's
//   default plant; `unanswering_share` is 0 there too);
// - no metered load beyond the model, no operator overrides; the site
//   file's dated demand-response events are not read (a plan's future
//   holds none): a plan's program marks its events in the calendar
//   (CalendarHour::dr), and they cap the draw as the backtest's do;
// - the batch queue is the site's recurring job released from the plan's
//   start, plus its listed jobs that fall inside the run, served earliest
//   deadline first as the policy does;
// - mining per group: the mullet policy's wish (best operating point,
//   hysteresis, minimum on and off times, the fixed block's fit, the 4CP
//   alert's expected cost), then every limit as Headroom has it (site cap,
//   domains, cooling derated at the hour's ambient), most efficient first.
// What it keeps of the books is what the planner's finance needs; the
// agreement with RunBacktest on history is a test (planner_test,
// SiteModelTest.AgreesWithTheBacktestOnHistory).
//
// Thread safety: a SiteModel is immutable after construction and shared by
// all threads; each path owns its SiteModelState.

#ifndef MULLET_PLANNER_SITE_MODEL_H_
#define MULLET_PLANNER_SITE_MODEL_H_

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/time/calendar.h"
#include "core/units/units.h"
#include "planner/point_table.h"
#include "site/site.h"

namespace mullet {

// What an hour's date sets, the same on every path: the ambient temperature,
// whether the 4CP alert rule holds (before its price condition, if it has
// one) and how much of the hour lies in listed 4CP peaks.
struct CalendarHour {
  double ambient_c = 20;
  bool alert = false;
  double peak_overlap_h = 0;
  // A demand-response event in force this hour (a plan's program, on the
  // days a path draws): the facility draw is capped at dr_reduce_to_w when
  // that is >= 0, else at the draw of the hour before the event less
  // dr_reduce_by_w; each MWh below that baseline earns the credit. An event
  // that begins in a run's first hour has no baseline: no credit, and with
  // dr_reduce_by_w no cap, for all its hours.
  bool dr = false;
  double dr_reduce_to_w = -1;
  double dr_reduce_by_w = 0;
  double dr_credit_usd_per_mwh = 0;
};

// The calendar of `days` days of 24 hours from `first` for `site` (its
// ambient and 4CP rules), computed once and shared by every path.
class SiteCalendar {
 public:
  SiteCalendar(const Site& site, UtcTime first, int days);
  const CalendarHour* Day(int d) const { return &hours_[static_cast<std::size_t>(d) * 24]; }

 private:
  std::vector<CalendarHour> hours_;
};

// One simulated day: 24 hours from `start`, each with its index price and
// its mining economics (the planner holds these for the day; a replay of
// history changes them at 00:00 UTC, as the backtest does).
struct SiteDay {
  UtcTime start;
  const UsdPerMegawattHour* prices = nullptr;   // 24 values
  const UsdPerTerahashDay* hashprice = nullptr;  // 24 values, before pool fee
  const double* btc_per_th_day = nullptr;        // 24 values: BTC per TH/s per day, before pool fee
  const CalendarHour* calendar = nullptr;         // 24 values, SiteCalendar's (for this site)
  // Optional, 24 values each: SiteModel::PriceLogs of `prices`, computed once
  // for a historical day that many paths draw; none: RunDay computes them.
  const double* log_prices = nullptr;
  const double* log_bought = nullptr;
  // Hours before this one are left out (a warm-up that needs only the
  // day's last hours: planner/day_table.h).
  int first_hour = 0;
};

// What one day (or a sum of days) adds to the books.
struct SiteBooks {
  double hours = 0;
  double energy_mwh = 0;
  double power_cost_usd = 0;    // BillEnergy: block, index + adder beyond it
  double sell_back_usd = 0;     // unused block energy sold at the index
  double mining_power_cost_usd = 0;  // mining's share of (cost - sell back)
  double mining_revenue_usd = 0;
  double btc_mined = 0;
  double colocation_rent_usd = 0;  // before SLA credits (settled by month)
  double gpu_cloud_revenue_usd = 0;
  double batch_revenue_usd = 0;
  double power_reimbursed_usd = 0;  // triple-net tenants' power
  double mining_it_mwh = 0;
  double firm_demand_mwh = 0, firm_served_mwh = 0;
  double max_facility_mw = 0;
  // For the 4CP charge: facility MWh and hours in alert hours and in the
  // contract's listed peak intervals (overlap-weighted).
  double alert_mwh = 0, alert_hours = 0;
  double peak_mwh = 0, peak_hours = 0;
  double dr_credit_usd = 0;  // demand-response events' credits
  // Per lease (site order): served and demanded IT MWh, rent; for SLA credits.
  std::vector<double> lease_served_mwh, lease_demand_mwh, lease_rent_usd;

  void Add(const SiteBooks& o);
  void Clear();
};

struct SiteModelState {
  struct Group {
    int running = 0;
    double since_change_h = 1e9;  // hours since it last started or stopped
    bool stopped_by_limit = false;
  };
  std::vector<Group> groups;  // site.miners order
  struct Job {
    double remaining_gpu_hours = 0;
    UtcTime release;
    UtcTime deadline;
    double value_usd_per_gpu_hour = 0;
  };
  std::vector<Job> jobs;  // sorted by deadline
  std::optional<UtcTime> next_recurring;
  std::vector<Watts> domain_room;  // Headroom's storage, reused hour to hour
  double last_facility_w = -1;     // the last hour's facility draw; < 0: none yet
  double dr_baseline_w = -1;       // the event in force's baseline; -1: no event, -2: an event without one
};

class SiteModel {
 public:
  // REQUIRES: site valid (ValidateSite).
  explicit SiteModel(Site site);
  SiteModel(const SiteModel&) = delete;
  SiteModel& operator=(const SiteModel&) = delete;

  // Every group running at nameplate, as InitialState; listed batch jobs
  // released before `start` are left out.
  SiteModelState InitialState(UtcTime start) const;

  // log(price) and log(price + the contract's adder) of 24 hours, 0 where
  // the price is not positive (then never read): what RunDay needs of a
  // day's prices besides the prices, for SiteDay::log_prices, log_bought.
  void PriceLogs(const UsdPerMegawattHour* prices, double* log_price, double* log_bought) const;

  // Runs the day's 24 hours; adds to `books` (whose lease vectors it sizes).
  void RunDay(const SiteDay& day, SiteModelState* state, SiteBooks* books) const;

  const Site& site() const { return site_; }
  // The site's firm IT and mining IT at nameplate, MW.
  double firm_it_mw() const { return firm_it_mw_; }
  double mining_it_mw() const { return mining_it_mw_; }
  // The most IT every load together can draw (firm demand, the whole batch
  // pool, every unit at its highest point).
  Watts max_it() const { return max_it_; }

 private:
  // What a group's hour needs of the site, computed once (site.miners order).
  struct GroupConstants {
    double pue = 1;
    double share = 1;          // uptime x (1 - pool fee)
    double value_coef = 0;     // value per facility MWh = hashprice x TH/s x value_coef / W
    double ramp_hashing = 1;   // share of its first hour a started unit hashes
    // No profile and no power-target range: nameplate is its only point,
    // worth hashprice x nameplate_value per facility MWh.
    bool single_point = false;
    MinerPoint nameplate;
    double nameplate_value = 0;
  };

  Site site_;
  std::vector<GroupConstants> groups_;
  std::vector<int> merit_order_;
  std::vector<PointTable> points_;  // site_.miners order
  std::vector<BatchJob> listed_jobs_;  // by release
  double firm_it_mw_ = 0, mining_it_mw_ = 0;
  // No power limit can bind, whatever runs: every load at its most
  // (firm demand, the whole batch pool, every unit at its highest point)
  // fits the site cap less the reserve and every domain. Then an hour needs
  // Headroom only when the cooling plant, derated at that day's hottest
  // hour, could not take `max_it_`.
  bool power_never_binds_ = false;
  Watts max_it_{0};
};

}  // namespace mullet

#endif  // MULLET_PLANNER_SITE_MODEL_H_
