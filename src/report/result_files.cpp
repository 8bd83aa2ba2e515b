#include "report/result_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <string_view>

#include "core/text/untrusted_text.h"
#include "report/fixed_decimal.h"

namespace mullet {
namespace {

nlohmann::ordered_json RunJson(const BacktestResult& r) {
  const BacktestSummary& s = r.summary;
  nlohmann::ordered_json j;
  j["scenario"] = s.scenario;
  j["policy"] = s.policy;
  j["steps"] = s.steps;
  j["hours"] = s.hours;
  j["energy_mwh"] = s.energy_mwh;
  j["power_cost_usd"] = s.power_cost_usd;
  j["sell_back_credit_usd"] = s.sell_back_credit_usd;
  j["dr_credit_usd"] = s.dr_credit_usd;
  j["four_cp_charge_usd"] = s.four_cp_charge_usd;
  j["mining_revenue_usd"] = s.mining_revenue_usd;
  j["btc_mined"] = s.btc_mined;
  j["ai_revenue_usd"] = s.ai_revenue_usd;
  j["colocation_revenue_usd"] = s.colocation_revenue_usd;
  j["gpu_cloud_revenue_usd"] = s.gpu_cloud_revenue_usd;
  j["batch_revenue_usd"] = s.batch_revenue_usd;
  j["sla_credit_usd"] = s.sla_credit_usd;
  j["power_reimbursed_usd"] = s.power_reimbursed_usd;
  j["opex_usd"] = s.opex_usd;
  j["profit_usd"] = s.profit_usd;
  j["capital_charge_usd"] = s.capital_charge_usd;
  j["profit_after_capital_usd"] = s.profit_after_capital_usd;
  j["direct_cost_per_btc_usd"] = s.direct_cost_per_btc_usd;
  j["mining_uptime"] = s.mining_uptime;
  j["firm_availability"] = s.firm_availability;
  j["max_site_power_mw"] = s.max_site_power_mw;
  j["curtailed_hours"] = s.curtailed_hours;
  j["curtailed_machine_hours"] = s.curtailed_machine_hours;
  j["sla_breach_hours"] = s.sla_breach_hours;
  j["batch_gpu_hours"] = s.batch_gpu_hours;
  j["batch_deadlines_missed"] = s.batch_deadlines_missed;
  j["power_filled_steps"] = s.power_filled_steps;
  j["hashprice_filled_steps"] = s.hashprice_filled_steps;
  nlohmann::ordered_json loads = nlohmann::ordered_json::array();
  for (const LoadInfo& l : r.loads) {
    loads.push_back({{"name", l.name},
                     {"kind", LoadKindName(l.kind)},
                     {"nameplate_it_mw", l.nameplate_it.megawatts()},
                     {"energy_it_mwh", l.energy_mwh}});
  }
  j["loads"] = loads;
  nlohmann::ordered_json four_cp = nlohmann::ordered_json::array();
  for (const FourCpYearRow& y : s.four_cp_years) {
    four_cp.push_back({{"year", y.year},
                       {"basis", y.basis},
                       {"peaks_listed", y.peaks_listed},
                       {"peak_hours_in_run", y.peak_hours_in_run},
                       {"mean_kw_at_peaks", y.mean_kw_at_peaks},
                       {"annual_charge_usd", y.annual_charge_usd},
                       {"run_share_of_year", y.year_hours > 0 ? y.run_hours / y.year_hours : 0.0},
                       {"booked_usd", y.booked_usd}});
  }
  j["four_cp_years"] = four_cp;
  nlohmann::ordered_json months = nlohmann::ordered_json::array();
  for (const MonthRow& m : s.months) {
    months.push_back({{"month", fmt::format("{:04d}-{:02d}", m.year, m.month)},
                      {"energy_mwh", m.energy_mwh},
                      {"power_cost_usd", m.power_cost_usd},
                      {"sell_back_credit_usd", m.sell_back_credit_usd},
                      {"dr_credit_usd", m.dr_credit_usd},
                      {"mining_revenue_usd", m.mining_revenue_usd},
                      {"btc_mined", m.btc_mined},
                      {"ai_revenue_usd", m.ai_revenue_usd},
                      {"sla_credit_usd", m.sla_credit_usd},
                      {"four_cp_charge_usd", m.four_cp_charge_usd},
                      {"power_reimbursed_usd", m.power_reimbursed_usd},
                      {"opex_usd", m.opex_usd},
                      {"profit_usd", m.profit_usd},
                      {"capital_charge_usd", m.capital_charge_usd},
                      {"profit_after_capital_usd", m.profit_after_capital_usd},
                      {"mean_price_usd_per_mwh", m.mean_price_usd_per_mwh},
                      {"mean_hashprice_usd_per_ph_day", m.mean_hashprice_usd_per_ph_day},
                      {"realised_usd_per_mwh", m.RealisedUsdPerMwh()},
                      {"curtailed_hours", m.curtailed_hours},
                      {"curtailed_machine_hours", m.curtailed_machine_hours}});
  }
  j["months"] = months;
  return j;
}

// timeseries.csv leaves for the stream in blocks of about this many bytes.
constexpr size_t kCsvFlushBytes = 1 << 18;

// A float column printed with a fixed number of decimals ({:.Nf}). Columns
// repeat their values from step to step (a group at nameplate, a lease at its
// contract, the site cap), so a value equal to the previous one reuses its
// text: each run of equal values is formatted once.
class FixedText {
 public:
  explicit FixedText(int decimals) : decimals_(decimals) {}

