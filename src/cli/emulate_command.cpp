#include "cli/emulate_command.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/emulate_shards.h"
#include "emulate/fleet.h"
#include "emulate/modbus_meter.h"

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
  if (f.ramp_down_s >= 0) o.ramp_down = Seconds(f.ramp_down_s);
  if (f.ramp_up_s >= 0) o.ramp_up = Seconds(f.ramp_up_s);
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
      if (FamilyName(fam) == name || (name == "whatsminer" && fam == FirmwareFamily::kWhatsminerV3)) {
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

// One emulated meter and the miners [first, end) on its feeder.
struct Meter {
  std::unique_ptr<ModbusMeterServer> server;
  std::size_t first = 0, end = 0;
};

// "127.1.0.1-127.1.0.10": the addresses of miners [first, end).
std::string SliceRange(const EmulatedFleet& fleet, std::size_t first, std::size_t end) {
  const std::string a = fleet.endpoint(first).address().to_string();
  return end - first == 1 ? a : a + "-" + fleet.endpoint(end - 1).address().to_string();
}

// The meter flags of a fleet run as `shards` processes: one meter per shard.
Status CheckShardedMeterFlags(const EmulateFlags& f, std::size_t shards) {
  if (f.meters == 0) return Status::Ok();
  if (f.meter_port + static_cast<int>(shards) - 1 > 65535) {
    return Status::InvalidArgument(fmt::format("--meter-port: {} shard meters from port {} pass 65535", shards,
                                               f.meter_port));
  }
  boost::system::error_code ec;
  boost::asio::ip::make_address(f.meter_address, ec);
  if (ec) return Status::InvalidArgument("--meter-address: '" + f.meter_address + "': " + ec.message());
  return Status::Ok();
}

// The meter flags, checked before anything listens.
Status CheckMeterFlags(const EmulateFlags& f) {
  if (f.meters == 0) return Status::Ok();
  const auto n = static_cast<std::size_t>(f.miners), count = static_cast<std::size_t>(f.meters);
  const std::size_t per = (n + count - 1) / count;
  if ((count - 1) * per >= n) {
    return Status::InvalidArgument(fmt::format("--meters: {} meters over {} miners leave meter {} with none "
                                               "(each covers {}); use at most {}",
                                               count, n, count, per, (n + per - 1) / per));
  }
  if (f.meter_port + f.meters - 1 > 65535) {
    return Status::InvalidArgument(fmt::format("--meter-port: {} meters from port {} pass 65535", count,
                                               f.meter_port));
  }
  boost::system::error_code ec;
  boost::asio::ip::make_address(f.meter_address, ec);
  if (ec) return Status::InvalidArgument("--meter-address: '" + f.meter_address + "': " + ec.message());
  return Status::Ok();
}

// Meter k covers miners k·ceil(n/N) onwards; each feeder's power is the true
// draw of its miners (EmulatedMiner::power), each advanced to now first, so
// the meter sees ramps as they happen. Callbacks run on the io thread, as the
// miners' RPC handlers do: no miner is touched by two threads.
// REQUIRES: CheckMeterFlags(f).ok().
Result<std::vector<Meter>> StartMeters(boost::asio::io_context& io, EmulatedFleet& fleet, const EmulateFlags& f,
                                       int meter_count, int meter_port) {
  std::vector<Meter> meters;
  if (meter_count == 0) return meters;
  const std::size_t n = fleet.size(), count = static_cast<std::size_t>(meter_count);
  const std::size_t per = (n + count - 1) / count;
  const boost::asio::ip::address address = boost::asio::ip::make_address(f.meter_address);
  for (std::size_t k = 0; k < count; ++k) {
    Meter m;
    m.first = k * per;
    m.end = std::min(n, m.first + per);
    MeterFeeder feeder;
    feeder.name = "miners " + SliceRange(fleet, m.first, m.end);
    feeder.power_w = [&fleet, first = m.first, end = m.end] {
      const UtcTime now = WallClock();
      double w = 0;
      for (std::size_t i = first; i < end; ++i) {
        fleet.miner(i).AdvanceTo(now);
        w += fleet.miner(i).power().value();
      }
      return w;
    };
    feeder.energy_kwh = [&fleet, first = m.first, end = m.end] {
      double kwh = 0;
      for (std::size_t i = first; i < end; ++i) kwh += fleet.miner(i).energy().kilowatt_hours();
      return kwh;
    };
    const boost::asio::ip::tcp::endpoint at(address, static_cast<std::uint16_t>(meter_port + k));
    Result<std::unique_ptr<ModbusMeterServer>> server =
        ModbusMeterServer::Start(io, at, MeterRegisterMap({feeder}), ModbusMeterOptions{});
    if (!server.ok()) return server.status();
    m.server = std::move(server).value();
    meters.push_back(std::move(m));
  }
  return meters;
}

nlohmann::ordered_json ListingJson(const EmulatedFleet& fleet, const std::vector<Meter>& meters,
                                   const EmulateFlags& f) {
  std::map<std::string, std::vector<std::string>> faults;
  for (std::size_t i = 0; i < fleet.size(); ++i) {
    if (!fleet.fault_name(i).empty()) faults[fleet.fault_name(i)].push_back(fleet.endpoint(i).address().to_string());
  }
  nlohmann::ordered_json j;
  j["miners"] = fleet.size();
  j["range"] = fleet.range();
  j["port"] = f.port;
  j["faults"] = faults;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Meter& m : meters) {
    list.push_back({{"address", m.server->endpoint().address().to_string()},
                    {"port", m.server->endpoint().port()},
                    {"unit", 1},
                    {"power_register", MeterOffsets::kPowerFloatAbcd},
                    {"first_miner", m.first},
                    {"miners", m.end - m.first},
                    {"range", SliceRange(fleet, m.first, m.end)}});
  }
  j["meters"] = list;
  return j;
}

