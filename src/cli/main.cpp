// mullet: one binary, five faces (econ, backtest, emulate and the fleet reader
// today; plan and serve arrive with their issues). Parses the command line and
// hands over.

#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/backtest_command.h"
#include "cli/data_command.h"
#include "cli/econ_command.h"
#include "cli/emulate_command.h"
#include "cli/fleet_command.h"
#include "cli/gpu_command.h"
#include "cli/heap.h"
#include "cli/meter_command.h"

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
  if (econ->parsed()) return mullet::RunEcon(econ_flags, std::cout, std::cerr);
  if (backtest->parsed()) {
    for (int i = 0; i < argc; ++i) {
      backtest_flags.command_line += (i ? " " : "") + std::string(i ? argv[i] : "mullet");
    }
    return mullet::RunBacktestCommand(backtest_flags, std::cout, std::cerr);
  }
  if (data->parsed()) return mullet::RunData(data_flags, std::cout, std::cerr);
  if (emulate->parsed()) return mullet::RunEmulate(emulate_flags, std::cout, std::cerr);
  if (fleet->parsed()) return mullet::RunFleet(fleet_flags, std::cout, std::cerr);
  if (gpu->parsed()) return mullet::RunGpu(gpu_flags, std::cout, std::cerr);
  if (meter->parsed()) return mullet::RunMeter(meter_flags, std::cout, std::cerr);
  return 2;
}
