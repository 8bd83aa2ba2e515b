#include "cli/fleet_command.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "drivers/cgminer/control.h"
#include "drivers/cgminer/sweep.h"
#include "drivers/transport/address_range.h"

namespace mullet {
namespace {

nlohmann::ordered_json MinerJson(const cgminer::MinerSummary& m) {
  nlohmann::ordered_json j;
  j["address"] = m.at.address().to_string();
  j["port"] = m.at.port();
  j["state"] = m.state;
  if (!m.error.empty()) j["error"] = m.error;
  if (m.summary) {
    j["hashrate_th_s"] = m.summary->hashrate_5s.value();
    j["hashrate_avg_th_s"] = m.summary->hashrate_avg.value();
    j["elapsed_s"] = m.summary->elapsed_s;
    j["accepted"] = m.summary->accepted;
    j["rejected"] = m.summary->rejected;
  }
  nlohmann::ordered_json quirks = nlohmann::ordered_json::array();
  for (cgminer::ReplyQuirk q : m.quirks) quirks.push_back(cgminer::QuirkName(q));
  j["quirks"] = quirks;
  j["reply_s"] = m.elapsed.count();
  return j;
}

}  // namespace

namespace {

void AddRangeFlags(CLI::App* cmd, FleetFlags& f) {
  cmd->add_option("range", f.range, "Addresses: 127.1.0.1-127.1.3.232, 10.20.0.0/22, a comma list")->required();
  cmd->add_option("--port", f.port, "RPC port (default 4028)")->check(CLI::Range(1, 65535));
  cmd->add_option("--timeout-s", f.timeout_s, "Deadline per request in seconds (default 5)")
      ->check(CLI::Range(0.01, 600.0));
  cmd->add_option("--concurrency", f.concurrency, "Requests in flight at once (default 2048)")
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("--json", f.json, "One JSON object: every miner and the totals");
  cmd->add_flag("--all", f.all, "List every miner, not only those in trouble");
}

}  // namespace

CLI::App* AddFleetCommand(CLI::App& app, FleetFlags& f) {
  CLI::App* fleet = app.add_subcommand("fleet", "Read and command real or emulated miners");
  fleet->require_subcommand(1);
  CLI::App* status = fleet->add_subcommand("status", "Read `summary` from every miner of a range at once");
  status->footer(R"(Each miner gets one connection with its own deadline; a hung, slow or lying
miner is reported as such ("timeout", "bad-reply", "error-status") and never
delays the others.

Examples:
  mullet fleet status 127.1.0.1-127.1.3.232
  mullet fleet status 10.20.0.0/22 --timeout-s 3 --json > fleet.json)");
  AddRangeFlags(status, f);
  status->callback([&f] { f.action = "status"; });
  for (const char* action : {"curtail", "resume"}) {
    CLI::App* cmd = fleet->add_subcommand(
        action, std::string(action == std::string("curtail") ? "Put" : "Wake") +
                    " every miner of a range " + (action == std::string("curtail") ? "to sleep" : "up"));
    cmd->footer(R"(By firmware, found with `version`: LuxOS logon, curtail sleep|wakeup, logoff;
Braiins OS+ pause|resume; stock Antminer, cgminer and Whatsminer firmware have
no curtail command on port 4028 and are reported "unsupported".

Example:
  mullet fleet curtail 127.1.0.1-127.1.3.232 --json)");
    AddRangeFlags(cmd, f);
    cmd->add_option("--firmware", f.firmware,
                    "luxos or braiins: the whole range runs it, skip the `version` round")
        ->check(CLI::IsMember({"luxos", "braiins"}));
    cmd->callback([&f, action] { f.action = action; });
  }
  return fleet;
}

namespace {

int RunFleetControl(const FleetFlags& f, const std::vector<boost::asio::ip::tcp::endpoint>& miners,
                    const RpcOptions& o, std::ostream& out) {
  const auto start = std::chrono::steady_clock::now();
  const std::string family = f.firmware == "luxos" ? "luxminer" : f.firmware == "braiins" ? "bosminer" : "";
  const auto results = cgminer::CurtailAll(
      miners, f.action == "curtail" ? cgminer::CurtailAction::kSleep : cgminer::CurtailAction::kWake, o, family);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::map<std::string, int> by_state;
  for (const auto& r : results) ++by_state[r.state];
  if (f.json) {
    nlohmann::ordered_json j;
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& r : results) {
      nlohmann::ordered_json m = {{"address", r.at.address().to_string()}, {"family", r.family},
                                  {"state", r.state}, {"reply_s", r.elapsed.count()}};
      if (!r.error.empty()) {
        m["step"] = r.step;
        m["error"] = r.error;
      }
      list.push_back(m);
    }
    j["action"] = f.action;
    j["miners"] = list;
    j["summary"] = {{"total", results.size()}, {"by_state", by_state}, {"seconds", secs}};
    out << j.dump(2) << "\n";
    return 0;
  }
  fmt::print(out, "{} sent to {} miners in {:.2f} s\n", f.action, results.size(), secs);
  for (const auto& [state, n] : by_state) fmt::print(out, "  {:<13} {}\n", state, n);
  for (const auto& r : results) {
    if (r.state == "ok" && !f.all) continue;
    fmt::print(out, "  {:<15} {:<9} {:<12} {}{}\n", r.at.address().to_string(), r.family, r.state,
               r.error.empty() ? "" : r.step + ": ", r.error);
  }
  return 0;
}

}  // namespace