// The shards' listings as one fleet's: ranges joined, counts summed, meters
// renumbered by the global index of their first miner.
nlohmann::ordered_json MergeListings(const std::vector<std::string>& lines) {
  nlohmann::ordered_json j;
  std::size_t miners = 0;
  std::string first, last;
  nlohmann::ordered_json faults = nlohmann::ordered_json::object();
  nlohmann::ordered_json meters = nlohmann::ordered_json::array();
  for (const std::string& line : lines) {
    const nlohmann::ordered_json part = nlohmann::ordered_json::parse(line);
    const std::string range = part["range"];
    if (first.empty()) first = range.substr(0, range.find('-'));
    last = range.substr(range.find('-') + 1);
    for (const auto& [name, list] : part["faults"].items()) {
      for (const auto& a : list) faults[name].push_back(a);
    }
    for (auto m : part["meters"]) {
      m["first_miner"] = m["first_miner"].get<std::size_t>() + miners;
      meters.push_back(m);
    }
    miners += part["miners"].get<std::size_t>();
    j["port"] = part["port"];
  }
  j["miners"] = miners;
  j["range"] = first + "-" + last;
  j["faults"] = faults;
  j["meters"] = meters;
  j["shards"] = lines.size();
  return j;
}

void PrintListing(const nlohmann::ordered_json& j, const EmulateFlags& f, std::ostream& out) {
  if (f.json) {
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
    return;
  }
  fmt::print(out, "mullet emulate: {} miners listening on {} port {} (firmware {}){}; Ctrl-C stops\n",
             j["miners"].get<std::size_t>(), j["range"].get<std::string>(), f.port, f.firmware,
             j.contains("shards") ? fmt::format(", {} processes", j["shards"].get<std::size_t>()) : "");
  for (const auto& [name, list] : j["faults"].items()) {
    fmt::print(out, "  fault {:<28} {} miners: {}{}\n", name, list.size(), list.front().get<std::string>(),
               list.size() > 1 ? fmt::format(" ... {}", list.back().get<std::string>()) : "");
  }
  for (std::size_t k = 0; k < j["meters"].size(); ++k) {
    const auto& m = j["meters"][k];
    const std::string at = fmt::format("{}:{}", m["address"].get<std::string>(), m["port"].get<int>());
    fmt::print(out, "  meter {} on {} unit 1 covers {} miners: {} (mullet meter read {})\n", k + 1, at,
               m["miners"].get<std::size_t>(), m["range"].get<std::string>(), at);
  }
  fmt::print(out, "Read them with: mullet fleet status {}\n", j["range"].get<std::string>());
  out.flush();
}

