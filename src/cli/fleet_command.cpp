#include "cli/fleet_command.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "core/text/untrusted_text.h"
#include "drivers/cgminer/reply.h"
#include "drivers/cgminer/sweep.h"
#include "drivers/miner/fleet_control.h"
#include "drivers/transport/address_range.h"
#include "drivers/whatsminer/whatsminer_driver.h"

namespace mullet {
namespace {

using tcp = boost::asio::ip::tcp;
using Json = nlohmann::ordered_json;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// What an operator needs to know of a miner, from one status read:
//   hashing      answering with hashrate
//   sleeping     answering, every board alive and at zero: curtailed or paused, not broken
//   faulty       answering, but a board is dead or sick, or hashes nothing while the others
//                hash, or the reply was an error status or unreadable
//   unreachable  no answer: timeout, refused, reset, closed, a network error
std::string Condition(const cgminer::MinerSummary& m) {
  if (m.state == "bad-reply" || m.state == "error-status") return "faulty";
  if (m.state != "ok" || !m.summary) return "unreachable";
  bool dead = false, some_zero = false, some_hashing = false;
  for (const cgminer::DevReading& d : m.devs) {
    dead = dead || d.status == "Dead" || d.status == "Sick";
    (d.hashrate_5s.value() > 0 ? some_hashing : some_zero) = true;
  }
  if (dead || (some_zero && some_hashing)) return "faulty";
  return m.summary->hashrate_5s.value() > 0 ? "hashing" : "sleeping";
}

// Exit statuses a script can act on (`mullet fleet status --help`, and the commands' help).
constexpr int kExitNoneAnswered = 3;  // not one miner answered
constexpr int kExitSomeNotDone = 4;   // a command: some miners did not do it (unsupported, unreachable, refused)

// `stats`, `pools` and LuxOS's `power` into a miner's JSON: power_w where reported, fans
// (empty slots left out), the hottest sensor, the active pool.
void AddDetails(const cgminer::MinerDetails& d, Json* j) {
  if (d.stats) {
    if (d.stats->power) (*j)["power_w"] = d.stats->power->value();
    Json fans = Json::array();
    for (double rpm : d.stats->fan_rpm) {
      if (rpm > 0) fans.push_back(rpm);
    }
    (*j)["fans_rpm"] = fans;
    if (!d.stats->temps_c.empty()) {
      (*j)["max_temp_c"] = *std::max_element(d.stats->temps_c.begin(), d.stats->temps_c.end());
    }
  }
  if (!d.stats_error.empty()) (*j)["stats_error"] = d.stats_error;
  if (d.power) (*j)["power_w"] = d.power->value();
  if (!d.power_error.empty()) (*j)["power_error"] = d.power_error;
  for (const cgminer::PoolReading& p : d.pools) {
    if (!p.active) continue;
    (*j)["pool"] = {{"url", p.url}, {"user", p.user}, {"status", p.status}};
  }
  if (!d.pools_error.empty()) (*j)["pools_error"] = d.pools_error;
}

Json MinerJson(const cgminer::MinerSummary& m) {
  Json j;
  j["address"] = m.at.address().to_string();
  j["port"] = m.at.port();
  j["state"] = m.state;
  j["condition"] = Condition(m);
  if (!m.error.empty()) j["error"] = m.error;
  if (m.summary) {
    j["hashrate_th_s"] = m.summary->hashrate_5s.value();
    j["hashrate_avg_th_s"] = m.summary->hashrate_avg.value();
    j["elapsed_s"] = m.summary->elapsed_s;
    j["accepted"] = m.summary->accepted;
    j["rejected"] = m.summary->rejected;
  }
  if (!m.devs.empty()) {
    Json boards = Json::array();
    for (const cgminer::DevReading& d : m.devs) {
      Json b = {{"id", d.id}, {"status", d.status}, {"hashrate_th_s", d.hashrate_5s.value()}};
      if (d.temp_c) b["temp_c"] = *d.temp_c;
      if (d.chip_temp_c) b["chip_temp_c"] = *d.chip_temp_c;
      boards.push_back(b);
    }
    j["boards"] = boards;
  }
  if (!m.devs_error.empty()) j["devs_error"] = m.devs_error;
  if (m.single_commands) j["single_commands"] = true;
  Json quirks = Json::array();
  for (cgminer::ReplyQuirk q : m.quirks) quirks.push_back(cgminer::QuirkName(q));
  j["quirks"] = quirks;
  j["reply_s"] = m.elapsed.count();
  return j;
}

void AddRangeFlags(CLI::App* cmd, FleetFlags& f, double default_timeout = 5.0) {
  cmd->add_option("range", f.range, "Addresses: 127.1.0.1-127.1.3.232, 10.20.0.0/22, a comma list")->required();
  cmd->add_option("--port", f.port, "RPC port (default 4028)")->check(CLI::Range(1, 65535));
  cmd->add_option("--timeout-s", f.timeout_s,
                  fmt::format("Deadline per request in seconds (default {:g})", default_timeout))
      ->check(CLI::Range(0.01, 600.0));
  cmd->add_option("--concurrency", f.concurrency, "Requests in flight at once (default 2048)")
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("--json", f.json, "One JSON object: every miner and the totals");
  cmd->add_flag("--all", f.all, "List every miner, not only those in trouble");
}

void AddFirmwareFlag(CLI::App* cmd, FleetFlags& f) {
  cmd->add_option("--firmware", f.firmware,
                  "luxos or braiins: the whole range runs it, skip the `version` round; whatsminer: "
                  "Whatsminer API V3 on port 4433")
      ->check(CLI::IsMember({"luxos", "braiins", "whatsminer"}));
  cmd->add_option("--password", f.password, "Whatsminer API V3: the miners' \"super\" password (default super)");
}

constexpr const char* kCommandFooter = R"(
Exit status: 0 when every miner did it, 4 when some did not (unsupported,
unreachable, refused: listed), 3 when no miner answered at all.
Each miner is identified with `version`, then commanded through its firmware's
driver. LuxOS: logon, curtail sleep|wakeup or profileset (ATM switched off
around it and back on), logoff. Braiins OS+: pause|resume (its power target
needs the gRPC API, not spoken here). Stock Antminer, cgminer and Whatsminer
firmware have no such command on port 4028: "unsupported". Whatsminer API V3
(--firmware whatsminer, port 4433): set.miner.service stop|start and
set.miner.power_limit, each signed with a token from the miner's salt.
)";

}  // namespace

