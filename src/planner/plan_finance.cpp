// PlanRunner's finance: one decision's books by month on one path, to its
// cash, NPV, IRR and payback and cost per BTC (plan_run.h has the rules).

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "dispatch/contract.h"
#include "plan/finance.h"
#include "planner/plan_run.h"

namespace mullet {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

// One decision's books by month: EBITDA, capex and debt, taxes, treasury,
// cash against the floor; then NPV, IRR and payback against the first
// decision's flows, cost per BTC.
void PlanRunner::RunFinance(int di, const std::vector<std::vector<SiteBooks>>& books, std::uint64_t index,
                            std::vector<Usd>* base_flows, PlanResults* out) const {
  const PlanSpec& p = plan_;
  const int months = p.months();
  const double r_month_disc = p.discount_rate;
  const Site& base_site = models_[site_of_[0][0]]->site();
  const FourCoincidentPeak* cp = base_site.contract.four_cp ? &*base_site.contract.four_cp : nullptr;
  const Decision& dec = p.decisions[di];
  std::vector<Usd> flows(static_cast<std::size_t>(months) + 1, Usd(0));
  std::vector<double> ebitda_m(months, 0);
  const std::size_t nc = dec.conversions.size();
  std::vector<double> balance(nc, 0), payment(nc, 0);
  std::vector<double> asic_balance(dec.fleet.size(), 0), asic_payment(dec.fleet.size(), 0);
  double cash = p.initial_cash_usd, held = 0;
  double btc_total = 0, mining_power = 0, mining_opex = 0, overhead_mining = 0, interest_mining = 0;
  double first_breach = -1, fleet_depreciation_total = 0;
  double year_alert_mwh = 0, year_alert_h = 0, year_peak_mwh = 0, year_peak_h = 0, year_hours = 0;
  float* cash_out = out->CashOf(index, di);
  TaxYears taxes(p.tax_rate, p.tax_loss_offset_share);
  for (int m = 0; m < months; ++m) {
    const SiteModel& model = *models_[site_of_[di][m]];
    const Site& site = model.site();
    const SiteBooks& b = books[site_of_[di][m]][m];
    // Rent, escalated by lease year for the conversions' leases; SLA credits by month.
    double rent = 0, sla = 0;
    for (std::size_t i = 0; i < site.leases.size(); ++i) {
      const ColoLease& l = site.leases[i];
      double factor = 1;
      for (std::size_t k = 0; k < nc; ++k) {
        if (l.name != ConversionLeaseName(k)) continue;
        const Conversion& c = dec.conversions[k];
        factor = std::pow(1 + c.lease.escalator_per_year, (m - c.start_month - c.build_months) / 12);
      }
      const double month_rent = (i < b.lease_rent_usd.size() ? b.lease_rent_usd[i] : 0) * factor;
      rent += month_rent;
      const double demand = i < b.lease_demand_mwh.size() ? b.lease_demand_mwh[i] : 0;
      const double availability = demand > 0 ? b.lease_served_mwh[i] / demand : 1.0;
      sla += SlaCreditFraction(l, availability) * month_rent;
    }
    // 4CP: the year's charge at its end (or the horizon's), on the mean
    // draw at the listed peaks where the contract lists them, else over
    // the alert hours (the peaks fall in them).
    double four_cp = 0;
    year_alert_mwh += b.alert_mwh;
    year_alert_h += b.alert_hours;
    year_peak_mwh += b.peak_mwh;
    year_peak_h += b.peak_hours;
    year_hours += b.hours;
    const std::chrono::year_month_day ymd(p.start + std::chrono::days(
        std::accumulate(month_days_.begin(), month_days_.begin() + m, 0)));
    const bool year_end = static_cast<unsigned>(ymd.month()) == 12 || m == months - 1;
    if (cp && year_end) {
      const double mean_mw = year_peak_h > 0 ? year_peak_mwh / year_peak_h
                             : year_alert_h > 0 ? year_alert_mwh / year_alert_h : 0;
      const double year_h = HoursInYear(static_cast<int>(ymd.year()));
      four_cp = cp->rate_usd_per_kw_year * mean_mw * 1000 * std::min(1.0, year_hours / year_h);
      year_alert_mwh = year_alert_h = year_peak_mwh = year_peak_h = year_hours = 0;
    }
    double ai_kw = 0, mining_kw = 0;
    for (const ColoLease& l : site.leases) ai_kw += l.contracted_it.kilowatts();
    for (const GpuCloud& c : site.clouds) ai_kw += (c.power_per_node * c.nodes).kilowatts();
    if (site.batch) ai_kw += (site.batch->power_per_gpu * site.batch->gpus).kilowatts();
    for (const MinerGroup& g : site.miners) mining_kw += (g.model.power * g.count).kilowatts();
    const double opex_mining = site.costs.mining_opex.value() * mining_kw;
    const double opex = site.costs.ai_opex.value() * ai_kw + opex_mining + p.overhead_usd_per_month;
    const double revenue = b.mining_revenue_usd + rent + b.gpu_cloud_revenue_usd + b.batch_revenue_usd;
    const double net_power = b.power_cost_usd - b.sell_back_usd;
    // Demand response: the events' credits, and the program's capacity payment.
    double dr = b.dr_credit_usd;
    if (dec.demand_response) {
      const DemandResponseProgram& prog = *dec.demand_response;
      dr += prog.capacity_usd_per_mw_month * (prog.enrolled_mw >= 0 ? prog.enrolled_mw : std::max(0.0, prog.reduce_by_mw));
    }
    const double ebitda = revenue + dr + b.power_reimbursed_usd - net_power - four_cp - sla - opex;
    ebitda_m[m] = ebitda;
    // Capex, debt and depreciation per conversion.
    double capex_equity = 0, interest = 0, principal = 0, depreciation = 0;
    for (std::size_t k = 0; k < nc; ++k) {
      const Conversion& c = dec.conversions[k];
      const double capex = c.capex_usd_per_mw * c.facility_mw / base_site.cooling.pue_liquid;
      const int lease_start = c.start_month + c.build_months;
      const double rate = dec.financing.annual_rate / 12;
      interest += balance[k] * rate;
      if (m >= c.start_month && m < lease_start) {
        const double spend = capex / c.build_months;
        capex_equity += spend * (1 - dec.financing.debt_share);
        balance[k] += spend * dec.financing.debt_share;
      } else if (c.build_months == 0 && m == c.start_month) {
        capex_equity += capex * (1 - dec.financing.debt_share);
        balance[k] += capex * dec.financing.debt_share;
      }
      if (m >= lease_start) {
        if (m == lease_start) {
          payment[k] = balance[k] <= 0 ? 0
                       : rate > 0 ? balance[k] * rate / (1 - std::pow(1 + rate, -dec.financing.term_months))
                                  : balance[k] / dec.financing.term_months;
        }
        const double pay_principal = std::min(balance[k], std::max(0.0, payment[k] - balance[k] * rate));
        principal += pay_principal;
        balance[k] -= pay_principal;
        depreciation += capex / (p.capex_depreciation_years * 12);
      }
    }
    // ASICs bought (paid in cash, less what is borrowed against them) and
    // retired (salvage), the bought units' depreciation, and their loans:
    // drawn in the month bought, an annuity from the month after.
    double fleet_cash = 0, fleet_depreciation = 0, asic_interest = 0;
    for (std::size_t k = 0; k < dec.fleet.size(); ++k) {
      const FleetChange& c = dec.fleet[k];
      if (m == c.month) fleet_cash -= c.count * c.usd_per_unit;  // a purchase paid, a salvage received
      if (c.count > 0 && m >= c.month && m < c.month + c.life_months) {
        fleet_depreciation += c.count * c.usd_per_unit / c.life_months;
      }
      if (c.count <= 0 || c.debt_share <= 0) continue;
      const double rate = c.debt_annual_rate / 12;
      if (m == c.month) {
        asic_balance[k] = c.count * c.usd_per_unit * c.debt_share;
        fleet_cash += asic_balance[k];
        asic_payment[k] = rate > 0 ? asic_balance[k] * rate / (1 - std::pow(1 + rate, -c.debt_term_months))
                                   : asic_balance[k] / c.debt_term_months;
      } else if (m > c.month && asic_balance[k] > 0) {
        asic_interest += asic_balance[k] * rate;
        const double pay_principal = std::min(asic_balance[k], std::max(0.0, asic_payment[k] - asic_balance[k] * rate));
        principal += pay_principal;
        asic_balance[k] -= pay_principal;
      }
    }
    fleet_depreciation_total += fleet_depreciation;
    const double taxable = ebitda - depreciation - fleet_depreciation - p.mining_depreciation_usd_per_month -
                           interest - asic_interest;
    const double tax = taxes.Month(m, taxable);
    const double kept_btc_value = b.mining_revenue_usd * (1 - dec.treasury.sell_share);
    held += b.btc_mined * (1 - dec.treasury.sell_share);
    const double flow = ebitda - kept_btc_value - capex_equity - interest - asic_interest - principal - tax + fleet_cash;
    cash += flow;
    double sold = 0;
    const double month_end_price = out->MarketOf(index, 0)[m];
    if (dec.treasury.sell_to_cover && cash < p.cash_floor_usd && held > 0) {
      const double btc = std::min(held, (p.cash_floor_usd - cash) / month_end_price);
      held -= btc;
      sold = btc * month_end_price;
      cash += sold;
    }
    flows[static_cast<std::size_t>(m) + 1] = Usd(flow + sold);
    if (first_breach < 0 && cash < p.cash_floor_usd) first_breach = m;
    cash_out[m] = static_cast<float>(cash);
    const double mining_share = revenue > 0 ? b.mining_revenue_usd / revenue : 0;
    btc_total += b.btc_mined;
    mining_power += b.mining_power_cost_usd;
    mining_opex += opex_mining;
    overhead_mining += p.overhead_usd_per_month * mining_share;
    interest_mining += interest * mining_share + asic_interest;
  }
  // The horizon: held BTC at the path's last price, the multiple on the
  // last 12 months' EBITDA, less the debt outstanding.
  double last12 = 0;
  for (int m = std::max(0, months - 12); m < months; ++m) last12 += ebitda_m[m];
  double debt = 0;
  for (double v : balance) debt += v;
  for (double v : asic_balance) debt += v;
  const double terminal = held * out->MarketOf(index, 0)[months - 1] + p.terminal_ebitda_multiple * last12 - debt;
  flows[months] = flows[months] + Usd(terminal);
  DecisionOutcome& o = out->outcomes[index * p.decisions.size() + di];
  o.npv_usd = NetPresentValue(flows, r_month_disc).value();
  std::vector<Usd> irr_flows = flows;
  if (di > 0) {  // the difference from the first decision, path by path
    for (std::size_t i = 0; i < irr_flows.size(); ++i) irr_flows[i] = irr_flows[i] - (*base_flows)[i];
  }
  // IRR and payback measure what a decision adds to the first: none for the first itself.
  if (di > 0) {
    const Irr irr = InternalRateOfReturn(irr_flows);
    o.irr = irr.outcome == IrrOutcome::kUnique ? *irr.rate : kNaN;
    const std::optional<int> payback = PaybackMonth(irr_flows);
    o.payback_month = payback ? *payback : -1;
  } else {
    o.irr = kNaN;
    o.payback_month = -1;
  }
  o.first_breach_month = first_breach;
  o.btc_mined = btc_total;
  double ebitda_total = 0;
  for (double v : ebitda_m) ebitda_total += v;
  o.ebitda_usd = ebitda_total;
  if (btc_total > 0) {
    o.cost_per_btc_direct = mining_power / btc_total;
    o.cost_per_btc_cash = (mining_power + mining_opex + overhead_mining + interest_mining) / btc_total;
    o.cost_per_btc_all_in =
        o.cost_per_btc_cash + (p.mining_depreciation_usd_per_month * months + fleet_depreciation_total) / btc_total;
  } else {
    o.cost_per_btc_direct = o.cost_per_btc_cash = o.cost_per_btc_all_in = kNaN;
  }
  if (di == 0) *base_flows = flows;
}

}  // namespace mullet
