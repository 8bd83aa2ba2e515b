// SlurmScheduler: the Scheduler of a Slurm cluster, through its own command
// line tools (`scontrol`, `sinfo`, `squeue`) rather than slurmrestd: every
// Slurm install has the tools, they authenticate with munge as the calling
// user, and they need no JWT key, port or extra daemon (README.md).
//
// Each call runs one tool (two when a failure needs a look-up to be named,
// e.g. "no such job") through RunCommand (drivers/process/run_command.h):
// posix_spawn, pipes and poll, the child in its own process group, killed
// with SIGKILL at `deadline`. Errors are Status values whose message names
// the command, its exit status and its stderr:
//   NotFound         the node or job does not exist
//   InvalidArgument  a bad name, id or empty drain reason (nothing is run)
//   DataError        output this driver cannot read
//   IoError          the tool failed, hung past the deadline, or is missing
//
// Thread safety: a SlurmScheduler holds only its options; calls may run
// concurrently on several threads.

#ifndef MULLET_DRIVERS_SLURM_SLURM_SCHEDULER_H_
#define MULLET_DRIVERS_SLURM_SLURM_SCHEDULER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/units/units.h"
#include "drivers/slurm/scheduler.h"

namespace mullet {

struct SlurmOptions {
  // Folder of scontrol, sinfo and squeue; empty (default): found on PATH.
  std::string bin_dir;
  // SLURM_CONF given to the tools (a private cluster's slurm.conf); empty
  // (default): theirs, usually /etc/slurm/slurm.conf.
  std::string slurm_conf;
  // Per tool run, spawn to exit. Default 10 s: slurmctld answers in
  // milliseconds when well; its own client timeout (MessageTimeout) is 10 s.
  Seconds deadline{10.0};
  // Output kept per stream; more is a DataError. Default 64 MiB (~400k jobs).
  std::size_t max_output_bytes = std::size_t{64} << 20;
};

class SlurmScheduler : public Scheduler {
 public:
  explicit SlurmScheduler(SlurmOptions options) : options_(std::move(options)) {}

  Result<std::vector<SchedulerNode>> Nodes() override;
  Result<SchedulerNode> Node(std::string_view name) override;
  Result<std::vector<SchedulerJob>> Jobs() override;
  Result<SchedulerJob> Job(std::string_view id) override;
  Status DrainNode(std::string_view name, std::string_view reason) override;
  Status ResumeNode(std::string_view name) override;
  Status SuspendJob(std::string_view id) override;
  Status ResumeJob(std::string_view id) override;
  Status RequeueJob(std::string_view id) override;

  const SlurmOptions& options() const { return options_; }

 private:
  struct Ran {
    std::string out;
    std::string err;
  };
  // Runs `tool` (scontrol, sinfo, squeue) with `args`; ok only on exit 0.
  Result<Ran> Run(std::string_view tool, const std::vector<std::string>& args) const;
  Status JobCommand(std::string_view verb, std::string_view id);

  SlurmOptions options_;
};

}  // namespace mullet

#endif  // MULLET_DRIVERS_SLURM_SLURM_SCHEDULER_H_
