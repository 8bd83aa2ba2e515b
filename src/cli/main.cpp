// mullet: one binary, five faces (econ, backtest, emulate, the fleet reader and
// the first of serve today; plan arrives with its issue). Parses the command
// line and hands over.

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <new>

#include "cli/backtest_command.h"
#include "cli/calibrate_command.h"
#include "cli/plan_command.h"
#include "cli/data_command.h"
#include "cli/econ_command.h"
#include "cli/emulate_command.h"
#include "cli/fleet_command.h"
#include "cli/gpu_command.h"
#include "cli/heap.h"
#include "cli/meter_command.h"
#include "cli/serve_command.h"
#include "cli/token_command.h"

namespace {

// "--flag: 'text' is not a finite number" for the first value given to any
// option of the parsed commands that reads whole as a number and is not
// finite; "" when there is none.
std::string NonFiniteNumber(const CLI::App& app) {
  for (const CLI::Option* o : app.get_options()) {
    for (const std::string& text : o->results()) {
      for (std::size_t begin = 0; begin <= text.size();) {  // list values: "60000,1e400"
        const std::size_t end = std::min(text.find_first_of(",:", begin), text.size());
        const std::string part = text.substr(begin, end - begin);
        char* stop = nullptr;
        errno = 0;
        const double v = std::strtod(part.c_str(), &stop);
        if (!part.empty() && stop == part.c_str() + part.size() && (!std::isfinite(v) || errno == ERANGE) &&
            !(errno == ERANGE && std::isfinite(v))) {
          return o->get_name() + ": '" + part + "' is not a finite number";
        }
        begin = end + 1;
      }
    }
  }
  for (const CLI::App* sub : app.get_subcommands()) {
    if (std::string bad = NonFiniteNumber(*sub); !bad.empty()) return bad;
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  mullet::UseHugePagesForTheHeap();
  CLI::App app{"mullet: controller and digital twin for hybrid Bitcoin-mining / AI datacenters"};
  app.footer(
      "Run 'mullet econ --help' for the mining economics of any moment, 'mullet backtest --help'\n"
      "to replay a site over history.");
  app.set_version_flag("--version", "mullet " MULLET_VERSION);
  app.require_subcommand(1);
  mullet::EconFlags econ_flags;
  CLI::App* econ = mullet::AddEconCommand(app, econ_flags);
  mullet::BacktestFlags backtest_flags;
  CLI::App* backtest = mullet::AddBacktestCommand(app, backtest_flags);
  mullet::PlanFlags plan_flags;
  CLI::App* plan = mullet::AddPlanCommand(app, plan_flags);
  mullet::CalibrateFlags calibrate_flags;
  CLI::App* calibrate = mullet::AddCalibrateCommand(app, calibrate_flags);
  mullet::DataFlags data_flags;
  CLI::App* data = mullet::AddDataCommand(app, data_flags);
  mullet::EmulateFlags emulate_flags;
  CLI::App* emulate = mullet::AddEmulateCommand(app, emulate_flags);
  mullet::FleetFlags fleet_flags;
  CLI::App* fleet = mullet::AddFleetCommand(app, fleet_flags);
  mullet::GpuFlags gpu_flags;
  CLI::App* gpu = mullet::AddGpuCommand(app, gpu_flags);
  mullet::MeterFlags meter_flags;
  CLI::App* meter = mullet::AddMeterCommand(app, meter_flags);
  mullet::ServeFlags serve_flags;
  CLI::App* serve = mullet::AddServeCommand(app, serve_flags);
  mullet::TokenFlags token_flags;
  CLI::App* token = mullet::AddTokenCommand(app, token_flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line naming the flag, exit 2, as for every other bad input.
    std::cerr << "mullet: error: " << e.what() << " (see --help)\n";
    return 2;
  }
  // No numeric flag may be infinite or NaN ("1e400" once printed $inf/kWh):
  // every value given that reads whole as a number must be finite.
  if (std::string bad = NonFiniteNumber(app); !bad.empty()) {
    std::cerr << "mullet: error: " << bad << " (see --help)\n";
    return 2;
  }
  // The last barrier: whatever escapes a command (memory exhausted past the
  // stated limits, a bug) ends the run with one line and exit 1, not an abort.
  try {
    if (econ->parsed()) return mullet::RunEcon(econ_flags, std::cout, std::cerr);
    if (backtest->parsed()) {
      for (int i = 0; i < argc; ++i) {
        backtest_flags.command_line += (i ? " " : "") + std::string(i ? argv[i] : "mullet");
      }
      return mullet::RunBacktestCommand(backtest_flags, std::cout, std::cerr);
    }
    if (plan->parsed()) return mullet::RunPlan(plan_flags, std::cout, std::cerr);
    if (calibrate->parsed()) return mullet::RunCalibrate(calibrate_flags, std::cout, std::cerr);
    if (data->parsed()) return mullet::RunData(data_flags, std::cout, std::cerr);
    if (emulate->parsed()) return mullet::RunEmulate(emulate_flags, std::cout, std::cerr);
    if (fleet->parsed()) return mullet::RunFleet(fleet_flags, std::cout, std::cerr);
    if (gpu->parsed()) return mullet::RunGpu(gpu_flags, std::cout, std::cerr);
    if (meter->parsed()) return mullet::RunMeter(meter_flags, std::cout, std::cerr);
    if (serve->parsed()) return mullet::RunServe(serve_flags, std::cout, std::cerr);
    if (token->parsed()) return mullet::RunToken(token_flags, std::cout, std::cerr);
  } catch (const std::bad_alloc&) {
    std::cerr << "mullet: error: out of memory (the run is larger than this machine's memory; see the limits in "
                 "docs/security.md)\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "mullet: error: internal error: " << e.what() << " (please report it)\n";
    return 1;
  }
  return 2;
}
