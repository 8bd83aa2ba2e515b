#include "emulate/fleet.h"

#include "core/asic/catalog.h"
#include "emulate/rpc_replies.h"
#include "emulate/whatsminer_v3.h"

namespace mullet {
namespace {

namespace asio = boost::asio;

// splitmix64: a deterministic draw per (seed, miner, purpose).
double Draw(std::uint64_t seed, std::uint64_t miner, std::uint64_t purpose) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (miner * 8 + purpose + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) / static_cast<double>(1ULL << 53);
}

// The fault plan of miner `i`, and its name for the listing.
std::pair<FaultPlan, std::string> PlanFor(const FleetOptions& o, std::size_t i) {
  FaultPlan p;
  if (Draw(o.seed, i, 0) < o.hang_share) {
    p.hang = 1;
    return {p, "hang"};
  }
  if (Draw(o.seed, i, 1) < o.reset_share) {
    p.reset = 1;
    return {p, "reset"};
  }
  if (Draw(o.seed, i, 2) < o.slow_share) {
    p.slow = 1;
    return {p, "slow"};
  }
  if (Draw(o.seed, i, 3) < o.malformed_share) {
    const Quirk q = kAllQuirks[static_cast<std::size_t>(Draw(o.seed, i, 4) * kQuirkCount) % kQuirkCount];
    return {AlwaysQuirk(q), "malformed:" + std::string(QuirkName(q))};
  }
  if (Draw(o.seed, i, 5) < o.misreport_share) {
    p.power_misreport_fraction = o.misreport_fraction;
    return {p, "misreport"};
  }
  return {p, ""};
}

ReplyPlan ToPlan(ReplyAction a) {
  switch (a.delivery) {
    case Delivery::kSend:
      return {ReplyPlan::Kind::kSend, std::move(a.bytes), Seconds(0)};
    case Delivery::kSlow:
      return {ReplyPlan::Kind::kSend, std::move(a.bytes), a.delay};
    case Delivery::kHang:
      return {ReplyPlan::Kind::kHang, "", Seconds(0)};
    case Delivery::kReset:
      break;
  }
  return {ReplyPlan::Kind::kReset, "", Seconds(0)};
}

}  // namespace

EmulatedFleet::EmulatedFleet(asio::io_context& io, Clock clock)
    : clock_(std::move(clock)),
      server_(io, [this](std::size_t i, std::string_view request) {
        return ToPlan(Reply(miners_[i], request, clock_(), faults_[i]));
      }),
      v3_server_(io, [this](std::size_t i, std::string_view payload, bool too_large) {
        if (too_large) return V3TooLargeReply(v3_server_.max_payload, clock_());
        return V3Reply(miners_[i], payload, clock_(), v3_auth_[i], faults_[i]);
      }) {}

std::optional<asio::ip::tcp::endpoint> EmulatedFleet::v3_endpoint(std::size_t i) const {
  if (!v3_listener_.at(i)) return std::nullopt;
  return v3_server_.endpoint(*v3_listener_[i]);
}

Result<std::unique_ptr<EmulatedFleet>> EmulatedFleet::Start(asio::io_context& io, const FleetOptions& o,
                                                            Clock clock) {
  boost::system::error_code ec;
  const asio::ip::address_v4 first = asio::ip::make_address_v4(o.first_address, ec);
  if (ec) return Status::InvalidArgument("'" + o.first_address + "' is not an IPv4 address");
  const std::vector<AsicModel> models = o.models.empty() ? BuiltInAsicModels() : o.models;
  const std::vector<FirmwareFamily> families =
      o.families.empty() ? std::vector<FirmwareFamily>{FirmwareFamily::kBmminer} : o.families;
  // A miner's model fits its firmware, as on a real site: MicroBT's
  // Whatsminers run btminer, never bmminer, LuxOS or BOS (a client such as
  // pyasic identifies a miner by the pair). Each family cycles through its
  // own models; a family with none takes any.
  std::vector<AsicModel> whatsminers, others;
  for (const AsicModel& m : models) {
    (m.brand == "MicroBT" || m.name.starts_with("Whatsminer") ? whatsminers : others).push_back(m);
  }
  const auto model_for = [&](FirmwareFamily family, std::size_t g) -> const AsicModel& {
    const std::vector<AsicModel>& own = family == FirmwareFamily::kWhatsminerV3 ? whatsminers : others;
    const std::vector<AsicModel>& pool = own.empty() ? models : own;
    return pool[(g / families.size()) % pool.size()];
  };
  std::unique_ptr<EmulatedFleet> fleet(new EmulatedFleet(io, std::move(clock)));
  const UtcTime now = fleet->clock_();
  fleet->miners_.reserve(o.miners);
  for (std::size_t i = 0; i < o.miners; ++i) {
    const asio::ip::address_v4 addr(first.to_uint() + static_cast<std::uint32_t>(i));
    const std::size_t g = o.first_index + i;  // the miner's index in the whole fleet
    MinerOptions m;
    m.family = families[g % families.size()];
    m.model = model_for(m.family, g);
    m.id = addr.to_string();
    m.seed = o.seed * 1000003 + g;
    m.ambient_c = o.ambient_c;
    m.start = now;
    m.uptime_at_start = Seconds(3600 + 97 * (g % 1000));
    if (o.ramp_down || o.ramp_up) {
      RampTimes r = DefaultRampTimes(m.family);
      r.down = o.ramp_down.value_or(r.down);
      r.up = o.ramp_up.value_or(r.up);
      m.ramps = r;
    }
    Result<EmulatedMiner> miner = EmulatedMiner::Create(m);
    if (!miner.ok()) return Status::InvalidArgument("miner " + m.id + ": " + miner.status().message());
    fleet->miners_.push_back(std::move(miner).value());
    auto [plan, name] = PlanFor(o, g);
    fleet->faults_.push_back(plan);
    fleet->fault_names_.push_back(name);
    fleet->v3_auth_.push_back({o.v3_password, V3Salt(fleet->miners_.back()), Seconds(60)});
  }
  for (std::size_t i = 0; i < o.miners; ++i) {
    const asio::ip::address_v4 addr(first.to_uint() + static_cast<std::uint32_t>(i));
    Status s = fleet->server_.Listen(i, asio::ip::tcp::endpoint(addr, o.port));
    if (!s.ok()) return s;
    fleet->v3_listener_.emplace_back();
    if (fleet->miners_[i].family() != FirmwareFamily::kWhatsminerV3) continue;
    fleet->v3_listener_.back() = fleet->v3_server_.listeners();
    s = fleet->v3_server_.Listen(i, asio::ip::tcp::endpoint(addr, o.v3_port));
    if (!s.ok()) return s;
  }
  return fleet;
}

std::string EmulatedFleet::range() const {
  if (miners_.empty()) return "";
  return endpoint(0).address().to_string() + "-" + endpoint(miners_.size() - 1).address().to_string();
}

}  // namespace mullet
