// `mullet fleet status RANGE`: read every miner in an address range at once.
// (curtail, resume and set-power arrive with the firmware drivers, issue 4.)

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
};

CLI::App* AddFleetCommand(CLI::App& app, FleetFlags& flags);
int RunFleetStatus(const FleetFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace mullet

#endif  // MULLET_CLI_FLEET_COMMAND_H_
