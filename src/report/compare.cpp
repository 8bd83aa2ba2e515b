#include "report/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <string_view>

#include "report/svg.h"

namespace mullet::report {

// ---- Reading a result.

double At(const std::vector<float>& v, std::size_t i) {
  return i < v.size() && std::isfinite(v[i]) ? v[i] : 0.0;
}

double StepHours(const BacktestResult& r) {
  const BacktestSummary& s = r.summary;
  if (s.steps > 0 && s.hours > 0 && std::isfinite(s.hours)) return s.hours / s.steps;
  if (r.times.size() >= 2) {
    return std::chrono::duration<double, std::ratio<3600>>(r.times[1] - r.times[0]).count();
  }
  return 1;
}

// Steps with a reason for every load (a short vector is read as far as it goes).
std::size_t LoadSteps(const BacktestResult& r) {
  const std::size_t nl = r.loads.size();
  return nl == 0 ? 0
                 : std::min(r.times.size(), std::min(r.load_reason.size(), r.load_mw.size()) / nl);
}

namespace {

// Reasons that say why units are not hashing (the rest say why they are).
bool CurtailsUnits(Reason r) {
  switch (r) {
    case Reason::kMineFull:
    case Reason::kMinePowerTarget:
    case Reason::kMineAlwaysOn:
    case Reason::kMineBelowStrike:
    case Reason::kHoldMinOnTime:
      return false;
    default:
      return true;
  }
}

}  // namespace

ReasonHours LoadReasonHours(const BacktestResult& r, std::size_t load) {
  ReasonHours hours{};
  const double dt = StepHours(r);
  const std::size_t nl = r.loads.size(), n = LoadSteps(r);
  const LoadInfo& info = r.loads[load];
  const bool machines = info.kind == LoadKind::kMinerGroup && r.load_units.size() == r.load_reason.size();
  for (std::size_t k = 0; k < n; ++k) {
    const Reason reason = r.load_reason[k * nl + load];
    const auto code = static_cast<std::size_t>(reason);
    if (code >= kReasonCount) continue;
    if (!machines) {
      hours[code] += dt;
      continue;
    }
    // Machine-hours: a curtailing reason counts the units not hashing, the
    // others the units hashing.
    const int hashing = r.load_units[k * nl + load];
    hours[code] += dt * (CurtailsUnits(reason) ? info.units - hashing : hashing);
  }
  return hours;
}

SpikeStats Spikes(const BacktestResult& r) {
  SpikeStats s;
  const double dt = StepHours(r);
  for (std::size_t k = 0; k < r.times.size(); ++k) {
    const double p = At(r.price, k);
    s.max_price = k == 0 ? p : std::max(s.max_price, p);
    if (p <= kSpikePrice) continue;
    const double mwh = At(r.facility_mw, k) * dt;
    s.hours += dt;
    s.facility_mwh += mwh;
    s.cost_usd += mwh * p;
  }
  return s;
}

namespace {

// Machine-hours by reason over every miner group (LoadReasonHours).
ReasonHours MinerReasonHours(const BacktestResult& r) {
  ReasonHours total{};
  for (std::size_t i = 0; i < r.loads.size(); ++i) {
    if (r.loads[i].kind != LoadKind::kMinerGroup) continue;
    const ReasonHours h = LoadReasonHours(r, i);
    for (std::size_t c = 0; c < kReasonCount; ++c) total[c] += h[c];
  }
  return total;
}

// Machine-hours off for price: the policy's own call, not a power limit's.
double PriceCurtailHours(const ReasonHours& h) {
  const auto at = [&](Reason r) { return h[static_cast<std::size_t>(r)]; };
  return at(Reason::kCurtailPriceAboveBreakeven) + at(Reason::kCurtailAboveStrike) +
         at(Reason::kCurtailHysteresis) + at(Reason::kCurtailMinOffTime);
}

// ---- Sentences and tables.

bool HasMiners(const BacktestResult& r) {
  return std::any_of(r.loads.begin(), r.loads.end(),
                     [](const LoadInfo& l) { return l.kind == LoadKind::kMinerGroup; });
}

// "+1.23 %": the change relative to `base`, decimals by size; empty if base is 0.
std::string RelativeChange(double delta, double base) {
  if (base == 0 || !std::isfinite(delta / base)) return "";
  const double pct = std::fabs(delta / base) * 100;
  return fmt::format(" ({}{} %)", delta > 0 ? "+" : "-",
                     Fixed(pct, pct >= 10  ? 1
                                : pct >= 1 ? 2
                                           : 3));
}

std::string MiningSentence(const BacktestResult& a, const BacktestResult& b) {
  const BacktestSummary &sa = a.summary, &sb = b.summary;
  const double ca = PriceCurtailHours(MinerReasonHours(a)),
               cb = PriceCurtailHours(MinerReasonHours(b));
  const double dm = sa.mining_revenue_usd - sb.mining_revenue_usd,
               dbtc = sa.btc_mined - sb.btc_mined;
  return fmt::format(
      " It curtailed miners for price for {} machine-hours against {} for {} ({}), ran them at {} of "
      "nameplate energy against {}, and earned {} {} from mining ({} BTC {}).",
      HoursText(ca), HoursText(cb), HtmlEscape(sb.policy),
      std::fabs(ca - cb) < 1e-6 ? "the same"
                                : HoursText(std::fabs(ca - cb)) + (ca < cb ? " fewer" : " more"),
      Percent(sa.mining_uptime), Percent(sb.mining_uptime), Money(std::fabs(dm)),
      dm >= 0 ? "more" : "less", Grouped(std::fabs(dbtc), 4), dbtc >= 0 ? "more" : "fewer");
}

std::string SpikeSentence(const BacktestResult& a, const BacktestResult& b) {
  const SpikeStats xa = Spikes(a), xb = Spikes(b);
  if (xa.hours <= 0) {
    return fmt::format(" No hour was priced above {}/MWh (the highest was {}/MWh).",
                       Money(kSpikePrice), Money(xa.max_price));
  }
  const std::string when =
      fmt::format(" In the {} hours priced above {}/MWh (up to {}/MWh)", HoursText(xa.hours),
                  Money(kSpikePrice), Money(xa.max_price));
  if (std::fabs(xa.facility_mwh - xb.facility_mwh) < 0.05) {
    return when + fmt::format(" both drew the same {} MWh.", Grouped(xa.facility_mwh));
  }
  const double avoided = xb.cost_usd - xa.cost_usd;
  return when + fmt::format(
                    " the site drew {} MWh under {} against {} MWh under {}, {} {} of power cost "
                    "at the index price.",
                    Grouped(xa.facility_mwh), HtmlEscape(a.summary.policy),
                    Grouped(xb.facility_mwh), HtmlEscape(b.summary.policy),
                    avoided >= 0 ? "avoiding" : "spending an extra", Money(std::fabs(avoided)));
}

// 2-5 sentences on why run `a` earned what it did against baseline `b`.
std::string ComparisonText(const BacktestResult& a, const BacktestResult& b) {
  const BacktestSummary &sa = a.summary, &sb = b.summary;
  const std::string na = HtmlEscape(sa.policy), nb = HtmlEscape(sb.policy);
  const double d = sa.profit_usd - sb.profit_usd;
  std::string text =
      std::fabs(d) < 0.5
          ? fmt::format("{} earned the same as {} ({}).", na, nb, Money(sa.profit_usd))
          : fmt::format("{} earned {} {} than {}{}.", na, Money(std::fabs(d)),
                        d > 0 ? "more" : "less", nb, RelativeChange(d, sb.profit_usd));
  if (HasMiners(a) || HasMiners(b)) text += MiningSentence(a, b);
  const double dc = sb.power_cost_usd - sa.power_cost_usd;
  text +=
      fmt::format(" Its power bill was {} {} ({} against {}).", Money(std::fabs(dc)),
                  dc >= 0 ? "lower" : "higher", Money(sa.power_cost_usd), Money(sb.power_cost_usd));
  text += SpikeSentence(a, b);
  std::string others;
  const auto add = [&](std::string_view name, double effect) {
    if (std::fabs(effect) < 1) return;
    others += fmt::format("{}{} {}", others.empty() ? "" : ", ", name, SignedMoney(effect));
  };
  add("AI revenue", sa.ai_revenue_usd - sb.ai_revenue_usd);
  add("sell-back credit", sa.sell_back_credit_usd - sb.sell_back_credit_usd);
  add("demand-response credit", sa.dr_credit_usd - sb.dr_credit_usd);
  add("4CP charge", sb.four_cp_charge_usd - sa.four_cp_charge_usd);
  add("SLA credits", sb.sla_credit_usd - sa.sla_credit_usd);
  if (!others.empty()) text += " Other effects on profit: " + others + ".";
  return text;
}

std::string MetricTable(const BacktestSummary& a, const BacktestSummary& b) {
  std::string out =
      "<table>\n" +
      Row({"", HtmlEscape(a.policy), HtmlEscape(b.policy), "difference"}, 1, "", true);
  const auto money = [&](std::string_view name, double x, double y) {
    out += Row({std::string(name), Money(x), Money(y), SignedMoney(x - y)}, 1);
  };
  money("Profit", a.profit_usd, b.profit_usd);
  money("Mining revenue", a.mining_revenue_usd, b.mining_revenue_usd);
  out += Row({"BTC mined", Grouped(a.btc_mined, 4), Grouped(b.btc_mined, 4),
              Signed(Grouped(a.btc_mined - b.btc_mined, 4), a.btc_mined - b.btc_mined)},
             1);
  money("AI revenue", a.ai_revenue_usd, b.ai_revenue_usd);
  money("Power cost", a.power_cost_usd, b.power_cost_usd);
  if (b.power_cost_usd != 0) {
    const double saved = b.power_cost_usd - a.power_cost_usd;
    out += Row({"Power cost saved", "", "", SignedMoney(saved) + " (" + Signed(Fixed(100 * saved / b.power_cost_usd, 1), saved) + " %)"}, 1);
  }
  money("Sell-back credit", a.sell_back_credit_usd, b.sell_back_credit_usd);
  money("DR credit", a.dr_credit_usd, b.dr_credit_usd);
  money("4CP charge", a.four_cp_charge_usd, b.four_cp_charge_usd);
  money("SLA credits", a.sla_credit_usd, b.sla_credit_usd);
  const double du = (a.mining_uptime - b.mining_uptime) * 100;
  out += Row({"Mining uptime", Percent(a.mining_uptime), Percent(b.mining_uptime),
              Signed(Fixed(du, 2), du) + " pp"},
             1);
  out += Row({"Curtailed h", HoursText(a.curtailed_hours), HoursText(b.curtailed_hours),
              Signed(HoursText(a.curtailed_hours - b.curtailed_hours),
                     a.curtailed_hours - b.curtailed_hours)},
             1);
  return out + "</table>\n";
}

std::string ReasonTable(const BacktestResult& a, const BacktestResult& b) {
  if (!HasMiners(a) && !HasMiners(b))
    return "<p class=\"note\">No miner groups in this scenario.</p>\n";
  const ReasonHours ha = MinerReasonHours(a), hb = MinerReasonHours(b);
  std::string out = "<table>\n" + Row({"Machine-hours by reason", HtmlEscape(a.summary.policy),
                                       HtmlEscape(b.summary.policy), "difference"},
                                      1, "", true);
  for (std::size_t c = 0; c < kReasonCount; ++c) {
    if (ha[c] == 0 && hb[c] == 0) continue;
    const std::string code = fmt::format("<code>{}</code>", ReasonName(static_cast<Reason>(c)));
    out += Row(
        {code, HoursText(ha[c]), HoursText(hb[c]), Signed(HoursText(ha[c] - hb[c]), ha[c] - hb[c])},
        1);
  }
  return out + "</table>\n";
}
}  // namespace

void WriteComparison(const std::vector<ScenarioRuns>& scenarios, std::ostream& out) {
  out << "<section id=\"baselines\">\n<h2>mullet vs baselines</h2>\n"
      << "<p class=\"note\">The first policy of each scenario against each baseline run with it. "
         "Hours by reason are <b>machine-hours</b> (units &times; hours): a curtailing reason "
         "counts the units not hashing, a running one the units hashing, so a site of 10,000 "
         "miners has 10,000 machine-hours per hour. &ldquo;Curtailed for price&rdquo; adds "
         "<code>curtail-price-above-breakeven</code>, <code>curtail-above-strike</code>, "
         "<code>curtail-hysteresis</code> and <code>curtail-min-off-time</code>.</p>\n";
  bool any = false;
  for (const ScenarioRuns& sc : scenarios) {
    for (std::size_t j = 1; j < sc.runs.size(); ++j) {
      any = true;
      const BacktestResult &a = sc.runs[0], &b = sc.runs[j];
      out << fmt::format("<h3>{}: {} vs {}</h3>\n", HtmlEscape(sc.scenario),
                         HtmlEscape(a.summary.policy), HtmlEscape(b.summary.policy))
          << "<p class=\"finding\">" << ComparisonText(a, b) << "</p>\n"
          << "<div class=\"grid\"><div class=\"scroll\">" << MetricTable(a.summary, b.summary)
          << "</div><div class=\"scroll\">" << ReasonTable(a, b) << "</div></div>\n";
    }
  }
  if (!any)
    out << "<p>No baseline policy was run with this report, so there is nothing to compare.</p>\n";
  out << "</section>\n";
}

}  // namespace mullet::report
