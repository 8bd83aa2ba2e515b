// `mullet plan PLAN.yaml`: the Monte Carlo planner (docs/plan.md), and
// `mullet plan merge SHARD...`.

#ifndef MULLET_CLI_PLAN_COMMAND_H_
#define MULLET_CLI_PLAN_COMMAND_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace mullet {

struct PlanFlags {
  std::string plan_file;
  std::optional<std::string> data, calibration, out, shard;
  std::uint64_t paths = 1000;
  std::uint64_t seed = 1;
  int threads = 0;  // 0: the machine's cores
  bool json = false;
  bool progress = true;
  std::vector<std::string> merge_shards;
  bool merge = false;
};

CLI::App* AddPlanCommand(CLI::App& app, PlanFlags& flags);

int RunPlan(const PlanFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace mullet

#endif  // MULLET_CLI_PLAN_COMMAND_H_