// Runs one process's fleet (all of it, or a shard) until stopped; `listening`
// gets its listing once every miner and meter listens.
int Serve(const EmulateFlags& f, const FleetOptions& o, int meter_count, int meter_port,
          const std::function<void(const nlohmann::ordered_json&)>& listening, std::ostream& err) {
  boost::asio::io_context io;
  Result<std::unique_ptr<EmulatedFleet>> fleet = EmulatedFleet::Start(io, o, WallClock);
  if (!fleet.ok()) {
    err << "mullet emulate: error: " << fleet.status().message() << "\n";
    return 1;
  }
  Result<std::vector<Meter>> meters = StartMeters(io, **fleet, f, meter_count, meter_port);
  if (!meters.ok()) {
    err << "mullet emulate: error: " << meters.status().message() << "\n";
    return 1;
  }
  listening(ListingJson(**fleet, *meters, f));
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

// How many miners one process can hold: a listener each (two for a
// Whatsminer, which also answers API V3), with room for the connections in flight.
std::size_t MinersPerProcess(const FleetOptions& o) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_max == RLIM_INFINITY) return o.miners;
  std::size_t whatsminers = 0;
  for (FirmwareFamily fam : o.families) whatsminers += fam == FirmwareFamily::kWhatsminerV3;
  const double per_miner = 1.0 + (o.families.empty() ? 0.0 : double(whatsminers) / o.families.size());
  // Held back for connections in flight, stdio and meters; a third at most on a small limit.
  const double reserve = std::min(4096.0 + 64 + 1000, static_cast<double>(lim.rlim_max) / 3);
  const double room = static_cast<double>(lim.rlim_max) - reserve;
  return room < 1 ? 1 : static_cast<std::size_t>(room / per_miner);
}

}  // namespace

CLI::App* AddEmulateCommand(CLI::App& app, EmulateFlags& f) {
  CLI::App* cmd = app.add_subcommand("emulate", "Run a virtual fleet of miners on loopback addresses");
  cmd->footer(R"(Each miner listens on its own address (127.x.y.z, port 4028) and speaks the
cgminer-family RPC of its firmware, with state: hashrate and power from its
model, sleep and wake with real ramp delays, temperatures, shares, pools.
Faults go to a share of the fleet, chosen by --seed.

Meters: --meters N Modbus TCP power meters (default 1), meter k on
--meter-port + k, unit 1, each over a contiguous slice of the fleet (meter k
covers miners k*ceil(miners/N) onwards). They report the miners' true draw at
the wall, ramps included. Holding and input registers, 0-based:
  0-1 power W float32 (ABCD)    2-3 power W float32 (CDAB)
  4-5 power W int32             6   power uint16 in 100 W
  8-9 energy kWh uint32         10-11 energy kWh float32    12-13 volts float32
Read one with: mullet meter read 127.0.0.1:5020

A fleet larger than one process may listen for (the hard limit on open files,
ulimit -Hn) runs as several processes, each a contiguous slice of the
addresses with one meter over its slice (ports --meter-port, +1, ...); the
listing shows one fleet and Ctrl-C stops them all.

Examples:
  mullet emulate --miners 1000
  mullet emulate --miners 200 --firmware bmminer,luxos --models "S21,S19j Pro" \
      --hang-share 0.01 --malformed-share 0.02)");
  cmd->add_option("--miners", f.miners, "Number of miners (default 100)")->check(CLI::Range(1, 1000000));
  cmd->add_option("--first-address", f.first_address, "First address (default 127.1.0.1)");
  cmd->add_option("--port", f.port, "Port (default 4028)")->check(CLI::Range(1, 65535));
  cmd->add_option("--models", f.models,
                  "Catalog models, cycled within each firmware family: Whatsminers under whatsminer, the others "
                  "under the rest (default: every built-in model)");
  cmd->add_option("--firmware", f.firmware, "Families, cycled: bmminer, cgminer, luxos, braiins, whatsminer");
  cmd->add_option("--ambient-c", f.ambient_c, "Intake air temperature (default 25)");
  cmd->add_option("--ramp-down-s", f.ramp_down_s,
                  "Seconds every miner takes from hashing to asleep (default: its firmware's; LuxOS 4)")
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--ramp-up-s", f.ramp_up_s,
                  "Seconds every miner takes from asleep to full hashrate (default: its firmware's; LuxOS 8)")
      ->check(CLI::Range(0.0, 3600.0));
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
  cmd->add_option("--meters", f.meters, "Modbus TCP power meters over the fleet (default 1; 0: none)")
      ->check(CLI::Range(0, 1000));
  cmd->add_option("--meter-address", f.meter_address, "Address the meters listen on (default 127.0.0.1)");
  cmd->add_option("--meter-port", f.meter_port,
                  "First meter's port, the next ones follow (default 5020; the standard 502 needs root)")
      ->check(CLI::Range(1, 65535));
  cmd->add_option("--processes", f.processes,
                  "Processes serving the fleet, each a slice with its own meter (default: as few as the "
                  "descriptor limit allows); 2 on a 2-core machine keeps the emulator off the critical path "
                  "of a benchmark")
      ->check(CLI::Range(0, 256));
  cmd->add_flag("--json", f.json, "Print the listing as one JSON line");
  return cmd;
}

