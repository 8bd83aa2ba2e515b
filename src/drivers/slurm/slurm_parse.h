// Parsers for the text that `sinfo` and `squeue` print with the formats
// below; pure functions of text, so that they are tested on captured output
// (tests/testdata/slurm/).
//
// Why text and not `--json`: Slurm 22.05 (Debian 12) has `--json`, but
//  - its schema changes with every release (22.05 prints "state": "idle" with
//    "state_flags"; 23.02 a "state" array; 24.11 groups nodes under "sinfo"
//    by partition), so a JSON reader is tied to one release;
//  - in 22.05 `--json` ignores every filter (-n, -j): reading one job means
//    transferring and parsing every job in the cluster;
//  - it needs the serializer/json plugin, which sites may build without.
// The `--Format` field names used here have been stable for many releases,
// filters work, and each format ends with its only free-text field (reason,
// job name), so a '|' inside that text cannot shift the columns.

#ifndef MULLET_DRIVERS_SLURM_SLURM_PARSE_H_
#define MULLET_DRIVERS_SLURM_SLURM_PARSE_H_

#include <string_view>
#include <vector>

#include "core/status/result.h"
#include "drivers/slurm/scheduler.h"

namespace mullet {

// `sinfo --noheader --Node --Format=<kSinfoNodeFormat>`: one line per node and
// partition: "n1|allocated+drain|2|1/0/1/2|grid: 4CP peak". Size 0 means no
// padding and no truncation.
inline constexpr std::string_view kSinfoNodeFormat =
    "NodeList:0|,StateComplete:0|,CPUs:0|,CPUsState:0|,Reason:0";

// `squeue --noheader --Format=<kSqueueJobFormat>`:
// "1|RUNNING|debug|root|0|None|n1|train|llama 70b".
inline constexpr std::string_view kSqueueJobFormat =
    "JobID:0|,State:0|,Partition:0|,UserName:0|,RestartCnt:0|,Reason:0|,NodeList:0|,Name:0";

// "allocated+drain" -> base kAllocated, flags {"DRAIN"}. Unknown words are kept
// (base_text, flags), never an error: new releases add states.
void ParseNodeState(std::string_view text, SchedulerNode* node);

// "RUNNING" -> kRunning; unknown -> kOther.
JobState ParseJobState(std::string_view text);

// Nodes in the order first seen; a node listed once per partition appears
// once. DataError naming the line and field for a malformed line.
Result<std::vector<SchedulerNode>> ParseSinfoNodes(std::string_view text);

// Jobs in the order printed. DataError naming the line and field.
Result<std::vector<SchedulerJob>> ParseSqueueJobs(std::string_view text);

}  // namespace mullet

#endif  // MULLET_DRIVERS_SLURM_SLURM_PARSE_H_
