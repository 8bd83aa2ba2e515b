// Scheduler: what the controller asks of an HPC batch scheduler when power
// runs short (protocols.md §5.4): read nodes and jobs, drain a node so it
// takes no new work while its jobs finish, resume it, and suspend, resume or
// requeue a job. SlurmScheduler (slurm_scheduler.h) is the one implementation;
// tests and the emulator can put a fake behind the same interface.
//
// Every call is synchronous and bounded by the implementation's deadline: it
// returns (an error at worst) and never throws. Call it from a worker thread,
// not from a control loop's io_context.

#ifndef MULLET_DRIVERS_SLURM_SCHEDULER_H_
#define MULLET_DRIVERS_SLURM_SCHEDULER_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status/result.h"

namespace mullet {

// A node's base state: what it is doing. Flags (DRAIN, NOT_RESPONDING, ...)
// come on top of it, as in Slurm's "allocated+drain".
enum class NodeBaseState {
  kIdle,
  kAllocated,
  kMixed,
  kCompleting,
  kDown,
  kError,
  kFuture,
  kUnknown
};
std::string_view NodeBaseStateName(NodeBaseState s);  // "IDLE", "ALLOCATED", ...

struct SchedulerNode {
  std::string name;
  NodeBaseState base = NodeBaseState::kUnknown;
  std::string base_text;  // the scheduler's word for `base`, upper case ("IDLE", "PLANNED")
  std::vector<std::string>
      flags;     // upper case, as the scheduler names them: "DRAIN", "NOT_RESPONDING"
  int cpus = 0;  // configured CPUs
  int cpus_allocated = 0;
  int cpus_idle = 0;
  std::string reason;  // why it is drained or down, as given; empty when none

  bool HasFlag(std::string_view flag) const;
  // DRAIN set and jobs still on it: takes no new work, the running jobs finish.
  bool Draining() const;
  // DRAIN set and nothing running: out of service.
  bool Drained() const;
  // One word as `sinfo` prints it: "DRAINING", "DRAINED", "DOWN", "MIXED"...
  std::string Summary() const;
};

enum class JobState {
  kPending,
  kRunning,
  kSuspended,
  kCompleting,
  kCompleted,
  kCancelled,
  kFailed,
  kTimeout,
  kNodeFail,
  kPreempted,
  kOutOfMemory,
  kOther,  // a state this driver does not know (new releases add some): see state_text
};
std::string_view JobStateName(JobState s);  // "PENDING", "RUNNING", ...

struct SchedulerJob {
  std::string id;  // the scheduler's text form: "1234", "1234_7" (array task)
  std::string name;
  std::string user;
  std::string partition;
  JobState state = JobState::kOther;
  std::string state_text;  // as the scheduler printed it ("RUNNING", "REQUEUE_HOLD")
  std::string reason;      // why it waits ("Resources", "BeginTime"); empty when none
  std::string nodes;       // hostlist expression ("n1", "gpu[01-04]"); empty while pending
  int restarts = 0;        // times requeued
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  virtual Result<std::vector<SchedulerNode>> Nodes() = 0;
  // NotFound when the scheduler has no such node.
  virtual Result<SchedulerNode> Node(std::string_view name) = 0;
  // Jobs not yet finished (pending, running, suspended, completing).
  virtual Result<std::vector<SchedulerJob>> Jobs() = 0;
  // Any job the scheduler still remembers, finished ones included; NotFound otherwise.
  virtual Result<SchedulerJob> Job(std::string_view id) = 0;

  // REQUIRES: reason not empty (the scheduler records it; operators read it).
  virtual Status DrainNode(std::string_view name, std::string_view reason) = 0;
  // Returns a drained or down node to service; ok when it already is in service.
  virtual Status ResumeNode(std::string_view name) = 0;
  virtual Status SuspendJob(std::string_view id) = 0;
  virtual Status ResumeJob(std::string_view id) = 0;
  // Ends a running job and puts it back in the queue (it keeps its id).
  virtual Status RequeueJob(std::string_view id) = 0;
};

}  // namespace mullet

#endif  // MULLET_DRIVERS_SLURM_SCHEDULER_H_
