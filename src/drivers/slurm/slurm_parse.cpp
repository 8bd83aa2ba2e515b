#include "drivers/slurm/slurm_parse.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string>
#include <unordered_set>
#include <utility>

#include "core/text/untrusted_text.h"

namespace mullet {
namespace {

std::string Upper(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

// Splits `line` at the first `n - 1` `sep`: the last field keeps any `sep` of
// its own (a reason or a job name is free text). False when there are fewer fields.
template <std::size_t n>
bool SplitFields(std::string_view line, char sep, std::array<std::string_view, n>* fields) {
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const std::size_t bar = line.find(sep);
    if (bar == std::string_view::npos) return false;
    (*fields)[i] = line.substr(0, bar);
    line.remove_prefix(bar + 1);
  }
  (*fields)[n - 1] = line;
  return true;
}

bool ParseInt(std::string_view s, int* out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && *out >= 0;
}

// "sinfo output line 3: CPUs: expected a count, got 'x'".
Status Bad(std::string_view tool, std::size_t line_no, std::string_view field,
           std::string_view what, std::string_view value) {
  return Status::DataError(std::string(tool) + " output line " + std::to_string(line_no) + ": " +
                           std::string(field) + ": " + std::string(what) + ", got " + Quoted(value));
}

// Calls `each(line_no, line)` for every non-empty line; stops at the first error.
template <typename F>
Status ForEachLine(std::string_view text, F each) {
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    Status s = each(line_no, line);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// sinfo prints "none" (and older releases "(null)") where a node has no reason.
std::string ReasonOrEmpty(std::string_view r) {
  return r == "none" || r == "(null)" ? std::string() : std::string(r);
}

}  // namespace

void ParseNodeState(std::string_view text, SchedulerNode* node) {
  node->flags.clear();
  std::size_t plus = text.find('+');
  node->base_text = Upper(text.substr(0, plus));
  static constexpr std::array<std::pair<std::string_view, NodeBaseState>, 7> kBases{{
      {"IDLE", NodeBaseState::kIdle},
      {"ALLOCATED", NodeBaseState::kAllocated},
      {"MIXED", NodeBaseState::kMixed},
      {"COMPLETING", NodeBaseState::kCompleting},
      {"DOWN", NodeBaseState::kDown},
      {"ERROR", NodeBaseState::kError},
      {"FUTURE", NodeBaseState::kFuture},
  }};
  node->base = NodeBaseState::kUnknown;
  for (const auto& [word, state] : kBases) {
    if (node->base_text == word) node->base = state;
  }
  while (plus != std::string_view::npos) {
    text.remove_prefix(plus + 1);
    plus = text.find('+');
    std::string flag = Upper(text.substr(0, plus));
    if (!flag.empty()) node->flags.push_back(std::move(flag));
  }
}

JobState ParseJobState(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, JobState>, 11> kStates{{
      {"PENDING", JobState::kPending},
      {"RUNNING", JobState::kRunning},
      {"SUSPENDED", JobState::kSuspended},
      {"COMPLETING", JobState::kCompleting},
      {"COMPLETED", JobState::kCompleted},
      {"CANCELLED", JobState::kCancelled},
      {"FAILED", JobState::kFailed},
      {"TIMEOUT", JobState::kTimeout},
      {"NODE_FAIL", JobState::kNodeFail},
      {"PREEMPTED", JobState::kPreempted},
      {"OUT_OF_MEMORY", JobState::kOutOfMemory},
  }};
  const std::string upper = Upper(text);
  for (const auto& [word, state] : kStates) {
    if (upper == word) return state;
  }
  return JobState::kOther;
}

Result<std::vector<SchedulerNode>> ParseSinfoNodes(std::string_view text) {
  std::vector<SchedulerNode> nodes;
  std::unordered_set<std::string> seen;
  Status s = ForEachLine(text, [&](std::size_t line_no, std::string_view line) -> Status {
    std::array<std::string_view, 5> f;
    if (!SplitFields(line, '|', &f))
      return Bad("sinfo", line_no, "line", "expected 5 fields", line);
    SchedulerNode node;
    node.name = std::string(f[0]);
    if (node.name.empty()) return Bad("sinfo", line_no, "NodeList", "expected a name", f[0]);
    if (f[1].empty()) return Bad("sinfo", line_no, "StateComplete", "expected a state", f[1]);
    ParseNodeState(f[1], &node);
    if (!ParseInt(f[2], &node.cpus)) return Bad("sinfo", line_no, "CPUs", "expected a count", f[2]);
    // CPUsState is "allocated/idle/other/total".
    std::array<std::string_view, 4> c;
    int other = 0;
    int total = 0;
    if (!SplitFields(f[3], '/', &c) || !ParseInt(c[0], &node.cpus_allocated) ||
        !ParseInt(c[1], &node.cpus_idle) || !ParseInt(c[2], &other) || !ParseInt(c[3], &total)) {
      return Bad("sinfo", line_no, "CPUsState", "expected allocated/idle/other/total", f[3]);
    }
    node.reason = ReasonOrEmpty(f[4]);
    // `sinfo --Node` prints a node once per partition it is in (a set: a
    // cluster of 40,000 nodes is read in linear time).
    if (seen.insert(node.name).second) nodes.push_back(std::move(node));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return nodes;
}

Result<std::vector<SchedulerJob>> ParseSqueueJobs(std::string_view text) {
  std::vector<SchedulerJob> jobs;
  Status s = ForEachLine(text, [&](std::size_t line_no, std::string_view line) -> Status {
    std::array<std::string_view, 8> f;
    if (!SplitFields(line, '|', &f))
      return Bad("squeue", line_no, "line", "expected 8 fields", line);
    SchedulerJob job;
    job.id = std::string(f[0]);
    if (job.id.empty() || !std::isdigit(static_cast<unsigned char>(job.id[0]))) {
      return Bad("squeue", line_no, "JobID", "expected a job id", f[0]);
    }
    job.state_text = Upper(f[1]);
    if (job.state_text.empty()) return Bad("squeue", line_no, "State", "expected a state", f[1]);
    job.state = ParseJobState(job.state_text);
    job.partition = std::string(f[2]);
    job.user = std::string(f[3]);
    if (!ParseInt(f[4], &job.restarts))
      return Bad("squeue", line_no, "RestartCnt", "expected a count", f[4]);
    job.reason = f[5] == "None" ? std::string() : std::string(f[5]);
    job.nodes = std::string(f[6]);
    job.name = std::string(f[7]);
    jobs.push_back(std::move(job));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return jobs;
}

}  // namespace mullet
