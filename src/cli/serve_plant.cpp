#include "cli/serve_plant.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "core/text/untrusted_text.h"
#include "drivers/transport/address_range.h"

namespace mullet {
namespace {

namespace asio = boost::asio;

// The site's miners as the loop commands them: each group's `addresses`,
// one per unit. None when no group has addresses (the API alone runs).
Result<std::optional<std::pair<std::vector<DriverMiner>, std::vector<std::size_t>>>> SiteMiners(
    const Site& site, const std::string& file) {
  std::vector<DriverMiner> miners;
  std::vector<std::size_t> groups;
  bool any = false;
  for (std::size_t g = 0; g < site.miners.size(); ++g) {
    const MinerGroup& group = site.miners[g];
    if (group.addresses.empty()) continue;
    any = true;
    Result<std::vector<asio::ip::tcp::endpoint>> at = ParseAddressRange(group.addresses, 4028, 1 << 20);
    if (!at.ok()) {
      return Status::InvalidArgument(file + ": miner group " + Quoted(group.name) + ": addresses: " + at.status().message());
    }
    if (at->size() != static_cast<std::size_t>(group.count)) {
      return Status::InvalidArgument(fmt::format("{}: miner group {}: addresses: {} addresses for count {}", file,
                                                 Quoted(group.name), at->size(), group.count));
    }
    for (const auto& e : *at) {
      miners.push_back({e, group.driver});
      groups.push_back(g);
    }
  }
  if (!any) return std::optional<std::pair<std::vector<DriverMiner>, std::vector<std::size_t>>>();
  for (std::size_t g = 0; g < site.miners.size(); ++g) {
    if (site.miners[g].addresses.empty()) {
      return Status::InvalidArgument(file + ": miner group " + Quoted(site.miners[g].name) +
                                     " has no addresses (every group needs them once one has)");
    }
  }
  return std::optional(std::make_pair(std::move(miners), std::move(groups)));
}

}  // namespace

Result<ServePlant> StartPlant(const ServeFlags& f, Site* site, std::ostream& err) {
  ServePlant plant;
  std::unique_ptr<EmulatedSite>& emulated = plant.emulated;
  auto& fleet = plant.fleet;
  std::optional<modbus::PowerMeter>& meter = plant.meter;
  std::map<std::string, SourceHealth>& sources = plant.sources;
  if (f.emulate > 0 && !f.meter.target.empty()) {
    return Status::InvalidArgument("--meter and --emulate: the emulated plant brings its own meter");
  }
  if (f.emulate > 0) {
    EmulatedSiteOptions eo;
    eo.miners = f.emulate;
    eo.first_address = f.emulate_from;
    Result<std::unique_ptr<EmulatedSite>> started = EmulatedSite::Start(*site, eo);
    if (!started.ok()) return started.status();
    emulated = std::move(started).value();
    *site = emulated->site();
    fleet = std::make_pair(emulated->miners(), emulated->groups());
    modbus::PowerMeterOptions mo;
    mo.host = emulated->meter().address().to_string();
    mo.port = emulated->meter().port();
    mo.timeout = Seconds(f.deadline_s);
    modbus::MeterChannel channel;
    channel.name = "interconnect";
    mo.channels.push_back(channel);
    Result<modbus::PowerMeter> m = modbus::PowerMeter::Create(mo);
    if (!m.ok()) return Status::IoError("the emulated meter: " + m.status().message());
    meter = std::move(m).value();
    sources["meter"].source = fmt::format("modbus {}:{} (emulated)", mo.host, mo.port);
    std::string groups;
    for (const MinerGroup& g : site->miners) {
      groups += fmt::format("{}{} x {}", groups.empty() ? "" : ", ", g.count, Printable(g.model.name));
    }
    std::map<std::string, std::pair<int, int>> tenants;  // nodes, GPUs
    for (const FirmGpuNode& n : emulated->gpu_nodes()) {
      Result<std::vector<GpuReading>> gpus = n.node->Read();
      ++tenants[n.tenant].first;
      tenants[n.tenant].second += gpus.ok() ? static_cast<int>(gpus->size()) : 0;
    }
    std::string ai;
    for (const auto& [tenant, count] : tenants) {
      ai += fmt::format(", {} GPU nodes ({} H100) for {}", count.first, count.second, Printable(tenant));
    }
    fmt::print(err, "mullet serve: emulating {} LuxOS miners on {} ({}){} and the site meter on modbus {}:{}\n",
               f.emulate, emulated->range(), groups, ai, mo.host, mo.port);
  } else {
    Result<std::optional<std::pair<std::vector<DriverMiner>, std::vector<std::size_t>>>> own =
        SiteMiners(*site, f.site_file);
    if (!own.ok()) return own.status();
    fleet = std::move(own).value();
    if (!f.meter.target.empty()) {
      MeterFlags mf = f.meter;
      mf.timeout_s = f.deadline_s;
      Result<modbus::PowerMeterOptions> mo = MeterOptionsOf(mf, "--meter-", "--meter");
      Result<modbus::PowerMeter> m =
          mo.ok() ? modbus::PowerMeter::Create(*mo) : Result<modbus::PowerMeter>(mo.status());
      if (!m.ok()) return Status::InvalidArgument(m.status().message());
      meter = std::move(m).value();
      sources["meter"].source = fmt::format("modbus {}:{} unit {} register {}", mo->host, mo->port, mf.unit,
                                            mf.register_address);
    }
  }
  return plant;
}

}  // namespace mullet
