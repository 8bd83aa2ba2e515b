// RunCommand against ordinary programs: exit codes, both streams, the output
// cap, the deadline (a process group killed, grandchildren included), a
// missing program.

#include "drivers/process/run_command.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace mullet {
namespace {

CommandOptions WithDeadline(double s) {
  CommandOptions o;
  o.deadline = Seconds(s);
  return o;
}

TEST(RunCommandTest, CapturesExitCodeAndBothStreams) {
  const Result<CommandResult> r =
      RunCommand({"sh", "-c", "echo to-out; echo to-err >&2; exit 3"}, WithDeadline(10));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->term_signal, 0);
  EXPECT_FALSE(r->timed_out);
  EXPECT_FALSE(r->truncated);
  EXPECT_EQ(r->out, "to-out\n");
  EXPECT_EQ(r->err, "to-err\n");
}

TEST(RunCommandTest, PassesArgumentsUnchangedWithoutAShell) {
  const Result<CommandResult> r =
      RunCommand({"printf", "%s|", "a b", "$HOME", "'q'"}, WithDeadline(10));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out, "a b|$HOME|'q'|");
}

TEST(RunCommandTest, StdinIsEmptySoAReaderDoesNotWait) {
  const Result<CommandResult> r = RunCommand({"cat"}, WithDeadline(10));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out, "");
}

TEST(RunCommandTest, OutputPastTheCapIsDroppedAndFlagged) {
  CommandOptions o = WithDeadline(10);
  o.max_output_bytes = 1000;
  const Result<CommandResult> r = RunCommand({"head", "-c", "200000", "/dev/zero"}, o);
  ASSERT_TRUE(r.ok());
  // The child still ran to its end: the rest was read and dropped, not left to block it.
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_FALSE(r->timed_out);
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->out.size(), 1000u);
}

TEST(RunCommandTest, AHungProgramIsKilledAtTheDeadline) {
  const auto start = std::chrono::steady_clock::now();
  const Result<CommandResult> r = RunCommand({"sleep", "10"}, WithDeadline(0.3));
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, -1);
  EXPECT_EQ(r->term_signal, SIGKILL);
  EXPECT_GE(r->elapsed.count(), 0.3);
  EXPECT_LT(took.count(), 2.0);
}

// /proc/<pid>/stat's state: a killed process is gone or a zombie awaiting its reaper.
bool Dead(const std::string& pid) {
  std::ifstream stat("/proc/" + pid + "/stat");
  std::string id, comm, state;
  if (!(stat >> id >> comm >> state)) return true;
  return state == "Z" || state == "X";
}

TEST(RunCommandTest, TheDeadlineKillsTheProgramsChildrenToo) {
  // The shell prints its child's pid, then waits on it; the child holds the pipes.
  const Result<CommandResult> r =
      RunCommand({"sh", "-c", "sleep 10 & echo $!; wait"}, WithDeadline(0.3));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  std::string pid = r->out;
  while (!pid.empty() && pid.back() == '\n') pid.pop_back();
  ASSERT_FALSE(pid.empty());
  bool dead = false;
  for (int i = 0; i < 100 && !dead; ++i) {
    dead = Dead(pid);
    if (!dead) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(dead) << "sleep " << pid << " outlived the deadline";
}

TEST(RunCommandTest, AMissingProgramIsNotFoundAndNamed) {
  const Result<CommandResult> by_path =
      RunCommand({"/nonexistent/nvidia-smi", "-L"}, WithDeadline(5));
  ASSERT_FALSE(by_path.ok());
  EXPECT_EQ(by_path.status().code(), StatusCode::kNotFound);
  EXPECT_NE(by_path.status().message().find("/nonexistent/nvidia-smi"), std::string::npos)
      << by_path.status().message();
  const Result<CommandResult> by_name = RunCommand({"mullet-no-such-tool"}, WithDeadline(5));
  ASSERT_FALSE(by_name.ok());
  EXPECT_NE(by_name.status().message().find("not found on PATH"), std::string::npos)
      << by_name.status().message();
}

TEST(RunCommandTest, NoProgramIsInvalidArgument) {
  EXPECT_EQ(RunCommand({}, WithDeadline(1)).status().code(), StatusCode::kInvalidArgument);
}

TEST(RunCommandTest, DescribeFailureNamesCommandExitCodeAndStderr) {
  CommandResult r;
  r.exit_code = 4;
  r.err =
      "Failed to set power management limit for GPU 00000000:18:00.0: Insufficient Permissions\n"
      "Terminating early due to previous errors.\n";
  EXPECT_EQ(
      DescribeFailure({"nvidia-smi", "-i", "0", "-pl", "300"}, r, CommandOptions()),
      "`nvidia-smi -i 0 -pl 300` exited 4: Failed to set power management limit for GPU "
      "00000000:18:00.0: Insufficient Permissions; Terminating early due to previous errors.");
}

TEST(RunCommandTest, DescribeFailureFallsBackToStdoutAndNamesTheDeadline) {
  CommandResult said_on_stdout;
  said_on_stdout.exit_code = 2;
  said_on_stdout.out = "Provided power limit 800.00 W is not a valid power limit\n";
  EXPECT_EQ(
      DescribeFailure({"nvidia-smi", "-pl", "800"}, said_on_stdout, CommandOptions()),
      "`nvidia-smi -pl 800` exited 2: Provided power limit 800.00 W is not a valid power limit");
  CommandResult hung;
  hung.timed_out = true;
  hung.term_signal = SIGKILL;
  EXPECT_EQ(DescribeFailure({"nvidia-smi"}, hung, WithDeadline(0.3)),
            "`nvidia-smi` did not finish within its 0.3 s deadline and was killed");
  CommandResult fine;
  fine.exit_code = 0;
  fine.err = "a warning";
  EXPECT_EQ(DescribeFailure({"nvidia-smi"}, fine, CommandOptions()), "");
}

TEST(RunCommandTest, DescribeCommandQuotesArgumentsWithSpaces) {
  EXPECT_EQ(DescribeCommand({"sh", "-c", "exit 3"}), "sh -c 'exit 3'");
}

}  // namespace
}  // namespace mullet
