#include "planner/plan_output.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "plan/finance.h"

namespace mullet {
namespace {

constexpr double kQs[] = {0.05, 0.25, 0.5, 0.75, 0.95};
constexpr const char* kQNames[] = {"p5", "p25", "p50", "p75", "p95"};

double Q(std::vector<double> v, double q) {
  std::erase_if(v, [](double x) { return std::isnan(x); });
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const Result<double> p = Percentile(v, q);
  return p.ok() ? *p : std::nan("");
}

nlohmann::json Num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

// Percentile bands by month of `value(path, month)`.
template <typename F>
nlohmann::json Fan(const PlanResults& r, F value) {
  nlohmann::json fan;
  std::vector<std::vector<double>> bands(5, std::vector<double>(r.months));
  std::vector<double> v(r.count);
  for (int m = 0; m < r.months; ++m) {
    for (std::uint64_t i = 0; i < r.count; ++i) v[i] = value(i, m);
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    for (int q = 0; q < 5; ++q) bands[q][m] = *Percentile(sorted, kQs[q]);
  }
  for (int q = 0; q < 5; ++q) fan[kQNames[q]] = bands[q];
  return fan;
}

std::string Short(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string MonthName(Date start, int m) {
  const std::chrono::year_month_day ymd(start);
  const auto ym = std::chrono::year_month(ymd.year(), ymd.month()) + std::chrono::months(m);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(ym.year()), static_cast<unsigned>(ym.month()));
  return buf;
}

}  // namespace

nlohmann::json PlanSummary(const PlanSpec& plan, const PlanMarkets& markets, const PlanResults& r,
                           const RunInfo& info) {
  nlohmann::json j;
  j["mullet_version"] = info.version;
  j["plan"] = {{"name", plan.name},
               {"file", plan.file.string()},
               {"site", plan.site_file.string()},
               {"scenario", plan.scenario},
               {"start", FormatDate(plan.start)},
               {"years", plan.years},
               {"paths", info.paths},
               {"seed", r.seed},
               {"discount_rate", plan.discount_rate},
               {"cash_floor_usd", plan.cash_floor_usd},
               {"initial_cash_usd", plan.initial_cash_usd},
               {"shards", info.shards},
               {"threads", info.threads}};
  nlohmann::json assumptions = nlohmann::json::array();
  for (const auto& [name, value] : markets.assumptions) assumptions.push_back({{"name", name}, {"value", value}});
  assumptions.push_back({{"name", "Terminal value"},
                         {"value", "held BTC at the path's last price + " + Short(plan.terminal_ebitda_multiple) +
                                       " x the last 12 months' EBITDA - debt outstanding"}});
  assumptions.push_back(
      {{"name", "Tax"},
       {"value", Short(plan.tax_rate) + " of profit after depreciation and interest, by tax year (12 months from the start), "
                 "paid monthly on the year to date; a year's loss carried forward offsets up to " +
                     Short(plan.tax_loss_offset_share) + " of a later year's income"}});
  j["assumptions"] = assumptions;

  nlohmann::json months = nlohmann::json::array();
  for (int m = 0; m < r.months; ++m) months.push_back(MonthName(plan.start, m));
  const char* series[kMarketSeries] = {"btc_price_usd", "hashprice_usd_per_ph_day", "network_hashrate_eh_s",
                                       "power_price_usd_per_mwh"};
  nlohmann::json fans;
  fans["months"] = months;
  for (int k = 0; k < kMarketSeries; ++k) {
    fans[series[k]] = Fan(r, [&](std::uint64_t i, int m) {
      return static_cast<double>(const_cast<PlanResults&>(r).MarketOf(i, k)[m]);
    });
  }
  j["fans"] = fans;

  const int nd = r.decisions;
  auto field = [&](int d, double DecisionOutcome::*f) {
    std::vector<double> v(r.count);
    for (std::uint64_t i = 0; i < r.count; ++i) v[i] = r.outcomes[i * nd + d].*f;
    return v;
  };
  nlohmann::json decisions = nlohmann::json::array();
  std::vector<double> medians(nd), risks(nd);
  for (int d = 0; d < nd; ++d) {
    const Decision& dec = plan.decisions[d];
    nlohmann::json o;
    o["name"] = dec.name;
    o["description"] = dec.description;
    std::vector<double> npv = field(d, &DecisionOutcome::npv_usd);
    std::vector<double> sorted = npv;
    std::sort(sorted.begin(), sorted.end());
    o["npv_usd_p5"] = Q(npv, 0.05);
    o["npv_usd_p50"] = medians[d] = Q(npv, 0.5);
    o["npv_usd_p95"] = Q(npv, 0.95);
    double mean = 0;
    for (double v : npv) mean += v;
    o["npv_usd_mean"] = mean / std::max<std::uint64_t>(1, r.count);
    const std::vector<double> irr = field(d, &DecisionOutcome::irr);
    const auto none = std::count_if(irr.begin(), irr.end(), [](double v) { return std::isnan(v); });
    o["irr_p50"] = none * 2 > static_cast<long>(irr.size()) ? nlohmann::json(nullptr) : Num(Q(irr, 0.5));
    o["irr_none_share"] = static_cast<double>(none) / std::max<std::uint64_t>(1, r.count);
    std::vector<double> payback = field(d, &DecisionOutcome::payback_month);
    for (double& v : payback) v = v < 0 ? 1e9 : v;
    const double pb = Q(payback, 0.5);
    o["payback_months_p50"] = pb >= 1e9 ? nlohmann::json(nullptr) : nlohmann::json(pb);
    const std::vector<double> breach = field(d, &DecisionOutcome::first_breach_month);
    const auto breached = std::count_if(breach.begin(), breach.end(), [](double v) { return v >= 0; });
    o["prob_cash_below_floor"] = risks[d] = static_cast<double>(breached) / std::max<std::uint64_t>(1, r.count);
    std::vector<double> when;
    for (double v : breach) if (v >= 0) when.push_back(v);
    o["first_breach_month_p50"] = when.empty() ? nlohmann::json(nullptr) : nlohmann::json(Q(when, 0.5));
    const Result<TailRisk> tail = TailRiskOf(sorted, 0.05);
    o["var_npv_usd_5"] = tail.ok() ? tail->value_at_risk : 0.0;
    o["cvar_npv_usd_5"] = tail.ok() ? tail->expected_shortfall : 0.0;
    o["cost_per_btc_direct_usd_p50"] = Num(Q(field(d, &DecisionOutcome::cost_per_btc_direct), 0.5));
    o["cost_per_btc_cash_usd_p50"] = Num(Q(field(d, &DecisionOutcome::cost_per_btc_cash), 0.5));
    o["cost_per_btc_all_in_usd_p50"] = Num(Q(field(d, &DecisionOutcome::cost_per_btc_all_in), 0.5));
    o["btc_mined_p50"] = Q(field(d, &DecisionOutcome::btc_mined), 0.5);
    o["ebitda_usd_p50"] = Q(field(d, &DecisionOutcome::ebitda_usd), 0.5);
    // Histogram on the edges all decisions share (set below).
    o["cash_fan"] = Fan(r, [&](std::uint64_t i, int m) {
      return static_cast<double>(r.cash[(i * nd + d) * r.months + m]);
    });
    std::vector<double> by_month(r.months, 0);
    for (std::uint64_t i = 0; i < r.count; ++i) {
      const double b = breach[i];
      if (b < 0) continue;
      for (int m = static_cast<int>(b); m < r.months; ++m) by_month[m] += 1.0 / r.count;
    }
    o["prob_cash_below_floor_by_month"] = by_month;
    decisions.push_back(o);
  }
  // One set of histogram edges for every decision, so they compare.
  double lo = 1e300, hi = -1e300;
  for (std::uint64_t i = 0; i < r.count * nd; ++i) {
    lo = std::min(lo, r.outcomes[i].npv_usd);
    hi = std::max(hi, r.outcomes[i].npv_usd);
  }
  const int bins = 40;
  if (!(hi > lo)) hi = lo + 1;
  std::vector<double> edges(bins + 1);
  for (int b = 0; b <= bins; ++b) edges[b] = lo + (hi - lo) * b / bins;
  for (int d = 0; d < nd; ++d) {
    std::vector<int> counts(bins, 0);
    for (std::uint64_t i = 0; i < r.count; ++i) {
      const int b = std::clamp(static_cast<int>((r.outcomes[i * nd + d].npv_usd - lo) / (hi - lo) * bins), 0, bins - 1);
      ++counts[b];
    }
    decisions[d]["npv_histogram"] = {{"edges", edges}, {"counts", counts}};
  }
  j["decisions"] = decisions;

  nlohmann::json cmp;
  const int best = static_cast<int>(std::max_element(medians.begin(), medians.end()) - medians.begin());
  const int safest = static_cast<int>(std::min_element(risks.begin(), risks.end()) - risks.begin());
  cmp["best_median_npv"] = plan.decisions[best].name;
  cmp["lowest_cash_risk"] = plan.decisions[safest].name;
  nlohmann::json pairs = nlohmann::json::array();
  for (int a = 0; a < nd; ++a) {
    for (int b = a + 1; b < nd; ++b) {
      std::vector<double> diff(r.count);
      double better = 0;
      for (std::uint64_t i = 0; i < r.count; ++i) {
        diff[i] = r.outcomes[i * nd + a].npv_usd - r.outcomes[i * nd + b].npv_usd;
        better += diff[i] > 0 ? 1 : 0;
      }
      pairs.push_back({{"a", plan.decisions[a].name},
                       {"b", plan.decisions[b].name},
                       {"share_a_better", better / std::max<std::uint64_t>(1, r.count)},
                       {"npv_diff_usd_p50", Q(diff, 0.5)}});
    }
  }
  cmp["pairwise"] = pairs;
  j["comparison"] = cmp;
  nlohmann::json fit = nlohmann::json::array();
  for (const Calibration::FitRow& row : markets.fit) {
    fit.push_back({{"model", row.model}, {"statistic", row.statistic}, {"history", row.history}, {"simulated", row.simulated}});
  }
  j["calibration"] = fit;
  return j;
}

std::string DecisionsCsv(const nlohmann::json& summary) {
  static constexpr const char* kColumns[] = {
      "npv_usd_p5", "npv_usd_p50", "npv_usd_p95", "npv_usd_mean", "irr_p50", "irr_none_share",
      "payback_months_p50", "prob_cash_below_floor", "first_breach_month_p50", "var_npv_usd_5", "cvar_npv_usd_5",
      "cost_per_btc_direct_usd_p50", "cost_per_btc_cash_usd_p50", "cost_per_btc_all_in_usd_p50", "btc_mined_p50",
      "ebitda_usd_p50"};
  std::ostringstream out;
  out.precision(12);
  out << "decision";
  for (const char* c : kColumns) out << "," << c;
  out << "\n";
  for (const auto& d : summary["decisions"]) {
    // A decision's name is the user's: quoted when it holds a comma or a quote.
    std::string name = d["name"].get<std::string>();
    if (name.find_first_of(",\"\n") != std::string::npos) {
      std::string q = "\"";
      for (char ch : name) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      name = q + "\"";
    }
    out << name;
    for (const char* c : kColumns) {
      out << ",";
      if (d.contains(c) && d[c].is_number()) out << d[c].get<double>();  // empty: none (no IRR, never)
    }
    out << "\n";
  }
  return out.str();
}

std::string CashPercentilesCsv(const PlanSpec& plan, const PlanResults& r) {
  std::ostringstream out;
  out.precision(12);
  out << "decision,month,cash_usd_p5,cash_usd_p25,cash_usd_p50,cash_usd_p75,cash_usd_p95,prob_cash_below_floor\n";
  std::vector<double> v(r.count);
  for (int d = 0; d < r.decisions; ++d) {
    for (int m = 0; m < r.months; ++m) {
      double below = 0;
      for (std::uint64_t i = 0; i < r.count; ++i) {
        v[i] = r.cash[(i * r.decisions + d) * r.months + m];
        const double b = r.outcomes[i * r.decisions + d].first_breach_month;
        below += (b >= 0 && b <= m) ? 1 : 0;
      }
      std::vector<double> sorted = v;
      std::sort(sorted.begin(), sorted.end());
      out << plan.decisions[d].name << "," << MonthName(plan.start, m);
      for (double q : kQs) out << "," << *Percentile(sorted, q);
      out << "," << below / std::max<std::uint64_t>(1, r.count) << "\n";
    }
  }
  return out.str();
}

namespace {
constexpr char kMagic[8] = {'M', 'U', 'L', 'P', 'L', 'A', 'N', '1'};

template <typename T>
void Put(std::ostream& o, const T& v) {
  o.write(reinterpret_cast<const char*>(&v), sizeof v);
}
template <typename T>
bool Get(std::istream& i, T* v) {
  return static_cast<bool>(i.read(reinterpret_cast<char*>(v), sizeof *v));
}
}  // namespace

Status WriteShard(const std::filesystem::path& file, const std::string& fingerprint, const PlanResults& r) {
  const std::filesystem::path tmp = file.string() + ".tmp";
  {
    std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
    if (!o) return Status::IoError(tmp.string() + ": cannot write");
    o.write(kMagic, sizeof kMagic);
    const std::uint64_t flen = fingerprint.size();
    Put(o, flen);
    o.write(fingerprint.data(), static_cast<std::streamsize>(flen));
    Put(o, r.seed);
    Put(o, r.first_path);
    Put(o, r.count);
    const std::int32_t months = r.months, decisions = r.decisions;
    Put(o, months);
    Put(o, decisions);
    o.write(reinterpret_cast<const char*>(r.market.data()), static_cast<std::streamsize>(r.market.size() * sizeof(float)));
    o.write(reinterpret_cast<const char*>(r.cash.data()), static_cast<std::streamsize>(r.cash.size() * sizeof(float)));
    o.write(reinterpret_cast<const char*>(r.outcomes.data()),
            static_cast<std::streamsize>(r.outcomes.size() * sizeof(DecisionOutcome)));
    if (!o.flush()) return Status::IoError(tmp.string() + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) return Status::IoError(file.string() + ": " + ec.message());
  return Status::Ok();
}

Result<PlanResults> ReadShards(const std::vector<std::filesystem::path>& files, std::string* fingerprint) {
  std::vector<PlanResults> parts;
  for (const std::filesystem::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) return Status::NotFound(f.string() + ": cannot open the shard");
    char magic[8];
    if (!in.read(magic, 8) || std::memcmp(magic, kMagic, 8) != 0) {
      return Status::DataError(f.string() + ": not a mullet plan shard");
    }
    std::uint64_t flen = 0;
    if (!Get(in, &flen) || flen > 4096) return Status::DataError(f.string() + ": damaged header");
    std::string fp(flen, '\0');
    in.read(fp.data(), static_cast<std::streamsize>(flen));
    PlanResults r;
    std::uint64_t first = 0, count = 0;
    std::int32_t months = 0, decisions = 0;
    if (!Get(in, &r.seed) || !Get(in, &first) || !Get(in, &count) || !Get(in, &months) || !Get(in, &decisions) ||
        months <= 0 || months > 1200 || decisions <= 0 || decisions > 1000 || count > (1ull << 26)) {
      return Status::DataError(f.string() + ": damaged header");
    }
    r.Resize(first, count, months, decisions);
    in.read(reinterpret_cast<char*>(r.market.data()), static_cast<std::streamsize>(r.market.size() * sizeof(float)));
    in.read(reinterpret_cast<char*>(r.cash.data()), static_cast<std::streamsize>(r.cash.size() * sizeof(float)));
    in.read(reinterpret_cast<char*>(r.outcomes.data()),
            static_cast<std::streamsize>(r.outcomes.size() * sizeof(DecisionOutcome)));
    if (!in) return Status::DataError(f.string() + ": truncated");
    if (parts.empty()) {
      *fingerprint = fp;
    } else if (fp != *fingerprint || r.seed != parts[0].seed || r.months != parts[0].months ||
               r.decisions != parts[0].decisions) {
      return Status::InvalidArgument(f.string() + ": from another plan, seed or horizon than " + files[0].string());
    }
    parts.push_back(std::move(r));
  }
  if (parts.empty()) return Status::InvalidArgument("no shards given");
  std::sort(parts.begin(), parts.end(), [](const PlanResults& a, const PlanResults& b) { return a.first_path < b.first_path; });
  std::uint64_t next = parts[0].first_path, total = 0;
  for (const PlanResults& p : parts) {
    if (p.first_path != next) {
      return Status::InvalidArgument("shards do not cover the paths without gap or overlap: expected path " +
                                     std::to_string(next) + ", a shard starts at " + std::to_string(p.first_path));
    }
    next += p.count;
    total += p.count;
  }
  PlanResults all;
  all.seed = parts[0].seed;
  all.Resize(parts[0].first_path, total, parts[0].months, parts[0].decisions);
  std::size_t mk = 0, ck = 0, ok = 0;
  for (const PlanResults& p : parts) {
    std::copy(p.market.begin(), p.market.end(), all.market.begin() + static_cast<std::ptrdiff_t>(mk));
    std::copy(p.cash.begin(), p.cash.end(), all.cash.begin() + static_cast<std::ptrdiff_t>(ck));
    std::copy(p.outcomes.begin(), p.outcomes.end(), all.outcomes.begin() + static_cast<std::ptrdiff_t>(ok));
    mk += p.market.size();
    ck += p.cash.size();
    ok += p.outcomes.size();
  }
  return all;
}

}  // namespace mullet
