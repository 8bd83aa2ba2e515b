// `mullet calibrate`: the planner's market models fitted to a data directory
// (calibrate/calibrate.h), written as a calibration file
// (plan/calibration_file.h) and shown as a table.

#ifndef MULLET_CLI_CALIBRATE_COMMAND_H_
#define MULLET_CLI_CALIBRATE_COMMAND_H_

#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace mullet {

struct CalibrateFlags {
  std::string data;   // the data directory (required)
  std::string out;    // the calibration file to write; empty: none
  bool json = false;  // print the document instead of the table
};

// Registers the `calibrate` subcommand and its flags on `app`, writing into `flags`.
CLI::App* AddCalibrateCommand(CLI::App& app, CalibrateFlags& flags);

// Runs `mullet calibrate`. Returns the exit code: 0; 2 when the data
// directory or a file in it is missing or malformed (one line on `err`
// naming it); 1 when the output cannot be written.
int RunCalibrate(const CalibrateFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace mullet

#endif  // MULLET_CLI_CALIBRATE_COMMAND_H_
