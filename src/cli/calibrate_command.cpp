#include "cli/calibrate_command.h"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "calibrate/calibrate.h"
#include "cli/table.h"
#include "data/staged_file.h"
#include "plan/calibration_file.h"

namespace mullet {
namespace {

std::string Num(double v) { return fmt::format("{:.6g}", v); }

void PrintReport(const Calibration& c, const std::string& written, std::ostream& out) {
  fmt::print(out, "Fitted on:\n");
  std::vector<std::vector<std::string>> sources = {{"file", "first", "last", "rows"}};
  for (const Calibration::Source& s : c.sources) {
    sources.push_back({s.file, s.first, s.last, std::to_string(s.rows)});
  }
  PrintTable(sources, {0, 1, 2}, out);

  const HashrateModelParams& h = c.hashrate;
  const FeeModelParams& f = c.fees;
  const BtcRegimeParams& b = c.btc_regime;
  const GpuRentParams& g = c.gpu_rent;
  const std::string ref = " (on " + FormatDate(c.reference_date) + ")";
  const std::vector<std::vector<std::string>> params = {
      {"model", "parameter", "value", "meaning"},
      {"hashrate", "lag_days", std::to_string(h.lag_days), "hashprice leads hashrate by L days"},
      {"hashrate", "growth_at_reference", Num(h.growth_at_reference),
       "a: daily log growth at hp_ref"},
      {"hashrate", "sensitivity", Num(h.sensitivity),
       "b: daily growth per unit of log(hp / hp_ref)"},
      {"hashrate", "efficiency_gain_per_year", Num(h.efficiency_gain_per_year),
       "e: the reference's fall, log a year"},
      {"hashrate", "reference_hashprice", Num(h.reference_hashprice.value()),
       "hp_ref, USD/TH/day" + ref},
      {"hashrate", "breakeven_hashprice", Num(h.breakeven_hashprice.value()),
       "hp_be, USD/TH/day" + ref},
      {"hashrate", "noise_per_day", Num(h.noise_per_day), "sigma, log"},
      {"hashrate", "max_ship_per_day", Num(h.max_ship_per_day), "30-day growth bound, per day"},
      {"hashrate", "max_exit_per_day", Num(h.max_exit_per_day), "30-day fall bound, per day"},
      {"fees", "mean_log_fees", Num(f.mean_log_fees), "mu: mean of log(BTC a day)"},
      {"fees", "slow_persistence", Num(f.slow_persistence), "phi_s, per day"},
      {"fees", "slow_stdev", Num(f.slow_stdev), "sigma_s, log"},
      {"fees", "fast_persistence", Num(f.fast_persistence), "phi_f, per day"},
      {"fees", "fast_stdev", Num(f.fast_stdev), "sigma_f, log"},
      {"fees", "tail_dof", Num(f.tail_dof), "nu of the bursts"},
      {"fees", "last_btc_per_day", Num(c.fees_last_btc_per_day),
       "on " + FormatDate(c.fees_last_date)},
      {"btc_regime", "mean_log_return", Num(b.mean_log_return), "mu, daily log"},
      {"btc_regime", "calm_stdev", Num(b.calm_stdev), "sigma_0, daily log"},
      {"btc_regime", "wild_stdev", Num(b.wild_stdev), "sigma_1, daily log"},
      {"btc_regime", "stay_calm", Num(b.stay_calm), "p_00, per day"},
      {"btc_regime", "stay_wild", Num(b.stay_wild), "p_11, per day"},
      {"btc_regime", "tail_dof", Num(b.tail_dof), "nu"},
      {"btc_regime", "wild_at_start", Num(b.wild_at_start), "P(wild) on history's last day"},
      {"gpu_rent", "start_usd_per_gpu_hour", Num(g.start_usd_per_gpu_hour),
       "P_0 on " + FormatDate(c.gpu_rent_as_of)},
      {"gpu_rent", "annual_decline", Num(g.annual_decline), "delta, log a year"},
      {"gpu_rent", "cycle_phase", Num(g.cycle_phase), "phi, radians on day 0"},
      {"gpu_rent", "noise_stdev", Num(g.noise_stdev), "sigma, log"},
  };
  fmt::print(out, "\nParameters:\n");
  PrintTable(params, {0, 1, 3}, out);

  std::vector<std::vector<std::string>> fit = {{"model", "statistic", "history", "simulated"}};
  for (const Calibration::FitRow& r : c.fit)
    fit.push_back({r.model, r.statistic, Num(r.history), Num(r.simulated)});
  fmt::print(
      out,
      "\nFit, history against the fitted model's paths (seeds and counts: src/plan/README.md):\n");
  PrintTable(fit, {0, 1}, out);
  if (written.empty()) {
    fmt::print(out, "\nNothing written (give --out FILE to write the calibration file).\n");
  } else {
    fmt::print(out, "\nWrote {}\n", written);
  }
}

}  // namespace

CLI::App* AddCalibrateCommand(CLI::App& app, CalibrateFlags& f) {
  CLI::App* cmd =
      app.add_subcommand("calibrate", "Fit the planner's market models to a data directory");
  cmd->footer(R"(Fits the hashrate, fee, BTC regime and GPU rent models of `mullet plan` to
DIR's history (the schema of ../shared/data: docs/data.md) and writes them as a
calibration file (JSON; src/plan/README.md, "Calibration file"), replaced whole
or not at all. Prints the fitted parameters and, for each model, history's
statistics against the fitted model's simulated paths.
The committed default (src/plan/default_calibration.json) is this command's
output on ../shared/data; a test holds it to the data and the code.

Examples:
  mullet calibrate --data ../shared/data --out src/plan/default_calibration.json
  mullet calibrate --data mydata --json > calibration.json)");
  cmd->add_option("--data", f.data, "The data directory to fit on")->required();
  cmd->add_option("--out", f.out, "The calibration file to write (default: none)");
  cmd->add_flag("--json", f.json, "Print the calibration document instead of the table");
  return cmd;
}

int RunCalibrate(const CalibrateFlags& f, std::ostream& out, std::ostream& err) {
  const Result<Calibration> c = CalibrateFromData(f.data);
  if (!c.ok()) {
    err << "mullet calibrate: error: " << c.status().message() << "\n";
    return 2;
  }
  const std::string doc = CalibrationToJson(*c);
  if (!f.out.empty()) {
    Result<StagedFile> staged = StagedFile::Write(f.out, [&](std::ostream& o) { o << doc; });
    Status s = staged.ok() ? staged.value().Commit() : staged.status();
    if (!s.ok()) {
      err << "mullet calibrate: error: --out: " << s.message() << "\n";
      return 1;
    }
  }
  if (f.json) {
    out << doc;
  } else {
    PrintReport(*c, f.out, out);
  }
  return 0;
}

}  // namespace mullet
