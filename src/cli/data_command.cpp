#include "cli/data_command.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <nlohmann/json.hpp>

#include "cli/flags.h"
#include "data/bitcoin_refresh.h"
#include "data/ercot_import.h"
#include "data/price_refresh.h"

#include <fstream>

namespace mullet {

CLI::App* AddDataCommand(CLI::App& app, DataFlags& f) {
  CLI::App* data = app.add_subcommand("data", "Bring the history up to date from published sources");
  data->require_subcommand(1);
  data->footer(R"(Examples:
  mullet data import-ercot DAMLZHBSPP_2025.xlsx --into ../shared/data/ercot_dam_spp_hourly_2021_2024.csv
  mullet data import-ercot DAMLZHBSPP_2025.xlsx --into prices_2025.csv --json
  mullet data refresh-bitcoin --data mydata --rpc 127.0.0.1:8332 --rpc-cookie ~/.bitcoin/.cookie
  mullet data refresh-price --data mydata

Sources and formats: docs/data.md.)");
  CLI::App* ercot = data->add_subcommand(
      "import-ercot",
      "Add ERCOT hub and load-zone prices (day-ahead NP4-180-ER or real-time NP6-785-ER workbooks) to an hourly CSV");
  ercot->footer(R"(Reads DAMLZHBSPP_<year>.xlsx (day-ahead) or RTMLZHBSPP_<year>.xlsx (real-time:
the four 15-minute prices of an hour averaged) as ERCOT publishes them (one sheet
a month; hour ending in Central Prevailing Time, the 23- and 25-hour days) into
the UTC hourly schema of docs/data.md, one column per settlement point
(hb_west_usd_per_mwh...).
With --keep-15-min a real-time workbook's four prices of an hour stay rows of
their own (06:00, 06:15, 06:30, 06:45 UTC...), into a file of 15-minute rows:
backtest then prices each step on them (a 15-minute step its own interval, an
hourly step the mean of four).
Into an existing file it adds the hours the file lacks, for the columns it has,
and keeps the rows it had; a new file takes every point. The result is loaded
and checked before it replaces the file.

Examples:
  mullet data import-ercot RTMLZHBSPP_2025.xlsx --into rtm_2025.csv
  mullet data import-ercot RTMLZHBSPP_2025.xlsx --into rtm_15min_2025.csv --keep-15-min)");
  ercot->add_option("workbooks", f.workbooks, "One or more ERCOT workbooks (.xlsx)")->required();
  ercot->add_option("--into", f.into, "The hourly price CSV to add to (created if absent)")->required();
  ercot->add_flag("--keep-15-min", f.keep_15_min,
                  "Real-time workbooks: keep each 15-minute price as a row instead of the hour's mean");
  ercot->add_flag("--json", f.json, "Print what was done as JSON");
  ercot->callback([&f] { f.command = "import-ercot"; });

  CLI::App* btc = data->add_subcommand(
      "refresh-bitcoin", "Add difficulty epochs, blocks, subsidy and fees per day from a Bitcoin Core node");
  btc->footer(R"(Asks the node (JSON-RPC: getblockcount, getblockhash, getblockheader,
getblockstats) for what DIR's btc_difficulty_epochs.csv, btc_network_daily.csv
and btc_fees_daily.csv lack: complete epochs, and complete UTC days before the
tip's. Copy the shared files into DIR first (../shared/data is read-only).
Each file is checked by its loader before it is replaced; nothing is written
unless every call succeeded.

Example:
  cp -r ../shared/data mydata
  mullet data refresh-bitcoin --data mydata --rpc 127.0.0.1:8332 --rpc-cookie ~/.bitcoin/.cookie)");
  btc->add_option("--data", f.data_dir, "The data directory to bring up to date")->required();
  btc->add_option("--rpc", f.rpc, "The node's RPC address, HOST:PORT (default 127.0.0.1:8332)");
  btc->add_option("--rpc-user", f.rpc_user, "RPC user (rpcauth or rpcuser)");
  btc->add_option("--rpc-password", f.rpc_password, "RPC password");
  btc->add_option("--rpc-cookie", f.rpc_cookie, "The node's .cookie file, instead of a user and password");
  btc->add_option("--timeout-s", f.timeout_s, "Deadline of each call in seconds (default 10)");
  btc->add_flag("--json", f.json, "Print what was done as JSON");
  btc->callback([&f] { f.command = "refresh-bitcoin"; });

  CLI::App* price = data->add_subcommand(
      "refresh-price", "Add the daily BTC/USD close (and OHLC) from an exchange's public OHLC endpoint over HTTPS");
  price->footer(R"(Asks the exchange (Bitstamp's public API: GET /api/v2/ohlc/btcusd/?step=86400,
1000 UTC days a call, no key) for the complete UTC days after the last row of
DIR's btc_price_daily.csv (the close, source bitstamp_close) and, if DIR has
it, btc_ohlcv_daily_bitstamp.csv (open, high, low, close, volume), up to
yesterday. The certificate is checked against the system's CA store (or
--ca-file). Each candle is checked (a UTC midnight, the next day, low <= open,
close <= high); a day missing inside the range is an error, and nothing is
written unless both files load. Copy the shared files into DIR first.

