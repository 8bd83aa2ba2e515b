// `mullet fleet scan|status|curtail|resume|set-power|set-profile RANGE`: find,
// read or command every miner in an address range at once, through the
// drivers of src/drivers.

#ifndef MULLET_CLI_FLEET_COMMAND_H_
#define MULLET_CLI_FLEET_COMMAND_H_

#include <optional>
#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace mullet {

struct FleetFlags {
  std::string range;
  int port = 4028;
  double timeout_s = 5.0;
  int concurrency = 2048;
  bool json = false;
  bool all = false;
  bool summary_only = false;  // status: `summary` alone (no per-board `devs`)
  // The subcommand given: "scan", "status", "curtail", "resume", "set-power", "set-profile".
  std::string action;
  // "luxos" or "braiins" skips identification; "whatsminer" speaks API V3 on
  // port 4433 (the default port then) with `password`.
  std::string firmware;
  std::string password = "super";
  double watts = 0;      // set-power
  std::string profile;   // set-profile
};

CLI::App* AddFleetCommand(CLI::App& app, FleetFlags& flags);
// Runs the subcommand in flags.action.
int RunFleet(const FleetFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace mullet

#endif  // MULLET_CLI_FLEET_COMMAND_H_
