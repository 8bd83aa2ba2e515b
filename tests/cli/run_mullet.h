// Runs the real `mullet` binary for the CLI tests: exit code, stdout, stderr.

#ifndef MULLET_TESTS_CLI_RUN_MULLET_H_
#define MULLET_TESTS_CLI_RUN_MULLET_H_

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace mullet::testing_cli {

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The binary under test: MULLET_BINARY_UNDER_TEST if set (to run the
// regression tests against an older build, tests/regress/README.md), else
// the one built with the tests.
inline std::string MulletBinary() {
  const char* other = std::getenv("MULLET_BINARY_UNDER_TEST");
  return other != nullptr && *other != '\0' ? std::string(other) : std::string(MULLET_BINARY);
}

// `args` go through the shell as written.
inline CliRun Mullet(const std::string& args) {
  // One file per process: ctest runs the tests of a binary in parallel.
  const std::string err_path =
      ::testing::TempDir() + "mullet_cli_stderr_" + std::to_string(getpid()) + ".txt";
  const std::string cmd = MulletBinary() + " " + args + " 2>" + err_path;
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = Slurp(err_path);
  return r;
}

inline nlohmann::json Json(const CliRun& r) {
  EXPECT_EQ(r.code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

// `mullet emulate ... --json` as a child process (stdout piped), its listing
// read from the first line; stopped with SIGTERM by its pid.
class Emulator {
 public:
  explicit Emulator(const std::vector<std::string>& args) {
    const std::string binary = MulletBinary();
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> argv{const_cast<char*>(binary.c_str()), const_cast<char*>("emulate")};
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
    char line[65536];
    if (out_ != nullptr && fgets(line, sizeof line, out_) != nullptr) {
      listing_ = nlohmann::json::parse(line, nullptr, false);
    }
  }
  ~Emulator() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ != nullptr) fclose(out_);
  }
  const nlohmann::json& listing() const { return listing_; }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  nlohmann::json listing_;
};

}  // namespace mullet::testing_cli

#endif  // MULLET_TESTS_CLI_RUN_MULLET_H_
