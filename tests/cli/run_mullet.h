// Runs the real `mullet` binary for the CLI tests: exit code, stdout, stderr.

#ifndef MULLET_TESTS_CLI_RUN_MULLET_H_
#define MULLET_TESTS_CLI_RUN_MULLET_H_

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

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

}  // namespace mullet::testing_cli

#endif  // MULLET_TESTS_CLI_RUN_MULLET_H_
