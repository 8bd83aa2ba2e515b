// A fleet of emulated miners on consecutive loopback addresses (127.x.y.z,
// port 4028), each with its own state, answering the real RPC protocols with
// the faults its plan asks for. Whatsminer miners also answer API V3 on the
// same address, port 4433. The network side is RpcServer and
// WhatsminerV3Server; the clock is the caller's, so tests can drive time.

#ifndef MULLET_EMULATE_FLEET_H_
#define MULLET_EMULATE_FLEET_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulate/faults.h"
#include "emulate/miner.h"
#include "emulate/rpc_server.h"
#include "emulate/whatsminer_v3_server.h"

namespace mullet {

struct FleetOptions {
  std::size_t miners = 10;
  // The index of this fleet's first miner in a larger fleet run as several
  // processes (shards): models, families, seeds and faults follow the global
  // index, so a sharded fleet is the same fleet as an unsharded one.
  std::size_t first_index = 0;
  std::string first_address = "127.1.0.1";  // miners take consecutive addresses from here
  std::uint16_t port = 4028;
  std::vector<AsicModel> models;             // cycled over the miners; default: the built-in catalog
  std::vector<FirmwareFamily> families;      // cycled; default: bmminer
  double ambient_c = 25;
  std::uint64_t seed = 1;
  // Shares of the fleet (0-1) that show a fault on every reply; which miners
  // is decided by the seed. A malformed miner shows one JSON quirk.
  double hang_share = 0;
  double reset_share = 0;
  double slow_share = 0;
  double malformed_share = 0;
  double misreport_share = 0;       // report wattage off by misreport_fraction
  double misreport_fraction = 0.1;
  // Whatsminer API V3 (kWhatsminerV3 miners only): the port beside 4028, and
  // the "super" password every such miner checks write tokens against. Each
  // miner's salt comes from its seed (V3Salt).
  std::uint16_t v3_port = 4433;
  std::string v3_password = "super";
  // Every miner's ramp to sleep and back to hashing, in place of its
  // family's (DefaultRampTimes); none: the family's. A benchmark sets 0 to
  // time the controller alone, without the firmware's ramp.
  std::optional<Seconds> ramp_down, ramp_up;
};

class EmulatedFleet {
 public:
  using Clock = std::function<UtcTime()>;

  // Creates the miners and starts listening. Fails naming the first address
  // that cannot be bound (another process on it, or out of file descriptors).
  static Result<std::unique_ptr<EmulatedFleet>> Start(boost::asio::io_context& io, const FleetOptions& options,
                                                      Clock clock);

  std::size_t size() const { return miners_.size(); }
  EmulatedMiner& miner(std::size_t i) { return miners_[i]; }
  const FaultPlan& faults(std::size_t i) const { return faults_[i]; }
  std::string fault_name(std::size_t i) const { return fault_names_[i]; }  // "" = healthy
  boost::asio::ip::tcp::endpoint endpoint(std::size_t i) const { return server_.endpoint(i); }
  // The API V3 address of miner `i`; none unless it is a Whatsminer.
  std::optional<boost::asio::ip::tcp::endpoint> v3_endpoint(std::size_t i) const;
  // The salt and password miner `i` checks V3 write tokens against.
  const V3Auth& v3_auth(std::size_t i) const { return v3_auth_[i]; }
  // "127.1.0.1-127.1.3.232", for `mullet fleet status`.
  std::string range() const;

 private:
  EmulatedFleet(boost::asio::io_context& io, Clock clock);

  Clock clock_;
  std::vector<EmulatedMiner> miners_;
  std::vector<FaultPlan> faults_;
  std::vector<std::string> fault_names_;
  RpcServer server_;
  std::vector<V3Auth> v3_auth_;
  std::vector<std::optional<std::size_t>> v3_listener_;  // miner -> index in v3_server_
  WhatsminerV3Server v3_server_;
};

}  // namespace mullet

#endif  // MULLET_EMULATE_FLEET_H_
