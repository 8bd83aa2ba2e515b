// NvidiaSmiGpuNode: a GpuNode that runs the `nvidia-smi` tool (protocols.md
// §5.1): `--query-gpu=... --format=csv,noheader,nounits` to read and
// `-i <index> -pl <watts>` to cap. We go through the tool rather than NVML's C
// API because Debian main ships no NVML headers (README.md here).
//
// Every call runs under RunCommand's deadline, so a wedged driver (nvidia-smi
// hangs when a GPU falls off the bus) costs one deadline, not the control loop.
//
// Thread safety: one thread at a time (it caches the limits it has read).

#ifndef MULLET_DRIVERS_GPU_NVIDIA_SMI_H_
#define MULLET_DRIVERS_GPU_NVIDIA_SMI_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/gpu/gpu_node.h"
#include "drivers/process/run_command.h"

namespace mullet {

// The fields read, in this order: the columns ParseQueryGpuCsv expects.
inline constexpr std::string_view kQueryGpuFields =
    "index,uuid,name,power.draw,power.limit,enforced.power.limit,power.default_limit,"
    "power.min_limit,power.max_limit";

// Parses the output of `nvidia-smi --query-gpu=<kQueryGpuFields>
// --format=csv,noheader,nounits`: one line per GPU, nine comma-separated
// fields. Tolerates what real nvidia-smi prints: a space after each comma,
// CRLF line ends (the Windows build), "[N/A]", "N/A", "[Not Supported]",
// "[Unknown Error]" (-> the field is absent), a " W" unit when `nounits` was
// left off, a header line when `noheader` was, blank lines. Index, uuid and
// name are required, printable and at most 200 bytes; watts are finite, 0
// to kMaxGpuWatts. A malformed line is DataError naming the line number, the
// field and the text (escaped, cut short). Pure.
Result<std::vector<GpuReading>> ParseQueryGpuCsv(std::string_view text);

// The most one GPU can draw or be capped at (a GB200 superchip's board is
// 2.7 kW): a reading above is refused.
inline constexpr double kMaxGpuWatts = 10000;

struct NvidiaSmiOptions {
  std::string binary = "nvidia-smi";  // a path, or a name looked up on PATH
  CommandOptions command;             // deadline (default 10 s) and output cap per call
};

class NvidiaSmiGpuNode : public GpuNode {
 public:
  explicit NvidiaSmiGpuNode(NvidiaSmiOptions options) : options_(std::move(options)) {}

  // Errors name the command, its exit code and what it printed; a missing
  // binary is NotFound, a failed or killed command IoError, unparsable output
  // DataError.
  Result<std::vector<GpuReading>> Read() override;

  // Checks `cap` against the GPU's min/max limits (read once, then cached),
  // then runs `nvidia-smi -i <index> -pl <watts>`. Setting a limit needs
  // root: without it nvidia-smi exits 4 with "Insufficient Permissions", and
  // the Status says so.
  Status SetPowerLimit(int index, Watts cap) override;

  // What the last successful SetPowerLimit printed ("Power limit for GPU
  // 00000000:18:00.0 was set to 300.00 W from 700.00 W.; All done.").
  const std::string& last_message() const { return last_message_; }

 private:
  NvidiaSmiOptions options_;
  std::map<int, GpuReading> limits_;  // the last reading per index, for the range check
  std::string last_message_;
};

}  // namespace mullet

#endif  // MULLET_DRIVERS_GPU_NVIDIA_SMI_H_
