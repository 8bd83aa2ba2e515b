// `mullet econ`: flags, their checks, and the run.
//
// Flags are taken as text and parsed here, so that every bad value gets one
// line naming the flag ("--price-usd: must be > 0, got -5") and exit code 2.

#ifndef MULLET_CLI_ECON_COMMAND_H_
#define MULLET_CLI_ECON_COMMAND_H_

#include <optional>
#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace mullet {

// The raw text of each flag; std::nullopt when not given.
struct EconFlags {
  std::optional<std::string> difficulty, price_usd, fees_btc_per_block, height;
  std::optional<std::string> at, data;
  int fee_window_days = 7;
  bool exact_factor = false;
  std::optional<std::string> hashrate_eh_s;
  std::optional<std::string> efficiency, model, power_usd_per_kwh;
  std::optional<std::string> pue, pool_fee, uptime, lease, lease_type, ai_opex, ai_pue, ai_load_factor;
  std::optional<std::string> hosting_usd_per_kwh, fleet_mw, cash_opex, interest, depreciation,
      stock_pay;
  std::optional<std::string> models_yaml, asic_csv;
  bool models = false;
  bool json = false;
};

// Registers the `econ` subcommand and its flags on `app`, writing into `flags`.
CLI::App* AddEconCommand(CLI::App& app, EconFlags& flags);

// Runs `mullet econ`. Returns the process exit code: 0, or 2 for bad input
// (one line on `err`, naming the flag or file).
int RunEcon(const EconFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace mullet

#endif  // MULLET_CLI_ECON_COMMAND_H_
