// `mullet backtest SITE.yaml`: flags, checks, the runs and their files.

#ifndef MULLET_CLI_BACKTEST_COMMAND_H_
#define MULLET_CLI_BACKTEST_COMMAND_H_

#include <optional>
#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace mullet {

struct BacktestFlags {
  std::string site_file;
  std::optional<std::string> data, from, to, step, policy, baselines, out;
  std::optional<std::string> power_csv, power_column, hashprice, hashprice_csv, btc_price;
  std::optional<std::string> models_yaml, baseline_4cp, unanswering_share, strike;
  bool json = false;
  bool no_report = false;
  std::string command_line;  // for the report
};

CLI::App* AddBacktestCommand(CLI::App& app, BacktestFlags& flags);

// Runs the backtest. Returns 0, or 2 for bad input (one line on `err`), or 1
// when the outputs cannot be written. Progress goes to `err`.
int RunBacktestCommand(const BacktestFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace mullet

#endif  // MULLET_CLI_BACKTEST_COMMAND_H_
