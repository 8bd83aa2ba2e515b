#include "drivers/cgminer/exchange.h"

#include "drivers/cgminer/reply.h"

namespace mullet::cgminer {

std::string TransportState(const RpcReply& r) {
  switch (r.outcome) {
    case RpcOutcome::kReply:
      return r.bytes.empty() ? "closed" : "";
    case RpcOutcome::kTimeout:
      return "timeout";
    case RpcOutcome::kRefused:
      return "refused";
    case RpcOutcome::kReset:
      return "reset";
    case RpcOutcome::kClosedEarly:
      return "closed";
    case RpcOutcome::kTooLarge:
    case RpcOutcome::kOtherError:
      break;
  }
  return "error";
}

ExchangeResult ClassifyReply(const RpcReply& r) {
  ExchangeResult out;
  if (std::string state = TransportState(r); !state.empty()) {
    out.state = state;
    out.error = state == "closed" ? "the miner closed the connection without a reply" : r.error;
    return out;
  }
  Result<ParsedReply> parsed = ParseReply(r.bytes);
  if (!parsed.ok()) {
    out.state = "bad-reply";
    out.error = parsed.status().message();
    return out;
  }
  if (Status s = CheckStatus(parsed->json); !s.ok()) {
    out.state = s.code() == StatusCode::kDataError ? "bad-reply" : "error-status";
    out.error = s.message();
    return out;
  }
  out.ok = true;
  out.reply = std::move(parsed->json);
  return out;
}

void Exchange(RpcClient& client, const boost::asio::ip::tcp::endpoint& at, const std::string& command,
              const std::string& parameter, std::function<void(ExchangeResult)> done) {
  client.Send(at, EncodeRequest(command, parameter),
              [done = std::move(done)](RpcReply r) { done(ClassifyReply(r)); });
}

}  // namespace mullet::cgminer