  std::string_view Text(float v) {
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(v);
    if (!valid_ || bits != bits_) {
      const std::string_view text = FixedDecimal(v, decimals_, buffer_);
      begin_ = static_cast<std::size_t>(text.data() - buffer_.data());
      size_ = text.size();
      bits_ = bits;
      valid_ = true;
    }
    return {buffer_.data() + begin_, size_};
  }

 private:
  int decimals_;
  bool valid_ = false;
  std::uint32_t bits_ = 0;  // of the value `text_` shows: -0 and 0 differ, so do NaNs
  FixedDecimalBuffer buffer_;
  // The text in buffer_ as an offset, not a view: a copy stays right.
  std::size_t begin_ = 0, size_ = 0;
};

// FormatUtc(t) appended to `out`, the date formatted once a day: steps share
// their day, and only the time of day changes.
class DayText {
 public:
  void Append(UtcTime t, fmt::memory_buffer& out) {
    const Date day = std::chrono::floor<std::chrono::days>(t);
    if (!valid_ || day != day_) {
      date_ = FormatDate(day);
      day_ = day;
      valid_ = true;
    }
    out.append(date_.data(), date_.data() + date_.size());
    // hh_mm_ss of the time since midnight, as FormatUtc prints it ("T%02d:%02d:%02dZ").
    const long s = static_cast<long>((t - day).count());
    const long hh = s / 3600, mm = s / 60 % 60, ss = s % 60;
    const char text[] = {'T', Digit(hh / 10), Digit(hh % 10), ':', Digit(mm / 10), Digit(mm % 10),
                         ':', Digit(ss / 10), Digit(ss % 10), 'Z'};
    out.append(text, text + sizeof text);
  }

 private:
  static char Digit(long d) { return static_cast<char>('0' + d); }

