// RunCommand: run a program as a subprocess with a deadline, capturing its
// output, for drivers whose device is reached through a vendor tool
// (`nvidia-smi`, Slurm's `scontrol`) rather than a socket.
//
// The child runs in its own process group with stdin on /dev/null. At the
// deadline the whole group gets SIGKILL, so a shell script that is itself
// waiting on a hung grandchild cannot keep the caller waiting. Output beyond
// max_output_bytes per stream is read and dropped, so a chatty child never
// blocks on a full pipe.
//
// Thread safety: RunCommand may be called from several threads at once; the
// pipes are close-on-exec, so one call's child never inherits another's.

#ifndef MULLET_DRIVERS_PROCESS_RUN_COMMAND_H_
#define MULLET_DRIVERS_PROCESS_RUN_COMMAND_H_

#include <cstddef>
#include <string>
#include <vector>

#include "core/status/result.h"
#include "core/units/units.h"

namespace mullet {

struct CommandOptions {
  Seconds deadline{10.0};                  // from spawn to exit; the child is killed past it
  std::size_t max_output_bytes = 1 << 20;  // kept per stream (stdout, stderr); the rest is dropped
};

// How a command ended. A non-zero exit, a signal or a timeout is a result,
// not an error: the caller decides what it means for its device.
struct CommandResult {
  int exit_code = -1;      // the exit status; -1 when a signal ended it (timed_out included)
  int term_signal = 0;     // the signal that ended it, 0 when it exited
  bool timed_out = false;  // killed at the deadline
  bool truncated = false;  // a stream passed max_output_bytes
  std::string out;         // stdout, at most max_output_bytes
  std::string err;         // stderr, at most max_output_bytes
  Seconds elapsed{0};
};

// Runs argv[0] with the arguments argv[1..]; a name without '/' is looked up
// on PATH. Fails (Status) only when nothing could run: empty argv (InvalidArgument),
// a program that does not exist or may not be executed (NotFound, naming it),
// or the operating system refusing pipes or a process (IoError).
Result<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                 const CommandOptions& options);

// "nvidia-smi -i 0 -pl 300": argv as a person would type it, for messages
// (arguments with spaces are single-quoted).
std::string DescribeCommand(const std::vector<std::string>& argv);

// "`nvidia-smi -i 0 -pl 300` exited 4: Failed to set ...", "... was killed at
// the 10 s deadline", "... was killed by signal 11": why a finished command
// did not succeed, with the last line(s) of stderr, or of stdout when stderr
// is empty (nvidia-smi prints some errors there). Empty when it exited 0.
std::string DescribeFailure(const std::vector<std::string>& argv, const CommandResult& r,
                            const CommandOptions& options);

}  // namespace mullet

#endif  // MULLET_DRIVERS_PROCESS_RUN_COMMAND_H_
