// Brings the Bitcoin history of a data directory up to date from a Bitcoin
// Core node over JSON-RPC: the source a miner already runs. Complete
// difficulty epochs go to btc_difficulty_epochs.csv; complete UTC days to
// btc_network_daily.csv (blocks, subsidy, a hashrate estimate) and
// btc_fees_daily.csv (fees paid to miners, source "bitcoin-core"). Each file
// is checked by its loader before it replaces the old one.
//
// The node is a peer: every reply is bounded (1 MiB), every call has a
// deadline, and a reply that is not what the call promises is an error that
// names the call; nothing is written unless every call succeeded.

#ifndef MULLET_DATA_BITCOIN_REFRESH_H_
#define MULLET_DATA_BITCOIN_REFRESH_H_

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status/result.h"
#include "core/time/calendar.h"

namespace mullet {

struct RpcEndpoint {
  std::string host = "127.0.0.1";
  std::string port = "8332";
  std::string user_password;  // "user:password" or the cookie file's "__cookie__:..."
  std::chrono::milliseconds timeout{10000};
};

// One JSON-RPC 1.0 call over HTTP/1.1 with basic authentication; `result`
// of the reply, or an error naming the method (connection, HTTP status,
// the node's own error, a reply over 1 MiB or not JSON).
Result<nlohmann::json> CallBitcoinRpc(const RpcEndpoint& node, const std::string& method,
                                      const nlohmann::json& params);

struct BitcoinRefresh {
  int tip_height = 0;
  int epochs_added = 0;
  int network_days_added = 0;
  int fee_days_added = 0;
  std::optional<Date> last_day;  // the last complete UTC day written
};

// Adds what the node has beyond the three files in `dir` (which must exist:
// copy the shared ones first). Days are complete UTC days before the tip's.
Result<BitcoinRefresh> RefreshBitcoinHistory(const RpcEndpoint& node, const std::filesystem::path& dir);

}  // namespace mullet

#endif  // MULLET_DATA_BITCOIN_REFRESH_H_