int RunFleet(const FleetFlags& f, std::ostream& out, std::ostream& err) {
  Result<std::vector<boost::asio::ip::tcp::endpoint>> miners =
      ParseAddressRange(f.range, static_cast<std::uint16_t>(f.port));
  if (!miners.ok()) {
    err << "mullet fleet " << f.action << ": error: range: " << miners.status().message() << "\n";
    return 2;
  }
  RpcOptions o;
  o.deadline = Seconds(f.timeout_s);
  o.max_in_flight = static_cast<std::size_t>(f.concurrency);
  if (f.action != "status") return RunFleetControl(f, *miners, o, out);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<cgminer::MinerSummary> sweep = cgminer::SweepSummaries(*miners, o);
  const double sweep_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::map<std::string, int> by_state;
  double total_th = 0;
  for (const cgminer::MinerSummary& m : sweep) {
    ++by_state[m.state];
    if (m.summary) total_th += m.summary->hashrate_5s.value();
  }
  if (f.json) {
    nlohmann::ordered_json j;
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const cgminer::MinerSummary& m : sweep) list.push_back(MinerJson(m));
    j["miners"] = list;
    j["summary"] = {{"total", sweep.size()}, {"by_state", by_state}, {"hashrate_th_s", total_th},
                    {"sweep_s", sweep_s}};
    out << j.dump(2) << "\n";
    return 0;
  }
  fmt::print(out, "{} miners read in {:.2f} s: {:.1f} PH/s in total\n", sweep.size(), sweep_s, total_th / 1000);
  for (const auto& [state, n] : by_state) fmt::print(out, "  {:<13} {}\n", state, n);
  for (const cgminer::MinerSummary& m : sweep) {
    if (m.state == "ok" && !f.all && m.quirks.empty()) continue;
    std::string quirks;
    for (cgminer::ReplyQuirk q : m.quirks) quirks += (quirks.empty() ? "" : ",") + std::string(cgminer::QuirkName(q));
    fmt::print(out, "  {:<15} {:<12} {:>10} {}{}\n", m.at.address().to_string(), m.state,
               m.summary ? fmt::format("{:.1f} TH/s", m.summary->hashrate_5s.value()) : "-", m.error,
               quirks.empty() ? "" : " [repaired: " + quirks + "]");
  }
  return 0;
}

}  // namespace mullet