CLI::App* AddFleetCommand(CLI::App& app, FleetFlags& f) {
  CLI::App* fleet = app.add_subcommand("fleet", "Find, read and command real or emulated miners");
  fleet->footer(R"(RANGE is first-last IPv4 addresses (127.1.0.1-127.1.3.232) or one address.
Try it on an emulated fleet (mullet emulate --help):

Examples:
  mullet emulate --miners 300 --firmware luxos,braiins,bmminer --first-address 127.5.0.1
  mullet fleet scan 127.5.0.1-127.5.1.44                    # firmware and capabilities
  mullet fleet status 127.5.0.1-127.5.1.44 --json           # hashrate, power, temperatures
  mullet fleet curtail 127.5.0.1-127.5.1.44 --json          # sleep what can sleep
  mullet fleet set-power 127.5.0.1-127.5.1.44 3000          # a power target, watts per miner)");
  fleet->require_subcommand(1);

  CLI::App* scan = fleet->add_subcommand("scan", "Find the miners of a range: firmware, model, what they can do");
  scan->footer(R"(Sends `version` to every address with a short deadline; what answers is a
miner. Prints its firmware family, model and capabilities (sleep, power
target, profiles).

Example:
  mullet fleet scan 10.20.0.0/22 --timeout-s 1)");
  f.timeout_s = 5.0;
  AddRangeFlags(scan, f, 1.0);
  scan->callback([&f, scan] {
    f.action = "scan";
    if (scan->count("--timeout-s") == 0) f.timeout_s = 1.0;
  });

  CLI::App* status = fleet->add_subcommand("status", "Read every miner of a range at once");
  status->footer(R"(Each miner's condition: hashing, sleeping (answering, every board alive at zero:
curtailed, not broken), faulty (a dead or sick board, a board at zero while the
others hash, an error status or an unreadable reply) or unreachable.
Exit status: 0 when any miner answered, 3 when none did.
One `summary+devs` request per miner (stock Antminers refuse joined commands:
they are asked `summary` and `devs` one by one), then `stats` and `pools` from
those that answered: watts where the firmware reports them there (LuxOS, whose
`stats` has none: its `power`), fans, the hottest sensor, the active pool (--summary-only reads `summary` alone). Each miner has its own
deadline; a hung, slow or lying miner is reported as such ("timeout",
"bad-reply", "error-status") and never delays the others.

Examples:
  mullet fleet status 127.1.0.1-127.1.3.232
  mullet fleet status 10.20.0.0/22 --timeout-s 3 --json > fleet.json)");
  AddRangeFlags(status, f);
  status->add_flag("--summary-only", f.summary_only,
                   "Read `summary` alone: hashrate and shares, no per-board data; the fastest sweep");
  status->add_option("--firmware", f.firmware, "whatsminer: read Whatsminer API V3 (port 4433) instead")
      ->check(CLI::IsMember({"whatsminer"}));
  status->callback([&f] { f.action = "status"; });

  for (const char* action : {"curtail", "resume"}) {
    const bool curtail = std::string(action) == "curtail";
    CLI::App* cmd = fleet->add_subcommand(
        action, curtail ? "Put every miner of a range to sleep" : "Wake every miner of a range");
    cmd->footer(std::string(kCommandFooter) + "\nExample:\n  mullet fleet " + action +
                " 127.1.0.1-127.1.3.232 --json");
    AddRangeFlags(cmd, f);
    AddFirmwareFlag(cmd, f);
    cmd->callback([&f, action] { f.action = action; });
  }

  CLI::App* power = fleet->add_subcommand("set-power", "Set every miner of a range to a power target");
  power->footer(std::string(kCommandFooter) + R"(
LuxOS reaches a target through its profiles: the profile of highest watts at
or under the target (the lowest when none is); "applied_w" says which.

Example:
  mullet fleet set-power 127.1.0.1-127.1.0.200 3000 --json)");
  AddRangeFlags(power, f);
  power->add_option("watts", f.watts, "Target per miner, W")->required()->check(CLI::Range(1.0, 100000.0));
  AddFirmwareFlag(power, f);
  power->callback([&f] { f.action = "set-power"; });

  CLI::App* profile = fleet->add_subcommand("set-profile", "Select a named profile on every miner of a range");
  profile->footer(std::string(kCommandFooter) + "\nExample:\n  mullet fleet set-profile 127.1.0.1-127.1.0.200 eco");
  AddRangeFlags(profile, f);
  profile->add_option("profile", f.profile, "Profile name, as `profiles` lists it")->required();
  AddFirmwareFlag(profile, f);
  profile->callback([&f] { f.action = "set-profile"; });
  return fleet;
}

