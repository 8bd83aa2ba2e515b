#include "drivers/cgminer/sweep.h"

#include <algorithm>

#include "drivers/cgminer/exchange.h"
#include "drivers/cgminer/summary_scan.h"

namespace mullet::cgminer {
namespace {

using tcp = boost::asio::ip::tcp;

// Parses the bytes into `m` (state, error, quirks); the JSON when it is good.
std::optional<nlohmann::json> ParseInto(MinerSummary& m, const RpcReply& reply) {
  m.elapsed += reply.elapsed;
  if (std::string state = TransportState(reply); !state.empty()) {
    m.state = state;
    m.error = state == "closed" ? "the miner closed the connection without a reply" : reply.error;
    return std::nullopt;
  }
  Result<ParsedReply> parsed = ParseReply(reply.bytes);
  if (!parsed.ok()) {
    m.state = "bad-reply";
    m.error = parsed.status().message();
    return std::nullopt;
  }
  // The trailing NUL is cgminer's framing (api.c sends strlen + 1), not a fault.
  for (ReplyQuirk q : parsed->quirks) {
    if (q != ReplyQuirk::kTrailingNul && std::find(m.quirks.begin(), m.quirks.end(), q) == m.quirks.end())
      m.quirks.push_back(q);
  }
  return std::move(parsed->json);
}

void ReadSummaryInto(MinerSummary& m, const nlohmann::json& reply) {
  if (Status s = CheckStatus(reply); !s.ok()) {
    m.state = s.code() == StatusCode::kDataError ? "bad-reply" : "error-status";
    m.error = s.message();
    return;
  }
  Result<SummaryReading> summary = ReadSummary(reply);
  if (!summary.ok()) {
    m.state = "bad-reply";
    m.error = summary.status().message();
    return;
  }
  m.state = "ok";
  m.summary = *summary;
}

// The devs part never changes the miner's state: a miner hashing with an odd
// devs reply is still "ok"; devs_error says what was wrong.
void ReadDevsInto(MinerSummary& m, const nlohmann::json& reply) {
  if (Status s = CheckStatus(reply); !s.ok()) {
    m.devs_error = s.message();
    return;
  }
  Result<std::vector<DevReading>> devs = ReadDevs(reply);
  if (!devs.ok()) {
    m.devs_error = devs.status().message();
    return;
  }
  m.devs = std::move(*devs);
}

// True when the reply is one E status for an unknown command: the firmware
// does not join commands.
bool RefusedMultiCommand(const nlohmann::json& reply) {
  Result<StatusReading> s = ReadStatus(reply);
  return s.ok() && (s->status == "E" || s->status == "F") && s->code == 14;
}

}  // namespace

MinerSummary ClassifySummary(const tcp::endpoint& at, const RpcReply& reply) {
  MinerSummary m;
  m.at = at;
  // A healthy miner's reply is read without building its JSON document; any
  // other (a repair, an error status, an odd shape) takes the full path,
  // which gives the same reading where both can read it.
  if (TransportState(reply).empty()) {
    if (std::optional<SummaryReading> fast = internal::ScanSummary(reply.bytes)) {
      m.elapsed += reply.elapsed;
      m.state = "ok";
      m.summary = *fast;
      return m;
    }
  }
  if (std::optional<nlohmann::json> json = ParseInto(m, reply)) ReadSummaryInto(m, *json);
  return m;
}

std::vector<MinerSummary> SweepSummaries(const std::vector<tcp::endpoint>& miners, const RpcOptions& options) {
  const std::vector<RpcReply> replies = RequestAll(miners, EncodeRequest("summary"), options);
  std::vector<MinerSummary> out;
  out.reserve(miners.size());
  for (size_t i = 0; i < miners.size(); ++i) out.push_back(ClassifySummary(miners[i], replies[i]));
  return out;
}

std::vector<MinerSummary> SweepStatus(const std::vector<tcp::endpoint>& miners, const RpcOptions& options) {
  boost::asio::io_context io;
  RpcClient client(io, options);
  std::vector<MinerSummary> out(miners.size());
  for (std::size_t i = 0; i < miners.size(); ++i) {
    MinerSummary* m = &out[i];
    m->at = miners[i];
    client.Send(m->at, EncodeRequest("summary+devs"), [m, &client](RpcReply r) {
      std::optional<nlohmann::json> json = ParseInto(*m, r);
      if (!json) return;
      if (RefusedMultiCommand(*json)) {
        m->single_commands = true;
        client.Send(m->at, EncodeRequest("summary"), [m, &client](RpcReply s) {
          std::optional<nlohmann::json> sj = ParseInto(*m, s);
          if (!sj) return;
          ReadSummaryInto(*m, *sj);
          if (m->state != "ok") return;
          client.Send(m->at, EncodeRequest("devs"), [m](RpcReply d) {
            MinerSummary scratch;  // a failed devs read leaves the miner "ok"
            std::optional<nlohmann::json> dj = ParseInto(scratch, d);
            m->elapsed += scratch.elapsed;
            if (!dj) {
              m->devs_error = "devs: " + scratch.state + ": " + scratch.error;
              return;
            }
            ReadDevsInto(*m, *dj);
          });
        });
        return;
      }
      Result<nlohmann::json> summary = CommandReply(*json, "summary");
      if (!summary.ok()) {
        m->state = "bad-reply";
        m->error = summary.status().message();
        return;
      }
      ReadSummaryInto(*m, *summary);
      if (Result<nlohmann::json> devs = CommandReply(*json, "devs"); devs.ok()) {
        ReadDevsInto(*m, *devs);
      } else {
        m->devs_error = devs.status().message();
      }
    });
  }
  io.run();
  for (MinerSummary& m : out) {
    if (!m.state.empty()) continue;
    m.state = "error";
    m.error = client.FailureAt(m.at);
  }
  return out;
}

namespace {

// One part of the details: the parsed reply's JSON, or why not (into `error`).
std::optional<nlohmann::json> DetailReply(const RpcReply& reply, const char* command, std::string* error) {
  MinerSummary scratch;
  std::optional<nlohmann::json> j = ParseInto(scratch, reply);
  if (!j) {
    *error = std::string(command) + ": " + scratch.state + ": " + scratch.error;
    return std::nullopt;
  }
  if (Status s = CheckStatus(*j); !s.ok()) {
    *error = std::string(command) + ": " + s.message();
    return std::nullopt;
  }
  return j;
}

}  // namespace

std::vector<MinerDetails> SweepDetails(const std::vector<tcp::endpoint>& miners, const RpcOptions& options) {
  boost::asio::io_context io;
  RpcClient client(io, options);
  std::vector<MinerDetails> out(miners.size());
  for (std::size_t i = 0; i < miners.size(); ++i) {
    MinerDetails* d = &out[i];
    const tcp::endpoint at = miners[i];
    client.Send(at, EncodeRequest("stats"), [d, at, &client](RpcReply r) {
      bool luxos = false;
      if (std::optional<nlohmann::json> j = DetailReply(r, "stats", &d->stats_error)) {
        Result<StatsReading> stats = ReadStats(*j);
        if (stats.ok()) {
          d->stats = std::move(*stats);
        } else {
          d->stats_error = "stats: " + stats.status().message();
        }
        Result<StatusReading> status = ReadStatus(*j);
        luxos = status.ok() && status->description.rfind("LUXminer", 0) == 0;
      }
      if (luxos && !(d->stats && d->stats->power)) {
        client.Send(at, EncodeRequest("power"), [d](RpcReply p) {
          if (std::optional<nlohmann::json> j = DetailReply(p, "power", &d->power_error)) {
            Result<Watts> w = ReadPower(*j);
            if (w.ok()) {
              d->power = *w;
            } else {
              d->power_error = w.status().message();
            }
          }
        });
      }
      client.Send(at, EncodeRequest("pools"), [d](RpcReply p) {
        if (std::optional<nlohmann::json> j = DetailReply(p, "pools", &d->pools_error)) {
          Result<std::vector<PoolReading>> pools = ReadPools(*j);
          if (pools.ok()) {
            d->pools = std::move(*pools);
          } else {
            d->pools_error = "pools: " + pools.status().message();
          }
        }
      });
    });
  }
  io.run();
  return out;
}

}  // namespace mullet::cgminer
