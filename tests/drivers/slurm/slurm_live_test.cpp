// SlurmScheduler against a real slurmctld and slurmd (Debian 12's Slurm
// 22.05): tests/slurm/start_slurm.sh makes a private one-node cluster (node
// n1, 1 CPU) in a temporary folder on free ports, once per test process, and
// stop_slurm.sh removes it after the suite, on failure too; its watcher stops
// it should this process die first. Jobs are real `sbatch --wrap "sleep 300"`.
//
// Without slurmctld, slurmd or munge installed every test FAILS (never skips):
// run scripts/install-deps.sh --test.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "drivers/process/run_command.h"
#include "drivers/slurm/slurm_scheduler.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;

// A port nothing listens on now (the kernel's pick for port 0).
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

// True while `pid` is a live process (a zombie counts as gone).
bool ProcessAlive(const std::string& pid) {
  std::ifstream stat("/proc/" + pid + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const std::size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

std::string ReadFirstLine(const fs::path& p) {
  std::ifstream in(p);
  std::string s;
  std::getline(in, s);
  return s;
}

class SlurmLiveTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/mullet-slurm-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      setup_error_ = "mkdtemp failed";
      return;
    }
    dir_ = tmpl;
    CommandOptions o;
    o.deadline = Seconds(60);
    Result<CommandResult> r =
        RunCommand({"env", "MULLET_SLURMCTLD_PORT=" + std::to_string(FreePort()),
                    "MULLET_SLURMD_PORT=" + std::to_string(FreePort()),
                    "MULLET_SLURM_OWNER_PID=" + std::to_string(::getpid()), "bash",
                    std::string(MULLET_SLURM_SCRIPTS) + "/start_slurm.sh", dir_},
                   o);
    if (!r.ok()) {
      setup_error_ = r.status().message();
    } else if (r->exit_code != 0) {
      // All of stderr: on a failed start the script prints the daemons' log tails.
      setup_error_ = "could not start the private Slurm cluster: `start_slurm.sh " + dir_ +
                     "` exited " + std::to_string(r->exit_code) +
                     (r->timed_out ? " (timed out)" : "") + ":\n" + r->err;
    }
  }

  static void TearDownTestSuite() {
    if (dir_.empty()) return;
    CommandOptions o;
    o.deadline = Seconds(60);
    (void)RunCommand({"bash", std::string(MULLET_SLURM_SCRIPTS) + "/stop_slurm.sh", dir_}, o);
    // Logs stay for a failed run; a clean one leaves nothing behind.
    const ::testing::TestSuite* suite = ::testing::UnitTest::GetInstance()->current_test_suite();
    if (suite != nullptr && suite->Passed() && setup_error_.empty()) fs::remove_all(dir_);
    dir_.clear();
  }

  void SetUp() override {
    ASSERT_TRUE(setup_error_.empty()) << setup_error_;
    SlurmOptions o;
    o.slurm_conf = dir_ + "/slurm.conf";
    o.deadline = Seconds(15);
    slurm_ = std::make_unique<SlurmScheduler>(o);
    // Each test starts from an empty queue and n1 in service, in any order.
    ASSERT_NO_FATAL_FAILURE(Clean());
  }

  void TearDown() override {
    if (setup_error_.empty()) Clean();
  }

  // Runs a Slurm client tool against the private cluster.
  CommandResult Tool(std::vector<std::string> args) {
    args.insert(args.begin(), "SLURM_CONF=" + dir_ + "/slurm.conf");
    args.insert(args.begin(), "env");
    CommandOptions o;
    o.deadline = Seconds(15);
    Result<CommandResult> r = RunCommand(args, o);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? r.value() : CommandResult{};
  }

  void Clean() {
    Tool({"scancel", "--user=root"});
    ASSERT_TRUE(WaitFor([&] {
      Result<std::vector<SchedulerJob>> jobs = slurm_->Jobs();
      return jobs.ok() && jobs->empty();
    })) << "jobs left after scancel";
    Status s = slurm_->ResumeNode("n1");
    ASSERT_TRUE(s.ok()) << s.message();
  }

  // sbatch --wrap "sleep 300"; the new job's id.
  std::string Submit(const std::string& name) {
    CommandResult r = Tool({"sbatch", "--parsable", "--job-name=" + name, "--output=/dev/null",
                            "--chdir=" + dir_, "--wrap", "sleep 300"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string id = r.out.substr(0, r.out.find_first_of(";\n"));
    return id;
  }

  // Polls `done` every 100 ms for up to 60 s (a loaded machine delays the
  // scheduler); the limit only bounds a broken run.
  static bool WaitFor(const std::function<bool()>& done) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < end) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return done();
  }

  bool WaitForState(const std::string& id, JobState want) {
    return WaitFor([&] {
      Result<SchedulerJob> j = slurm_->Job(id);
      return j.ok() && j->state == want;
    });
  }

  static inline std::string dir_;
  static inline std::string setup_error_;
  std::unique_ptr<SlurmScheduler> slurm_;
};