namespace {

// 0 when every miner did it; 3 when no miner answered at all; 4 when some
// did and some did not (unsupported, unreachable, refused).
int ControlExit(const std::map<std::string, int>& by_state, std::size_t total) {
  const auto count = [&](const char* state) {
    const auto it = by_state.find(state);
    return it == by_state.end() ? 0 : it->second;
  };
  const int ok = count("ok");
  if (static_cast<std::size_t>(ok) == total) return 0;
  const int silent = count("timeout") + count("refused") + count("reset") + count("closed") + count("error");
  if (static_cast<std::size_t>(silent) == total) return kExitNoneAnswered;
  return kExitSomeNotDone;
}

int RunControl(const FleetFlags& f, const std::vector<tcp::endpoint>& miners, const RpcOptions& o,
               std::ostream& out) {
  MinerCommand command;
  command.kind = f.action == "curtail"     ? MinerCommandKind::kSleep
                 : f.action == "resume"    ? MinerCommandKind::kWake
                 : f.action == "set-power" ? MinerCommandKind::kSetPower
                                           : MinerCommandKind::kSetProfile;
  command.power = Watts(f.watts);
  command.profile = f.profile;
  const auto start = std::chrono::steady_clock::now();
  const std::string family = f.firmware == "luxos" ? "luxminer" : f.firmware == "braiins" ? "bosminer" : "";
  const std::vector<ControlResult> results =
      f.firmware == "whatsminer" ? CommandFleetWith(whatsminer::WhatsminerV3Driver(f.password), miners, command, o)
                                 : CommandFleet(miners, command, o, family);
  const double secs = SecondsSince(start);
  std::map<std::string, int> by_state;
  double applied_w = 0;
  for (const ControlResult& r : results) {
    ++by_state[r.outcome.state];
    if (r.outcome.applied) applied_w += r.outcome.applied->value();
  }
  if (f.json) {
    Json list = Json::array();
    for (const ControlResult& r : results) {
      Json m = {{"address", r.at.address().to_string()}, {"family", r.family}, {"state", r.outcome.state},
                {"reply_s", r.elapsed.count()}};
      if (r.outcome.applied) m["applied_w"] = r.outcome.applied->value();
      if (r.outcome.profile) m["profile"] = *r.outcome.profile;
      if (!r.outcome.error.empty()) {
        m["step"] = r.outcome.step;
        m["error"] = r.outcome.error;
      }
      list.push_back(m);
    }
    Json j;
    j["action"] = f.action;
    j["miners"] = list;
    j["summary"] = {{"total", results.size()}, {"by_state", by_state}, {"seconds", secs}};
    if (command.kind == MinerCommandKind::kSetPower) j["summary"]["applied_w"] = applied_w;
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return ControlExit(by_state, results.size());
  }
  fmt::print(out, "{} sent to {} miners in {:.2f} s\n", f.action, results.size(), secs);
  for (const auto& [state, n] : by_state) fmt::print(out, "  {:<13} {}\n", state, n);
  if (command.kind == MinerCommandKind::kSetPower) fmt::print(out, "  applied       {:.1f} kW\n", applied_w / 1000);
  for (const ControlResult& r : results) {
    if (r.outcome.state == "ok" && !f.all) continue;
    // A miner's words (its family name, its error text) are escaped: a
    // reply must not move the cursor or forge a line of this table.
    fmt::print(out, "  {:<15} {:<9} {:<12} {}{}{}\n", r.at.address().to_string(), Printable(r.family, 40),
               r.outcome.state, r.outcome.applied ? fmt::format("{:.0f} W ", r.outcome.applied->value()) : "",
               r.outcome.error.empty() ? "" : r.outcome.step + ": ", Printable(r.outcome.error));
  }
  return ControlExit(by_state, results.size());
}

int RunScan(const FleetFlags& f, const std::vector<tcp::endpoint>& miners, const RpcOptions& o, std::ostream& out) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<RpcReply> replies = RequestAll(miners, cgminer::EncodeRequest("version"), o);
  const double secs = SecondsSince(start);
  Json list = Json::array();
  std::map<std::string, int> by_family;
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < miners.size(); ++i) {
    const RpcReply& r = replies[i];
    // Nothing there: refused, or no connection before the deadline. A peer
    // that took the connection and then said nothing is listed, as hung.
    if (r.outcome == RpcOutcome::kRefused || (r.outcome == RpcOutcome::kTimeout && !r.connected)) continue;
    Json m = {{"address", miners[i].address().to_string()}, {"port", miners[i].port()}};
    Result<cgminer::ParsedReply> parsed = cgminer::ParseReply(r.bytes);
    Result<cgminer::VersionReading> v =
        parsed.ok() ? cgminer::ReadVersion(parsed->json) : Result<cgminer::VersionReading>(parsed.status());
    if (r.outcome != RpcOutcome::kReply || !v.ok()) {
      m["family"] = "unknown";
      m["error"] = r.outcome == RpcOutcome::kTimeout ? "hung: took the connection, no reply within the deadline"
                   : r.outcome != RpcOutcome::kReply  ? std::string(RpcOutcomeName(r.outcome)) + ": " + r.error
                                                      : v.status().message();
    } else {
      const MinerCapabilities caps = DriverForFamily(v->firmware_family).capabilities();
      m["family"] = v->firmware_family;
      m["miner"] = v->miner;
      m["model"] = v->model;
      m["capabilities"] = {{"sleep", caps.sleep}, {"power_target", caps.power_target},
                           {"profiles", caps.profiles}, {"reports_power", caps.reports_power}};
    }
    ++by_family[m["family"].get<std::string>()];
    lines.push_back(fmt::format("  {:<15} {:<9} {:<18} {}", m["address"].get<std::string>(),
                                Printable(m["family"].get<std::string>(), 40),
                                Printable(m.value("model", std::string("-")), 60),
                                Printable(m.contains("error") ? m["error"].get<std::string>() : m.value("miner", ""))));
    list.push_back(std::move(m));
  }
  if (f.json) {
    Json j;
    j["miners"] = list;
    j["summary"] = {{"addresses", miners.size()}, {"found", list.size()}, {"by_family", by_family},
                    {"seconds", secs}};
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  fmt::print(out, "{} miners found in {} addresses in {:.2f} s\n", list.size(), miners.size(), secs);
  for (const auto& [family, n] : by_family) fmt::print(out, "  {:<13} {}\n", family, n);
  for (const std::string& line : lines) fmt::print(out, "{}\n", line);
  return 0;
}

