// `mullet emulate` in one process and `mullet fleet status` in another, as a
// user runs them in two terminals.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/run_mullet.h"
#include "conformance/scripted_peer.h"

namespace {

using mullet::testing_cli::CliRun;
using mullet::testing_cli::Json;
using mullet::testing_cli::Mullet;

// Starts `mullet emulate ... --json` and reads its listing line.
class Emulator {
 public:
  explicit Emulator(const std::string& args) : args_(args) {
    const std::string cmd = std::string(MULLET_BINARY) + " emulate --json --duration-s 60 " + args;
    pipe_ = popen(cmd.c_str(), "r");
    char line[65536];
    if (pipe_ != nullptr && fgets(line, sizeof line, pipe_) != nullptr) listing_ = nlohmann::json::parse(line);
  }
  ~Emulator() {
    // The emulator stops on SIGTERM; pclose then reaps it.
    // Only this emulator: its arguments hold this process's own address block.
    const std::string kill = "pkill -TERM -f -- 'emulate --json --duration-s 60 " + args_ + "' >/dev/null 2>&1";
    if (std::system(kill.c_str()) != 0) {
      // Already gone (or --duration-s ran out): pclose reaps it either way.
    }
    if (pipe_ != nullptr) pclose(pipe_);
  }
  const nlohmann::json& listing() const { return listing_; }

