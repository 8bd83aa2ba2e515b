#include "drivers/gpu/gpu_node.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

namespace mullet {
namespace {

std::string W(Watts w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g W", w.value());
  return buf;
}

std::string Bound(const std::optional<Watts>& w) { return w ? W(*w) : "?"; }

const GpuReading* Find(const std::vector<GpuReading>& gpus, int index) {
  for (const GpuReading& g : gpus) {
    if (g.index == index) return &g;
  }
  return nullptr;
}

}  // namespace

Status CheckCapInRange(const GpuReading& gpu, Watts cap) {
  const bool below = gpu.min_limit && cap < *gpu.min_limit;
  const bool above = gpu.max_limit && cap > *gpu.max_limit;
  if (!below && !above) return Status::Ok();
  return Status::InvalidArgument("GPU " + std::to_string(gpu.index) + ": power cap " + W(cap) +
                                 " is outside its range [" + Bound(gpu.min_limit) + ", " +
                                 Bound(gpu.max_limit) + "]");
}

SettleClock SteadyClock() {
  return {[] {
            return std::chrono::duration_cast<Seconds>(
                std::chrono::steady_clock::now().time_since_epoch());
          },
          [](Seconds s) { std::this_thread::sleep_for(s); }};
}

Result<CapSettle> MeasureCapSettle(GpuNode& node, int index, Watts cap,
                                   const SettleOptions& options, const SettleClock& clock) {
  const Seconds start = clock.now();
  if (Status s = node.SetPowerLimit(index, cap); !s.ok()) return s;
  const Watts ceiling = cap * (1.0 + options.tolerance);
  CapSettle settle;
  std::optional<Watts> last_draw;
  // The first read comes straight after the command: on a GPU already under
  // the cap the effect is immediate, and the answer is the command's latency.
  while (true) {
    Result<std::vector<GpuReading>> read = node.Read();
    ++settle.reads;
    if (!read.ok()) return read.status();
    const GpuReading* gpu = Find(*read, index);
    if (gpu == nullptr) {
      return Status::NotFound("GPU " + std::to_string(index) +
                              " is no longer in the node's readings");
    }
    const Seconds elapsed = clock.now() - start;
    last_draw = gpu->power_draw;
    if (gpu->power_draw && *gpu->power_draw <= ceiling) {
      settle.by = "draw";
    } else if (!options.until_draw && gpu->enforced_limit &&
               // nvidia-smi prints two decimals: equal to the centiwatt.
               std::abs((*gpu->enforced_limit - cap).value()) < 0.005) {
      settle.by = "enforced-limit";
    }
    if (!settle.by.empty()) {
      settle.elapsed = elapsed;
      settle.draw = gpu->power_draw;
      return settle;
    }
    if (elapsed >= options.timeout) break;
    clock.sleep(options.poll);
  }
  char secs[32];
  std::snprintf(secs, sizeof secs, "%g", options.timeout.count());
  return Status::OutOfRange("GPU " + std::to_string(index) + ": draw " +
                            (last_draw ? W(*last_draw) : std::string("unknown")) +
                            " still above the " + W(cap) + " cap after " + secs + " s");
}

}  // namespace mullet
