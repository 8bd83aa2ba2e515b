// `mullet gpu status|set-cap|settle`: read and cap the GPUs of this node
// through nvidia-smi (drivers/gpu/), and measure how long a cap takes to act.

#ifndef MULLET_CLI_GPU_COMMAND_H_
#define MULLET_CLI_GPU_COMMAND_H_

#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace mullet {

struct GpuFlags {
  std::string action;  // "status", "set-cap" or "settle": the subcommand given
  std::string nvidia_smi = "nvidia-smi";
  double call_timeout_s = 10.0;  // deadline of each nvidia-smi call
  bool json = false;
  int index = 0;            // set-cap, settle
  double watts = 0;         // set-cap, settle
  double timeout_s = 30.0;  // settle: give up after
  double poll_s = 0.1;      // settle: between reads
  double tolerance = 0.02;  // settle: draw <= cap * (1 + tolerance) counts as settled
  bool until_draw = false;  // settle: ignore the enforced limit
};

CLI::App* AddGpuCommand(CLI::App& app, GpuFlags& flags);
// Runs the subcommand in flags.action. Exit 0 on success, 2 for a cap outside
// the GPU's range, 1 for the rest (nvidia-smi missing or failing, no such
// GPU, a cap that does not settle in time).
int RunGpu(const GpuFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace mullet

#endif  // MULLET_CLI_GPU_COMMAND_H_
