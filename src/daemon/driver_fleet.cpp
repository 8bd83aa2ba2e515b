#include "daemon/driver_fleet.h"

#include <map>

#include "drivers/cgminer/sweep.h"
#include "drivers/miner/fleet_control.h"

namespace mullet {

DriverFleet::DriverFleet(std::vector<DriverMiner> miners, RpcOptions rpc, std::optional<modbus::PowerMeter> meter)
    : miners_(std::move(miners)), rpc_(rpc), meter_(std::move(meter)) {
  endpoints_.reserve(miners_.size());
  for (const DriverMiner& m : miners_) endpoints_.push_back(m.at);
}

std::vector<FleetReading> DriverFleet::Sweep() { return Read(endpoints_); }

std::vector<FleetReading> DriverFleet::SweepSome(const std::vector<std::size_t>& miners) {
  std::vector<boost::asio::ip::tcp::endpoint> at;
  at.reserve(miners.size());
  for (std::size_t i : miners) at.push_back(endpoints_[i]);
  return Read(at);
}

std::vector<FleetReading> DriverFleet::Read(const std::vector<boost::asio::ip::tcp::endpoint>& at) {
  const std::vector<cgminer::MinerSummary> summaries = cgminer::SweepSummaries(at, rpc_);
  std::vector<FleetReading> out(summaries.size());
  stats_.swept = summaries.size();
  stats_.answered = 0;
  for (std::size_t i = 0; i < summaries.size(); ++i) {
    const cgminer::MinerSummary& s = summaries[i];
    if (s.state != "ok" || !s.summary) continue;  // silent, hung or lying: counted at its last known power
    out[i].answered = true;
    out[i].hashrate = s.summary->hashrate_5s;
    ++stats_.answered;
  }
  return out;
}

std::vector<bool> DriverFleet::Command(const std::vector<std::size_t>& which, bool sleep) {
  // One call per driver, every miner of it at once.
  std::map<std::string, std::vector<std::size_t>> by_driver;
  for (std::size_t k = 0; k < which.size(); ++k) by_driver[miners_[which[k]].driver].push_back(k);
  std::vector<bool> accepted(which.size(), false);
  MinerCommand command;
  command.kind = sleep ? MinerCommandKind::kSleep : MinerCommandKind::kWake;
  for (const auto& [driver, ks] : by_driver) {
    std::vector<boost::asio::ip::tcp::endpoint> at;
    at.reserve(ks.size());
    for (std::size_t k : ks) at.push_back(endpoints_[which[k]]);
    const std::vector<ControlResult> results =
        driver == luxos_.family() ? CommandFleetWith(luxos_, at, command, rpc_) : CommandFleet(at, command, rpc_, driver);
    for (std::size_t j = 0; j < ks.size() && j < results.size(); ++j) {
      accepted[ks[j]] = results[j].outcome.state == "ok";
    }
  }
  stats_.commanded += which.size();
  for (bool a : accepted) stats_.accepted += a ? 1 : 0;
  return accepted;
}

std::optional<Watts> DriverFleet::SiteMeter() {
  if (!meter_) return std::nullopt;
  Result<Watts> w = meter_->Read(0);
  if (!w.ok()) {
    stats_.meter_error = w.status().message();
    return std::nullopt;
  }
  stats_.meter_error.clear();
  return *w;
}

std::string DriverFleet::name(std::size_t i) const {
  const boost::asio::ip::tcp::endpoint& e = endpoints_[i];
  const std::string host = e.address().is_v6() ? "[" + e.address().to_string() + "]" : e.address().to_string();
  return host + ":" + std::to_string(e.port());
}

}  // namespace mullet
