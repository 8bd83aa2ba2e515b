// `mullet emulate`: a virtual fleet on loopback until stopped.

#ifndef MULLET_CLI_EMULATE_COMMAND_H_
#define MULLET_CLI_EMULATE_COMMAND_H_

#include <optional>
#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace mullet {

struct EmulateFlags {
  int miners = 100;
  std::string first_address = "127.1.0.1";
  int port = 4028;
  std::string models;    // comma list of catalog names; "" = every built-in model
  std::string firmware = "bmminer";
  double ambient_c = 25;
  double ramp_down_s = -1, ramp_up_s = -1;  // < 0: the firmware's own
  long long seed = 1;
  double hang_share = 0, reset_share = 0, slow_share = 0, malformed_share = 0, misreport_share = 0;
  double misreport_fraction = 0.1;
  double duration_s = 0;  // 0 = until SIGINT/SIGTERM
  // Modbus TCP power meters, each over a contiguous slice of the fleet; 0 = none.
  int meters = 1;
  std::string meter_address = "127.0.0.1";
  int meter_port = 5020;  // meter k listens on meter_port + k
  // Processes serving the fleet, each a contiguous slice (and its own meter);
  // 0 = as many as the descriptor limit needs (one for up to ~15,000 miners).
  int processes = 0;
  bool json = false;
};

CLI::App* AddEmulateCommand(CLI::App& app, EmulateFlags& flags);
int RunEmulate(const EmulateFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace mullet

#endif  // MULLET_CLI_EMULATE_COMMAND_H_