 private:
  std::string args_;
  FILE* pipe_ = nullptr;
  nlohmann::json listing_;
};

std::string FirstAddress() { return "127." + std::to_string(20 + getpid() % 200) + ".64.1"; }

// Each device command's help shows its own examples, not econ's and
// backtest's (issue 9: the footers of fleet, meter and gpu pointed there).
TEST(DeviceCommandHelpTest, FleetMeterAndGpuShowTheirOwnExamples) {
  for (const char* c : {"fleet", "meter", "gpu"}) {
    const CliRun r = Mullet(std::string(c) + " --help");
    EXPECT_EQ(r.code, 0) << c;
    EXPECT_EQ(r.out.find("mullet econ --help"), std::string::npos) << c << ":\n" << r.out;
    EXPECT_NE(r.out.find("Examples:\n  mullet "), std::string::npos) << c << ":\n" << r.out;
    EXPECT_NE(r.out.find("mullet " + std::string(c) + " "), std::string::npos) << c;
  }
}

TEST(FleetCommandTest, StatusReadsTheEmulatedFleetAndNamesTheBrokenMiners) {
  Emulator emu("--miners 200 --meters 0 --first-address " + FirstAddress() +
               " --firmware bmminer,luxos --hang-share 0.05 --malformed-share 0.05 --seed 3");
  ASSERT_TRUE(emu.listing().contains("range")) << emu.listing().dump();
  EXPECT_EQ(emu.listing()["miners"], 200);
  const nlohmann::json j =
      Json(Mullet("fleet status " + emu.listing()["range"].get<std::string>() + " --timeout-s 1 --json"));
  EXPECT_EQ(j["summary"]["total"], 200);
  const auto& hung = emu.listing()["faults"]["hang"];
  ASSERT_FALSE(hung.empty());
  EXPECT_EQ(j["summary"]["by_state"]["timeout"], hung.size());
  for (const auto& m : j["miners"]) {
    const std::string address = m["address"];
    const bool is_hung = std::find(hung.begin(), hung.end(), address) != hung.end();
    EXPECT_EQ(m["state"] == "timeout", is_hung) << address;
  }
  EXPECT_GT(j["summary"]["by_state"]["ok"].get<int>(), 170);
  EXPECT_GT(j["summary"]["hashrate_th_s"].get<double>(), 170 * 90.0);
  // The default read joins devs (stock bmminer: one by one); --summary-only does not.
  int with_boards = 0;
  for (const auto& m : j["miners"]) with_boards += m.contains("boards") && m["boards"].size() == 3;
  EXPECT_EQ(with_boards, j["summary"]["by_state"]["ok"].get<int>());
  const nlohmann::json quick = Json(Mullet("fleet status " + emu.listing()["range"].get<std::string>() +
                                           " --timeout-s 1 --summary-only --json"));
  EXPECT_EQ(quick["summary"]["by_state"]["ok"], j["summary"]["by_state"]["ok"]);
  for (const auto& m : quick["miners"]) EXPECT_FALSE(m.contains("boards")) << m.dump();
}

// A miner put to sleep reads as sleeping, not as broken; the exit status
// tells a script when nothing answered or some miners did not do a command.
TEST(FleetCommandTest, ConditionsAndExitStatusesAnOperatorCanUse) {
  const std::string first = "127." + std::to_string(20 + getpid() % 200) + ".96.1";
  Emulator emu("--miners 12 --meters 0 --first-address " + first + " --firmware luxos,bmminer --seed 5");
  ASSERT_TRUE(emu.listing().contains("range")) << emu.listing().dump();
  const std::string range = emu.listing()["range"];
  // Every other miner runs LuxOS: those sleep; stock bmminer has no sleep.
  const CliRun curtail = Mullet("fleet curtail " + range + " --timeout-s 2 --json");
  EXPECT_EQ(curtail.code, 4) << curtail.out;
  const nlohmann::json c = nlohmann::json::parse(curtail.out);
  EXPECT_EQ(c["summary"]["by_state"]["ok"], 6);
  EXPECT_EQ(c["summary"]["by_state"]["unsupported"], 6);
  std::this_thread::sleep_for(std::chrono::seconds(5));  // LuxOS ramps down in ~4 s
  const CliRun status = Mullet("fleet status " + range + " --timeout-s 2 --json");
  EXPECT_EQ(status.code, 0);
  const nlohmann::json j = nlohmann::json::parse(status.out);
  EXPECT_EQ(j["summary"]["by_condition"]["sleeping"], 6) << j["summary"].dump();
  EXPECT_EQ(j["summary"]["by_condition"]["hashing"], 6);
  for (const auto& m : j["miners"]) {
    EXPECT_NE(m["condition"], "faulty") << m.dump();
    // The default read adds fans, sensors and the pool from `stats` and `pools`.
    EXPECT_EQ(m["fans_rpm"].size(), 4u) << m.dump();
    EXPECT_GT(m["max_temp_c"].get<double>(), 0) << m.dump();
    EXPECT_NE(m["pool"]["url"].get<std::string>().find("stratum+tcp://"), std::string::npos) << m.dump();
    EXPECT_FALSE(m.contains("power_error")) << m.dump();
    // LuxOS's `stats` has no watts: its `power` says them, a sleeping
    // miner's control board and fans (~25 W), not its nameplate.
    if (m["condition"] == "sleeping") {
      ASSERT_TRUE(m.contains("power_w")) << m.dump();
      EXPECT_GT(m["power_w"].get<double>(), 0) << m.dump();
      EXPECT_LT(m["power_w"].get<double>(), 100) << m.dump();
    }
  }
  EXPECT_GE(j["summary"]["reporting_power"].get<int>(), 6) << j["summary"].dump();
  const CliRun table = Mullet("fleet status " + range + " --timeout-s 2");
  EXPECT_NE(table.out.find("  sleeping      6\n"), std::string::npos) << table.out;
  // Nobody there.
  const std::string empty = "127." + std::to_string(20 + getpid() % 200) + ".97.1";
  const CliRun none = Mullet("fleet status " + empty + " --timeout-s 0.5");
  EXPECT_EQ(none.code, 3);
  EXPECT_NE(none.out.find("no miner answered"), std::string::npos) << none.out;
  EXPECT_EQ(Mullet("fleet resume " + empty + " --timeout-s 0.5").code, 3);
  EXPECT_EQ(Mullet("fleet resume " + range + " --firmware luxos --timeout-s 2").code, 4)
      << "the bmminer half cannot take a LuxOS logon";
}

TEST(FleetCommandTest, AnEmulatorOutOfDescriptorsSlowsDownAndNeverFails) {
  // 300 miners (450 listeners with the Whatsminer API V3 ones) under a hard
  // limit of 800 open files, read 2048 connections at a time: accept() runs
  // out of descriptors again and again; the emulator must back off and
  // answer everyone, not crash.
  const std::string first = "127." + std::to_string(20 + getpid() % 200) + ".80.1";
  const std::string cmd = "bash -c 'ulimit -Sn 600 && ulimit -Hn 800 && exec " + std::string(MULLET_BINARY) +
                          " emulate --json --meters 0 --duration-s 30 --miners 300 --firmware luxos,whatsminer "
                          "--first-address " + first + "'";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char line[65536];
  ASSERT_NE(fgets(line, sizeof line, pipe), nullptr);
  const nlohmann::json listing = nlohmann::json::parse(line);
  const nlohmann::json j = Json(Mullet("fleet status " + listing["range"].get<std::string>() + " --json"));
  EXPECT_EQ(j["summary"]["by_state"]["ok"], 300) << j["summary"].dump();
  const std::string kill = "pkill -TERM -f -- '--first-address " + first + "' >/dev/null 2>&1";
  if (std::system(kill.c_str()) != 0) {
    // Already gone: pclose reaps it either way.
  }
  pclose(pipe);
}

// Finding 10 of the hostile-peer probe: one client holding idle connections
// to the emulator used every descriptor it had, and no miner answered anyone
// else. Out of descriptors, the emulator now shuts the oldest connections
// down to make room.
TEST(FleetCommandTest, AClientHoldingIdleConnectionsCannotDarkenTheEmulator) {
  const std::string first = "127." + std::to_string(20 + getpid() % 200) + ".88.1";
  const std::string cmd = "bash -c 'ulimit -Sn 256 && ulimit -Hn 256 && exec " + std::string(MULLET_BINARY) +
                          " emulate --json --meters 0 --duration-s 30 --miners 20 --first-address " + first + "'";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char line[65536];
  ASSERT_NE(fgets(line, sizeof line, pipe), nullptr);
  const nlohmann::json listing = nlohmann::json::parse(line);
  // The hog: 400 connections to the first miner, never a byte sent.
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::socket> hog;
  const boost::asio::ip::tcp::endpoint miner(boost::asio::ip::make_address(first), 4028);
  for (int i = 0; i < 400; ++i) {
    hog.emplace_back(io);
    boost::system::error_code ec;
    hog.back().connect(miner, ec);  // the backlog takes what the emulator has not accepted yet
  }
  const nlohmann::json j =
      Json(Mullet("fleet status " + listing["range"].get<std::string>() + " --json --timeout-s 5"));
  EXPECT_EQ(j["summary"]["by_state"]["ok"], 20) << j["summary"].dump();
  const std::string kill = "pkill -TERM -f -- '--first-address " + first + "' >/dev/null 2>&1";
  if (std::system(kill.c_str()) != 0) {
    // Already gone: pclose reaps it either way.
  }
  pclose(pipe);
}

TEST(FleetCommandTest, WhatsminerApiV3CommandsThroughTheCli) {
  const std::string first = "127." + std::to_string(20 + getpid() % 200) + ".96.1";
  Emulator emu("--miners 4 --meters 0 --firmware whatsminer --first-address " + first);
  ASSERT_TRUE(emu.listing().contains("range")) << emu.listing().dump();
  const std::string range = emu.listing()["range"];
  const nlohmann::json power = Json(Mullet("fleet set-power " + range + " 2800 --firmware whatsminer --json"));
  EXPECT_EQ(power["summary"]["by_state"]["ok"], 4) << power.dump();
  EXPECT_DOUBLE_EQ(power["summary"]["applied_w"].get<double>(), 4 * 2800.0);
  const nlohmann::json status = Json(Mullet("fleet status " + range + " --firmware whatsminer --json"));
  for (const auto& m : status["miners"]) EXPECT_EQ(m["power_limit_w"], 2800) << m.dump();
  const CliRun wrong = Mullet("fleet curtail " + range + " --firmware whatsminer --password wrong --json");
  EXPECT_EQ(wrong.code, 4) << "answered, and did not do it";
  const nlohmann::json refused = nlohmann::json::parse(wrong.out);
  EXPECT_EQ(refused["summary"]["by_state"]["error-status"], 4) << refused.dump();
  const nlohmann::json sleep = Json(Mullet("fleet curtail " + range + " --firmware whatsminer --json"));
  EXPECT_EQ(sleep["summary"]["by_state"]["ok"], 4) << sleep.dump();
}

// Finding 4 of the hostile-peer probe: a miner's strings reached the
// terminal raw, so escape sequences could rewrite the operator's screen and
// CR/LF forge a line. They are printed escaped now.
TEST(FleetCommandTest, AMinersStringsCannotDriveTheTerminalOrForgeALine) {
  const std::string address = "127." + std::to_string(20 + getpid() % 200) + ".141.1";
  mullet::testing::ScriptedPeer evil(address, [](const std::string&, const std::string&) {
    return mullet::testing::LuxOk(
        {{"VERSION", {{{"LUXminer", "\x1b]0;pwned\x07 2024.1"}, {"Type", "S19\x1b[2J\r\nFAKE 10.0.0.9 ok"}}}}});
  });
  const CliRun r = Mullet("fleet scan " + address + " --port " + std::to_string(evil.endpoint().port()));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\x07'), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\nFAKE"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\r'), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("S19\\x1b[2J\\r\\nFAKE 10.0.0.9 ok"), std::string::npos) << r.out;
  // --json escapes them as JSON does.
  const CliRun j = Mullet("fleet scan " + address + " --json --port " + std::to_string(evil.endpoint().port()));
  ASSERT_EQ(j.code, 0) << j.err;
  EXPECT_EQ(j.out.find('\x1b'), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\\u001b[2J"), std::string::npos) << j.out;
}

// Findings 6 and 9 of the hostile-peer probe: scan dropped peers that took the
// connection and hung, and held replies of up to 4 MB each. A hung peer is
// listed as such now, and a reply over 256 KiB is cut off and named.
TEST(FleetCommandTest, ScanNamesHungAndOversizedPeers) {
  const std::string block = "127." + std::to_string(20 + getpid() % 200) + ".142.";
  mullet::testing::ScriptedPeer hung(block + "1", [](const std::string&, const std::string&) {
    return mullet::testing::kHang;
  });
  const std::string port = std::to_string(hung.endpoint().port());
  const CliRun r = Mullet("fleet scan " + block + "1 --json --timeout-s 0.5 --port " + port);
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["miners"].size(), 1u) << r.out;
  EXPECT_EQ(j["miners"][0]["family"], "unknown");
  EXPECT_NE(j["miners"][0]["error"].get<std::string>().find("hung"), std::string::npos) << r.out;

  mullet::testing::ScriptedPeer big(block + "2", [](const std::string&, const std::string&) {
    return mullet::testing::LuxOk({{"VERSION", {{{"Type", std::string(3 << 20, 'x')}}}}});
  });
  const CliRun b = Mullet("fleet scan " + block + "2 --json --port " + std::to_string(big.endpoint().port()));
  ASSERT_EQ(b.code, 0) << b.err;
  const nlohmann::json bj = nlohmann::json::parse(b.out);
  ASSERT_EQ(bj["miners"].size(), 1u) << b.out;
  EXPECT_NE(bj["miners"][0]["error"].get<std::string>().find("too-large: reply larger than 262144 bytes"),
            std::string::npos)
      << bj["miners"][0]["error"];
}

TEST(FleetCommandTest, BadRangeIsOneLineAndExitTwo) {
  const CliRun r = Mullet("fleet status 127.0.0.1-127.0.0.0");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("range"), std::string::npos) << r.err;
}

}  // namespace
