// `mullet serve --emulate N`: the site's plant on loopback, in the daemon's
// own process, so a newcomer sees a live site in one command. N emulated
// LuxOS miners shaped like the site's groups (each group's model, N shared
// out in proportion to the groups' counts); each AI tenant's GPUs as fake
// 8-GPU H100 nodes (drivers/gpu/fake_gpu_node.h) drawing the tenant's IT
// load (contracted IT x load factor, or a cloud's nodes x power) until
// capped; and a Modbus TCP meter at the interconnect that reads what the
// miners and the GPUs truly draw, with cooling. The daemon reaches the
// miners and the meter through its real drivers, and the GPU nodes through
// the GpuNode interface it drives nvidia-smi with: the emulator is the
// plant, not a shortcut.
//
// Thread safety: the plant runs on its own thread (its io_context); the
// accessors below are fixed after Start and may be read from any thread.

#ifndef MULLET_DAEMON_EMULATED_SITE_H_
#define MULLET_DAEMON_EMULATED_SITE_H_

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/status/result.h"
#include "daemon/control_loop.h"
#include "daemon/driver_fleet.h"
#include "drivers/gpu/gpu_node.h"
#include "site/site.h"

namespace mullet {

struct EmulatedSiteOptions {
  std::size_t miners = 1000;
  std::string first_address = "127.3.0.1";  // miners take consecutive loopback addresses from here
  std::uint64_t seed = 1;
  // Shares of the miners that misbehave on every request (emulate/fleet.h):
  // hang (accept, never answer), reset, malformed JSON.
  double hang_share = 0, reset_share = 0, malformed_share = 0;
};

class EmulatedSite {
 public:
  // InvalidArgument when the site has no miner groups or N is 0 or above
  // 200,000; IoError naming the address that cannot be bound.
  static Result<std::unique_ptr<EmulatedSite>> Start(const Site& site, const EmulatedSiteOptions& options);
  ~EmulatedSite();
  EmulatedSite(const EmulatedSite&) = delete;
  EmulatedSite& operator=(const EmulatedSite&) = delete;

  // The site with each group's count set to its emulated miners.
  const Site& site() const { return site_; }
  // Every miner with its group (site.miners index), in fleet order.
  const std::vector<DriverMiner>& miners() const { return miners_; }
  const std::vector<std::size_t>& groups() const { return groups_; }
  // Each miner's fault ("hang", ...; "" when healthy), in fleet order.
  const std::vector<std::string>& faults() const { return faults_; }
  // The interconnect meter: one feeder, facility watts as float32 ABCD at
  // holding register 0 (src/emulate/README.md, "Meters").
  boost::asio::ip::tcp::endpoint meter() const { return meter_; }
  std::string range() const;  // "127.3.0.1-127.3.3.232"
  // The AI tenants' fake GPU nodes, for ControlLoop::SetFirmGpuNodes: each
  // named "emulated:TENANT/K", kept alive by gpu_owners() (same order). A
  // tenant's GPUs each draw 600 W at most (of an H100's 200-700 W range),
  // as many as its IT load needs, 8 to a node. Safe to call from any thread.
  const std::vector<FirmGpuNode>& gpu_nodes() const { return gpu_nodes_; }
  const std::vector<std::shared_ptr<GpuNode>>& gpu_owners() const { return gpu_owners_; }

  struct Plant;  // the io_context, its thread, the fleets and the meter server

 private:
  EmulatedSite() = default;
  Site site_;
  std::vector<DriverMiner> miners_;
  std::vector<std::size_t> groups_;
  std::vector<std::string> faults_;
  boost::asio::ip::tcp::endpoint meter_;
  std::vector<FirmGpuNode> gpu_nodes_;
  std::vector<std::shared_ptr<GpuNode>> gpu_owners_;
  std::unique_ptr<Plant> plant_;
};

// N shared out over `counts` in proportion (largest remainder), each group
// that has units getting at least one while N allows. Pure.
std::vector<int> ShareOut(std::size_t n, const std::vector<int>& counts);

}  // namespace mullet

#endif  // MULLET_DAEMON_EMULATED_SITE_H_
