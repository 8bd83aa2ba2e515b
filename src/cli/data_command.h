// `mullet data`: brings a data directory up to date from the sources analysts
// already use: ERCOT's hub and load-zone workbooks (day-ahead NP4-180-ER,
// real-time NP6-785-ER) into the hourly price CSV, and the Bitcoin series from
// a Bitcoin Core node, and the daily BTC price from an exchange's OHLC
// endpoint over HTTPS.

#ifndef MULLET_CLI_DATA_COMMAND_H_
#define MULLET_CLI_DATA_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace mullet {

struct DataFlags {
  std::vector<std::string> workbooks;
  std::string into;
  bool keep_15_min = false;
  // refresh-bitcoin
  std::string rpc = "127.0.0.1:8332";
  std::string rpc_user, rpc_password, rpc_cookie, data_dir;
  // refresh-price
  std::string exchange = "https://www.bitstamp.net";
  std::string ca_file;
  double timeout_s = 10;
  bool json = false;
  std::string command;  // the subcommand given: "import-ercot", "refresh-bitcoin", "refresh-price"
};

CLI::App* AddDataCommand(CLI::App& app, DataFlags& flags);
// 0, 2 for bad input (one line on `err`), 1 when the file cannot be written.
int RunData(const DataFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace mullet

#endif  // MULLET_CLI_DATA_COMMAND_H_
