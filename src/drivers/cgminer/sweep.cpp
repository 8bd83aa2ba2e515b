#include "drivers/cgminer/sweep.h"

namespace mullet::cgminer {

MinerSummary ClassifySummary(const boost::asio::ip::tcp::endpoint& at, const RpcReply& reply) {
  MinerSummary m;
  m.at = at;
  m.elapsed = reply.elapsed;
  if (reply.outcome != RpcOutcome::kReply) {
    m.state = reply.outcome == RpcOutcome::kTimeout ? "timeout"
              : reply.outcome == RpcOutcome::kRefused ? "refused"
              : reply.outcome == RpcOutcome::kReset   ? "reset"
                                                      : "error";
    m.error = reply.error;
    return m;
  }
  if (reply.bytes.empty()) {
    m.state = "closed";
    m.error = "the miner closed the connection without a reply";
    return m;
  }
  Result<ParsedReply> parsed = ParseReply(reply.bytes);
  if (!parsed.ok()) {
    m.state = "bad-reply";
    m.error = parsed.status().message();
    return m;
  }
  // The trailing NUL is cgminer's framing (api.c sends strlen + 1), not a fault.
  for (ReplyQuirk q : parsed->quirks) {
    if (q != ReplyQuirk::kTrailingNul) m.quirks.push_back(q);
  }
  if (Status s = CheckStatus(parsed->json); !s.ok()) {
    m.state = s.code() == StatusCode::kDataError ? "bad-reply" : "error-status";
    m.error = s.message();
    return m;
  }
  Result<SummaryReading> summary = ReadSummary(parsed->json);
  if (!summary.ok()) {
    m.state = "bad-reply";
    m.error = summary.status().message();
    return m;
  }
  m.state = "ok";
  m.summary = *summary;
  return m;
}

std::vector<MinerSummary> SweepSummaries(const std::vector<boost::asio::ip::tcp::endpoint>& miners,
                                         const RpcOptions& options) {
  const std::vector<RpcReply> replies = RequestAll(miners, EncodeRequest("summary"), options);
  std::vector<MinerSummary> out;
  out.reserve(miners.size());
  for (size_t i = 0; i < miners.size(); ++i) out.push_back(ClassifySummary(miners[i], replies[i]));
  return out;
}

}  // namespace mullet::cgminer
