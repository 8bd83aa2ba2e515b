// `mullet serve SITE.yaml`: the daemon. The control loop sweeps the site's
// miners (the groups' `addresses`, or an emulated plant with --emulate N),
// acts on the events in force and the price, and logs each tick; the REST
// API serves the store (tokens, events, targets, ticks, the audit log) and
// the loop's live state (docs/serve.md).
// `mullet token` (token_command.h) makes the API's tokens in the same
// database; serve_plant.h starts the plant.

#ifndef MULLET_CLI_SERVE_COMMAND_H_
#define MULLET_CLI_SERVE_COMMAND_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "cli/meter_command.h"

namespace CLI {
class App;
}

namespace mullet {

struct ServeFlags {
  std::string site_file;
  std::string db = "mullet.db";
  std::string listen = "127.0.0.1:8080";
  std::string models_yaml;
  std::size_t emulate = 0;                  // miners of an emulated plant; 0: the site's own
  MeterFlags meter;                         // the interconnect meter (--meter HOST[:PORT]); target "" = none
  std::string emulate_from = "127.3.0.1";  // the emulated miners' first loopback address
  double tick_s = 10;
  double confirm_s = 1;
  double api_rate = 20;
  double deadline_s = 2;                    // per miner request
  std::size_t max_commands = 500;           // per tick
  double price = -1;                        // USD/MWh; < 0: the site file's fixed price
  double hashprice = -1;                    // USD/TH/day; < 0: the built-in network snapshot's
  double retention_days = 30;
  std::string price_csv;     // a price feed in the data loaders' schema
  std::string price_url;     // the same, fetched over HTTP(S) each poll
  std::string price_column;  // its point; default: the site's contract.index column
  double price_poll_s = 60;
  double price_max_age_s = 900;
  std::string safe_action = "hold";
  std::vector<std::string> safe_action_on{"price"};
  std::string openadr_vtn;          // a VTN's base URL; "" for none
  std::string openadr_program;
  std::string openadr_client_id;
  std::string openadr_secret_file;  // the client secret, in a file (never on the command line)
  double openadr_poll_s = 30;
  std::string ercot_credentials;  // a file of username=, password=, subscription_key= lines; "" for none
  std::string ercot_point = "HB_WEST";
  std::string ercot_api = "https://api.ercot.com";
  std::string ercot_token_url =
      "https://ercotb2c.b2clogin.com/ercotb2c.onmicrosoft.com/B2C_1_PUBAPI-ROPC-FLOW/oauth2/v2.0/token";
  double ercot_poll_s = 300;
  std::string four_cp_alert_file;  // an operator's 4CP alerts (start_utc,end_utc); "" for none
  std::string slurm_partition;  // suspend this partition's jobs when batch waits; "" for none
  std::string slurm_conf;       // SLURM_CONF for the tools; "" for theirs
  // TENANT=PATH, repeatable: a GPU node of the lease or cloud TENANT, reached
  // through the nvidia-smi binary (or a wrapper, e.g. over ssh) at PATH.
  std::vector<std::string> gpu_nodes;
  double gpu_deadline_s = 10;  // each nvidia-smi call's deadline
  std::string reports;  // a folder of backtest and plan reports served at /reports/; "" for none
};

CLI::App* AddServeCommand(CLI::App& app, ServeFlags& flags);
// Serves until SIGINT or SIGTERM; exit 0 then. 2 for bad input (the site
// file, --listen), 1 when the database or the address cannot be opened.
int RunServe(const ServeFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace mullet

#endif  // MULLET_CLI_SERVE_COMMAND_H_