int RunEmulate(const EmulateFlags& f, std::ostream& out, std::ostream& err) {
  Result<FleetOptions> o = Options(f);
  std::size_t per_process = o.ok() ? MinersPerProcess(*o) : 0;
  if (o.ok() && f.processes > 0) {
    const auto asked = (o->miners + static_cast<std::size_t>(f.processes) - 1) / static_cast<std::size_t>(f.processes);
    per_process = std::min(per_process, asked);
  }
  const bool sharded = o.ok() && o->miners > per_process;
  Status s = !o.ok() ? o.status() : sharded ? CheckShardedMeterFlags(f, (o->miners + per_process - 1) / per_process)
                                            : CheckMeterFlags(f);
  if (s.ok()) s = EnsureDescriptors(sharded ? per_process : o->miners);
  Result<std::vector<ShardPlan>> shards =
      s.ok() ? PlanShards(o->miners, o->first_address, per_process) : Result<std::vector<ShardPlan>>(s);
  if (!shards.ok()) {
    err << "mullet emulate: error: " << shards.status().message() << "\n";
    return 2;
  }
  if (!sharded) {
    return Serve(f, *o, f.meters, f.meter_port, [&](const nlohmann::ordered_json& j) { PrintListing(j, f, out); },
                 err);
  }
  // One process per shard; each runs one meter over its own slice (when meters are on).
  const int code = RunShards(
      *shards,
      [&](const ShardPlan& shard, int fd) {
        FleetOptions part = *o;
        part.miners = shard.miners;
        part.first_index = shard.first_index;
        part.first_address = shard.first_address;
        const int port = f.meter_port + static_cast<int>(shard.first_index / per_process);
        return Serve(f, part, f.meters > 0 ? 1 : 0, port,
                     [fd](const nlohmann::ordered_json& j) {
                       const std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
                       if (write(fd, line.data(), line.size()) < 0) std::perror("mullet emulate: listing");
                       close(fd);
                     },
                     err);
      },
      [&](const std::vector<std::string>& lines) { PrintListing(MergeListings(lines), f, out); });
  // A shard's own error is on stderr already; say what the exit means.
  if (code != 0) {
    err << "mullet emulate: error: a shard process failed (exit " << code
        << (code > 128 ? ", killed by signal " + std::to_string(code - 128) : std::string()) << ")\n";
  }
  return code;
}

}  // namespace mullet
