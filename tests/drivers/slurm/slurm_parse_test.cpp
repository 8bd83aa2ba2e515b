// The sinfo/squeue parsers on output captured from Debian 12's Slurm 22.05.8
// (tests/testdata/slurm/README.md says how each file was made).

#include "drivers/slurm/slurm_parse.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace mullet {
namespace {

std::string Sample(const std::string& name) {
  std::ifstream in(std::string(MULLET_TESTDATA) + "/slurm/" + name);
  EXPECT_TRUE(in.good()) << "missing sample " << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

SchedulerNode OnlyNode(const std::string& sample) {
  Result<std::vector<SchedulerNode>> nodes = ParseSinfoNodes(Sample(sample));
  EXPECT_TRUE(nodes.ok()) << nodes.status().message();
  if (!nodes.ok() || nodes->size() != 1) {
    ADD_FAILURE() << sample << ": expected one node";
    return {};
  }
  return nodes->front();
}

TEST(SlurmParseTest, IdleNode) {
  const SchedulerNode n = OnlyNode("sinfo_idle.txt");
  EXPECT_EQ(n.name, "n1");
  EXPECT_EQ(n.base, NodeBaseState::kIdle);
  EXPECT_TRUE(n.flags.empty());
  EXPECT_EQ(n.cpus, 2);
  EXPECT_EQ(n.cpus_allocated, 0);
  EXPECT_EQ(n.cpus_idle, 2);
  EXPECT_EQ(n.reason, "");  // sinfo's "none"
  EXPECT_EQ(n.Summary(), "IDLE");
}

TEST(SlurmParseTest, DrainingNodeKeepsReasonWithSeparator) {
  const SchedulerNode n = OnlyNode("sinfo_draining.txt");
  EXPECT_EQ(n.base, NodeBaseState::kAllocated);
  EXPECT_EQ(n.flags, std::vector<std::string>{"DRAIN"});
  EXPECT_TRUE(n.Draining());
  EXPECT_FALSE(n.Drained());
  EXPECT_EQ(n.Summary(), "DRAINING");
  EXPECT_EQ(n.cpus_allocated, 1);
  EXPECT_EQ(n.reason, "grid: 4CP peak | shed AI load");
}

TEST(SlurmParseTest, DrainedNode) {
  const SchedulerNode n = OnlyNode("sinfo_drained.txt");
  EXPECT_EQ(n.base, NodeBaseState::kIdle);
  EXPECT_TRUE(n.Drained());
  EXPECT_FALSE(n.Draining());
  EXPECT_EQ(n.Summary(), "DRAINED");
  EXPECT_EQ(n.reason, "maintenance window");
}

TEST(SlurmParseTest, DownOutranksDrain) {
  const SchedulerNode n = OnlyNode("sinfo_down.txt");
  EXPECT_EQ(n.base, NodeBaseState::kDown);
  EXPECT_TRUE(n.HasFlag("DRAIN"));
  EXPECT_EQ(n.Summary(), "DOWN");
  EXPECT_EQ(n.reason, "PDU B failed");
}

TEST(SlurmParseTest, MixedNodeWithOtherFlag) {
  const SchedulerNode n = OnlyNode("sinfo_mixed_not_responding.txt");
  EXPECT_EQ(n.base, NodeBaseState::kMixed);
  EXPECT_TRUE(n.HasFlag("NOT_RESPONDING"));
  EXPECT_FALSE(n.HasFlag("DRAIN"));
  EXPECT_EQ(n.Summary(), "MIXED");
}

TEST(SlurmParseTest, NodeInTwoPartitionsIsListedOnce) {
  Result<std::vector<SchedulerNode>> nodes = ParseSinfoNodes(Sample("sinfo_two_partitions.txt"));
  ASSERT_TRUE(nodes.ok()) << nodes.status().message();
  EXPECT_EQ(nodes->size(), 1u);
}

TEST(SlurmParseTest, UnknownStateWordsAreKept) {
  SchedulerNode n;
  ParseNodeState("planned+powered_down+drain", &n);
  EXPECT_EQ(n.base, NodeBaseState::kUnknown);
  EXPECT_EQ(n.base_text, "PLANNED");
  EXPECT_EQ(n.flags, (std::vector<std::string>{"POWERED_DOWN", "DRAIN"}));
  EXPECT_EQ(n.Summary(), "DRAINED");
}

TEST(SlurmParseTest, RunningAndPendingJobs) {
  Result<std::vector<SchedulerJob>> jobs = ParseSqueueJobs(Sample("squeue_running.txt"));
  ASSERT_TRUE(jobs.ok()) << jobs.status().message();
  ASSERT_EQ(jobs->size(), 3u);
  const SchedulerJob& pending = (*jobs)[0];
  EXPECT_EQ(pending.id, "3");
  EXPECT_EQ(pending.state, JobState::kPending);
  EXPECT_EQ(pending.reason, "Resources");
  EXPECT_EQ(pending.nodes, "");
  EXPECT_EQ(pending.name, "waiting job");
  const SchedulerJob& running = (*jobs)[1];
  EXPECT_EQ(running.id, "1");
  EXPECT_EQ(running.state, JobState::kRunning);
  EXPECT_EQ(running.partition, "debug");
  EXPECT_EQ(running.user, "root");
  EXPECT_EQ(running.reason, "");  // squeue's "None"
  EXPECT_EQ(running.nodes, "n1");
  EXPECT_EQ(running.name, "train|llama 70b");  // the last field keeps its '|'
}

TEST(SlurmParseTest, SuspendedCompletingAndRequeuedJobs) {
  Result<std::vector<SchedulerJob>> jobs = ParseSqueueJobs(Sample("squeue_suspended_requeue.txt"));
  ASSERT_TRUE(jobs.ok()) << jobs.status().message();
  ASSERT_EQ(jobs->size(), 3u);
  EXPECT_EQ((*jobs)[1].state, JobState::kCompleting);
  EXPECT_EQ((*jobs)[1].restarts, 1);
  EXPECT_EQ((*jobs)[2].state, JobState::kSuspended);

  jobs = ParseSqueueJobs(Sample("squeue_requeued.txt"));
  ASSERT_TRUE(jobs.ok()) << jobs.status().message();
  EXPECT_EQ((*jobs)[0].state, JobState::kPending);
  EXPECT_EQ((*jobs)[0].reason, "BeginTime");
  EXPECT_EQ((*jobs)[0].restarts, 1);
  EXPECT_EQ((*jobs)[1].reason,
            "Nodes required for job are DOWN, DRAINED or reserved for jobs in higher priority "
            "partitions");
}

TEST(SlurmParseTest, FinishedJobStates) {
  Result<std::vector<SchedulerJob>> jobs = ParseSqueueJobs(Sample("squeue_states_all.txt"));
  ASSERT_TRUE(jobs.ok()) << jobs.status().message();
  ASSERT_EQ(jobs->size(), 4u);
  EXPECT_EQ((*jobs)[0].state, JobState::kCancelled);
  EXPECT_EQ((*jobs)[3].partition, "flex");
  EXPECT_EQ(ParseJobState("REQUEUE_HOLD"), JobState::kOther);
  EXPECT_EQ(ParseJobState("node_fail"), JobState::kNodeFail);
}

TEST(SlurmParseTest, EmptyOutputIsNoRows) {
  Result<std::vector<SchedulerNode>> nodes = ParseSinfoNodes("");
  ASSERT_TRUE(nodes.ok());
  EXPECT_TRUE(nodes->empty());
  Result<std::vector<SchedulerJob>> jobs = ParseSqueueJobs("\n");
  ASSERT_TRUE(jobs.ok());
  EXPECT_TRUE(jobs->empty());
}

TEST(SlurmParseTest, MalformedLinesNameLineAndField) {
  Result<std::vector<SchedulerNode>> nodes =
      ParseSinfoNodes("n1|idle|2|0/2/0/2|none\nn2|idle|x|0/2/0/2|none\n");
  ASSERT_FALSE(nodes.ok());
  EXPECT_EQ(nodes.status().code(), StatusCode::kDataError);
  EXPECT_EQ(nodes.status().message(), "sinfo output line 2: CPUs: expected a count, got 'x'");

  nodes = ParseSinfoNodes("n1|idle|2|0/2/0|none\n");
  ASSERT_FALSE(nodes.ok());
  EXPECT_NE(nodes.status().message().find("CPUsState"), std::string::npos);

  nodes = ParseSinfoNodes("PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST\n");
  ASSERT_FALSE(nodes.ok());
  EXPECT_NE(nodes.status().message().find("expected 5 fields"), std::string::npos);

  Result<std::vector<SchedulerJob>> jobs = ParseSqueueJobs("JOBID|STATE|P|U|0|None|n1|x\n");
  ASSERT_FALSE(jobs.ok());
  EXPECT_EQ(jobs.status().message(), "squeue output line 1: JobID: expected a job id, got 'JOBID'");

  jobs = ParseSqueueJobs("1|RUNNING|debug|root|-1|None|n1|x\n");
  ASSERT_FALSE(jobs.ok());
  EXPECT_NE(jobs.status().message().find("RestartCnt"), std::string::npos);
}

// A cluster user names jobs and a site admin writes reasons: free text that
// may hold escape sequences. The readings keep it exact (node names are sent
// back to scontrol); an error shows it escaped and cut short.
TEST(SlurmParseTest, HostileTextIsKeptExactAndShownEscaped) {
  Result<std::vector<SchedulerJob>> jobs =
      ParseSqueueJobs("7|RUNNING|gpu|eve|0|None|n1|\x1b]0;owned\x07\r\x1b[2Jtrain\n");
  ASSERT_TRUE(jobs.ok()) << jobs.status().message();
  EXPECT_EQ(jobs->front().name, "\x1b]0;owned\x07\r\x1b[2Jtrain");
  Result<std::vector<SchedulerNode>> nodes = ParseSinfoNodes("n1|idle|2|0/2/0/2|none\nn2|idle|\x1b[31m|0/2/0/2|none\n");
  ASSERT_FALSE(nodes.ok());
  EXPECT_EQ(nodes.status().message(), "sinfo output line 2: CPUs: expected a count, got '\\x1b[31m'");
  jobs = ParseSqueueJobs("\x1b[2J" + std::string(1 << 20, 'x') + "\n");
  ASSERT_FALSE(jobs.ok());
  EXPECT_LT(jobs.status().message().size(), 300u) << "a megabyte line gives a one-line error";
  EXPECT_EQ(jobs.status().message().find('\x1b'), std::string::npos);
}

// 40,000 nodes in two partitions each: every node once, in the order first
// seen (linear: a set, not a scan of the nodes so far).
TEST(SlurmParseTest, AVeryLargeClusterIsReadOncePerNode) {
  std::string text;
  for (const char* partition : {"a", "b"}) {
    (void)partition;
    for (int i = 0; i < 40000; ++i) text += "n" + std::to_string(i) + "|idle|2|0/2/0/2|none\n";
  }
  Result<std::vector<SchedulerNode>> nodes = ParseSinfoNodes(text);
  ASSERT_TRUE(nodes.ok()) << nodes.status().message();
  ASSERT_EQ(nodes->size(), 40000u);
  EXPECT_EQ(nodes->front().name, "n0");
  EXPECT_EQ(nodes->back().name, "n39999");
}

}  // namespace
}  // namespace mullet
