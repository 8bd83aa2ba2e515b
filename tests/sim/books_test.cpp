// The backtest's books, pinned figure by figure against numbers worked out by
// hand from the accounting rules of docs/backtest.md and docs/site.md (issue 8,
// item 9: "books that are guarded"). Each expected value is written as the
// arithmetic of the comment above it, from the site's and the market's own
// literals; none is computed by calling the code under test. Each test names
// the single-line changes of the code it catches (`// Catches:`).
//
// Reference figures used throughout:
//   Antminer S21: 200 TH/s, 3500 W. Antminer S19j Pro: 100 TH/s, 3050 W.
//   hashprice $X/PH/day = $X/1000 per TH/s per day.
//   One unit's revenue per hour = hashprice ($/TH/day) x TH/s / 24 x uptime x (1 - pool fee).
//   Value of a facility MWh = revenue per hour / (W x PUE / 1e6).
//   Colocation rent = $/kW-month x kW x hours / 730.5 (30.4375-day month).

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/asic/catalog.h"
#include "dispatch/operating_point.h"
#include "dispatch/test_sites.h"
#include "sim/backtest.h"
#include "site/site_config.h"

namespace mullet {
namespace {

using testing_sites::Group;
using testing_sites::Lease;
using testing_sites::Market;

UtcTime At(const char* text) { return *ParseUtcTimestamp(text); }

// Resolves domain indices and checks every rule, as the loader would. The
// index price comes from the market series; the site only has to name one.
Site Valid(Site site) {
  if (!site.contract.index.fixed && site.contract.index.column.empty()) {
    site.contract.index.fixed = UsdPerMegawattHour(0);
  }
  const Status s = NormalizeSite(&site);
  EXPECT_TRUE(s.ok()) << s.message();
  return site;
}

Scenario FromYaml(const std::string& name, const std::string& yaml) {
  const Result<std::vector<Scenario>> r = ParseSiteYaml(name, yaml, AsicCatalog::BuiltIn());
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.status().message());
  return r.ok() ? r.value().front() : Scenario{};
}

Reason ReasonAt(const BacktestResult& r, size_t step, size_t load) {
  return r.load_reason[step * r.loads.size() + load];
}

// ---- Power cost at PUE 1.08 (air) and 1.3 (liquid), with an adder.

// The loader's defaults: PUE air 1.08, liquid 1.30, pool fee 0.02, uptime 0.98.
//   S21 x 1000: IT 3.5 MW, facility 3.5 x 1.08 = 3.78 MW.
//   tenant: 2 MW contracted x load factor 0.5 = 1 MW IT, x 1.3 = 1.3 MW facility.
//   facility = 3.78 + 1.3 = 5.08 MW, every hour (S21 value at $50/PH/day:
//   0.05 x 200 / 24 x 0.98 x 0.98 / (0.0035 x 1.08) = 0.40017 / 0.00378 = 105.86 $/MWh,
//   above every price + adder below, so all 1000 run every hour).
// Three hours at index 20, 30, 40 + adder 5:
//   energy = 5.08 x 3 = 15.24 MWh
//   power cost = 5.08 x (25 + 35 + 45) = 5.08 x 105 = 533.40
//   mining = 1000 x 200 TH/s x 0.05 $/TH/day x 3/24 day x 0.98 x 0.98 = 10000 x 0.125 x 0.9604
//          = 1200.50
//   colocation = 120 x 2000 kW x 3 / 730.5 = 720000 / 730.5 = 985.6263
//   profit = 1200.50 + 985.6263 - 533.40 = 1652.7263
// Catches: PUE left out of facility power (cost 4.5 x 105 = 472.5); the air and
// liquid PUEs swapped (3.5 x 1.3 + 1 x 1.08 = 5.63 MW); the adder dropped
// (5.08 x 90 = 457.2); the adder counted twice; load factor ignored (lease
// drawing 2 MW IT); pool fee or uptime dropped from revenue; rent on served
// instead of contracted kW (halves it); a 730-hour or 720-hour month.
TEST(BooksTest, PowerCostAtPueAboveOneWithAnAdder) {
  const Scenario sc = FromYaml("pue.yaml", R"(
name: pue
interconnect_mw: 10
contract: {index: {fixed_usd_per_mwh: 30}, adder_usd_per_mwh: 5}
miner_groups:
  - {name: s21, model: Antminer S21, count: 1000, ramp_up_s: 0}
ai:
  colocation:
    - {name: tenant, contracted_it_mw: 2, usd_per_kw_month: 120, load_factor: 0.5}
policy: {hysteresis_usd_per_mwh: 0}
)");
  const MarketSeries m = Market(At("2024-03-01T00:00:00Z"), Hours(1), {20, 30, 40}, 50);
  const BacktestResult r = RunBacktest(sc, m, PolicyKind::kMullet);
  const BacktestSummary& s = r.summary;
  EXPECT_NEAR(s.energy_mwh, 5.08 * 3, 1e-9);
  EXPECT_NEAR(s.power_cost_usd, 5.08 * (25 + 35 + 45), 1e-9);
  EXPECT_NEAR(s.sell_back_credit_usd, 0, 1e-12);
  EXPECT_NEAR(s.mining_revenue_usd, 10000 * 0.125 * 0.98 * 0.98, 1e-9);
  EXPECT_NEAR(s.colocation_revenue_usd, 120.0 * 2000 * 3 / 730.5, 1e-9);
  EXPECT_NEAR(s.ai_revenue_usd, 120.0 * 2000 * 3 / 730.5, 1e-9);
  EXPECT_NEAR(s.profit_usd, 1200.5 + 120.0 * 2000 * 3 / 730.5 - 533.4, 1e-9);
  EXPECT_NEAR(s.max_site_power_mw, 5.08, 1e-12);
  // IT energy per load: colocation first, then the miners (LoadInfo order).
  ASSERT_EQ(r.loads.size(), 2u);
  EXPECT_NEAR(r.loads[0].energy_mwh, 1.0 * 3, 1e-9);
  EXPECT_NEAR(r.loads[1].energy_mwh, 3.5 * 3, 1e-9);
  ASSERT_EQ(s.months.size(), 1u);
  EXPECT_NEAR(s.months[0].power_cost_usd, 533.4, 1e-9);
  EXPECT_NEAR(s.months[0].mean_price_usd_per_mwh, (20 + 30 + 40) / 3.0, 1e-12);
}

// ---- A fixed block: partial use, use above it, paid in full every step.

// PUE 1. Firm: lease 3 MW IT (load factor 1). Miners: S21 x 1000 = 3.5 MW,
// pool fee 0, uptime 1: value at $50/PH/day = 0.05 x 200 / 24 / 0.0035 = 119.05 $/MWh.
// Block 5 MW at $30/MWh, adder $4. Hysteresis 0.
//   h0 index 20: miners run (inside the block the marginal price is 20; above, 24):
//      facility 6.5 MW. cost = 5 x 30 + (6.5 - 5) x (20 + 4) = 150 + 36 = 186; sell-back 0
//   h1 index 300: miners stop (119 < 300): facility 3 MW.
//      cost = 5 x 30 = 150 (block paid in full); sell-back = (5 - 3) x 300 = 600
//   h2 index 10: miners back: facility 6.5 MW. cost = 150 + 1.5 x (10 + 4) = 171
//   energy = 6.5 + 3 + 6.5 = 16 MWh; cost = 186 + 150 + 171 = 507; sell-back = 600
//   mining = 2 h x 1000 x 200 x 0.05 / 24 = 2 x 416.6667 = 833.3333
//   colocation = 120 x 3000 x 3 / 730.5 = 1478.4394
//   profit = 833.3333 + 1478.4394 + 600 - 507
// Catches: block not paid when the site draws less than it (cost 357), or
// only the part used paid (447); the
// energy above the block at index only (495) or at the block price; sell-back
// at index + adder (608) or at the block price (60); sell-back of the whole
// block, or none; the block taken off the bill as energy rather than paid.
TEST(BooksTest, FixedBlockPartialUseUseAboveAndPaidEveryStep) {
  Site site;
  site.name = "block";
  site.interconnect = Megawatts(10);
  site.cooling.pue_air = 1.0;
  site.miners.push_back(Group("s21", "S21", 1000));
  site.leases.push_back(Lease("ai", 3));
  site.contract.adder = UsdPerMegawattHour(4);
  site.contract.block = FixedBlock{Megawatts(5), UsdPerMegawattHour(30)};
  site.policy.hysteresis = UsdPerMegawattHour(0);
  const MarketSeries m = Market(At("2024-03-01T00:00:00Z"), Hours(1), {20, 300, 10}, 50);
  const BacktestResult r = RunBacktest({"block", Valid(site)}, m, PolicyKind::kMullet);
  const BacktestSummary& s = r.summary;
  EXPECT_NEAR(r.facility_mw[0], 6.5, 1e-6);
  EXPECT_NEAR(r.facility_mw[1], 3.0, 1e-6);
  EXPECT_NEAR(r.facility_mw[2], 6.5, 1e-6);
  EXPECT_NEAR(s.energy_mwh, 16, 1e-9);
  EXPECT_NEAR(s.power_cost_usd, 186 + 150 + 171, 1e-9);
  EXPECT_NEAR(s.sell_back_credit_usd, 600, 1e-9);
  EXPECT_NEAR(s.mining_revenue_usd, 2 * 1000 * 200 * 0.05 / 24, 1e-9);
  const double rent = 120.0 * 3000 * 3 / 730.5;
  EXPECT_NEAR(s.colocation_revenue_usd, rent, 1e-9);
  EXPECT_NEAR(s.profit_usd, 2 * 1000 * 200 * 0.05 / 24 + rent + 600 - 507, 1e-9);
  ASSERT_EQ(s.months.size(), 1u);
  EXPECT_NEAR(s.months[0].sell_back_credit_usd, 600, 1e-9);
  EXPECT_NEAR(s.months[0].profit_usd, s.profit_usd, 1e-9);
  // The per-step profit: h1 = rent of one hour + 600 - 150.
  EXPECT_NEAR(r.profit_usd[1], 120.0 * 3000 / 730.5 + 600 - 150, 1e-3);
}

// ---- 4CP: per calendar year, on the peak intervals, pro rata, never seen by the policy.

// 15-minute steps over all of March 2024 (31 x 24 = 744 h, 2976 steps); PUE 1.
// Firm: lease 2 MW. Miners: S21 x 1000 = 3.5 MW (119.05 $/MWh at $50/PH/day).
// Index $20 except 2024-03-12 20:15-21:00 at $500 (the miners stop).
// 4CP: $50/kW-year; peaks (15 min, the default interval):
//   2024-03-05T20:00Z: draw 2 + 3.5 = 5.5 MW = 5500 kW
//   2024-03-12T20:30Z: inside the price spike, miners off: 2 MW = 2000 kW
//   mean = (5500 + 2000) / 2 = 3750 kW; annual charge = 50 x 3750 = 187,500
//   2024 has 366 days = 8784 h; the run covers 744 h of it:
//   booked = 187,500 x 744 / 8784 = 15,881.1475, all in March's row.
// The policy sees only alerts: alert_hours = [2024-03-05T19:00Z], the hour
// before the first peak. Alert adder = 50 x 1000 / 4 = 12,500 $/MWh: the miners
// sleep 19:00-20:00 (curtail-4cp-peak) and are back at 20:00, the real peak,
// which the policy does not know (mine-full).
// Curtailed by decision: 1 h (alert) + 0.75 h (spike) = 1.75 h; 1000 x 1.75 =
// 1750 machine-hours. Mining uptime = (744 - 1.75) / 744.
// Catches: a 1-hour peak interval regardless of `peaks` (the 20:30 peak then
// also sees 21:00-21:30 at 5.5 MW: mean 4625 kW); the whole annual charge
// booked (187,500); a 365-day year (x 744 / 8760); a sum instead of a mean
// over the peaks (7500 kW); the charge on the mean over all hours; the policy
// alerted on the peaks (the 20:00 peak at 2 MW: mean 2000 kW); the alert
// ignored (the miners run 19:00-20:00, curtailed hours 0.75); curtailed hours
// counted in steps (7) rather than hours; machine-hours without x hours.
TEST(BooksTest, FourCpOnPeakIntervalsBookedProRataPolicySeesAlertsOnly) {
  Site site;
  site.name = "4cp";
  site.interconnect = Megawatts(10);
  site.cooling.pue_air = 1.0;
  site.miners.push_back(Group("s21", "S21", 1000));
  site.leases.push_back(Lease("ai", 2));
  site.policy.hysteresis = UsdPerMegawattHour(0);
  FourCoincidentPeak cp;
  cp.rate_usd_per_kw_year = 50;
  cp.peaks = {At("2024-03-05T20:00:00Z"), At("2024-03-12T20:30:00Z")};
  cp.peak_interval = Hours(0.25);
  cp.alert_hours = {At("2024-03-05T19:00:00Z")};
  site.contract.four_cp = cp;

  const int steps = 31 * 24 * 4;
  std::vector<double> prices(steps, 20);
  // 2024-03-12 is day 11: step (11 x 24 + 20) x 4 = 1136 is 20:00.
  for (int k = 1137; k <= 1139; ++k) prices[k] = 500;
  const MarketSeries m = Market(At("2024-03-01T00:00:00Z"), Hours(0.25), prices, 50);
  const BacktestResult r = RunBacktest({"4cp", Valid(site)}, m, PolicyKind::kMullet);
  const BacktestSummary& s = r.summary;

  // 2024-03-05 is day 4: 19:00 is step (4 x 24 + 19) x 4 = 460; 20:00 is 464.
  const size_t miners = 1;  // loads: lease, then the miner group
  for (size_t k = 460; k < 464; ++k) EXPECT_EQ(ReasonAt(r, k, miners), Reason::kCurtail4cpPeak) << k;
  EXPECT_EQ(ReasonAt(r, 464, miners), Reason::kMineFull);  // the real peak: not known
  EXPECT_NEAR(r.facility_mw[464], 5.5, 1e-6);
  EXPECT_NEAR(r.facility_mw[1138], 2.0, 1e-6);

  EXPECT_NEAR(s.four_cp_charge_usd, 187500.0 * 744 / 8784, 1e-6);
  ASSERT_EQ(s.four_cp_years.size(), 1u);
  const FourCpYearRow& y = s.four_cp_years[0];
  EXPECT_EQ(y.year, 2024);
  EXPECT_EQ(y.peaks_listed, 2);
  EXPECT_NEAR(y.peak_hours_in_run, 0.5, 1e-12);
  EXPECT_NEAR(y.mean_kw_at_peaks, 3750, 1e-6);
  EXPECT_NEAR(y.run_hours, 744, 1e-9);
  EXPECT_NEAR(y.year_hours, 8784, 1e-9);
  EXPECT_NEAR(y.annual_charge_usd, 187500, 1e-6);
  EXPECT_EQ(y.basis, "peaks");
  ASSERT_EQ(s.months.size(), 1u);
  EXPECT_NEAR(s.months[0].four_cp_charge_usd, 187500.0 * 744 / 8784, 1e-6);
  EXPECT_NEAR(s.profit_usd,
              s.mining_revenue_usd + s.colocation_revenue_usd - s.power_cost_usd - 187500.0 * 744 / 8784,
              1e-6);

  EXPECT_NEAR(s.curtailed_hours, 1.75, 1e-9);
  EXPECT_NEAR(s.curtailed_machine_hours, 1000 * 1.75, 1e-9);
  EXPECT_NEAR(s.mining_uptime, (744 - 1.75) / 744, 1e-12);
}

// Hourly peaks (`peak_hours`) from YAML, across a new year: 48 h from
// 2023-12-31T00:00Z, 24 h in each year.
//   PUE air 1.0; S21 x 1000 = 3.5 MW; tenant 1 MW IT x 1.3 (default liquid) = 1.3 MW.
//   S21 value at $50/PH/day, defaults 0.98 x 0.98: 0.05 x 200 / 24 x 0.9604 / 0.0035
//   = 114.33 $/MWh > 20: all run; no alert in December (default rule: June-September).
//   2023: one peak hour, 2023-12-31T18:00Z, at 3.5 + 1.3 = 4.8 MW = 4800 kW.
//     annual = 60 x 4800 = 288,000; 2023 has 8760 h, the run 24 of them:
//     booked = 288,000 x 24 / 8760 = 789.0411, in December 2023's row.
//   2024: no peak listed: nothing booked, basis "no-peaks-listed"; January's row 0.
// Catches: the charge spread over the run's months regardless of year (Jan
// gets half); a leap-year length for 2023 (x 24 / 8784); the year's charge
// booked whole; 2024 charged on 2023's tag; `peak_hours` read as 15-minute
// intervals (peak_hours_in_run 0.25).
TEST(BooksTest, FourCpPerCalendarYearFromPeakHours) {
  const Scenario sc = FromYaml("4cp.yaml", R"(
name: 4cp-years
interconnect_mw: 10
contract:
  index: {fixed_usd_per_mwh: 20}
  four_cp: {rate_usd_per_kw_year: 60, peak_hours: [2023-12-31T18:00:00Z]}
cooling: {pue_air: 1.0}
miner_groups:
  - {name: s21, model: Antminer S21, count: 1000, ramp_up_s: 0}
ai:
  colocation:
    - {name: tenant, contracted_it_mw: 1, usd_per_kw_month: 120, load_factor: 1}
policy: {hysteresis_usd_per_mwh: 0}
)");
  const MarketSeries m =
      Market(At("2023-12-31T00:00:00Z"), Hours(1), std::vector<double>(48, 20), 50);
  const BacktestResult r = RunBacktest(sc, m, PolicyKind::kMullet);
  const BacktestSummary& s = r.summary;
  EXPECT_EQ(ReasonAt(r, 18, 1), Reason::kMineFull);
  EXPECT_NEAR(s.four_cp_charge_usd, 288000.0 * 24 / 8760, 1e-6);
  ASSERT_EQ(s.four_cp_years.size(), 2u);
  EXPECT_EQ(s.four_cp_years[0].year, 2023);
  EXPECT_NEAR(s.four_cp_years[0].peak_hours_in_run, 1.0, 1e-12);
  EXPECT_NEAR(s.four_cp_years[0].mean_kw_at_peaks, 4800, 1e-6);
  EXPECT_NEAR(s.four_cp_years[0].year_hours, 8760, 1e-9);
  EXPECT_NEAR(s.four_cp_years[0].booked_usd, 288000.0 * 24 / 8760, 1e-6);
  EXPECT_EQ(s.four_cp_years[1].year, 2024);
  EXPECT_EQ(s.four_cp_years[1].basis, "no-peaks-listed");
  EXPECT_NEAR(s.four_cp_years[1].booked_usd, 0, 1e-12);
  ASSERT_EQ(s.months.size(), 2u);
  EXPECT_EQ(s.months[0].year, 2023);
  EXPECT_NEAR(s.months[0].four_cp_charge_usd, 288000.0 * 24 / 8760, 1e-6);
  EXPECT_NEAR(s.months[1].four_cp_charge_usd, 0, 1e-12);
}

// ---- Demand response: the cap, and the credit below the baseline.

// 30-minute steps, 8 h from 2024-03-01T00:00Z, index $20, $50/PH/day.
//   PUE air 1.08, liquid 1.3. Lease 1 MW IT -> 1.3 MW facility.
//   S21 x 1000 (fee 0, uptime 1): 3.5 MW IT -> 3.78 MW facility;
//   value 0.05 x 200 / 24 / (0.0035 x 1.08) = 110.23 $/MWh: all run outside the event.
//   baseline (the step before 05:00) = 1.3 + 3.78 = 5.08 MW.
// Event 05:00-07:00, reduce_to 3 MW, credit $150/MWh:
//   room for miners = 3 - 1.3 = 1.7 MW facility = 1.7 / 1.08 = 1.574074 MW IT
//   units = floor(1,574,074 / 3500) = floor(449.7) = 449: IT 1.5715 MW, facility 1.69722 MW
//   site = 1.3 + 1.69722 = 2.99722 MW <= 3
//   credit = (5.08 - 2.99722) MW x 2 h x 150 = 2.08278 x 300 = 624.834
// Curtailed by decision (dr-event): 2 h; machine-hours (1000 - 449) x 2 = 1102.
// Catches: the credit without x hours (x 0.5 h steps: 1249.67); the baseline
// taken as the cap, the interconnect or the current draw; credit per MWh below
// the cap instead of below the baseline (0.00278 x 300); facility taken without
// PUE; DR cuts not counted as curtailment decisions; machine-hours counting
// the units running rather than those stopped.
// The site of the two DR tests: 1000 S21 (PUE 1.08), a 1 MW lease (PUE 1.3),
// an event reducing to 3 MW with a $150/MWh credit from `start` to `end`.
Site DrSite(const char* start, const char* end) {
  Site site;
  site.name = "dr";
  site.interconnect = Megawatts(10);
  site.cooling.pue_air = 1.08;
  site.cooling.pue_liquid = 1.3;
  site.miners.push_back(Group("s21", "S21", 1000));
  ColoLease lease = Lease("ai", 1);
  lease.cooling = CoolingClass::kLiquid;
  site.leases.push_back(lease);
  site.policy.hysteresis = UsdPerMegawattHour(0);
  site.contract.demand_response.push_back(
      {At(start), At(end), Megawatts(3), std::nullopt, UsdPerMegawattHour(150)});
  return site;
}

TEST(BooksTest, DemandResponseCapAndCreditBelowTheStepBefore) {
  const Site site = DrSite("2024-03-01T05:00:00Z", "2024-03-01T07:00:00Z");
  const MarketSeries m =
      Market(At("2024-03-01T00:00:00Z"), Hours(0.5), std::vector<double>(16, 20), 50);
  const BacktestResult r = RunBacktest({"dr", Valid(site)}, m, PolicyKind::kMullet);
  const BacktestSummary& s = r.summary;
  for (size_t k = 10; k < 14; ++k) {
    EXPECT_NEAR(r.facility_mw[k], 1.3 + 449 * 3500 * 1.08 / 1e6, 1e-5) << k;
    EXPECT_LE(r.facility_mw[k], 3.0 + 1e-6);
    EXPECT_NEAR(r.site_cap_mw[k], 3.0, 1e-6);
    EXPECT_EQ(ReasonAt(r, k, 1), Reason::kCurtailDrEvent);
  }
  EXPECT_NEAR(r.facility_mw[9], 5.08, 1e-5);
  EXPECT_NEAR(r.facility_mw[14], 5.08, 1e-5);
  EXPECT_NEAR(s.dr_credit_usd, (5.08 - (1.3 + 449 * 3500 * 1.08 / 1e6)) * 2 * 150, 1e-6);
  EXPECT_NEAR(s.months[0].dr_credit_usd, 624.834, 1e-6);
  EXPECT_NEAR(s.curtailed_hours, 2, 1e-12);
  EXPECT_NEAR(s.curtailed_machine_hours, (1000 - 449) * 2, 1e-9);
  EXPECT_NEAR(s.max_site_power_mw, 5.08, 1e-9);
  // 14 of 16 steps at 3.5 MW IT, 4 at 1.5715 MW, over 16 steps at 3.5 MW.
  EXPECT_NEAR(s.mining_uptime, (12 * 3.5 + 4 * 1.5715) / (16 * 3.5), 1e-9);
}

// The same site and event terms with hourly steps and an event off the step
// grid, 05:30-07:00 (1.5 h; docs/site.md lets an event start at any time).
// The site must stay at or below 3 MW from 05:30, so the step 05:00-06:00,
// whose allocation holds for the whole hour, is capped too: 449 units, 2.99722 MW.
// Each MWh reduced during the event earns the credit:
//   05:00 step: (5.08 - 2.99722) x 0.5 h in the event x 150 = 156.2085
//   06:00 step: (5.08 - 2.99722) x 1 h x 150 = 312.417
//   credit = 2.08278 x 1.5 x 150 = 468.6255, as at 30-minute steps (issue 8: time, not steps).
// Catches: an event looked up at the step's start only (the 05:00 step uncapped
// at 5.08 MW, the credit 312.417); the credit for whole steps rather than the
// time inside the event.
TEST(BooksTest, DemandResponseEventOffTheStepGrid) {
  const Site site = DrSite("2024-03-01T05:30:00Z", "2024-03-01T07:00:00Z");
  const MarketSeries m =
      Market(At("2024-03-01T00:00:00Z"), Hours(1), std::vector<double>(8, 20), 50);
  const BacktestResult r = RunBacktest({"dr", Valid(site)}, m, PolicyKind::kMullet);
  EXPECT_LE(r.facility_mw[5], 3.0 + 1e-6);
  EXPECT_LE(r.facility_mw[6], 3.0 + 1e-6);
  EXPECT_NEAR(r.summary.dr_credit_usd, (5.08 - (1.3 + 449 * 3500 * 1.08 / 1e6)) * 1.5 * 150, 1e-6);
}

// ---- GPU cloud on what was served; colocation rent and an SLA tier by month.

// PUE liquid 1.3; interconnect 4 MW. 96 h from 2024-03-30T00:00Z: 48 h in
// March, 48 h in April.
//   lease: 2 MW contracted, load factor 1: 2 MW IT, 2.6 MW facility; $120/kW-month;
//   tiers: below 0.9999 -> 5 %, below 0.999 -> 10 %, below 0.99 -> 25 %.
//   cloud: 50 nodes x 10 kW = 0.5 MW IT (0.65 MW facility); 50 x 8 = 400 GPUs x
//   $2.5 x utilisation 0.6 = $600 per hour served in full.
// Event A, 2024-03-30T10:00-12:00, reduce_to 2.925 MW: lease served in full
//   (2.6), cloud gets 0.325 / 1.3 = 0.25 of 0.5 MW IT: share 0.5 -> $300 per hour.
// Event B, 2024-04-01T10:00-11:00, reduce_to 1.976 MW: lease gets
//   1.976 / 1.3 = 1.52 MW IT of 2 (short 0.48 MWh), cloud 0.
// GPU cloud = 93 h x 600 + 2 h x 300 + 1 h x 0 = 55,800 + 600 = 56,400.
// Colocation rent = 120 x 2000 x 96 / 730.5 = 31,540.04 (contracted, breach or not).
// SLA, by month: March 96 / 96 MWh served: no credit. April: (96 - 0.48) / 96
//   = 0.995: below 0.9999 and 0.999, not 0.99: the deepest tier breached, 10 %,
//   of April's rent 120 x 2000 x 48 / 730.5 = 15,770.02: credit 1,577.00.
// Firm availability: demand 2.5 MW x 96 h = 240 MWh; short 0.25 x 2 (A)
//   + 0.48 + 0.5 (B) = 1.48 MWh: 238.52 / 240 = 0.993833. Breach hours: 3.
// Catches: cloud paid on demand, not served (57,600); utilisation dropped
// (94,000); cloud paid per node not per GPU; rent on served kW; the first
// tier breached (5 %) instead of the deepest; the credit on the whole run's
// rent (3,154.00); SLA settled over the run; availability by hours not MWh.
TEST(BooksTest, GpuCloudPaidOnServedShareColocationSlaTierByMonth) {
  Site site;
  site.name = "ai";
  site.interconnect = Megawatts(4);
  site.cooling.pue_liquid = 1.3;
  ColoLease lease = Lease("tenant", 2);
  lease.cooling = CoolingClass::kLiquid;
  site.leases.push_back(lease);
  GpuCloud cloud;
  cloud.name = "cloud";
  cloud.nodes = 50;
  cloud.gpus_per_node = 8;
  cloud.power_per_node = Kilowatts(10);
  cloud.usd_per_gpu_hour = 2.5;
  cloud.utilisation = 0.6;
  site.clouds.push_back(cloud);
  site.contract.demand_response.push_back({At("2024-03-30T10:00:00Z"), At("2024-03-30T12:00:00Z"),
                                           Megawatts(2.925), std::nullopt, UsdPerMegawattHour(0)});
  site.contract.demand_response.push_back({At("2024-04-01T10:00:00Z"), At("2024-04-01T11:00:00Z"),
                                           Megawatts(1.976), std::nullopt, UsdPerMegawattHour(0)});
  const MarketSeries m =
      Market(At("2024-03-30T00:00:00Z"), Hours(1), std::vector<double>(96, 20), 50);
  const BacktestResult r = RunBacktest({"ai", Valid(site)}, m, PolicyKind::kMullet);
  const BacktestSummary& s = r.summary;
  EXPECT_NEAR(s.gpu_cloud_revenue_usd, 93 * 600 + 2 * 300, 1e-6);
  EXPECT_NEAR(s.colocation_revenue_usd, 120.0 * 2000 * 96 / 730.5, 1e-6);
  EXPECT_NEAR(s.batch_revenue_usd, 0, 1e-12);
  EXPECT_NEAR(s.ai_revenue_usd, 56400 + 120.0 * 2000 * 96 / 730.5, 1e-6);
  EXPECT_NEAR(s.sla_credit_usd, 0.10 * 120.0 * 2000 * 48 / 730.5, 1e-6);
  ASSERT_EQ(s.months.size(), 2u);
  EXPECT_NEAR(s.months[0].sla_credit_usd, 0, 1e-12);
  EXPECT_NEAR(s.months[1].sla_credit_usd, 0.10 * 120.0 * 2000 * 48 / 730.5, 1e-6);
  EXPECT_NEAR(s.firm_availability, (240 - 1.48) / 240, 1e-9);
  EXPECT_NEAR(s.sla_breach_hours, 3, 1e-12);
  EXPECT_NEAR(s.profit_usd,
              56400 + 120.0 * 2000 * 96 / 730.5 - s.power_cost_usd - 0.10 * 120.0 * 2000 * 48 / 730.5,
              1e-6);
}

// ---- Batch: revenue at each job's value per GPU-hour; a missed deadline.

// Batch pool: 10 GPUs x 1 kW, liquid PUE 1.3; index $20: power costs
// 1.3 kW x $0.02/kWh = $0.026 per GPU-hour, below every job's value.
// Jobs (all released at 00:00 unless said):
//   urgent: 20 GPU-h, deadline 02:00, $4/GPU-h
//   a:      15 GPU-h, deadline 10:00, $3/GPU-h
//   b:      30 GPU-h, released 01:00, deadline 24:00, $1/GPU-h
// A DR event 01:00-02:00 reduce_to 0: no batch that hour.
//   h0: 10 GPU-h to urgent (EDF)            +40
//   h1: nothing (cap 0); urgent's deadline (02:00) passes with 10 GPU-h left: missed 1
//   h2: urgent's last 10 GPU-h (it still runs) +40
//   h3: a, 10 GPU-h                          +30
//   h4: a's last 5 GPU-h and 5 of b: 5 x 3 + 5 x 1 = +20
//   h5, h6: b, 10 GPU-h each; h7: b's last 5  +10 +10 +5
//   revenue = 40 + 40 + 30 + 20 + 10 + 10 + 5 = 155; GPU-hours = 65; deadlines missed = 1
//   energy = 65 GPU-h x 1 kW x 1.3 = 0.0845 MWh
// Catches: every job valued at one job's price (65 x 4 = 260, 65 x 1), or a
// step's work all at its earliest job's value (h4: 10 x 3 = 30, total 165); a deadline
// checked with `<` (the job finished in h2 is then never counted); a missed
// job counted every step it stays late (2).
TEST(BooksTest, BatchRevenueAtEachJobsValueAndMissedDeadline) {
  Site site;
  site.name = "batch";
  site.interconnect = Megawatts(1);
  site.cooling.pue_liquid = 1.3;
  BatchQueue q;
  q.gpus = 10;
  q.power_per_gpu = Kilowatts(1);
  q.jobs = {{"urgent", 20, At("2024-03-01T00:00:00Z"), At("2024-03-01T02:00:00Z"), 4},
            {"a", 15, At("2024-03-01T00:00:00Z"), At("2024-03-01T10:00:00Z"), 3},
            {"b", 30, At("2024-03-01T01:00:00Z"), At("2024-03-02T00:00:00Z"), 1}};
  site.batch = q;
  site.contract.demand_response.push_back({At("2024-03-01T01:00:00Z"), At("2024-03-01T02:00:00Z"),
                                           Megawatts(0), std::nullopt, UsdPerMegawattHour(0)});
  const MarketSeries m =
      Market(At("2024-03-01T00:00:00Z"), Hours(1), std::vector<double>(12, 20), 50);
  const BacktestResult r = RunBacktest({"batch", Valid(site)}, m, PolicyKind::kMullet);
  const BacktestSummary& s = r.summary;
  EXPECT_NEAR(s.batch_revenue_usd, 40 + 40 + 30 + 20 + 10 + 10 + 5, 1e-9);
  EXPECT_NEAR(s.ai_revenue_usd, 155, 1e-9);
  EXPECT_NEAR(s.batch_gpu_hours, 65, 1e-9);
  EXPECT_EQ(s.batch_deadlines_missed, 1);
  EXPECT_NEAR(s.energy_mwh, 65 * 1.3 / 1000, 1e-12);
  EXPECT_NEAR(s.power_cost_usd, 65 * 1.3 / 1000 * 20, 1e-9);
  EXPECT_EQ(ReasonAt(r, 7, 0), Reason::kBatchRunValue);
  EXPECT_EQ(ReasonAt(r, 1, 0), Reason::kBatchLimited);
  EXPECT_EQ(ReasonAt(r, 8, 0), Reason::kBatchIdle);
}

// ---- Mining: pool fee, uptime, ramp-up, BTC, and the direct cost per BTC with a block.

// 30-minute steps, 8 steps from 2024-03-01T00:00Z, index 20 20 300 20 20 20 20 20,
// $60/PH/day = $0.06/TH/day, BTC $60,000: 1e-6 BTC per TH/s per day.
//   S21 x 100, air PUE 1.08, pool fee 0.02, uptime 0.97, ramp-up 600 s = 1/6 h:
//     IT 0.35 MW, facility 0.378 MW; 20,000 TH/s.
//     value = 0.06 x 200 / 24 x 0.97 x 0.98 / (0.0035 x 1.08) = 125.74 $/MWh: runs at 20,
//     stops at 300 (inside the block the marginal price is the index).
//   lease 0.1 MW IT, liquid PUE 1.3: 0.13 MW facility; rate $0.
//   block 0.6 MW at $25, adder $5 (never used: the site stays under the block).
// Revenue, one full step: 0.06 x 20,000 x 0.5 / 24 x 0.97 x 0.98 = 25 x 0.9506 = 23.765.
//   step 2 off; step 3 restarts 100 units: they hash 1 - (1/6) / 0.5 = 2/3 of it.
//   mining = 23.765 x (6 + 2/3) = 158.4333
// BTC, one full step: 1e-6 x 20,000 x 0.5 / 24 x 0.9506 = 0.000396083;
//   BTC = 0.000396083 x (6 + 2/3) = 0.00264056 (= 158.4333 / 60,000)
// Power, a running step: facility 0.508 MW, 0.254 MWh; block 0.3 MWh x 25 = 7.5;
//   sell-back (0.3 - 0.254) x 20 = 0.92; net 6.58; mining's share 0.378 / 0.508.
//   The stopped step: facility 0.13 MW, cost 7.5, sell-back (0.3 - 0.065) x 300 = 70.5,
//   mining's share 0 (it draws nothing).
//   power cost = 8 x 7.5 = 60 (the block every step); sell-back = 7 x 0.92 + 70.5 = 76.94
//   mining's net power cost = 7 x 6.58 x 0.378 / 0.508 = 34.27299
//   direct cost per BTC = 34.27299 / 0.00264056 = 12,979.46
// Mining uptime = 7 / 8 steps at nameplate = 0.875; curtailed 0.5 h, 50 machine-hours.
// Catches: pool fee or uptime dropped; the ramp-up ignored (mining 166.36) or
// applied to every unit, or taken as seconds / hours of a 1 h step (5/6); BTC
// from hashprice without / BTC price; cost per BTC on gross cost, not net of
// sell-back (7 x 7.5 x 0.744); mining's share by IT power (0.35 / 0.45) or the
// whole bill; the stopped step's block and sell-back given to mining.
TEST(BooksTest, MiningRevenueRampBtcAndDirectCostPerBtcWithABlock) {
  Site site;
  site.name = "mining";
  site.interconnect = Megawatts(1);
  site.cooling.pue_air = 1.08;
  site.cooling.pue_liquid = 1.3;
  MinerGroup g = Group("s21", "S21", 100);
  g.pool_fee = 0.02;
  g.uptime = 0.97;
  g.ramp_up = Seconds(600);
  site.miners.push_back(g);
  ColoLease lease = Lease("ai", 0.1);
  lease.cooling = CoolingClass::kLiquid;
  lease.rate = UsdPerKilowattMonth(0);
  site.leases.push_back(lease);
  site.contract.adder = UsdPerMegawattHour(5);
  site.contract.block = FixedBlock{Megawatts(0.6), UsdPerMegawattHour(25)};
  site.policy.hysteresis = UsdPerMegawattHour(0);
  const MarketSeries m =
      Market(At("2024-03-01T00:00:00Z"), Hours(0.5), {20, 20, 300, 20, 20, 20, 20, 20}, 60);
  const BacktestResult r = RunBacktest({"mining", Valid(site)}, m, PolicyKind::kMullet);
  const BacktestSummary& s = r.summary;
  EXPECT_EQ(ReasonAt(r, 2, 1), Reason::kCurtailPriceAboveBreakeven);
  EXPECT_EQ(ReasonAt(r, 3, 1), Reason::kMineFull);
  EXPECT_NEAR(s.mining_revenue_usd, 25 * 0.97 * 0.98 * (6 + 2.0 / 3), 1e-9);
  EXPECT_NEAR(s.btc_mined, 1e-6 * 20000 * 0.5 / 24 * 0.97 * 0.98 * (6 + 2.0 / 3), 1e-15);
  EXPECT_NEAR(s.power_cost_usd, 8 * 7.5, 1e-9);
  EXPECT_NEAR(s.sell_back_credit_usd, 7 * 0.92 + 70.5, 1e-9);
  EXPECT_NEAR(s.energy_mwh, 7 * 0.254 + 0.065, 1e-9);
  const double btc = 1e-6 * 20000 * 0.5 / 24 * 0.97 * 0.98 * (6 + 2.0 / 3);
  EXPECT_NEAR(s.direct_cost_per_btc_usd, 7 * 6.58 * 0.378 / 0.508 / btc, 1e-6);
  EXPECT_NEAR(s.mining_uptime, 0.875, 1e-12);
  EXPECT_NEAR(s.curtailed_hours, 0.5, 1e-12);
  EXPECT_NEAR(s.curtailed_machine_hours, 50, 1e-12);
  EXPECT_NEAR(s.max_site_power_mw, 0.508, 1e-9);
  EXPECT_NEAR(s.profit_usd, 25 * 0.97 * 0.98 * (6 + 2.0 / 3) + 76.94 - 60, 1e-9);
}

// ---- Curtailed hours count decisions, not static limits.

// 30-minute steps, 8 steps (4 h), index 20 20 500 500 20 20 20 20, $50/PH/day.
//   S21 x 1000, PUE 1.08, in a hall limited to 3.025 MW facility:
//   units = floor(3.025e6 / 1.08 / 3500) = floor(800.26) = 800 (2.8 MW IT,
//   3.024 MW facility): curtail-domain-limit, a static limit, not counted.
//   value 0.05 x 200 / 24 / 0.00378 = 110.23 $/MWh: at 500 every unit stops by
//   decision (curtail-price-above-breakeven) for 1 h: 1000 machine-hours.
//   mining uptime = 2.8 MW x 3 h / (3.5 MW x 4 h) = 8.4 / 14 = 0.6
//   max site power = 3.024 MW.
// Catches: static limits counted as decisions (curtailed 4 h, 1600
// machine-hours); curtailed hours in steps (2) or machine-hours without x
// hours (2000); uptime over running hours, or over facility energy.
TEST(BooksTest, CurtailedHoursCountDecisionsNotStaticLimits) {
  Site site;
  site.name = "hall";
  site.interconnect = Megawatts(10);
  site.cooling.pue_air = 1.08;
  site.domains.push_back({"hall", "", Megawatts(3.025)});
  MinerGroup g = Group("s21", "S21", 1000);
  g.domain = "hall";
  site.miners.push_back(g);
  site.policy.hysteresis = UsdPerMegawattHour(0);
  const MarketSeries m =
      Market(At("2024-03-01T00:00:00Z"), Hours(0.5), {20, 20, 500, 500, 20, 20, 20, 20}, 50);
  const BacktestResult r = RunBacktest({"hall", Valid(site)}, m, PolicyKind::kMullet);
  const BacktestSummary& s = r.summary;
  EXPECT_EQ(ReasonAt(r, 0, 0), Reason::kCurtailDomainLimit);
  EXPECT_EQ(ReasonAt(r, 2, 0), Reason::kCurtailPriceAboveBreakeven);
  EXPECT_EQ(ReasonAt(r, 4, 0), Reason::kCurtailDomainLimit);
  EXPECT_NEAR(s.curtailed_hours, 1, 1e-12);
  EXPECT_NEAR(s.curtailed_machine_hours, 1000, 1e-9);
  EXPECT_NEAR(s.mining_uptime, 0.6, 1e-9);
  EXPECT_NEAR(s.max_site_power_mw, 3.024, 1e-9);
  EXPECT_EQ(s.firm_availability, 1.0);  // no firm load: 1 by definition
  ASSERT_EQ(s.months.size(), 1u);
  EXPECT_NEAR(s.months[0].curtailed_hours, 1, 1e-12);
  EXPECT_NEAR(s.months[0].curtailed_machine_hours, 1000, 1e-9);
}

// ---- The power-target optimum at an interior point.

// S21 (p_nom 3500 W, h_nom 200 TH/s), pool fee 0, uptime 1, efficiency exponent
// e = 0.25, power-target range [1000, 4000] W, PUE 1.25, $42/PH/day.
//   Revenue per hour at p: R(p) = 0.042 x 200 / 24 x (p / 3500)^0.75 = 0.35 (p / 3500)^0.75.
//   Cost per hour: price x p x 1.25 / 1e6.
//   Value of a facility MWh at nameplate: 0.35 / (3500 x 1.25 / 1e6) = 0.35 / 0.004375 = 80.
//   dR/dp = 0.75 R(p) / p, so at the optimum 0.75 x 80 x (p / 3500)^-0.25 = price:
//     p* = 3500 x (60 / price)^4.
//   price 72: p* = 3500 x (5/6)^4 = 3500 x 625 / 1296 = 1687.886 W (interior),
//     h* = 200 x (5/6)^3 = 115.741 TH/s; profit/h: p* 0.050637, nameplate 0.035,
//     1000 W 0.046778, 4000 W 0.026867: p* is the best.
//   price 64: p* = 3500 x (60/64)^4 = 3500 x 0.9375^4 = 2703.667 W (interior);
//     profit/h: p* 0.072098, nameplate 0.07, 1000 W 0.056778, 4000 W 0.066867.
// Tolerance 0.5 W: BestPoint solves the optimum in closed form, so doubles
// would allow 1e-9 W; 0.5 W leaves room for a numeric search (a profit within
// 1e-7 $/h of the optimum, as the profit is flat there) while every mutation
// below moves p* by tens to thousands of watts.
// Catches: 1/e swapped for 1/(1-e) (p* 2745 W at 72); (1-e) dropped
// (3500 x (80/72)^4 = 5335 -> clamps at 4000); PUE dropped from the cost
// (3500 x (75/72)^4 = 4120 -> 4000); the nameplate revenue not rescaled by
// p_nom^(1-e); the optimum clamped to the range ends only (1000 W or
// nameplate); the result's hashrate at nameplate.
TEST(BooksTest, PowerTargetOptimumAtAnInteriorPoint) {
  MinerGroup g = Group("s21", "S21", 100);
  g.firmware.power_target_min = Watts(1000);
  g.firmware.power_target_max = Watts(4000);
  g.firmware.efficiency_exponent = 0.25;
  const UsdPerTerahashDay hp = UsdPerPetahashDay(42);

  const MinerPoint at72 = BestPoint(g, hp, UsdPerMegawattHour(72), 1.25);
  EXPECT_NEAR(at72.power.value(), 3500.0 * 625 / 1296, 0.5);
  EXPECT_NEAR(at72.hashrate.value(), 200.0 * 125 / 216, 0.05);  // (5/6)^3; 0.5 W ~ 0.026 TH/s
  EXPECT_TRUE(at72.underclocked);

  const MinerPoint at64 = BestPoint(g, hp, UsdPerMegawattHour(64), 1.25);
  EXPECT_NEAR(at64.power.value(), 3500 * 0.9375 * 0.9375 * 0.9375 * 0.9375, 0.5);
  EXPECT_TRUE(at64.underclocked);

  // The same through the backtest: 2 h at $72, 100 units at p*:
  //   IT = 100 x 1687.886 W = 0.1687886 MW; facility x 1.25 = 0.2109857 MW
  //   mining = 100 x 115.741 TH/s x 0.042 / 24 x 2 h = 2 x 20.25463 = 40.50926
  //   power cost = 0.2109857 x 2 x 72 = 30.38194
  //   mining uptime = 1687.886 / 3500 = 0.482253 (IT MWh over nameplate MWh)
  Site site;
  site.name = "target";
  site.interconnect = Megawatts(1);
  site.cooling.pue_air = 1.25;
  site.miners.push_back(g);
  site.policy.hysteresis = UsdPerMegawattHour(0);
  const MarketSeries m = Market(At("2024-03-01T00:00:00Z"), Hours(1), {72, 72}, 42);
  const BacktestResult r = RunBacktest({"target", Valid(site)}, m, PolicyKind::kMullet);
  const BacktestSummary& s = r.summary;
  EXPECT_EQ(ReasonAt(r, 0, 0), Reason::kMinePowerTarget);
  const double p_star = 3500.0 * 625 / 1296;
  EXPECT_NEAR(r.loads[0].energy_mwh, 100 * p_star / 1e6 * 2, 1e-6);
  EXPECT_NEAR(s.mining_revenue_usd, 100 * (200.0 * 125 / 216) * 0.042 / 24 * 2, 1e-3);
  EXPECT_NEAR(s.power_cost_usd, 100 * p_star * 1.25 / 1e6 * 2 * 72, 1e-3);
  EXPECT_NEAR(s.mining_uptime, p_star / 3500, 1e-6);
}

// ---- A group stopped by a limit restarts as soon as it pays.

// S21 x 100, PUE 1, fee 0, uptime 1, $42/PH/day: value 0.35 / 0.0035 = 100 $/MWh.
// Hysteresis $10/MWh. Index 95 every hour: margin 5, positive, inside the band.
//   Limit run: a DR event reduce_to 0 in h1 cuts every unit (dr-event, a limit).
//     h2, h3: margin 5 >= 0: back at once (mine-full): the band is for price stops.
//     mining = 3 h x 100 x 200 x 0.042 / 24 = 3 x 35 = 105; curtailed 1 h.
//   Price run: index 150 in h1 stops every unit by decision.
//     h2, h3: margin 5 < 10: stay off (curtail-hysteresis).
//     mining = 1 h x 35 = 35; curtailed 3 h.
// Catches: the band applied after a limit stop (limit run stays off in h2, h3);
// stopped_by_limit never set or cleared at once; the band dropped after price
// stops too (price run restarts in h2).
TEST(BooksTest, GroupStoppedByALimitRestartsWithoutTheBand) {
  Site site;
  site.name = "restart";
  site.interconnect = Megawatts(1);
  site.cooling.pue_air = 1.0;
  site.miners.push_back(Group("s21", "S21", 100));
  site.policy.hysteresis = UsdPerMegawattHour(10);
  const UtcTime t0 = At("2024-03-01T00:00:00Z");

  Site limited = site;
  limited.contract.demand_response.push_back({At("2024-03-01T01:00:00Z"), At("2024-03-01T02:00:00Z"),
                                              Megawatts(0), std::nullopt, UsdPerMegawattHour(0)});
  const BacktestResult a =
      RunBacktest({"limit", Valid(limited)}, Market(t0, Hours(1), {95, 95, 95, 95}, 42), PolicyKind::kMullet);
  EXPECT_EQ(ReasonAt(a, 0, 0), Reason::kMineFull);
  EXPECT_EQ(ReasonAt(a, 1, 0), Reason::kCurtailDrEvent);
  EXPECT_EQ(ReasonAt(a, 2, 0), Reason::kMineFull);
  EXPECT_EQ(ReasonAt(a, 3, 0), Reason::kMineFull);
  EXPECT_NEAR(a.summary.mining_revenue_usd, 3 * 35, 1e-9);
  EXPECT_NEAR(a.summary.curtailed_hours, 1, 1e-12);

  const BacktestResult b =
      RunBacktest({"price", Valid(site)}, Market(t0, Hours(1), {95, 150, 95, 95}, 42), PolicyKind::kMullet);
  EXPECT_EQ(ReasonAt(b, 1, 0), Reason::kCurtailPriceAboveBreakeven);
  EXPECT_EQ(ReasonAt(b, 2, 0), Reason::kCurtailHysteresis);
  EXPECT_EQ(ReasonAt(b, 3, 0), Reason::kCurtailHysteresis);
  EXPECT_NEAR(b.summary.mining_revenue_usd, 35, 1e-9);
  EXPECT_NEAR(b.summary.curtailed_hours, 3, 1e-12);
}

// ---- Hours counted from whole steps (issue 9: "fractional curtailed_hours
// such as 520.9999999999575 at 5-minute steps").

// 30 days of 5-minute steps (8,640), every seventh step at $2,000/MWh, above
// every group's value: those 1,235 steps (ceil(8640 / 7)) are curtailed.
// curtailed_hours = 1235 x 5 / 60 = 102.91666..., the same double as
// 1235 * 300 / 3600.0, and the run's hours exactly 720.
// Catches: hours summed step by step as 1/12 (off in the last digits).
TEST(BooksTest, HoursAtFiveMinuteStepsAreWholeStepsExactly) {
  Site site = testing_sites::MiningSite();
  std::vector<double> prices(8640, 20.0);
  for (size_t k = 0; k < prices.size(); k += 7) prices[k] = 2000;
  const MarketSeries m = Market(At("2024-06-01T00:00:00Z"), Hours(5.0 / 60), prices, 50);
  const BacktestResult r = RunBacktest({"five-minute", Valid(site)}, m, PolicyKind::kAlwaysOn);
  const BacktestResult q = RunBacktest({"five-minute", Valid(site)}, m, PolicyKind::kMullet);
  EXPECT_EQ(r.summary.hours, 720.0);
  EXPECT_EQ(r.summary.curtailed_hours, 0.0);
  EXPECT_EQ(q.summary.curtailed_hours, 1235 * 300 / 3600.0);
  ASSERT_EQ(q.summary.months.size(), 1u);
  EXPECT_EQ(q.summary.months[0].hours, 720.0);
  EXPECT_EQ(q.summary.months[0].curtailed_hours, 1235 * 300 / 3600.0);
}

}  // namespace
}  // namespace mullet
