#include "drivers/slurm/slurm_scheduler.h"

#include <cctype>
#include <utility>

#include "drivers/process/run_command.h"
#include "drivers/slurm/slurm_parse.h"

namespace mullet {
namespace {

// What scontrol prints (src/common/slurm_errno.c) when the name or id is unknown.
constexpr std::string_view kNoSuchNode = "Invalid node name specified";
constexpr std::string_view kNoSuchJob = "Invalid job id specified";
constexpr std::string_view kBadNodeState = "Invalid node state specified";

// Node names and hostlists ("gpu[01-04],n7"), job ids ("1234", "1234_7",
// "1234+0"): checked before they reach a command line, so that "-h" is never
// taken for an option nor "n1 State=DOWN" for a second assignment.
bool ValidToken(std::string_view s, std::string_view extra) {
  if (s.empty() || s.front() == '-') return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && extra.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}
bool ValidNodeName(std::string_view s) { return ValidToken(s, "-_.[],"); }
bool ValidJobId(std::string_view s) {
  return ValidToken(s, "_+") && std::isdigit(static_cast<unsigned char>(s.front()));
}

Status BadNode(std::string_view name) {
  return Status::InvalidArgument("slurm: '" + std::string(name) +
                                 "' is not a node name (letters, digits, -_.[], only)");
}
// "slurm: no job 42 (`scontrol suspend 42` exited 1: ...)": the finding first,
// then the command that showed it.
Status NoSuchJob(std::string_view id, const Status& why) {
  return Status::NotFound("slurm: no job " + std::string(id) + " (" +
                          why.message().substr(why.message().rfind("slurm: ", 0) == 0 ? 7 : 0) +
                          ")");
}

Status BadJob(std::string_view id) {
  return Status::InvalidArgument("slurm: '" + std::string(id) +
                                 "' is not a job id (digits, then _ or + and digits)");
}

}  // namespace

Result<SlurmScheduler::Ran> SlurmScheduler::Run(std::string_view tool,
                                                const std::vector<std::string>& args) const {
  std::vector<std::string> argv;
  // Slurm's tools take their configuration only from SLURM_CONF (no flag);
  // `env` sets it for the child alone, so the caller's environment, shared
  // by every thread, is never touched.
  if (!options_.slurm_conf.empty()) {
    argv.push_back("env");
    argv.push_back("SLURM_CONF=" + options_.slurm_conf);
  }
  argv.push_back(options_.bin_dir.empty() ? std::string(tool)
                                          : options_.bin_dir + "/" + std::string(tool));
  argv.insert(argv.end(), args.begin(), args.end());

  CommandOptions run;
  run.deadline = options_.deadline;
  run.max_output_bytes = options_.max_output_bytes;
  Result<CommandResult> r = RunCommand(argv, run);
  if (!r.ok()) return r.status();
  if (r->timed_out || r->term_signal != 0 || r->exit_code != 0) {
    const std::string why = "slurm: " + DescribeFailure(argv, *r, run);
    // Unknown names are the caller's mistake or a stale view, not an outage.
    if (r->err.find(kNoSuchNode) != std::string::npos ||
        r->err.find(kNoSuchJob) != std::string::npos) {
      return Status::NotFound(why);
    }
    if (r->err.find(kBadNodeState) != std::string::npos) return Status::InvalidArgument(why);
    return Status::IoError(why);
  }
  if (r->truncated) {
    return Status::DataError("slurm: `" + DescribeCommand(argv) + "` printed more than " +
                             std::to_string(options_.max_output_bytes) +
                             " bytes (max_output_bytes)");
  }
  return Ran{std::move(r->out), std::move(r->err)};
}

Result<std::vector<SchedulerNode>> SlurmScheduler::Nodes() {
  Result<Ran> r =
      Run("sinfo", {"--noheader", "--Node", "--Format=" + std::string(kSinfoNodeFormat)});
  if (!r.ok()) return r.status();
  return ParseSinfoNodes(r->out);
}

Result<SchedulerNode> SlurmScheduler::Node(std::string_view name) {
  if (!ValidNodeName(name)) return BadNode(name);
  Result<Ran> r = Run("sinfo", {"--noheader", "--Node", "--nodes=" + std::string(name),
                                "--Format=" + std::string(kSinfoNodeFormat)});
  if (!r.ok()) return r.status();
  Result<std::vector<SchedulerNode>> nodes = ParseSinfoNodes(r->out);
  if (!nodes.ok()) return nodes.status();
  // sinfo prints nothing, and exits 0, for a node it does not know.
  for (SchedulerNode& n : nodes.value()) {
    if (n.name == name) return std::move(n);
  }
  return Status::NotFound("slurm: no node '" + std::string(name) +
                          "' (sinfo --nodes=" + std::string(name) + " lists none)");
}

Result<std::vector<SchedulerJob>> SlurmScheduler::Jobs() {
  Result<Ran> r = Run("squeue", {"--noheader", "--Format=" + std::string(kSqueueJobFormat)});
  if (!r.ok()) return r.status();
  return ParseSqueueJobs(r->out);
}

Result<SchedulerJob> SlurmScheduler::Job(std::string_view id) {
  if (!ValidJobId(id)) return BadJob(id);
  // --states=all: a job that just finished is still worth reporting as such.
  Result<Ran> r = Run("squeue", {"--noheader", "--states=all", "--jobs=" + std::string(id),
                                 "--Format=" + std::string(kSqueueJobFormat)});
  // squeue exits 1 ("Invalid job id specified") for an id slurmctld never had.
  if (!r.ok() && r.status().code() == StatusCode::kNotFound) return NoSuchJob(id, r.status());
  if (!r.ok()) return r.status();
  Result<std::vector<SchedulerJob>> jobs = ParseSqueueJobs(r->out);
  if (!jobs.ok()) return jobs.status();
  for (SchedulerJob& j : jobs.value()) {
    if (j.id == id) return std::move(j);
  }
  // Once MinJobAge has passed, squeue forgets a job and prints nothing.
  return Status::NotFound("slurm: no job " + std::string(id) +
                          " (squeue --jobs=" + std::string(id) + " lists none)");
}

Status SlurmScheduler::DrainNode(std::string_view name, std::string_view reason) {
  if (!ValidNodeName(name)) return BadNode(name);
  if (reason.empty()) {
    return Status::InvalidArgument("slurm: draining " + std::string(name) +
                                   " needs a reason (Slurm records it and operators read it)");
  }
  // One argument per assignment: scontrol takes "Reason=grid cap event" whole.
  Result<Ran> r = Run("scontrol", {"update", "NodeName=" + std::string(name), "State=DRAIN",
                                   "Reason=" + std::string(reason)});
  return r.ok() ? Status::Ok() : r.status();
}

Status SlurmScheduler::ResumeNode(std::string_view name) {
  if (!ValidNodeName(name)) return BadNode(name);
  Result<Ran> r = Run("scontrol", {"update", "NodeName=" + std::string(name), "State=RESUME"});
  if (r.ok()) return Status::Ok();
  // scontrol refuses to resume a node that is neither drained nor down. For a
  // controller undoing its own drain that is success: the node is in service.
  if (r.status().code() == StatusCode::kInvalidArgument) {
    Result<SchedulerNode> node = Node(name);
    if (!node.ok()) return node.status();
    if (!node->HasFlag("DRAIN") && node->base != NodeBaseState::kDown &&
        node->base != NodeBaseState::kError) {
      return Status::Ok();
    }
  }
  return r.status();
}

Status SlurmScheduler::JobCommand(std::string_view verb, std::string_view id) {
  if (!ValidJobId(id)) return BadJob(id);
  Result<Ran> r = Run("scontrol", {std::string(verb), std::string(id)});
  if (r.ok()) return Status::Ok();
  if (r.status().code() == StatusCode::kNotFound) return NoSuchJob(id, r.status());
  if (r.status().code() != StatusCode::kIoError) return r.status();
  // scontrol 22.05 answers `suspend` and `resume` of an unknown id with
  // "Unexpected message received", which names nothing: ask squeue.
  Result<SchedulerJob> job = Job(id);
  if (!job.ok() && job.status().code() == StatusCode::kNotFound) return NoSuchJob(id, r.status());
  return r.status();
}

Status SlurmScheduler::SuspendJob(std::string_view id) { return JobCommand("suspend", id); }
Status SlurmScheduler::ResumeJob(std::string_view id) { return JobCommand("resume", id); }
Status SlurmScheduler::RequeueJob(std::string_view id) { return JobCommand("requeue", id); }

}  // namespace mullet
