#include "cli/emulate_command.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <sys/resource.h>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "emulate/fleet.h"

namespace mullet {
namespace {

UtcTime WallClock() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

Result<FleetOptions> Options(const EmulateFlags& f) {
  FleetOptions o;
  o.miners = static_cast<std::size_t>(f.miners);
  o.first_address = f.first_address;
  o.port = static_cast<std::uint16_t>(f.port);
  o.ambient_c = f.ambient_c;
  o.seed = static_cast<std::uint64_t>(f.seed);
  o.hang_share = f.hang_share;
  o.reset_share = f.reset_share;
  o.slow_share = f.slow_share;
  o.malformed_share = f.malformed_share;
  o.misreport_share = f.misreport_share;
  o.misreport_fraction = f.misreport_fraction;
  const AsicCatalog catalog = AsicCatalog::BuiltIn();
  for (const std::string& name : SplitList(f.models)) {
    Result<AsicModel> m = catalog.Find(name);
    if (!m.ok()) return Status::InvalidArgument("--models: " + m.status().message());
    o.models.push_back(*m);
  }
  for (const std::string& name : SplitList(f.firmware)) {
    bool found = false;
    for (FirmwareFamily fam : {FirmwareFamily::kBmminer, FirmwareFamily::kCgminer, FirmwareFamily::kLuxos,
                               FirmwareFamily::kBraiins, FirmwareFamily::kWhatsminerV3}) {
      if (FamilyName(fam) == name) {
        o.families.push_back(fam);
        found = true;
      }
    }
    if (!found) {
      return Status::InvalidArgument("--firmware: unknown family '" + name +
                                     "' (bmminer, cgminer, luxos, braiins, whatsminer)");
    }
  }
  return o;
}

// Each miner holds a listening socket: raise the descriptor limit to what the
// fleet needs, or say why it cannot be had.
Status EnsureDescriptors(std::size_t miners) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return Status::Ok();
  const rlim_t want = miners + 4096;  // the listeners and the connections in flight
  if (lim.rlim_cur >= want) return Status::Ok();
  lim.rlim_cur = std::min(want, lim.rlim_max);
  setrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_cur < miners + 64) {
    return Status::InvalidArgument("--miners: " + std::to_string(miners) + " listeners need more file "
                                   "descriptors than this process may open (" +
                                   std::to_string(lim.rlim_max) + "); run several emulators");
  }
  return Status::Ok();
}

void PrintListing(const EmulatedFleet& fleet, const EmulateFlags& f, std::ostream& out) {
  std::map<std::string, std::vector<std::string>> faults;
  for (std::size_t i = 0; i < fleet.size(); ++i) {
    if (!fleet.fault_name(i).empty()) faults[fleet.fault_name(i)].push_back(fleet.endpoint(i).address().to_string());
  }
  if (f.json) {
    nlohmann::ordered_json j;
    j["miners"] = fleet.size();
    j["range"] = fleet.range();
    j["port"] = f.port;
    j["faults"] = faults;
    out << j.dump() << std::endl;
    return;
  }
  fmt::print(out, "mullet emulate: {} miners listening on {} port {} (firmware {}); Ctrl-C stops\n",
             fleet.size(), fleet.range(), f.port, f.firmware);
  for (const auto& [name, list] : faults) {
    fmt::print(out, "  fault {:<28} {} miners: {}{}\n", name, list.size(), list.front(),
               list.size() > 1 ? fmt::format(" ... {}", list.back()) : "");
  }
  fmt::print(out, "Read them with: mullet fleet status {}\n", fleet.range());
  out.flush();
}

}  // namespace

CLI::App* AddEmulateCommand(CLI::App& app, EmulateFlags& f) {
  CLI::App* cmd = app.add_subcommand("emulate", "Run a virtual fleet of miners on loopback addresses");
  cmd->footer(R"(Each miner listens on its own address (127.x.y.z, port 4028) and speaks the
cgminer-family RPC of its firmware, with state: hashrate and power from its
model, sleep and wake with real ramp delays, temperatures, shares, pools.
Faults go to a share of the fleet, chosen by --seed.

Examples:
  mullet emulate --miners 1000
  mullet emulate --miners 200 --firmware bmminer,luxos --models "S21,S19j Pro" \
      --hang-share 0.01 --malformed-share 0.02)");
  cmd->add_option("--miners", f.miners, "Number of miners (default 100)")->check(CLI::Range(1, 1000000));
  cmd->add_option("--first-address", f.first_address, "First address (default 127.1.0.1)");
  cmd->add_option("--port", f.port, "Port (default 4028)")->check(CLI::Range(1, 65535));
  cmd->add_option("--models", f.models, "Catalog models, cycled (default: every built-in model)");
  cmd->add_option("--firmware", f.firmware, "Families, cycled: bmminer, cgminer, luxos, braiins, whatsminer");
  cmd->add_option("--ambient-c", f.ambient_c, "Intake air temperature (default 25)");
  cmd->add_option("--seed", f.seed, "Seed of every variation and fault draw (default 1)");
  for (auto [name, dst, help] :
       {std::tuple{"--hang-share", &f.hang_share, "Share of miners that never answer"},
        std::tuple{"--reset-share", &f.reset_share, "Share that reset every connection"},
        std::tuple{"--slow-share", &f.slow_share, "Share that answer after 5 s"},
        std::tuple{"--malformed-share", &f.malformed_share, "Share that send one broken-JSON quirk"},
        std::tuple{"--misreport-share", &f.misreport_share, "Share that misreport their wattage"}}) {
    cmd->add_option(name, *dst, help)->check(CLI::Range(0.0, 1.0));
  }
  cmd->add_option("--misreport-fraction", f.misreport_fraction, "How far off (default 0.1 = +10 %)");
  cmd->add_option("--duration-s", f.duration_s, "Stop after this many seconds (default: until stopped)");
  cmd->add_flag("--json", f.json, "Print the listing as one JSON line");
  return cmd;
}

int RunEmulate(const EmulateFlags& f, std::ostream& out, std::ostream& err) {
  Result<FleetOptions> o = Options(f);
  Status s = o.ok() ? EnsureDescriptors(o->miners) : o.status();
  if (!s.ok()) {
    err << "mullet emulate: error: " << s.message() << "\n";
    return 2;
  }
  boost::asio::io_context io;
  Result<std::unique_ptr<EmulatedFleet>> fleet = EmulatedFleet::Start(io, *o, WallClock);
  if (!fleet.ok()) {
    err << "mullet emulate: error: " << fleet.status().message() << "\n";
    return 1;
  }
  PrintListing(**fleet, f, out);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
  boost::asio::steady_timer stop_after(io);
  if (f.duration_s > 0) {
    stop_after.expires_after(std::chrono::milliseconds(static_cast<long long>(f.duration_s * 1000)));
    stop_after.async_wait([&io](const boost::system::error_code& ec) {
      if (!ec) io.stop();
    });
  }
  io.run();
  return 0;
}

}  // namespace mullet
