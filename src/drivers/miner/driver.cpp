#include "drivers/miner/driver.h"

#include <string>

#include "drivers/braiins/braiins_driver.h"
#include "drivers/luxos/luxos_driver.h"

namespace mullet {
namespace {

// Stock bmminer, cgminer, btminer (read API on 4028), vnish, unknown: reading
// works through cgminer/sweep.h; no command of this interface exists on the port.
class ReadOnlyDriver : public MinerDriver {
 public:
  explicit ReadOnlyDriver(std::string family) : family_(std::move(family)) {}
  std::string_view family() const override { return family_; }
  MinerCapabilities capabilities() const override { return {}; }
  std::uint16_t port() const override { return 4028; }
  void Run(RpcClient&, const boost::asio::ip::tcp::endpoint&, const MinerCommand& command,
           Done done) const override {
    CommandOutcome out;
    out.state = "unsupported";
    out.step = std::string(CommandName(command.kind));
    out.error = family_ + " firmware has no " + out.step + " command on its RPC port";
    done(std::move(out));
  }

 private:
  std::string family_;
};

}  // namespace

std::string_view CommandName(MinerCommandKind k) {
  switch (k) {
    case MinerCommandKind::kSleep:
      return "sleep";
    case MinerCommandKind::kWake:
      return "wake";
    case MinerCommandKind::kSetPower:
      return "set-power";
    case MinerCommandKind::kSetProfile:
      break;
  }
  return "set-profile";
}

const MinerDriver& DriverForFamily(std::string_view family) {
  static const luxos::LuxosDriver kLuxos;
  static const braiins::BraiinsDriver kBraiins;
  static const ReadOnlyDriver kBmminer("bmminer"), kCgminer("cgminer"), kBtminer("btminer"), kVnish("vnish"),
      kUnknown("unknown");
  if (family == kLuxos.family()) return kLuxos;
  if (family == kBraiins.family()) return kBraiins;
  if (family == "bmminer") return kBmminer;
  if (family == "cgminer") return kCgminer;
  if (family == "btminer") return kBtminer;
  if (family == "vnish") return kVnish;
  return kUnknown;
}

}  // namespace mullet
