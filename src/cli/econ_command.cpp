#include "cli/econ_command.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "cli/econ_report.h"
#include "cli/flags.h"
#include "cli/table.h"
#include "core/chain/subsidy.h"
#include "data/asic_specs.h"
#include "data/builtin_network.h"
#include "data/history.h"
#include "data/network_state.h"

namespace mullet {
namespace {

constexpr int kBadInput = 2;

// Collects the first error of a sequence of TakeNumber() calls.
class FirstError {
 public:
  void operator()(Status s) {
    if (status_.ok() && !s.ok()) status_ = std::move(s);
  }
  const Status& status() const { return status_; }

 private:
  Status status_;
};

struct NumberFlags {
  std::optional<double> difficulty, price, fees, height, hashrate_eh_s, efficiency, power, pue,
      pool_fee, uptime, lease, hosting, fleet_mw, cash_opex, interest, depreciation, stock_pay, ai_opex,
      ai_pue, ai_load_factor;
};

Result<NumberFlags> ParseNumbers(const EconFlags& f) {
  NumberFlags n;
  FirstError e;
  e(TakeNumber("--difficulty", f.difficulty, kPositive, &n.difficulty));
  e(TakeNumber("--price-usd", f.price_usd, kPositive, &n.price));
  e(TakeNumber("--fees-btc-per-block", f.fees_btc_per_block, Range{0, false, 100, false}, &n.fees));
  e(TakeNumber("--height", f.height, Range{0, false, 1e9, false}, &n.height));
  e(TakeNumber("--hashrate-eh-s", f.hashrate_eh_s, kPositive, &n.hashrate_eh_s));
  e(TakeNumber("--efficiency-j-per-th", f.efficiency, Range{1, false, 100000, false}, &n.efficiency));
  e(TakeNumber("--power-usd-per-kwh", f.power_usd_per_kwh, kNonNegative, &n.power));
  e(TakeNumber("--pue", f.pue, Range{1, false, 5, false}, &n.pue));
  e(TakeNumber("--pool-fee", f.pool_fee, Range{0, false, 1, true}, &n.pool_fee));
  e(TakeNumber("--uptime", f.uptime, Range{0, true, 1, false}, &n.uptime));
  e(TakeNumber("--lease-usd-per-kw-month", f.lease, kNonNegative, &n.lease));
  e(TakeNumber("--ai-opex-usd-per-kw-month", f.ai_opex, kNonNegative, &n.ai_opex));
  e(TakeNumber("--ai-pue", f.ai_pue, Range{1, false, 5, false}, &n.ai_pue));
  e(TakeNumber("--ai-load-factor", f.ai_load_factor, Range{0, true, 1, false}, &n.ai_load_factor));
  e(TakeNumber("--hosting-usd-per-kwh", f.hosting_usd_per_kwh, kNonNegative, &n.hosting));
  e(TakeNumber("--fleet-mw", f.fleet_mw, kPositive, &n.fleet_mw));
  e(TakeNumber("--cash-opex-usd-per-month", f.cash_opex, kNonNegative, &n.cash_opex));
  e(TakeNumber("--interest-usd-per-month", f.interest, kNonNegative, &n.interest));
  e(TakeNumber("--depreciation-usd-per-month", f.depreciation, kNonNegative, &n.depreciation));
  e(TakeNumber("--stock-pay-usd-per-month", f.stock_pay, kNonNegative, &n.stock_pay));
  if (!e.status().ok()) return e.status();
  if (n.height && *n.height != std::floor(*n.height)) {
    return Status::InvalidArgument("--height: must be a whole block height, got " + *f.height);
  }
  return n;
}

// Fills the network part of `in`: from --at/--data history, from flags, or
// the built-in snapshot; explicit flags always win over history.
Status ResolveNetwork(const EconFlags& f, const NumberFlags& n, EconInputs* in) {
  const bool any_network_flag = n.difficulty || n.price || n.height;
  std::optional<NetworkState> state;
  if (f.at) {
    if (!f.data) return Status::InvalidArgument("--at: needs --data DIR (the history to read)");
    Result<Date> date = ParseDate(*f.at);
    if (!date.ok()) return Status::InvalidArgument("--at: " + date.status().message());
    Result<NetworkHistory> history = NetworkHistory::Load(*f.data);
    if (!history.ok()) return Status::InvalidArgument("--data: " + history.status().message());
    Result<NetworkState> s = history->At(*date, n.fees ? 0 : f.fee_window_days);
    if (!s.ok()) return Status::InvalidArgument("--at: " + s.status().message());
    state = *s;
    in->network_source = "history";
    in->date = *date;
    in->history_ends = s->history_ends;
  } else if (any_network_flag) {
    for (auto [flag, given] : {std::pair{"--difficulty", n.difficulty.has_value()},
                               std::pair{"--price-usd", n.price.has_value()},
                               std::pair{"--height", n.height.has_value()}}) {
      if (!given) {
        return Status::InvalidArgument(std::string(flag) +
                                       ": required when the network is given by flags "
                                       "(or use --at DATE --data DIR)");
      }
    }
    in->network_source = "flags";
  } else {
    NetworkState s;
    s.date = *ParseDate(builtin_network::kDate);
    s.difficulty = builtin_network::kDifficulty;
    s.height = builtin_network::kHeight;
    s.price = UsdPerBtc(builtin_network::kPriceUsd);
    s.fees_per_block = Btc(builtin_network::kFeesBtcPerBlock);
    state = s;
    in->network_source = "built-in";
    in->date = s.date;
  }
  in->net.difficulty = n.difficulty.value_or(state ? state->difficulty : 0);
  in->net.price = UsdPerBtc(n.price.value_or(state ? state->price.value() : 0));
  in->net.fees_per_block = Btc(n.fees.value_or(state ? state->fees_per_block.value() : 0));
  in->height = n.height ? static_cast<BlockHeight>(*n.height) : state->height;
  in->net.subsidy = BlockSubsidy(in->height);
  in->net.factor = f.exact_factor ? HashFactor::kExact : HashFactor::kShorthand;
  if (n.hashrate_eh_s) in->hashrate = ExahashPerSecond(*n.hashrate_eh_s);
  return Status::Ok();
}

// The user's YAML models replace same-named ones.
Status ResolveUserModels(const EconFlags& f, EconInputs* in) {
  if (!f.models_yaml) return Status::Ok();
  Result<std::vector<AsicModel>> models = LoadAsicModelsYaml(*f.models_yaml);
  if (!models.ok()) return Status::InvalidArgument("--models-yaml: " + models.status().message());
  for (AsicModel& m : models.value()) in->catalog.Upsert(std::move(m));
  return Status::Ok();
}

// The catalog: built-in, the 2016-2020 specs CSV when --data is given (or
// --asic-csv), then the user's YAML models, which replace same-named ones.
Status ResolveCatalog(const EconFlags& f, EconInputs* in) {
  in->catalog = AsicCatalog::BuiltIn();
  std::optional<std::filesystem::path> csv;
  if (f.asic_csv) {
    csv = *f.asic_csv;
  } else if (f.data) {
    csv = std::filesystem::path(*f.data) / data_files::kAsicSpecs;
  }
  if (csv) {
    Result<std::vector<AsicModel>> models = LoadAsicSpecsCsv(*csv);
    if (!models.ok()) {
      return Status::InvalidArgument((f.asic_csv ? "--asic-csv: " : "--data: ") +
                                     models.status().message());
    }
    for (AsicModel& m : models.value()) {
      if (in->catalog.Add(m).ok()) continue;
      // A clash with a built-in model: the built-in figures are newer, keep
      // them. A clash inside the file (F2Pool lists two "Antminer S9"): keep
      // both, the later one named by its hashrate.
      Result<AsicModel> first = in->catalog.Find(m.name);
      if (first.ok() && first->source == m.source) {
        m.name += " (" + ShortNumber(m.hashrate.value()) + " TH/s)";
        (void)in->catalog.Add(std::move(m));
      }
    }
  }
  return ResolveUserModels(f, in);
}

Status ResolveMachine(const EconFlags& f, const NumberFlags& n, EconInputs* in) {
  if (f.model && n.efficiency) {
    return Status::InvalidArgument("--model: give --model or --efficiency-j-per-th, not both");
  }
  if (f.model) {
    Result<AsicModel> m = in->catalog.Find(*f.model);
    if (!m.ok()) return Status::InvalidArgument("--model: " + m.status().message());
    in->model = *m;
    in->efficiency = m->efficiency();
  } else if (n.efficiency) {
    in->efficiency = JoulesPerTerahash(*n.efficiency);
  }
  in->op.pue = n.pue.value_or(1.0);
  in->op.pool_fee = n.pool_fee.value_or(0.0);
  in->op.uptime = n.uptime.value_or(1.0);
  if (in->efficiency) in->op.efficiency = *in->efficiency;
  if (n.power) in->power_price = UsdPerKilowattHour(*n.power);
  if (n.lease) in->lease = UsdPerKilowattMonth(*n.lease);
  const bool terms = f.lease_type || n.ai_opex || n.ai_pue || n.ai_load_factor;
  if (terms && !n.lease) {
    return Status::InvalidArgument(
        "--lease-type, --ai-opex-usd-per-kw-month, --ai-pue and --ai-load-factor describe a lease: "
        "add --lease-usd-per-kw-month");
  }
  if (f.lease_type) {
    if (*f.lease_type != "gross" && *f.lease_type != "triple-net") {
      return Status::InvalidArgument("--lease-type: expected gross or triple-net, got '" + *f.lease_type + "'");
    }
    in->lease_gross = *f.lease_type == "gross";
  }
  if (in->lease_gross && !n.power) {
    return Status::InvalidArgument(
        "--lease-type gross: the site pays the tenant's power, so add --power-usd-per-kwh");
  }
  if (n.ai_opex) in->ai_opex = UsdPerKilowattMonth(*n.ai_opex);
  if (n.ai_pue) in->ai_pue = *n.ai_pue;
  if (n.ai_load_factor) in->ai_load_factor = *n.ai_load_factor;

  const bool monthly = n.cash_opex || n.interest || n.depreciation || n.stock_pay;
  in->has_cost_tiers = monthly || n.hosting.has_value();
  if (in->has_cost_tiers && !(in->efficiency && in->power_price)) {
    return Status::InvalidArgument(
        "cost tiers need a machine and a power price: add --model NAME (or "
        "--efficiency-j-per-th) and --power-usd-per-kwh");
  }
  if (monthly && !n.fleet_mw) {
    return Status::InvalidArgument(
        "--fleet-mw: required with monthly cost inputs (they are spread over the BTC the fleet "
        "mines)");
  }
  if (n.hosting) in->costs.hosting = UsdPerKilowattHour(*n.hosting);
  if (n.fleet_mw) {
    if (!in->efficiency) {
      return Status::InvalidArgument("--fleet-mw: needs --model or --efficiency-j-per-th");
    }
    in->costs.fleet_hashrate = HashrateAt(Megawatts(*n.fleet_mw), *in->efficiency);
  }
  in->costs.cash_opex_per_month = Usd(n.cash_opex.value_or(0));
  in->costs.interest_per_month = Usd(n.interest.value_or(0));
  in->costs.depreciation_per_month = Usd(n.depreciation.value_or(0));
  in->costs.stock_pay_per_month = Usd(n.stock_pay.value_or(0));
  in->rank_models = f.models;
  return Status::Ok();
}

}  // namespace

CLI::App* AddEconCommand(CLI::App& app, EconFlags& f) {
  CLI::App* econ = app.add_subcommand(
      "econ", "Mining economics of one moment: hashprice, cost per BTC, breakeven, $/kW-month");
  econ->footer(R"(The network comes from flags (--difficulty, --price-usd, --height, optional
--fees-btc-per-block), from history (--at DATE --data DIR; any flag given
overrides that value), or, with neither, from the built-in snapshot of
2025-01-11. Add a machine (--model or --efficiency-j-per-th) for breakeven and
mining $/kW-month, and a power price for cost per BTC and mining net.

Examples:
  mullet econ --difficulty 88.1e12 --price-usd 60000 --height 840000
      hashprice $42.81/PH/day after the April 2024 halving
  mullet econ --model S21 --power-usd-per-kwh 0.05 --pue 1.1 --pool-fee 0.02
  mullet econ --at 2024-07-01 --data ../shared/data --models --power-usd-per-kwh 0.045
  mullet econ --model S21 --power-usd-per-kwh 0.04 --lease-usd-per-kw-month 120 --json
  mullet econ --model S21 --price-usd 60000,80000,100000 --power-usd-per-kwh 0.03:0.07:0.01
      a sensitivity table: one row per combination (--json: rows)

A list (a,b,c) or a range (lo:hi:step, both ends in) sweeps --price-usd,
--power-usd-per-kwh, --difficulty, --fees-btc-per-block, --efficiency-j-per-th,
--pue, --pool-fee or --lease-usd-per-kw-month.

Bad input prints one line naming the flag and exits with status 2.)");
  auto text = [&](const char* name, std::optional<std::string>& dst, const std::string& help) {
    econ->add_option(name, dst, help);
  };
  text("--difficulty", f.difficulty, "Network difficulty D, e.g. 88.1e12");
  text("--price-usd", f.price_usd, "BTC price in USD");
  text("--fees-btc-per-block", f.fees_btc_per_block,
       "Mean transaction fees per block in BTC (default 0, or from history with --at)");
  text("--height", f.height, "Block height; sets the subsidy (840000 -> 3.125 BTC)");
  text("--at", f.at, "Take D, price, fees and height from history at this UTC day (YYYY-MM-DD)");
  text("--data", f.data, "Directory of the history CSVs (e.g. ../shared/data)");
  econ->add_option("--fee-window-days", f.fee_window_days,
                   "Days of trailing fees averaged per block with --at (default 7)")
      ->check(CLI::Range(1, 365));
  econ->add_flag("--exact", f.exact_factor,
                 "Hashes per block = D x 2^48/65535 (exact) instead of the D x 2^32 shorthand");
  text("--hashrate-eh-s", f.hashrate_eh_s,
       "Network hashrate for the halving projection (default: implied by difficulty)");
  text("--model", f.model, "ASIC model from the catalog, e.g. 'S21 XP' (see --models)");
  text("--efficiency-j-per-th", f.efficiency, "Miner efficiency in J/TH, instead of --model");
  text("--power-usd-per-kwh", f.power_usd_per_kwh, "Power price in USD per kWh");
  text("--pue", f.pue, "Power usage effectiveness, >= 1 (default 1)");
  text("--pool-fee", f.pool_fee, "Pool fee as a fraction of revenue (default 0; FPPS ~0.02-0.025)");
  text("--uptime", f.uptime, "Share of powered time spent hashing (default 1)");
  text("--lease-usd-per-kw-month", f.lease, "AI lease rate to compare mining against");
  text("--lease-type", f.lease_type,
       "Who pays the tenant's power: triple-net (default: the tenant) or gross (the site, out of the "
       "rent; needs --power-usd-per-kwh)");
  text("--ai-opex-usd-per-kw-month", f.ai_opex,
       "The AI hall's operating cost per kW of IT (staff, maintenance, insurance; default 0)");
  text("--ai-pue", f.ai_pue, "Cooling of the AI hall, for a gross lease's power (default 1.3)");
  text("--ai-load-factor", f.ai_load_factor,
       "Tenant's mean draw / contracted IT, for a gross lease's power (default 0.85)");
  text("--hosting-usd-per-kwh", f.hosting_usd_per_kwh,
       "Non-power direct cost per kWh the miners draw (direct cost tier)");
  text("--fleet-mw", f.fleet_mw, "Fleet size in MW of miners, to spread monthly costs");
  text("--cash-opex-usd-per-month", f.cash_opex, "Cash SG&A and other cash opex (cash tier)");
  text("--interest-usd-per-month", f.interest, "Interest paid (cash tier)");
  text("--depreciation-usd-per-month", f.depreciation,
       "Depreciation and amortisation (all-in tier)");
  text("--stock-pay-usd-per-month", f.stock_pay, "Stock-based compensation (all-in tier)");
  text("--models-yaml", f.models_yaml,
       "YAML file of your own ASIC models (examples/asic_models.yaml)");
  text("--asic-csv", f.asic_csv,
       "ASIC specs CSV (default with --data: DIR/" + std::string(data_files::kAsicSpecs) + ")");
  econ->add_flag("--models", f.models, "Rank every catalog model by breakeven power price");
  econ->add_flag("--json", f.json, "Print one JSON object instead of the table");
  return econ;
}

