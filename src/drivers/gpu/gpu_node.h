// GpuNode: the power face of one GPU server, as the controller sees it (read
// every GPU's draw and limits; set one GPU's power cap), behind an interface so
// that the control loop and the emulator run against FakeGpuNode and the real
// node against NvidiaSmiGpuNode (nvidia_smi.h). protocols.md §5.1 lists what
// NVML and nvidia-smi expose.
//
// Thread safety: an implementation is used from one thread at a time.

#ifndef MULLET_DRIVERS_GPU_GPU_NODE_H_
#define MULLET_DRIVERS_GPU_GPU_NODE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status/result.h"
#include "core/units/units.h"

namespace mullet {

// One GPU at one moment. A field the device does not report ("[N/A]",
// "[Not Supported]") is absent, never zero: a zero would read as an idle GPU.
struct GpuReading {
  int index = 0;     // nvidia-smi's -i index
  std::string uuid;  // "GPU-5e1b..."
  std::string name;  // "NVIDIA H100 80GB HBM3"
  std::optional<Watts> power_draw;
  std::optional<Watts> power_limit;     // the limit last requested (software, -pl)
  std::optional<Watts> enforced_limit;  // in force after every limiter, the BMC's included
  std::optional<Watts> default_limit;
  std::optional<Watts> min_limit;  // the range -pl accepts
  std::optional<Watts> max_limit;
  // Energy since the driver loaded (NVML's nvmlDeviceGetTotalEnergyConsumption).
  // nvidia-smi's --query-gpu has no such field, so only FakeGpuNode fills it.
  // 1 MWh = 3.6e9 J; units.h has no joules type.
  std::optional<MegawattHours> energy;
};

class GpuNode {
 public:
  virtual ~GpuNode() = default;

  // Every GPU of the node, in index order.
  virtual Result<std::vector<GpuReading>> Read() = 0;

  // Sets GPU `index`'s power limit to `cap`. A cap outside the GPU's
  // [min_limit, max_limit] is InvalidArgument naming the range, and nothing is
  // sent to the device. The limit does not survive a reboot or driver reload.
  virtual Status SetPowerLimit(int index, Watts cap) = 0;
};

// The check every implementation makes before sending a cap: Ok when `cap`
// is within the reading's [min_limit, max_limit] (a missing bound does not
// constrain); InvalidArgument "GPU 0: power cap 800 W is outside its range
// [200 W, 700 W]" otherwise.
Status CheckCapInRange(const GpuReading& gpu, Watts cap);

// Time as the settle measurement sees it: `now` is any monotonic clock,
// `sleep` waits a span. SteadyClock() is the real one; tests pass a clock
// that advances a FakeGpuNode instead (style.md: time as a value).
struct SettleClock {
  std::function<Seconds()> now;
  std::function<void(Seconds)> sleep;
};
SettleClock SteadyClock();

struct SettleOptions {
  Seconds timeout{30.0};    // give up after this long (OutOfRange)
  Seconds poll{0.1};        // between reads
  double tolerance = 0.02;  // the draw counts as under the cap up to cap * (1 + tolerance)
  // false: done when the draw is under the cap OR the enforced limit equals
  // it, whichever comes first. true: only the draw counts, which measures the
  // physical effect when the enforced limit follows the request at once.
  bool until_draw = false;
};

// What MeasureCapSettle saw when the cap took effect.
struct CapSettle {
  Seconds elapsed{0};         // from just before SetPowerLimit to the read that met the criterion
  std::string by;             // "draw" or "enforced-limit": which criterion was met
  std::optional<Watts> draw;  // the draw at that read
  int reads = 0;
};

// Sets GPU `index` to `cap` and reads the node every `poll` until the cap has
// taken effect (see SettleOptions). Fails with SetPowerLimit's Status, the
// first failed Read, NotFound when the index disappears from the readings,
// or OutOfRange naming the last draw when `timeout` passes first.
Result<CapSettle> MeasureCapSettle(GpuNode& node, int index, Watts cap,
                                   const SettleOptions& options, const SettleClock& clock);

}  // namespace mullet

#endif  // MULLET_DRIVERS_GPU_GPU_NODE_H_
