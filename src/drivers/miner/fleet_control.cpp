#include "drivers/miner/fleet_control.h"

#include <chrono>

#include "drivers/cgminer/exchange.h"
#include "drivers/cgminer/reply.h"

namespace mullet {
namespace {

using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

void RunDriver(const MinerDriver& driver, RpcClient& client, ControlResult* out, const MinerCommand& command,
               Clock::time_point start) {
  driver.Run(client, out->at, command, [out, start](CommandOutcome o) {
    out->outcome = std::move(o);
    out->elapsed = Clock::now() - start;
  });
}

// A device whose driver threw has no outcome: it is an error, named.
void MarkUnfinished(const RpcClient& client, std::vector<ControlResult>& results) {
  for (ControlResult& r : results) {
    if (!r.outcome.state.empty()) continue;
    r.outcome.state = "error";
    r.outcome.error = client.FailureAt(r.at);
  }
}

}  // namespace

std::vector<ControlResult> CommandFleet(const std::vector<tcp::endpoint>& miners, const MinerCommand& command,
                                        const RpcOptions& options, const std::string& family) {
  boost::asio::io_context io;
  RpcClient client(io, options);
  std::vector<ControlResult> results(miners.size());
  for (std::size_t i = 0; i < miners.size(); ++i) {
    ControlResult* out = &results[i];
    out->at = miners[i];
    const Clock::time_point start = Clock::now();
    if (!family.empty()) {
      out->family = family;
      RunDriver(DriverForFamily(out->family), client, out, command, start);
      continue;
    }
    cgminer::Exchange(client, out->at, "version", "", [&client, out, command, start](cgminer::ExchangeResult r) {
      if (r.ok) {
        Result<cgminer::VersionReading> v = cgminer::ReadVersion(r.reply);
        if (v.ok()) {
          out->family = v->firmware_family;
          return RunDriver(DriverForFamily(out->family), client, out, command, start);
        }
        r.state = "bad-reply";
        r.error = v.status().message();
      }
      out->outcome.state = r.state;
      out->outcome.step = "version";
      out->outcome.error = r.error;
      out->elapsed = Clock::now() - start;
    });
  }
  io.run();
  MarkUnfinished(client, results);
  return results;
}

std::vector<ControlResult> CommandFleetWith(const MinerDriver& driver, const std::vector<tcp::endpoint>& miners,
                                            const MinerCommand& command, RpcOptions options) {
  options.framing = driver.framing();
  boost::asio::io_context io;
  RpcClient client(io, options);
  std::vector<ControlResult> results(miners.size());
  for (std::size_t i = 0; i < miners.size(); ++i) {
    results[i].at = miners[i];
    results[i].family = std::string(driver.family());
    RunDriver(driver, client, &results[i], command, Clock::now());
  }
  io.run();
  MarkUnfinished(client, results);
  return results;
}

}  // namespace mullet