TEST_F(SlurmLiveTest, ReadsTheIdleNode) {
  Result<std::vector<SchedulerNode>> nodes = slurm_->Nodes();
  ASSERT_TRUE(nodes.ok()) << nodes.status().message();
  ASSERT_EQ(nodes->size(), 1u);
  Result<SchedulerNode> n1 = slurm_->Node("n1");
  ASSERT_TRUE(n1.ok()) << n1.status().message();
  EXPECT_EQ(n1->name, "n1");
  EXPECT_EQ(n1->base, NodeBaseState::kIdle);
  EXPECT_EQ(n1->Summary(), "IDLE");
  EXPECT_EQ(n1->cpus, 1);
  EXPECT_EQ(n1->cpus_idle, 1);
  EXPECT_TRUE(n1->flags.empty());
  EXPECT_EQ(n1->reason, "");
}

TEST_F(SlurmLiveTest, DrainedNodeKeepsNewJobsPendingUntilResumed) {
  ASSERT_TRUE(slurm_->DrainNode("n1", "mullet: grid cap | 4CP").ok());
  Result<SchedulerNode> n1 = slurm_->Node("n1");
  ASSERT_TRUE(n1.ok()) << n1.status().message();
  EXPECT_TRUE(n1->HasFlag("DRAIN"));
  EXPECT_TRUE(n1->Drained());
  EXPECT_EQ(n1->Summary(), "DRAINED");
  EXPECT_EQ(n1->reason, "mullet: grid cap | 4CP");

  const std::string id = Submit("drained");
  // The scheduler runs at every submission; two seconds of PENDING is past it.
  for (int i = 0; i < 10; ++i) {
    Result<SchedulerJob> j = slurm_->Job(id);
    ASSERT_TRUE(j.ok()) << j.status().message();
    ASSERT_EQ(j->state, JobState::kPending) << j->state_text;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(slurm_->ResumeNode("n1").ok());
  EXPECT_TRUE(WaitForState(id, JobState::kRunning));
  Result<SchedulerJob> j = slurm_->Job(id);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->nodes, "n1");
  EXPECT_EQ(j->name, "drained");
  EXPECT_EQ(j->user, "root");
  EXPECT_EQ(j->partition, "debug");
}

TEST_F(SlurmLiveTest, DrainingNodeKeepsItsRunningJob) {
  const std::string id = Submit("busy");
  ASSERT_TRUE(WaitForState(id, JobState::kRunning));
  ASSERT_TRUE(slurm_->DrainNode("n1", "power event").ok());
  Result<SchedulerNode> n1 = slurm_->Node("n1");
  ASSERT_TRUE(n1.ok()) << n1.status().message();
  EXPECT_EQ(n1->base, NodeBaseState::kAllocated);
  EXPECT_TRUE(n1->Draining());
  EXPECT_EQ(n1->Summary(), "DRAINING");
  Result<SchedulerJob> j = slurm_->Job(id);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->state, JobState::kRunning);

  ASSERT_TRUE(slurm_->ResumeNode("n1").ok());
  n1 = slurm_->Node("n1");
  ASSERT_TRUE(n1.ok());
  EXPECT_FALSE(n1->HasFlag("DRAIN"));
  // scontrol refuses a second resume; the driver reports the node in service.
  EXPECT_TRUE(slurm_->ResumeNode("n1").ok());
}

TEST_F(SlurmLiveTest, SuspendsAndResumesARunningJob) {
  const std::string id = Submit("suspendable");
  ASSERT_TRUE(WaitForState(id, JobState::kRunning));
  Status s = slurm_->SuspendJob(id);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(WaitForState(id, JobState::kSuspended));
  s = slurm_->ResumeJob(id);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(WaitForState(id, JobState::kRunning));
}

