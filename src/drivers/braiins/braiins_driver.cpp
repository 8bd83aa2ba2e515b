#include "drivers/braiins/braiins_driver.h"

#include "drivers/cgminer/exchange.h"

namespace mullet::braiins {

void BraiinsDriver::Run(RpcClient& client, const boost::asio::ip::tcp::endpoint& at, const MinerCommand& command,
                        Done done) const {
  if (command.kind != MinerCommandKind::kSleep && command.kind != MinerCommandKind::kWake) {
    CommandOutcome out;
    out.state = "unsupported";
    out.step = std::string(CommandName(command.kind));
    out.error = "Braiins OS+ sets power targets through its gRPC API (port 50051), not on port 4028";
    return done(std::move(out));
  }
  const std::string verb = command.kind == MinerCommandKind::kSleep ? "pause" : "resume";
  cgminer::Exchange(client, at, verb, "", [verb, done = std::move(done)](cgminer::ExchangeResult r) {
    CommandOutcome out;
    out.step = verb;
    out.state = r.ok ? "ok" : r.state;
    out.error = r.error;
    done(std::move(out));
  });
}

}  // namespace mullet::braiins
