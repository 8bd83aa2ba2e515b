// `mullet meter read HOST[:PORT]`: one reading of a Modbus TCP power meter or
// PDU (a real one, or the meters of `mullet emulate`), in watts.

#ifndef MULLET_CLI_METER_COMMAND_H_
#define MULLET_CLI_METER_COMMAND_H_

#include <ostream>
#include <string>

#include "core/status/result.h"
#include "drivers/modbus/power_meter.h"

namespace CLI {
class App;
}

namespace mullet {

struct MeterFlags {
  std::string target;  // "HOST" or "HOST:PORT" ("[v6]:PORT")
  int unit = 1;
  int register_address = 0;          // 0-based, as on the wire
  std::string function = "holding";  // holding (0x03) or input (0x04)
  std::string type = "float32";
  std::string word_order = "abcd";
  double scale = 1;   // register units to W
  double offset = 0;  // W, added after scaling
  double timeout_s = 2;
  bool json = false;
};

CLI::App* AddMeterCommand(CLI::App& app, MeterFlags& flags);
// The register's options (unit, register, function, type, word-order,
// scale, offset) under `prefix`: "--" for `meter read`, "--meter-" for serve.
void AddMeterRegisterOptions(CLI::App* cmd, MeterFlags& flags, const std::string& prefix);
// The meter the flags describe; InvalidArgument naming the flag, as
// `prefix` and `target_name` call them.
Result<modbus::PowerMeterOptions> MeterOptionsOf(const MeterFlags& flags, const std::string& prefix = "--",
                                                 const std::string& target_name = "HOST[:PORT]");
int RunMeter(const MeterFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace mullet

#endif  // MULLET_CLI_METER_COMMAND_H_
