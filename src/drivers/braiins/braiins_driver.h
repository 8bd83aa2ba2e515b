// Braiins OS+ through its legacy bosminer RPC on TCP 4028 (protocols.md §2.3):
// `pause` and `resume` (replies PAUSE / RESUME). Its power target lives in the
// gRPC API on port 50051 (PerformanceService/SetPowerTarget), which this
// driver does not speak: set-power and profiles are "unsupported" here.

#ifndef MULLET_DRIVERS_BRAIINS_BRAIINS_DRIVER_H_
#define MULLET_DRIVERS_BRAIINS_BRAIINS_DRIVER_H_

#include "drivers/miner/driver.h"

namespace mullet::braiins {

class BraiinsDriver : public MinerDriver {
 public:
  std::string_view family() const override { return "bosminer"; }
  MinerCapabilities capabilities() const override { return {.sleep = true, .reports_power = true}; }
  std::uint16_t port() const override { return 4028; }
  void Run(RpcClient& client, const boost::asio::ip::tcp::endpoint& at, const MinerCommand& command,
           Done done) const override;
};

}  // namespace mullet::braiins

#endif  // MULLET_DRIVERS_BRAIINS_BRAIINS_DRIVER_H_