// Whatsminer API V3: get.miner.status summary from each miner.
int RunV3Status(const FleetFlags& f, const std::vector<tcp::endpoint>& miners, const RpcOptions& o,
                std::ostream& out) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<whatsminer::StatusResult> sweep = whatsminer::ReadStatusAll(miners, o);
  const double sweep_s = SecondsSince(start);
  std::map<std::string, int> by_state;
  double total_th = 0, total_w = 0;
  Json list = Json::array();
  for (const whatsminer::StatusResult& m : sweep) {
    ++by_state[m.state];
    Json j = {{"address", m.at.address().to_string()}, {"port", m.at.port()}, {"state", m.state}};
    if (!m.error.empty()) j["error"] = m.error;
    if (m.reading) {
      total_th += m.reading->hashrate.value();
      j["hashrate_th_s"] = m.reading->hashrate.value();
      if (m.reading->power) {
        total_w += m.reading->power->value();
        j["power_w"] = m.reading->power->value();
      }
      if (m.reading->power_limit) j["power_limit_w"] = m.reading->power_limit->value();
    }
    j["reply_s"] = m.elapsed.count();
    list.push_back(std::move(j));
  }
  if (f.json) {
    Json j;
    j["miners"] = list;
    j["summary"] = {{"total", sweep.size()}, {"by_state", by_state}, {"hashrate_th_s", total_th},
                    {"power_w", total_w}, {"sweep_s", sweep_s}};
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  fmt::print(out, "{} Whatsminer miners read in {:.2f} s: {:.1f} PH/s, {:.1f} kW reported\n", sweep.size(), sweep_s,
             total_th / 1000, total_w / 1000);
  for (const auto& [state, n] : by_state) fmt::print(out, "  {:<13} {}\n", state, n);
  for (const Json& m : list) {
    if (m["state"] == "ok" && !f.all) continue;
    fmt::print(out, "  {:<15} {:<12} {}\n", m["address"].get<std::string>(), m["state"].get<std::string>(),
               Printable(m.value("error", "")));
  }
  return 0;
}

