#include "data/bitcoin_refresh.h"

#include <openssl/evp.h>

#include <charconv>
#include <cmath>
#include <map>
#include <vector>

#include "core/chain/subsidy.h"
#include "core/text/untrusted_text.h"
#include "data/history.h"
#include "data/http_call.h"
#include "data/staged_file.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;

std::string Base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string Number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// A field of a reply object, checked.
Result<double> Field(const nlohmann::json& reply, const char* key, const std::string& call) {
  if (!reply.is_object() || !reply.contains(key) || !reply[key].is_number()) {
    return Status::DataError(call + ": the node's reply has no number '" + key + "'");
  }
  return reply[key].get<double>();
}

Result<std::string> TextField(const nlohmann::json& reply, const char* key, const std::string& call) {
  if (!reply.is_object() || !reply.contains(key) || !reply[key].is_string()) {
    return Status::DataError(call + ": the node's reply has no text '" + key + "'");
  }
  return reply[key].get<std::string>();
}

struct Header {
  int height = 0;
  UtcTime time;
  std::uint32_t bits = 0;
  double difficulty = 0;
};

Result<Header> HeaderAt(const RpcEndpoint& node, int height) {
  Result<nlohmann::json> hash = CallBitcoinRpc(node, "getblockhash", nlohmann::json::array({height}));
  if (!hash.ok()) return hash.status();
  if (!hash->is_string()) return Status::DataError("getblockhash " + std::to_string(height) + ": not a hash");
  Result<nlohmann::json> h = CallBitcoinRpc(node, "getblockheader", nlohmann::json::array({*hash}));
  if (!h.ok()) return h.status();
  const std::string call = "getblockheader (height " + std::to_string(height) + ")";
  Result<double> time = Field(*h, "time", call);
  Result<double> difficulty = Field(*h, "difficulty", call);
  Result<std::string> bits = TextField(*h, "bits", call);
  if (!time.ok()) return time.status();
  if (!difficulty.ok()) return difficulty.status();
  if (!bits.ok()) return bits.status();
  Header out;
  out.height = height;
  out.time = UtcTime(std::chrono::seconds(static_cast<std::int64_t>(*time)));
  out.difficulty = *difficulty;
  if (std::from_chars(bits->data(), bits->data() + bits->size(), out.bits, 16).ec != std::errc() ||
      !(out.difficulty > 0)) {
    return Status::DataError(call + ": bits '" + *bits + "' or difficulty are not valid");
  }
  return out;
}

}  // namespace

Result<nlohmann::json> CallBitcoinRpc(const RpcEndpoint& node, const std::string& method,
                                      const nlohmann::json& params) {
  const std::string where = "bitcoin node " + node.host + ":" + node.port + ": " + method + ": ";
  HttpPeer peer;
  peer.host = node.host;
  peer.port = node.port;
  peer.timeout = node.timeout;
  peer.max_reply_bytes = 1 << 20;  // a reply over 1 MiB is not one of these calls
  HttpCall call;
  call.method = "POST";
  call.content_type = "application/json";
  if (!node.user_password.empty()) call.authorization = "Basic " + Base64(node.user_password);
  call.body = nlohmann::json{{"jsonrpc", "1.0"}, {"id", "mullet"}, {"method", method}, {"params", params}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  Result<HttpReply> res = CallHttp(peer, call);
  if (!res.ok()) return Status::IoError(where + res.status().message());
  if (res->status == 401) {
    return Status::IoError(where + "the node refused the credentials (401): check --rpc-user/--rpc-password or --rpc-cookie");
  }
  const nlohmann::json reply = CheckJsonDepth(res->body).ok() ? nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false) : nlohmann::json(nlohmann::json::value_t::discarded);
  if (reply.is_discarded() || !reply.is_object()) {
    return Status::DataError(where + "the reply is not a JSON-RPC object (HTTP " + std::to_string(res->status) + ")");
  }
  if (reply.contains("error") && !reply["error"].is_null()) {
    return Status::DataError(where + "the node says " + PeerText(reply["error"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), 300));
  }
  if (!reply.contains("result")) return Status::DataError(where + "the reply has no result");
  return reply["result"];
}

