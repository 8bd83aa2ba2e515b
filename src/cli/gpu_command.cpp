#include "cli/gpu_command.h"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>
#include <optional>

#include "drivers/gpu/gpu_node.h"
#include "drivers/gpu/nvidia_smi.h"

namespace mullet {
namespace {

nlohmann::ordered_json OrNull(const std::optional<Watts>& w) {
  return w ? nlohmann::ordered_json(w->value()) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json GpuJson(const GpuReading& g) {
  nlohmann::ordered_json j;
  j["index"] = g.index;
  j["uuid"] = g.uuid;
  j["name"] = g.name;
  j["power_draw_w"] = OrNull(g.power_draw);
  j["power_limit_w"] = OrNull(g.power_limit);
  j["enforced_limit_w"] = OrNull(g.enforced_limit);
  j["default_limit_w"] = OrNull(g.default_limit);
  j["min_limit_w"] = OrNull(g.min_limit);
  j["max_limit_w"] = OrNull(g.max_limit);
  if (g.energy) j["energy_j"] = g.energy->value() * 3.6e9;
  return j;
}

std::string Cell(const std::optional<Watts>& w) {
  return w ? fmt::format("{:.2f}", w->value()) : "N/A";
}

// One line naming the subcommand; exit 2 for what the user asked wrongly
// (a cap outside the range), 1 for what the node or nvidia-smi did.
int Fail(const GpuFlags& f, const Status& s, std::ostream& err) {
  std::string hint;
  if (s.code() == StatusCode::kNotFound && s.message().rfind("cannot run", 0) == 0) {
    hint = "; is the NVIDIA driver installed? Give the tool's path with --nvidia-smi";
  }
  err << "mullet gpu " << f.action << ": error: " << s.message() << hint << "\n";
  return s.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

int RunStatus(const GpuFlags& f, GpuNode& node, std::ostream& out, std::ostream& err) {
  Result<std::vector<GpuReading>> gpus = node.Read();
  if (!gpus.ok()) return Fail(f, gpus.status(), err);
  double total_w = 0;
  for (const GpuReading& g : *gpus) total_w += g.power_draw ? g.power_draw->value() : 0;
  if (f.json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const GpuReading& g : *gpus) list.push_back(GpuJson(g));
    nlohmann::ordered_json j;
    j["gpus"] = list;
    // GPUs that report no draw are left out of the total (and counted), not taken as zero watts.
    int unknown = 0;
    for (const GpuReading& g : *gpus) unknown += g.power_draw ? 0 : 1;
    j["summary"] = {{"total", gpus->size()}, {"power_draw_w", total_w}, {"draw_unknown", unknown}};
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  fmt::print(out, "{} GPUs drawing {:.1f} W\n", gpus->size(), total_w);
  fmt::print(out, "  {:>3}  {:<26} {:>9} {:>9} {:>10} {:>17}\n", "idx", "name", "draw W", "limit W",
             "enforced W", "range W");
  for (const GpuReading& g : *gpus) {
    fmt::print(out, "  {:>3}  {:<26} {:>9} {:>9} {:>10} {:>17}\n", g.index, g.name,
               Cell(g.power_draw), Cell(g.power_limit), Cell(g.enforced_limit),
               Cell(g.min_limit) + "-" + Cell(g.max_limit));
  }
  return 0;
}

int RunSetCap(const GpuFlags& f, NvidiaSmiGpuNode& node, std::ostream& out, std::ostream& err) {
  if (Status s = node.SetPowerLimit(f.index, Watts(f.watts)); !s.ok()) return Fail(f, s, err);
  if (f.json) {
    nlohmann::ordered_json j;
    j["index"] = f.index;
    j["power_limit_w"] = f.watts;
    j["message"] = node.last_message();
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  fmt::print(out, "GPU {}: power limit set to {:g} W (nvidia-smi: {})\n", f.index, f.watts,
             node.last_message());
  return 0;
}

int RunSettle(const GpuFlags& f, GpuNode& node, std::ostream& out, std::ostream& err) {
  SettleOptions o;
  o.timeout = Seconds(f.timeout_s);
  o.poll = Seconds(f.poll_s);
  o.tolerance = f.tolerance;
  o.until_draw = f.until_draw;
  Result<CapSettle> settle = MeasureCapSettle(node, f.index, Watts(f.watts), o, SteadyClock());
  if (!settle.ok()) return Fail(f, settle.status(), err);
  if (f.json) {
    nlohmann::ordered_json j;
    j["index"] = f.index;
    j["cap_w"] = f.watts;
    j["settle_s"] = settle->elapsed.count();
    j["by"] = settle->by;
    j["power_draw_w"] = OrNull(settle->draw);
    j["reads"] = settle->reads;
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  fmt::print(out, "GPU {}: cap {:g} W took effect in {:.3f} s (by {}; draw {} W; {} reads)\n",
             f.index, f.watts, settle->elapsed.count(), settle->by, Cell(settle->draw),
             settle->reads);
  return 0;
}

void AddToolFlags(CLI::App* cmd, GpuFlags& f) {
  cmd->add_option("--nvidia-smi", f.nvidia_smi,
                  "Path of the nvidia-smi tool (default: nvidia-smi on PATH)");
  cmd->add_option("--call-timeout-s", f.call_timeout_s,
                  "Deadline of each nvidia-smi call in seconds (default 10)")
      ->check(CLI::Range(0.01, 600.0));
  cmd->add_flag("--json", f.json, "One JSON object");
}

void AddCapArguments(CLI::App* cmd, GpuFlags& f) {
  cmd->add_option("index", f.index, "The GPU's index, as nvidia-smi -i takes it")
      ->required()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("watts", f.watts, "The power cap in watts, within the GPU's min/max limits")
      ->required()
      ->check(CLI::PositiveNumber);
}

}  // namespace

CLI::App* AddGpuCommand(CLI::App& app, GpuFlags& f) {
  CLI::App* gpu =
      app.add_subcommand("gpu", "Read and cap this node's NVIDIA GPUs through nvidia-smi");
  gpu->footer(R"(Examples:
  mullet gpu status --json                # every GPU's draw and power limits
  mullet gpu set-cap 0 500                # GPU 0 to 500 W (root)
  mullet gpu settle 0 400 --json          # how long the cap takes to act)");
  gpu->require_subcommand(1);
  CLI::App* status = gpu->add_subcommand("status", "Every GPU's draw and power limits");
  status->footer(R"(Runs nvidia-smi --query-gpu; a field the GPU does not report is N/A (null in
JSON), never zero.

Examples:
  mullet gpu status
  mullet gpu status --json --nvidia-smi /usr/bin/nvidia-smi)");
  AddToolFlags(status, f);
  status->callback([&f] { f.action = "status"; });

  CLI::App* set_cap = gpu->add_subcommand("set-cap", "Set one GPU's power limit (needs root)");
  set_cap->footer(R"(Checks the cap against the GPU's min/max limits, then runs
nvidia-smi -i INDEX -pl WATTS. The limit does not survive a reboot or driver reload.

Example:
  sudo mullet gpu set-cap 0 300)");
  AddCapArguments(set_cap, f);
  AddToolFlags(set_cap, f);
  set_cap->callback([&f] { f.action = "set-cap"; });

  CLI::App* settle =
      gpu->add_subcommand("settle", "Set a cap and measure how long it takes to act");
  settle->footer(R"(Sets the cap, then reads every --poll-s until the draw is at or under
cap * (1 + --tolerance), or the enforced limit equals the cap (unless --until-draw).
Put the GPU under load first, or the draw is already under the cap.

Example:
  sudo mullet gpu settle 0 300 --until-draw --poll-s 0.05 --json)");
  AddCapArguments(settle, f);
  AddToolFlags(settle, f);
  settle->add_option("--timeout-s", f.timeout_s, "Give up after this many seconds (default 30)")
      ->check(CLI::Range(0.01, 3600.0));
  settle->add_option("--poll-s", f.poll_s, "Seconds between reads (default 0.1)")
      ->check(CLI::Range(0.0, 60.0));
  settle
      ->add_option("--tolerance", f.tolerance,
                   "Draw over the cap still counted as settled (default 0.02)")
      ->check(CLI::Range(0.0, 1.0));
  settle->add_flag("--until-draw", f.until_draw, "Only the draw counts, not the enforced limit");
  settle->callback([&f] { f.action = "settle"; });
  return gpu;
}

int RunGpu(const GpuFlags& f, std::ostream& out, std::ostream& err) {
  NvidiaSmiOptions o;
  o.binary = f.nvidia_smi;
  o.command.deadline = Seconds(f.call_timeout_s);
  NvidiaSmiGpuNode node(o);
  if (f.action == "status") return RunStatus(f, node, out, err);
  if (f.action == "set-cap") return RunSetCap(f, node, out, err);
  return RunSettle(f, node, out, err);
}

}  // namespace mullet
