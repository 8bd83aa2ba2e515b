// The plant `mullet serve` controls: an emulated one (--emulate N: LuxOS
// miners shaped like the site's groups, its AI tenants' GPU nodes and a site
// meter, all in this process), or the site's own miners (each group's
// `addresses`) and its interconnect meter (--meter).

#ifndef MULLET_CLI_SERVE_PLANT_H_
#define MULLET_CLI_SERVE_PLANT_H_

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "cli/serve_command.h"
#include "core/status/result.h"
#include "daemon/driver_fleet.h"
#include "daemon/emulated_site.h"
#include "daemon/live_state.h"
#include "drivers/modbus/power_meter.h"
#include "site/site.h"

namespace mullet {

struct ServePlant {
  std::unique_ptr<EmulatedSite> emulated;  // --emulate: owns the miners, the meter and the GPU nodes
  // The miners the loop commands and each one's group; none when no group
  // has addresses (the API alone runs).
  std::optional<std::pair<std::vector<DriverMiner>, std::vector<std::size_t>>> fleet;
  std::optional<modbus::PowerMeter> meter;
  std::map<std::string, SourceHealth> sources;  // "meter" when there is one
};

// Starts the emulated plant, saying what it runs on `err`, or reads the
// site's own; under --emulate `site` becomes the emulated one. InvalidArgument
// for bad input (the site file, the flags: exit 2); another code when
// something cannot start (exit 1).
Result<ServePlant> StartPlant(const ServeFlags& f, Site* site, std::ostream& err);

}  // namespace mullet

#endif  // MULLET_CLI_SERVE_PLANT_H_