  bool valid_ = false;
  Date day_;
  std::string date_;
};

// Against each baseline run in the same scenario (always-on, strike-price):
// the power bill saved (power_cost_usd, in USD and in % of the baseline's)
// and the profit gained. The 4CP charge, credits and revenue are in the
// profit difference. A run is not compared with itself.
void AddVersusBaselines(const BacktestResult& r, const std::vector<BacktestResult>& scenario_runs,
                        nlohmann::ordered_json* out) {
  for (const char* baseline : {"always-on", "strike-price"}) {
    if (r.summary.policy == baseline) continue;
    const auto b = std::find_if(scenario_runs.begin(), scenario_runs.end(),
                                [&](const BacktestResult& x) { return x.summary.policy == baseline; });
    if (b == scenario_runs.end()) continue;
    std::string key(baseline);
    std::replace(key.begin(), key.end(), '-', '_');
    const double saved = b->summary.power_cost_usd - r.summary.power_cost_usd;
    (*out)["power_cost_saved_vs_" + key + "_usd"] = saved;
    (*out)["power_cost_saved_vs_" + key + "_pct"] =
        b->summary.power_cost_usd != 0 ? 100 * saved / b->summary.power_cost_usd : 0.0;
    (*out)["profit_vs_" + key + "_usd"] = r.summary.profit_usd - b->summary.profit_usd;
  }
}

}  // namespace

nlohmann::ordered_json SummaryJson(const ReportInfo& info,
                                   const std::vector<ScenarioRuns>& scenarios) {
  nlohmann::ordered_json j;
  j["site"] = info.site_name;
  j["site_file"] = info.site_file;
  j["market"] = {{"power_source", info.power_source},
                 {"hashprice_source", info.hashprice_source},
                 {"from_utc", info.from},
                 {"to_utc", info.to},
                 {"step", info.step}};
  nlohmann::ordered_json assumptions = nlohmann::ordered_json::object();
  for (const auto& [key, value] : info.assumptions) assumptions[key] = value;
  j["assumptions"] = assumptions;
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  for (const ScenarioRuns& s : scenarios) {
    for (const BacktestResult& r : s.runs) {
      nlohmann::ordered_json run = RunJson(r);
      AddVersusBaselines(r, s.runs, &run);
      runs.push_back(std::move(run));
    }
  }
  j["runs"] = runs;
  return j;
}

void WriteTimeseriesCsv(const std::vector<ScenarioRuns>& scenarios, std::ostream& out) {
  // The union of load names, in first-seen order.
  std::vector<std::string> names;
  std::map<std::string, size_t> column;
  size_t rows = 0;
  for (const ScenarioRuns& s : scenarios) {
    for (const LoadInfo& l : s.runs.front().loads) {
      if (column.emplace(l.name, names.size()).second) names.push_back(l.name);
    }
    rows += s.runs.front().times.size();
  }
  // The whole file goes into one buffer written in large blocks: a 4-year
  // hourly run is ~35,000 rows a scenario, and a stream insertion or a
  // string per field cost more than the formatting.
  fmt::memory_buffer buf;
  buf.reserve(std::min<size_t>(kCsvFlushBytes + (64 << 10), 96 + rows * (80 + 24 * names.size())));
  const auto flush = [&] {
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    buf.clear();
  };
  const auto put = [&buf](std::string_view text) {
    buf.append(text.data(), text.data() + text.size());
  };
  put("scenario,timestamp_utc,price_usd_per_mwh,hashprice_usd_per_ph_day,ambient_c,site_cap_mw,"
      "facility_mw,firm_mw,batch_mw,mining_mw,profit_usd");
  // Names come from the user's YAML: each header cell is quoted per RFC 4180
  // and a formula-leading one disarmed (core/text/untrusted_text.h).
  for (const std::string& n : names)
    fmt::format_to(std::back_inserter(buf), ",{},{}", CsvField(n + "_it_mw"), CsvField(n + "_reason"));
  put("\n");

  std::vector<int> slot(names.size());
  DayText day;
  for (const ScenarioRuns& s : scenarios) {
    const BacktestResult& r = s.runs.front();
    const std::string scenario = CsvField(s.scenario);
    const size_t nl = r.loads.size();
    std::fill(slot.begin(), slot.end(), -1);
    for (size_t i = 0; i < nl; ++i) slot[column[r.loads[i].name]] = static_cast<int>(i);
    // The step series in header order, each with its decimals.
    const std::array<const std::vector<float>*, 9> series = {
        &r.price,   &r.hashprice_ph, &r.ambient_c, &r.site_cap_mw, &r.facility_mw,
        &r.firm_mw, &r.batch_mw,     &r.mining_mw, &r.profit_usd};
    std::array<FixedText, 9> series_text = {FixedText(2), FixedText(3), FixedText(1),
                                            FixedText(3), FixedText(3), FixedText(3),
                                            FixedText(3), FixedText(3), FixedText(2)};
    std::vector<FixedText> load_mw(nl, FixedText(4));
    for (size_t k = 0; k < r.times.size(); ++k) {
      put(scenario);
      buf.push_back(',');
      day.Append(r.times[k], buf);
      for (size_t c = 0; c < series.size(); ++c) {
        buf.push_back(',');
        put(series_text[c].Text((*series[c])[k]));
      }
      for (int i : slot) {
        if (i < 0) {
          put(",0,absent");
          continue;
        }
        buf.push_back(',');
        put(load_mw[i].Text(r.load_mw[k * nl + i]));
        buf.push_back(',');
        put(ReasonName(r.load_reason[k * nl + i]));
      }
      buf.push_back('\n');
      if (buf.size() >= kCsvFlushBytes) flush();
    }
  }
  flush();
}

void WriteMonthlyCsv(const std::vector<ScenarioRuns>& scenarios, std::ostream& out) {
  out << "scenario,policy,month,hours,energy_mwh,mean_price_usd_per_mwh,realised_usd_per_mwh,"
         "mean_hashprice_usd_per_ph_day,power_cost_usd,mining_revenue_usd,btc_mined,ai_revenue_usd,"
         "sell_back_credit_usd,dr_credit_usd,power_reimbursed_usd,sla_credit_usd,four_cp_charge_usd,"
         "opex_usd,profit_usd,capital_charge_usd,profit_after_capital_usd,curtailed_hours,"
         "curtailed_machine_hours\n";
  for (const ScenarioRuns& s : scenarios) {
    for (const BacktestResult& r : s.runs) {
      for (const MonthRow& m : r.summary.months) {
        out << fmt::format(
            "{},{},{:04d}-{:02d},{:.4f},{:.3f},{:.2f},{:.2f},{:.3f},{:.2f},{:.2f},{:.8f},{:.2f},{:.2f},"
            "{:.2f},{:.2f},{:.2f},{:.2f},{:.2f},{:.2f},{:.2f},{:.2f},{:.4f},{:.2f}\n",
            CsvField(s.scenario), CsvField(r.summary.policy), m.year, m.month, m.hours, m.energy_mwh,
            m.mean_price_usd_per_mwh, m.RealisedUsdPerMwh(), m.mean_hashprice_usd_per_ph_day,
            m.power_cost_usd, m.mining_revenue_usd, m.btc_mined, m.ai_revenue_usd,
            m.sell_back_credit_usd, m.dr_credit_usd, m.power_reimbursed_usd, m.sla_credit_usd,
            m.four_cp_charge_usd, m.opex_usd, m.profit_usd, m.capital_charge_usd,
            m.profit_after_capital_usd, m.curtailed_hours, m.curtailed_machine_hours);
      }
    }
  }
}

Status WriteTimeseriesCsvFile(const std::filesystem::path& file,
                              const std::vector<ScenarioRuns>& scenarios) {
  return WriteFileAtomically(file, [&](std::ostream& out) { WriteTimeseriesCsv(scenarios, out); }, Sync::kNo);
}

}  // namespace mullet
