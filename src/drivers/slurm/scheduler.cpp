#include "drivers/slurm/scheduler.h"

#include <algorithm>

namespace mullet {

std::string_view NodeBaseStateName(NodeBaseState s) {
  switch (s) {
    case NodeBaseState::kIdle:
      return "IDLE";
    case NodeBaseState::kAllocated:
      return "ALLOCATED";
    case NodeBaseState::kMixed:
      return "MIXED";
    case NodeBaseState::kCompleting:
      return "COMPLETING";
    case NodeBaseState::kDown:
      return "DOWN";
    case NodeBaseState::kError:
      return "ERROR";
    case NodeBaseState::kFuture:
      return "FUTURE";
    case NodeBaseState::kUnknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::string_view JobStateName(JobState s) {
  switch (s) {
    case JobState::kPending:
      return "PENDING";
    case JobState::kRunning:
      return "RUNNING";
    case JobState::kSuspended:
      return "SUSPENDED";
    case JobState::kCompleting:
      return "COMPLETING";
    case JobState::kCompleted:
      return "COMPLETED";
    case JobState::kCancelled:
      return "CANCELLED";
    case JobState::kFailed:
      return "FAILED";
    case JobState::kTimeout:
      return "TIMEOUT";
    case JobState::kNodeFail:
      return "NODE_FAIL";
    case JobState::kPreempted:
      return "PREEMPTED";
    case JobState::kOutOfMemory:
      return "OUT_OF_MEMORY";
    case JobState::kOther:
      return "OTHER";
  }
  return "OTHER";
}

bool SchedulerNode::HasFlag(std::string_view flag) const {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

// Slurm's own rule (node_state_string, src/common/slurm_protocol_defs.c):
// DRAIN on a node with work is DRAINING, on one without is DRAINED.
bool SchedulerNode::Draining() const {
  if (!HasFlag("DRAIN")) return false;
  return base == NodeBaseState::kAllocated || base == NodeBaseState::kMixed ||
         base == NodeBaseState::kCompleting || HasFlag("COMPLETING");
}

bool SchedulerNode::Drained() const { return HasFlag("DRAIN") && !Draining(); }

std::string SchedulerNode::Summary() const {
  // DOWN outranks DRAIN: a down node with DRAIN set is still down to users.
  if (base == NodeBaseState::kDown) return "DOWN";
  if (Draining()) return "DRAINING";
  if (Drained()) return "DRAINED";
  return base_text.empty() ? std::string(NodeBaseStateName(base)) : base_text;
}

}  // namespace mullet