Example:
  cp -r ../shared/data mydata
  mullet data refresh-price --data mydata)");
  price->add_option("--data", f.data_dir, "The data directory to bring up to date")->required();
  price->add_option("--exchange", f.exchange, "The exchange's API, https://HOST[:PORT] (default https://www.bitstamp.net)");
  price->add_option("--ca-file", f.ca_file, "PEM file of the CA certificates to trust instead of the system's");
  price->add_option("--timeout-s", f.timeout_s, "Deadline of each step of a call in seconds (default 10)");
  price->add_flag("--json", f.json, "Print what was done as JSON");
  price->callback([&f] { f.command = "refresh-price"; });
  return data;
}

namespace {

int RunRefreshBitcoin(const DataFlags& f, std::ostream& out, std::ostream& err) {
  RpcEndpoint node;
  const std::size_t colon = f.rpc.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == f.rpc.size()) {
    err << "mullet data: error: --rpc: expected HOST:PORT, got '" << f.rpc << "'\n";
    return 2;
  }
  node.host = f.rpc.substr(0, colon);
  node.port = f.rpc.substr(colon + 1);
  if (!(f.timeout_s > 0 && f.timeout_s <= 3600)) {
    err << "mullet data: error: --timeout-s: must be in (0, 3600]\n";
    return 2;
  }
  node.timeout = std::chrono::milliseconds(static_cast<long long>(f.timeout_s * 1000));
  if (!f.rpc_cookie.empty()) {
    std::ifstream in(f.rpc_cookie);
    if (!in || !std::getline(in, node.user_password) || node.user_password.find(':') == std::string::npos) {
      err << "mullet data: error: --rpc-cookie: cannot read a user:password line from " << f.rpc_cookie << "\n";
      return 2;
    }
  } else if (!f.rpc_user.empty()) {
    node.user_password = f.rpc_user + ":" + f.rpc_password;
  }
  Result<BitcoinRefresh> r = RefreshBitcoinHistory(node, f.data_dir);
  if (!r.ok()) {
    err << "mullet data: error: " << r.status().message() << "\n";
    return r.status().code() == StatusCode::kIoError ? 1 : 2;
  }
  if (f.json) {
    nlohmann::ordered_json j;
    j["tip_height"] = r->tip_height;
    j["epochs_added"] = r->epochs_added;
    j["network_days_added"] = r->network_days_added;
    j["fee_days_added"] = r->fee_days_added;
    j["last_day"] = r->last_day ? nlohmann::ordered_json(FormatDate(*r->last_day)) : nlohmann::ordered_json();
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  fmt::print(out, "mullet data: node at height {}: added {} epochs, {} days of blocks and subsidy, {} days of fees{}\n",
             r->tip_height, r->epochs_added, r->network_days_added, r->fee_days_added,
             r->last_day ? " (to " + FormatDate(*r->last_day) + ")" : std::string());
  return 0;
}

int RunRefreshPrice(const DataFlags& f, std::ostream& out, std::ostream& err) {
  ExchangeSource ex;
  if (Status s = ParseExchangeUrl(f.exchange, ex.peer); !s.ok()) {
    err << "mullet data: error: --exchange: " << s.message() << "\n";
    return 2;
  }
  if (!(f.timeout_s > 0 && f.timeout_s <= 3600)) {
    err << "mullet data: error: --timeout-s: must be in (0, 3600]\n";
    return 2;
  }
  ex.peer.timeout = std::chrono::milliseconds(static_cast<long long>(f.timeout_s * 1000));
  ex.peer.ca_file = f.ca_file;
  ex.peer.max_reply_bytes = 4 << 20;
  const Date today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  Result<PriceRefresh> r = RefreshBtcPrice(ex, f.data_dir, today);
  if (!r.ok()) {
    err << "mullet data: error: " << r.status().message() << "\n";
    return r.status().code() == StatusCode::kIoError ? 1 : 2;
  }
  if (f.json) {
    nlohmann::ordered_json j;
    j["calls"] = r->calls;
    j["price_days_added"] = r->price_days_added;
    j["ohlcv_days_added"] = r->ohlcv_days_added;
    j["last_day"] = r->last_day ? nlohmann::ordered_json(FormatDate(*r->last_day)) : nlohmann::ordered_json();
    j["missing_from"] =
        r->missing_from ? nlohmann::ordered_json(FormatDate(*r->missing_from)) : nlohmann::ordered_json();
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  fmt::print(out, "mullet data: {}: added {} days of closes, {} days of OHLC{} in {} call(s)\n", ex.peer.host,
             r->price_days_added, r->ohlcv_days_added,
             r->last_day ? " (to " + FormatDate(*r->last_day) + ")" : std::string(), r->calls);
  if (r->missing_from) {
    fmt::print(out, "  the exchange has no candle yet from {} on; run again later\n", FormatDate(*r->missing_from));
  }
  return 0;
}

}  // namespace

int RunData(const DataFlags& f, std::ostream& out, std::ostream& err) {
  if (f.command == "refresh-bitcoin") return RunRefreshBitcoin(f, out, err);
  if (f.command == "refresh-price") return RunRefreshPrice(f, out, err);
  std::vector<std::filesystem::path> files(f.workbooks.begin(), f.workbooks.end());
  Result<HourlyPrices> imported = ReadErcotWorkbooks(files, f.keep_15_min);
  if (!imported.ok()) {
    err << "mullet data: error: " << imported.status().message() << "\n";
    return 2;
  }
  Result<MergeResult> merged = MergeHourlyPrices(f.into, *imported);
  if (!merged.ok()) {
    err << "mullet data: error: --into: " << merged.status().message() << "\n";
    return merged.status().code() == StatusCode::kIoError ? 1 : 2;
  }
  const MergeResult& m = *merged;
  if (f.json) {
    nlohmann::ordered_json j;
    j["into"] = f.into;
    j["interval_minutes"] = imported->interval.count() / 60;  // the counts below are of these rows
    j["read_hours"] = imported->hours.size();
    j["added_hours"] = m.added;
    j["already_present_hours"] = m.already;
    j["differing_hours"] = m.differing;
    j["first_added"] = m.first_added ? nlohmann::ordered_json(FormatUtc(*m.first_added)) : nlohmann::ordered_json();
    j["last_added"] = m.last_added ? nlohmann::ordered_json(FormatUtc(*m.last_added)) : nlohmann::ordered_json();
    j["columns"] = m.columns;
    j["ignored_points"] = m.ignored_points;
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  const char* rows = f.keep_15_min ? "15-minute intervals" : "hours";
  fmt::print(out, "mullet data: read {} {} of {} points from {} workbook(s)\n", imported->hours.size(), rows,
             imported->points.size(), files.size());
  if (m.added > 0) {
    fmt::print(out, "  added {} {} to {} ({} to {})\n", m.added, rows, f.into, FormatUtc(*m.first_added),
               FormatUtc(*m.last_added));
  } else {
    fmt::print(out, "  nothing to add: {} has every one read\n", f.into);
  }
  if (m.already > 0) {
    fmt::print(out, "  {} {} were there already (kept{})\n", m.already, rows,
               m.differing > 0 ? fmt::format("; {} differ from the workbook", m.differing) : std::string());
  }
  if (!m.ignored_points.empty()) {
    std::string list;
    for (const std::string& p : m.ignored_points) list += (list.empty() ? "" : ", ") + p;
    fmt::print(out, "  points the file has no column for, not added: {}\n", list);
  }
  return 0;
}

}  // namespace mullet
