// `mullet fleet status|curtail|resume RANGE`: read or command every miner in
// an address range at once. (set-power arrives with the power-target drivers.)

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
  std::string action;  // "status", "curtail" or "resume": the subcommand given
  std::string firmware;  // curtail/resume: "luxos" or "braiins" skips identification
};

CLI::App* AddFleetCommand(CLI::App& app, FleetFlags& flags);
// Runs the subcommand in flags.action.
int RunFleet(const FleetFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace mullet

#endif  // MULLET_CLI_FLEET_COMMAND_H_
