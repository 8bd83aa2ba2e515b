#include "cli/backtest_output.h"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <map>

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
  j["profit_usd"] = s.profit_usd;
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
                      {"profit_usd", m.profit_usd},
                      {"mean_price_usd_per_mwh", m.mean_price_usd_per_mwh},
                      {"curtailed_hours", m.curtailed_hours},
                      {"curtailed_machine_hours", m.curtailed_machine_hours}});
  }
  j["months"] = months;
  return j;
}

}  // namespace

nlohmann::ordered_json SummaryJson(const ReportInfo& info, const std::vector<ScenarioRuns>& scenarios) {
  nlohmann::ordered_json j;
  j["site"] = info.site_name;
  j["site_file"] = info.site_file;
  j["market"] = {{"power_source", info.power_source},
                 {"hashprice_source", info.hashprice_source},
                 {"from_utc", info.from},
                 {"to_utc", info.to},
                 {"step", info.step}};
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  for (const ScenarioRuns& s : scenarios) {
    for (const BacktestResult& r : s.runs) runs.push_back(RunJson(r));
  }
  j["runs"] = runs;
  return j;
}

void WriteTimeseriesCsv(const std::vector<ScenarioRuns>& scenarios, std::ostream& out) {
  // The union of load names, in first-seen order.
  std::vector<std::string> names;
  std::map<std::string, size_t> column;
  for (const ScenarioRuns& s : scenarios) {
    for (const LoadInfo& l : s.runs.front().loads) {
      if (column.emplace(l.name, names.size()).second) names.push_back(l.name);
    }
  }
  out << "scenario,timestamp_utc,price_usd_per_mwh,hashprice_usd_per_ph_day,ambient_c,site_cap_mw,"
         "facility_mw,firm_mw,batch_mw,mining_mw,profit_usd";
  for (const std::string& n : names) out << ',' << n << "_it_mw," << n << "_reason";
  out << '\n';
  std::vector<int> slot(names.size());
  std::string line;
  for (const ScenarioRuns& s : scenarios) {
    const BacktestResult& r = s.runs.front();
    const size_t nl = r.loads.size();
    std::fill(slot.begin(), slot.end(), -1);
    for (size_t i = 0; i < nl; ++i) slot[column[r.loads[i].name]] = static_cast<int>(i);
    for (size_t k = 0; k < r.times.size(); ++k) {
      line = fmt::format("{},{},{:.2f},{:.3f},{:.1f},{:.3f},{:.3f},{:.3f},{:.3f},{:.3f},{:.2f}", s.scenario,
                         FormatUtc(r.times[k]), r.price[k], r.hashprice_ph[k], r.ambient_c[k],
                         r.site_cap_mw[k], r.facility_mw[k], r.firm_mw[k], r.batch_mw[k], r.mining_mw[k],
                         r.profit_usd[k]);
      for (int i : slot) {
        if (i < 0) {
          line += ",0,absent";
        } else {
          fmt::format_to(std::back_inserter(line), ",{:.4f},{}", r.load_mw[k * nl + i],
                         ReasonName(r.load_reason[k * nl + i]));
        }
      }
      line += '\n';
      out << line;
    }
  }
}

Status WriteFileAtomically(const std::filesystem::path& file, const std::string& contents) {
  const std::filesystem::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::IoError("cannot write " + tmp.string());
    out << contents;
    out.flush();
    if (!out) return Status::IoError("cannot write " + tmp.string() + " (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) return Status::IoError("cannot rename " + tmp.string() + " to " + file.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace mullet