TEST_F(SlurmLiveTest, RequeuedJobIsPendingAgainWithARestart) {
  const std::string id = Submit("requeueable");
  ASSERT_TRUE(WaitForState(id, JobState::kRunning));
  Status s = slurm_->RequeueJob(id);
  ASSERT_TRUE(s.ok()) << s.message();
  // It passes through COMPLETING; Slurm then holds it back (BeginTime).
  EXPECT_TRUE(WaitForState(id, JobState::kPending));
  Result<SchedulerJob> j = slurm_->Job(id);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->restarts, 1);
  EXPECT_EQ(j->id, id);
}

TEST_F(SlurmLiveTest, UnknownNodeOrJobIsNotFound) {
  Result<SchedulerNode> n = slurm_->Node("nosuch");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::kNotFound);

  Status drain = slurm_->DrainNode("nosuch", "test");
  EXPECT_EQ(drain.code(), StatusCode::kNotFound) << drain.message();
  EXPECT_NE(drain.message().find("scontrol update NodeName=nosuch"), std::string::npos)
      << drain.message();
  EXPECT_NE(drain.message().find("exited 1"), std::string::npos) << drain.message();
  EXPECT_NE(drain.message().find("Invalid node name specified"), std::string::npos)
      << drain.message();

  EXPECT_EQ(slurm_->Job("999999").status().code(), StatusCode::kNotFound);
  for (Status s :
       {slurm_->SuspendJob("999999"), slurm_->ResumeJob("999999"), slurm_->RequeueJob("999999")}) {
    EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.message();
    EXPECT_NE(s.message().find("no job 999999"), std::string::npos) << s.message();
  }
}

TEST_F(SlurmLiveTest, RefusedCommandNamesCommandExitAndStderr) {
  const std::string id = Submit("not-suspended");
  ASSERT_TRUE(WaitForState(id, JobState::kRunning));
  Status s = slurm_->ResumeJob(id);  // it is running, not suspended
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("scontrol resume " + id), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("exited 1"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("not suspended"), std::string::npos) << s.message();
}

TEST_F(SlurmLiveTest, RejectsBadNamesWithoutRunningAnything) {
  EXPECT_EQ(slurm_->DrainNode("n1", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(slurm_->DrainNode("-h", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(slurm_->DrainNode("n1 State=DOWN", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(slurm_->SuspendJob("12 34").code(), StatusCode::kInvalidArgument);
  Result<SchedulerNode> n1 = slurm_->Node("n1");
  ASSERT_TRUE(n1.ok());
  EXPECT_TRUE(n1->flags.empty());  // nothing reached scontrol
}

// A tool that never answers (here a script that sleeps, through a child that
// keeps its stdout open) is killed, children included, at the deadline.
TEST_F(SlurmLiveTest, HungToolIsKilledAtTheDeadline) {
  const fs::path bin = fs::path(dir_) / "hung-bin";
  fs::create_directories(bin);
  {
    std::ofstream f(bin / "sinfo");
    f << "#!/bin/sh\necho $$ > " << (bin / "tool.pid").string() << "\nsleep 300 &\necho $! > "
      << (bin / "child.pid").string() << "\nwait\n";
  }
  fs::permissions(bin / "sinfo", fs::perms::owner_all);
  SlurmOptions o = slurm_->options();
  o.bin_dir = bin.string();
  o.deadline = Seconds(1);
  SlurmScheduler hung(o);
  Result<std::vector<SchedulerNode>> nodes = hung.Nodes();
  ASSERT_FALSE(nodes.ok());
  EXPECT_EQ(nodes.status().code(), StatusCode::kIoError);
  EXPECT_NE(nodes.status().message().find("deadline"), std::string::npos)
      << nodes.status().message();
  const std::string tool = ReadFirstLine(bin / "tool.pid");
  const std::string child = ReadFirstLine(bin / "child.pid");
  ASSERT_FALSE(tool.empty());
  ASSERT_FALSE(child.empty());
  EXPECT_FALSE(ProcessAlive(tool));
  EXPECT_TRUE(WaitFor([&] { return !ProcessAlive(child); })) << "sleep " << child << " survived";
}

}  // namespace
}  // namespace mullet
