// `mullet emulate --meters 2` in one process and `mullet meter read` in
// another, as a user runs them in two terminals.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/run_mullet.h"
#include "core/asic/catalog.h"

namespace {

using mullet::testing_cli::Emulator;

using mullet::testing_cli::CliRun;
using mullet::testing_cli::Json;
using mullet::testing_cli::Mullet;

// Binds 127.0.0.1:`port` (0: any) and returns the port bound, or 0.
int BindLoopback(int port, int* fd_out) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) close(fd);
    return 0;
  }
  *fd_out = fd;
  return ntohs(a.sin_port);
}

// Two consecutive free loopback ports, for --meters 2; the first of them.
int FreePortPair() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    int fd1 = -1, fd2 = -1;
    const int p = BindLoopback(0, &fd1);
    const bool pair = p > 0 && p < 65535 && BindLoopback(p + 1, &fd2) == p + 1;
    if (fd1 >= 0) close(fd1);
    if (fd2 >= 0) close(fd2);
    if (pair) return p;
  }
  return 0;
}

double MaxNameplateW() {
  const mullet::AsicCatalog catalog = mullet::AsicCatalog::BuiltIn();  // outlives the loop
  double w = 0;
  for (const auto& m : catalog.models()) w = std::max(w, m.power.value());
  return w;
}

TEST(MeterCommandTest, ReadsTheEmulatedFeedersAndTheirSumIsPlausible) {
  const int port = FreePortPair();
  ASSERT_GT(port, 0);
  const std::string first = "127." + std::to_string(20 + getpid() % 200) + ".96.1";
  Emulator emu({"--miners", "20", "--meters", "2", "--meter-port", std::to_string(port),
                "--first-address", first, "--duration-s", "10", "--json"});
  const nlohmann::json& meters = emu.listing()["meters"];
  ASSERT_TRUE(meters.is_array()) << emu.listing().dump();
  ASSERT_EQ(meters.size(), 2u);
  for (int k = 0; k < 2; ++k) {
    EXPECT_EQ(meters[k]["address"], "127.0.0.1");
    EXPECT_EQ(meters[k]["port"], port + k);
    EXPECT_EQ(meters[k]["unit"], 1);
    EXPECT_EQ(meters[k]["first_miner"], 10 * k);
    EXPECT_EQ(meters[k]["miners"], 10);
  }
  EXPECT_EQ(meters[0]["range"],
            first + "-" + "127." + std::to_string(20 + getpid() % 200) + ".96.10");

  double total_w = 0;
  for (int k = 0; k < 2; ++k) {
    const nlohmann::json j =
        Json(Mullet("meter read 127.0.0.1:" + std::to_string(port + k) + " --json"));
    EXPECT_EQ(j["port"], port + k);
    EXPECT_EQ(j["type"], "float32");
    const double w = j["power_w"];
    EXPECT_GT(w, 10 * 25.0) << "meter " << k;
    EXPECT_LT(w, 10 * MaxNameplateW()) << "meter " << k;
    total_w += w;
  }
  EXPECT_GT(total_w, 20 * 25.0);
  EXPECT_LT(total_w, 20 * MaxNameplateW());

  // The same power as an int32 and in the text form.
  const nlohmann::json as_int = Json(
      Mullet("meter read 127.0.0.1:" + std::to_string(port) + " --register 4 --type int32 --json"));
  EXPECT_GT(as_int["power_w"].get<double>(), 10 * 25.0);
  const CliRun text = Mullet("meter read 127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find(" W  (127.0.0.1:" + std::to_string(port) + " unit 1 holding register 0"),
            std::string::npos)
      << text.out;

  // A register past the map: the meter's exception, named, exit 1.
  const CliRun past = Mullet("meter read 127.0.0.1:" + std::to_string(port) + " --register 100");
  EXPECT_EQ(past.code, 1);
  EXPECT_NE(past.err.find("register 100"), std::string::npos) << past.err;
  EXPECT_NE(past.err.find("Illegal data address"), std::string::npos) << past.err;
}

TEST(MeterCommandTest, BadTargetOrTypeIsOneLineAndExitTwo) {
  const CliRun port = Mullet("meter read 127.0.0.1:99999");
  EXPECT_EQ(port.code, 2);
  EXPECT_NE(port.err.find("port must be 1-65535"), std::string::npos) << port.err;
  const CliRun type = Mullet("meter read 127.0.0.1 --type double");
  EXPECT_EQ(type.code, 2);
  EXPECT_NE(type.err.find("--type"), std::string::npos) << type.err;
}

TEST(MeterCommandTest, EmulateRefusesMoreMetersThanSlices) {
  const CliRun r =
      Mullet("emulate --miners 5 --meters 4 --meter-port 1 --first-address 127.251.0.1 --json");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--meters"), std::string::npos) << r.err;
}

}  // namespace
