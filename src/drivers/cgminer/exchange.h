// One cgminer-family request and its verdict: send, parse with the quirk
// repairs, check STATUS. A command sequence (logon, curtail, logoff) is a chain
// of these, each started from the previous one's callback.

#ifndef MULLET_DRIVERS_CGMINER_EXCHANGE_H_
#define MULLET_DRIVERS_CGMINER_EXCHANGE_H_

#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "drivers/transport/rpc_client.h"

namespace mullet::cgminer {

// The state name of a transport failure ("timeout", "refused", "reset",
// "closed" for a reply of no bytes, "error"), or "" when a reply arrived.
std::string TransportState(const RpcReply& r);

// What one request gave: either the parsed, STATUS-checked reply, or a failure
// with the state names of sweep.h ("bad-reply", "error-status", transport ones).
struct ExchangeResult {
  bool ok = false;
  nlohmann::json reply;  // when ok
  std::string state;     // when not ok
  std::string error;
};

// Classifies the bytes of one reply (pure).
ExchangeResult ClassifyReply(const RpcReply& r);

// Sends `command` with `parameter` and calls `done` once with the verdict.
void Exchange(RpcClient& client, const boost::asio::ip::tcp::endpoint& at, const std::string& command,
              const std::string& parameter, std::function<void(ExchangeResult)> done);

}  // namespace mullet::cgminer

#endif  // MULLET_DRIVERS_CGMINER_EXCHANGE_H_
