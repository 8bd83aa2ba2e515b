// FakeGpuNode: an in-memory GpuNode for tests and the emulator. Each GPU has
// a load demand (what its workload would draw uncapped) and a power limit;
// its draw moves toward min(demand, enforced limit).
//
// Cap-to-effect, as modelled: a new limit (or demand) is taken by the GPU's
// limiter `effect_delay` after it is set; the enforced limit changes then, and
// the draw ramps linearly from where it was to the new target over
// `settle_time`. Real figures are not published (protocols.md §5.1): measure
// them with MeasureCapSettle on a real node and put them here.
//
// Time is a value the caller passes (AdvanceTo), never read from a clock, so a
// test or the emulator's simulated clock decides what "now" is.
//
// Thread safety: one thread at a time.

#ifndef MULLET_DRIVERS_GPU_FAKE_GPU_NODE_H_
#define MULLET_DRIVERS_GPU_FAKE_GPU_NODE_H_

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "drivers/gpu/gpu_node.h"

namespace mullet {

struct FakeGpuOptions {
  int gpus = 8;
  std::string name = "NVIDIA H100 80GB HBM3";  // as nvidia-smi names the SXM part
  Watts min_limit{200};                        // H100 SXM: 200-700 W, default 700 W
  Watts max_limit{700};
  Watts default_limit{700};
  Watts idle_draw{70};        // the starting demand of every GPU
  Seconds effect_delay{0.0};  // from SetPowerLimit to the limiter taking the cap
  Seconds settle_time{1.0};   // the ramp of the draw to its new target; 0: a step
};

class FakeGpuNode : public GpuNode {
 public:
  // The node at time `start`, every GPU at its default limit and idle draw.
  explicit FakeGpuNode(FakeGpuOptions options, Seconds start = Seconds(0));

  // Moves the node's clock to `now` (REQUIRES: not before the last call).
  void AdvanceTo(Seconds now);
  Seconds now() const { return now_; }

  // What GPU `index`'s workload would draw uncapped, from now; the draw ramps
  // to it over settle_time (a workload ramping up or down, no delay).
  // REQUIRES: 0 <= index < gpus.
  void SetLoadDemand(int index, Watts demand);

  // The next Read or SetPowerLimit fails with `status` instead (one shot).
  void FailNextCall(Status status) { fail_next_ = std::move(status); }
  int set_calls() const { return set_calls_; }  // SetPowerLimit calls that reached a GPU

  Result<std::vector<GpuReading>> Read() override;
  Status SetPowerLimit(int index, Watts cap) override;

 private:
  struct Gpu {
    Watts demand{0};
    Watts requested{0};  // the last limit set (power_limit)
    Watts enforced{0};   // the limit the limiter applies
    // The draw ramps from ramp_from at ramp_start to ramp_to at ramp_start + settle_time.
    Seconds ramp_start{0};
    Watts ramp_from{0};
    Watts ramp_to{0};
    double energy_j = 0;
    // A limit set and not yet taken, and when it will be.
    std::optional<Watts> pending;
    Seconds pending_at{0};
  };

  Watts DrawAt(const Gpu& g, Seconds t) const;
  // Energy drawn between t0 and t1 along the current ramp (exact: the ramp is linear).
  double EnergyJoules(const Gpu& g, Seconds t0, Seconds t1) const;
  // Starts a new ramp at `t` toward min(demand, enforced).
  void Retarget(Gpu& g, Seconds t) const;

  FakeGpuOptions options_;
  Seconds now_;
  std::vector<Gpu> gpus_;
  std::optional<Status> fail_next_;
  int set_calls_ = 0;
};

}  // namespace mullet

#endif  // MULLET_DRIVERS_GPU_FAKE_GPU_NODE_H_