namespace {

// The flags a sensitivity table may sweep (a list or a range each).
struct Sweepable {
  const char* flag;
  std::optional<std::string> EconFlags::*member;
};
constexpr Sweepable kSweepable[] = {
    {"--price-usd", &EconFlags::price_usd},
    {"--power-usd-per-kwh", &EconFlags::power_usd_per_kwh},
    {"--difficulty", &EconFlags::difficulty},
    {"--fees-btc-per-block", &EconFlags::fees_btc_per_block},
    {"--efficiency-j-per-th", &EconFlags::efficiency},
    {"--pue", &EconFlags::pue},
    {"--pool-fee", &EconFlags::pool_fee},
    {"--lease-usd-per-kw-month", &EconFlags::lease},
};

Result<EconInputs> Inputs(const EconFlags& f) {
  Result<NumberFlags> n = ParseNumbers(f);
  EconInputs in;
  Status s = n.ok() ? ResolveNetwork(f, *n, &in) : n.status();
  if (s.ok()) s = ResolveCatalog(f, &in);
  if (s.ok()) s = ResolveMachine(f, *n, &in);
  if (!s.ok()) return s;
  return in;
}

void WarnPastHistory(const EconInputs& in, std::ostream& err) {
  if (!in.history_ends) return;
  err << "mullet econ: warning: " << FormatDate(*in.date) << " is past the end of the Bitcoin history (real data to "
      << FormatDate(*in.history_ends)
      << "): the last difficulty holds, a block comes every 600 s (the subsidy follows the height), and fees per "
         "block and the BTC close hold at their last values where their files end, as in mullet backtest\n";
}

// A sensitivity table: one row per combination of the swept values, the
// first flag varying slowest. Text: aligned columns; --json: {"sweep", "rows"}.
int RunEconSweep(const EconFlags& f, const std::vector<std::pair<const Sweepable*, std::vector<std::string>>>& axes,
                 std::ostream& out, std::ostream& err) {
  if (f.models) {
    err << "mullet econ: error: --models ranks every model at one moment; it does not combine with a sweep\n";
    return kBadInput;
  }
  std::size_t rows = 1;
  for (const auto& [axis, values] : axes) rows *= values.size();
  if (rows > 10000) {
    err << "mullet econ: error: " << axes.front().first->flag << ": the sweep has " << rows
        << " rows; at most 10000\n";
    return kBadInput;
  }
  std::vector<EconReport> reports;
  std::vector<std::vector<std::string>> chosen;
  for (std::size_t r = 0; r < rows; ++r) {
    EconFlags g = f;
    std::vector<std::string> values;
    std::size_t rest = r;
    for (std::size_t a = axes.size(); a-- > 0;) {
      const auto& [axis, list] = axes[a];
      values.insert(values.begin(), list[rest % list.size()]);
      g.*(axis->member) = list[rest % list.size()];
      rest /= list.size();
    }
    Result<EconInputs> in = Inputs(g);
    if (!in.ok()) {
      err << "mullet econ: error: " << in.status().message() << "\n";
      return kBadInput;
    }
    if (r == 0) WarnPastHistory(*in, err);
    reports.push_back(ComputeEcon(std::move(in).value()));
    chosen.push_back(std::move(values));
  }
  const auto per_kwh = [](std::optional<UsdPerMegawattHour> v) {
    return v ? std::optional<double>(v->value() / 1000) : std::nullopt;
  };
  if (f.json) {
    nlohmann::ordered_json j;
    j["sweep"] = nlohmann::ordered_json::array();
    for (const auto& [axis, values] : axes) j["sweep"].push_back(axis->flag);
    j["rows"] = nlohmann::ordered_json::array();
    for (std::size_t r = 0; r < rows; ++r) {
      const EconReport& e = reports[r];
      nlohmann::ordered_json row;
      for (std::size_t a = 0; a < axes.size(); ++a) row[axes[a].first->flag + 2] = std::stod(chosen[r][a]);
      row["hashprice_usd_per_ph_day"] = e.hashprice.value() * 1000;
      const auto put = [&](const char* key, std::optional<double> v) {
        row[key] = v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
      };
      put("breakeven_power_usd_per_kwh", per_kwh(e.breakeven_power));
      put("electricity_cost_per_btc_usd",
          e.electricity_cost_per_btc ? std::optional<double>(e.electricity_cost_per_btc->value()) : std::nullopt);
      put("mining_net_usd_per_kw_month", e.net ? std::optional<double>(e.net->value()) : std::nullopt);
      put("lease_net_usd_per_kw_month", e.lease_net ? std::optional<double>(e.lease_net->value()) : std::nullopt);
      j["rows"].push_back(std::move(row));
    }
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  std::vector<std::string> header;
  for (const auto& [axis, values] : axes) header.push_back(axis->flag + 2);
  header.push_back("hashprice $/PH/day");
  const bool machine = reports.front().breakeven_power.has_value();
  const bool power = reports.front().net.has_value();
  const bool lease = reports.front().lease_net.has_value();
  if (machine) header.push_back("breakeven $/kWh");
  if (power) header.insert(header.end(), {"electricity $/BTC", "mining net $/kW-mo"});
  if (lease) header.push_back("lease net $/kW-mo");
  std::vector<std::vector<std::string>> table{header};
  for (std::size_t r = 0; r < rows; ++r) {
    const EconReport& e = reports[r];
    std::vector<std::string> row = chosen[r];
    row.push_back(fmt::format("{:.2f}", e.hashprice.value() * 1000));
    if (machine) row.push_back(e.breakeven_power ? fmt::format("{:.4f}", e.breakeven_power->value() / 1000) : "-");
    if (power) {
      row.push_back(e.electricity_cost_per_btc ? fmt::format("{:.0f}", e.electricity_cost_per_btc->value()) : "-");
      row.push_back(e.net ? fmt::format("{:.2f}", e.net->value()) : "-");
    }
    if (lease) row.push_back(e.lease_net ? fmt::format("{:.2f}", e.lease_net->value()) : "-");
    table.push_back(std::move(row));
  }
  PrintTable(table, {}, out);
  return 0;
}

}  // namespace

int RunEcon(const EconFlags& f, std::ostream& out, std::ostream& err) {
  std::vector<std::pair<const Sweepable*, std::vector<std::string>>> axes;
  for (const Sweepable& s : kSweepable) {
    const std::optional<std::string>& text = f.*(s.member);
    if (!text || (text->find(',') == std::string::npos && text->find(':') == std::string::npos)) continue;
    Result<std::vector<std::string>> values = ExpandSweep(s.flag, *text);
    if (!values.ok()) {
      err << "mullet econ: error: " << values.status().message() << "\n";
      return kBadInput;
    }
    axes.emplace_back(&s, std::move(values).value());
  }
  if (!axes.empty()) return RunEconSweep(f, axes, out, err);

  Result<EconInputs> inputs = Inputs(f);
  if (!inputs.ok()) {
    err << "mullet econ: error: " << inputs.status().message() << "\n";
    return kBadInput;
  }
  EconInputs in = std::move(inputs).value();
  WarnPastHistory(in, err);
  const EconReport report = ComputeEcon(std::move(in));
  if (f.json) {
    PrintEconJson(report, out);
  } else {
    PrintEconText(report, out);
  }
  return 0;
}

}  // namespace mullet
