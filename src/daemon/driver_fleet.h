// The FleetIo of a real site: miners through the drivers, the site meter over
// Modbus. A sweep is one `summary` to every miner at once (cgminer/sweep.h);
// sleep and wake go through each group's firmware driver, every miner at once
// (miner/fleet_control.h); each request has the deadline of `rpc`, so a hung
// or lying miner costs its own deadline and never stalls the tick. LuxOS
// miners keep their sessions between commands (luxos/luxos_driver.h: one or
// two connections a command instead of three).
//
// Thread safety: a DriverFleet belongs to the control loop's thread.

#ifndef MULLET_DAEMON_DRIVER_FLEET_H_
#define MULLET_DAEMON_DRIVER_FLEET_H_

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/control_loop.h"
#include "drivers/luxos/luxos_driver.h"
#include "drivers/modbus/power_meter.h"
#include "drivers/transport/rpc_client.h"

namespace mullet {

struct DriverMiner {
  boost::asio::ip::tcp::endpoint at;
  std::string driver;  // "luxminer", "bosminer"; "" asks the miner (`version`) first
};

// What a sweep, a command or a meter read found wrong, for the log.
struct FleetIoStats {
  std::size_t swept = 0, answered = 0;
  std::size_t commanded = 0, accepted = 0;
  std::string meter_error;  // the last meter read's failure; "" when it read
};

class DriverFleet : public FleetIo {
 public:
  // `meter`: the interconnect meter, its first channel; none without one.
  DriverFleet(std::vector<DriverMiner> miners, RpcOptions rpc, std::optional<modbus::PowerMeter> meter);

  std::size_t size() const override { return miners_.size(); }
  std::vector<FleetReading> Sweep() override;
  std::vector<FleetReading> SweepSome(const std::vector<std::size_t>& miners) override;
  std::vector<bool> Command(const std::vector<std::size_t>& miners, bool sleep) override;
  std::optional<Watts> SiteMeter() override;
  // Its address and port: a target row names the miner it was written for.
  std::string name(std::size_t i) const override;

  const FleetIoStats& stats() const { return stats_; }

 private:
  std::vector<FleetReading> Read(const std::vector<boost::asio::ip::tcp::endpoint>& at);

  std::vector<DriverMiner> miners_;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints_;
  RpcOptions rpc_;
  std::optional<modbus::PowerMeter> meter_;
  std::shared_ptr<luxos::SessionKeeper> sessions_ = std::make_shared<luxos::SessionKeeper>();
  luxos::LuxosDriver luxos_{sessions_};
  FleetIoStats stats_;
};

}  // namespace mullet

#endif  // MULLET_DAEMON_DRIVER_FLEET_H_