Result<BitcoinRefresh> RefreshBitcoinHistory(const RpcEndpoint& node, const fs::path& dir) {
  const fs::path epochs_file = dir / data_files::kDifficultyEpochs;
  const fs::path network_file = dir / data_files::kNetworkDaily;
  const fs::path fees_file = dir / data_files::kFeesDaily;
  Result<DifficultyEpochs> epochs = LoadDifficultyEpochs(epochs_file);
  if (!epochs.ok()) return epochs.status();
  Result<NetworkDaily> network = LoadNetworkDaily(network_file);
  if (!network.ok()) return network.status();
  Result<FeesDaily> fees = LoadFeesDaily(fees_file);
  if (!fees.ok()) return fees.status();
  if (epochs->epochs.empty() || network->days.empty() || fees->days.empty()) {
    return Status::DataError("the data directory's Bitcoin files must hold at least one row each to refresh from");
  }
  BitcoinRefresh r;
  Result<nlohmann::json> count = CallBitcoinRpc(node, "getblockcount", nlohmann::json::array());
  if (!count.ok()) return count.status();
  if (!count->is_number_integer() || count->get<long long>() < 0 || count->get<long long>() > 100'000'000) {
    return Status::DataError("getblockcount: not a block height: " + count->dump());
  }
  r.tip_height = count->get<int>();

  // Complete epochs after the file's last: start h, end = the time of h + 2016.
  std::string epoch_rows;
  for (int h = static_cast<int>(epochs->epochs.back().start_height) + 2016; h + 2016 <= r.tip_height; h += 2016) {
    Result<Header> start = HeaderAt(node, h);
    if (!start.ok()) return start.status();
    Result<Header> next = HeaderAt(node, h + 2016);
    if (!next.ok()) return next.status();
    const std::int64_t duration = (next->time - start->time).count();
    if (duration <= 0) return Status::DataError("the node's epoch at height " + std::to_string(h) + " does not end after it starts");
    char bits[16];
    std::snprintf(bits, sizeof bits, "0x%08x", start->bits);
    const double hashrate = start->difficulty * 4294967296.0 * 2016 / static_cast<double>(duration);
    epoch_rows += std::to_string(h) + "," + FormatUtc(start->time) + "," + FormatUtc(next->time) + "," +
                  std::to_string(duration) + "," + bits + "," + Number(start->difficulty) + "," + Number(hashrate) +
                  "," + Number(ToBtc(BlockSubsidy(h)).value()) + "\n";
    ++r.epochs_added;
  }

  // Days: from the earlier of the two files' next days to the day before the tip's.
  const Date net_from = network->days.back().date + std::chrono::days(1);
  const Date fee_from = fees->days.back().date + std::chrono::days(1);
  const Date from = std::min(net_from, fee_from);
  Result<Header> tip = HeaderAt(node, r.tip_height);
  if (!tip.ok()) return tip.status();
  const Date tip_day = std::chrono::floor<std::chrono::days>(tip->time);
  struct Day {
    int blocks = 0;
    double subsidy_sats = 0, fee_sats = 0, work = 0;  // work: sum of difficulty x 2^32
  };
  std::map<Date, Day> days;
  std::map<int, double> epoch_difficulty;  // by epoch start height
  if (from < tip_day) {
    // The first height at or after `from`: a binary search on header times
    // (close enough: a block's time may run a little ahead of the next's,
    // and each block is counted on the day its own time falls).
    int lo = 0, hi = r.tip_height;
    while (lo < hi) {
      const int mid = lo + (hi - lo) / 2;
      Result<Header> h = HeaderAt(node, mid);
      if (!h.ok()) return h.status();
      if (h->time < UtcTime(from)) lo = mid + 1; else hi = mid;
    }
    for (int h = std::max(0, lo - 12); h <= r.tip_height; ++h) {
      Result<nlohmann::json> stats = CallBitcoinRpc(node, "getblockstats", nlohmann::json::array({h, nlohmann::json::array({"time", "subsidy", "totalfee"})}));
      if (!stats.ok()) return stats.status();
      const std::string call = "getblockstats " + std::to_string(h);
      Result<double> time = Field(*stats, "time", call);
      Result<double> subsidy = Field(*stats, "subsidy", call);
      Result<double> fee = Field(*stats, "totalfee", call);
      if (!time.ok()) return time.status();
      if (!subsidy.ok()) return subsidy.status();
      if (!fee.ok()) return fee.status();
      const Date day = std::chrono::floor<std::chrono::days>(UtcTime(std::chrono::seconds(static_cast<std::int64_t>(*time))));
      if (day < from || day >= tip_day) continue;
      // The difficulty the block was mined at is its epoch's: one header per
      // epoch, not one per block.
      const int epoch_start = h - h % 2016;
      auto known = epoch_difficulty.find(epoch_start);
      if (known == epoch_difficulty.end()) {
        Result<Header> header = HeaderAt(node, epoch_start);
        if (!header.ok()) return header.status();
        known = epoch_difficulty.emplace(epoch_start, header->difficulty).first;
      }
      Day& d = days[day];
      ++d.blocks;
      d.subsidy_sats += *subsidy;
      d.fee_sats += *fee;
      d.work += known->second * 4294967296.0;
    }
  }
  std::string network_rows, fee_rows;
  for (const auto& [day, d] : days) {
    if (day >= net_from) {
      network_rows += FormatDate(day) + "," + std::to_string(d.blocks) + "," + Number(d.subsidy_sats / 1e8) + "," +
                      Number(d.work / 86400.0) + "\n";
      ++r.network_days_added;
    }
    if (day >= fee_from) {
      fee_rows += FormatDate(day) + "," + Number(d.fee_sats / 1e8) + ",bitcoin-core\n";
      ++r.fee_days_added;
    }
    r.last_day = day;
  }
  // Every call succeeded: now the files, each checked by its loader, and all
  // checked before any replaces its original, so a bad reply leaves all three
  // as they were.
  std::vector<StagedFile> staged;
  if (Status s = StageAppendedChecked(epochs_file, epoch_rows, LoadDifficultyEpochs, staged); !s.ok()) return s;
  if (Status s = StageAppendedChecked(network_file, network_rows, LoadNetworkDaily, staged); !s.ok()) return s;
  if (Status s = StageAppendedChecked(fees_file, fee_rows, LoadFeesDaily, staged); !s.ok()) return s;
  if (Status s = CommitAll(staged); !s.ok()) return s;
  return r;
}

}  // namespace mullet