int RunStatus(const FleetFlags& f, const std::vector<tcp::endpoint>& miners, const RpcOptions& o,
              std::ostream& out) {
  if (f.firmware == "whatsminer") return RunV3Status(f, miners, o, out);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<cgminer::MinerSummary> sweep =
      f.summary_only ? cgminer::SweepSummaries(miners, o) : cgminer::SweepStatus(miners, o);
  // The default read adds `stats` and `pools` from the miners that answered:
  // wattage where the firmware reports it, fans, sensors, the pool.
  std::vector<std::optional<cgminer::MinerDetails>> details(sweep.size());
  if (!f.summary_only) {
    std::vector<tcp::endpoint> answered;
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < sweep.size(); ++i) {
      if (sweep[i].state != "ok") continue;
      answered.push_back(sweep[i].at);
      index.push_back(i);
    }
    std::vector<cgminer::MinerDetails> got = cgminer::SweepDetails(answered, o);
    for (std::size_t k = 0; k < got.size(); ++k) details[index[k]] = std::move(got[k]);
  }
  const double sweep_s = SecondsSince(start);
  double total_w = 0;
  int reporting_w = 0;
  for (const std::optional<cgminer::MinerDetails>& d : details) {
    const std::optional<Watts> w = !d ? std::nullopt : d->stats && d->stats->power ? d->stats->power : d->power;
    if (w) {
      total_w += w->value();
      ++reporting_w;
    }
  }
  std::map<std::string, int> by_state, by_condition;
  double total_th = 0;
  for (const cgminer::MinerSummary& m : sweep) {
    ++by_state[m.state];
    ++by_condition[Condition(m)];
    if (m.summary) total_th += m.summary->hashrate_5s.value();
  }
  const auto unreachable = by_condition.find("unreachable");
  const int exit = !sweep.empty() && unreachable != by_condition.end() &&
                           unreachable->second == static_cast<int>(sweep.size())
                       ? kExitNoneAnswered
                       : 0;
  if (f.json) {
    Json list = Json::array();
    for (std::size_t i = 0; i < sweep.size(); ++i) {
      Json m = MinerJson(sweep[i]);
      if (details[i]) AddDetails(*details[i], &m);
      list.push_back(std::move(m));
    }
    Json j;
    j["miners"] = list;
    j["summary"] = {{"total", sweep.size()}, {"by_condition", by_condition}, {"by_state", by_state},
                    {"hashrate_th_s", total_th}, {"power_w", total_w}, {"reporting_power", reporting_w},
                    {"sweep_s", sweep_s}};
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return exit;
  }
  fmt::print(out, "{} miners read in {:.2f} s: {:.1f} PH/s in total{}\n", sweep.size(), sweep_s, total_th / 1000,
             reporting_w > 0 ? fmt::format(", {:.1f} kW reported by {} miners", total_w / 1000, reporting_w) : "");
  for (const char* c : {"hashing", "sleeping", "faulty", "unreachable"}) {
    if (const auto it = by_condition.find(c); it != by_condition.end()) fmt::print(out, "  {:<13} {}\n", c, it->second);
  }
  for (std::size_t i = 0; i < sweep.size(); ++i) {
    const cgminer::MinerSummary& m = sweep[i];
    if (Condition(m) == "hashing" && !f.all && m.quirks.empty()) continue;
    std::string quirks;
    for (cgminer::ReplyQuirk q : m.quirks) quirks += (quirks.empty() ? "" : ",") + std::string(cgminer::QuirkName(q));
    std::string extra;
    if (details[i] && details[i]->stats) {
      const cgminer::StatsReading& st = *details[i]->stats;
      if (st.power) extra += fmt::format(" {:.0f} W", st.power->value());
      if (!st.temps_c.empty()) extra += fmt::format(" {:.0f} °C", *std::max_element(st.temps_c.begin(), st.temps_c.end()));
    }
    if (details[i] && details[i]->power) extra += fmt::format(" {:.0f} W", details[i]->power->value());
    fmt::print(out, "  {:<15} {:<11} {:<12} {:>10}{} {}{}\n", m.at.address().to_string(), Condition(m), m.state,
               m.summary ? fmt::format("{:.1f} TH/s", m.summary->hashrate_5s.value()) : "-", extra, Printable(m.error),
               quirks.empty() ? "" : " [repaired: " + quirks + "]");
  }
  if (exit == kExitNoneAnswered) fmt::print(out, "no miner answered\n");
  return exit;
}

}  // namespace

int RunFleet(const FleetFlags& f, std::ostream& out, std::ostream& err) {
  // Whatsminer API V3 listens on 4433 unless --port says otherwise.
  const int port = f.firmware == "whatsminer" && f.port == 4028 ? whatsminer::kV3Port : f.port;
  Result<std::vector<tcp::endpoint>> miners = ParseAddressRange(f.range, static_cast<std::uint16_t>(port));
  if (!miners.ok()) {
    err << "mullet fleet " << f.action << ": error: range: " << miners.status().message() << "\n";
    return 2;
  }
  RpcOptions o;
  o.deadline = Seconds(f.timeout_s);
  o.max_in_flight = static_cast<std::size_t>(f.concurrency);
  if (f.action == "scan") return RunScan(f, *miners, o, out);
  if (f.action == "status") return RunStatus(f, *miners, o, out);
  return RunControl(f, *miners, o, out);
}

}  // namespace mullet
