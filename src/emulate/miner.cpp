#include "emulate/miner.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <chrono>
#include <cmath>
#include <utility>

namespace mullet {
namespace {

// Seed streams: one constant per kind of draw, so that adding a draw of one
// kind never shifts the values of another.
constexpr std::uint64_t kUnitStream = 0x756e6974;     // "unit"
constexpr std::uint64_t kBoardStream = 0x626f6172;    // "boar"
constexpr std::uint64_t kFanStream = 0x66616e73;      // "fans"
constexpr std::uint64_t kNoiseStream = 0x6e6f6973;    // "nois"
constexpr std::uint64_t kPoolStream = 0x706f6f6c;     // "pool"
constexpr std::uint64_t kSessionStream = 0x73657373;  // "sess"

constexpr std::array<int, 4> kRollingWindows = {60, 300, 900, 1800};

// Profiles derived from the model (LuxOS-style names; LuxOS's own ladder is
// frequency steps, protocols.md §2.2): fraction of nameplate power.
constexpr std::array<std::pair<const char*, double>, 3> kProfiles = {
    {{"eco", 0.8}, {"default", 1.0}, {"turbo", 1.1}}};
constexpr double kNominalFrequencyMhz = 500;  // illustrative
constexpr double kNominalVoltage = 13.2;      // illustrative, volts at the PSU rail

double Clamp01(double x) { return std::clamp(x, 0.0, 1.0); }
double Seconds01(UtcTime a, UtcTime b) { return static_cast<double>((b - a).count()); }
UtcTime After(UtcTime t, Seconds d) {
  return t + std::chrono::ceil<std::chrono::seconds>(std::max(d, Seconds(0)));
}
// A factor 1 + spread × u with u uniform in [-1, 1).
double Spread(std::uint64_t draw, double spread) {
  return 1 + spread * (2 * (static_cast<double>(draw >> 11) * 0x1.0p-53) - 1);
}

}  // namespace

std::uint64_t SplitMix64::Next() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double SplitMix64::NextUnit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

std::uint64_t MixSeed(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
  SplitMix64 first(seed ^ (a * 0xD6E8FEB86659FD93ULL));
  SplitMix64 second(first.Next() ^ (b * 0xC2B2AE3D27D4EB4FULL));
  return second.Next();
}

std::string_view FamilyName(FirmwareFamily f) {
  switch (f) {
    case FirmwareFamily::kBmminer:
      return "bmminer";
    case FirmwareFamily::kCgminer:
      return "cgminer";
    case FirmwareFamily::kLuxos:
      return "luxos";
    case FirmwareFamily::kBraiins:
      return "braiins";
    case FirmwareFamily::kWhatsminerV3:
      return "whatsminer_v3";
  }
  return "unknown";
}

Capabilities CapabilitiesOf(FirmwareFamily f) {
  // protocols.md §1.2 table: stock Antminer sleeps by a config write and has
  // modes only; vanilla cgminer has no sleep command (§2.1) but the model keeps
  // the ability for a web/other path; LuxOS, BOS+ and Whatsminer set watts.
  switch (f) {
    case FirmwareFamily::kBmminer:
      return {true, false, false, false, true};
    case FirmwareFamily::kCgminer:
      return {true, false, false, false, false};
    case FirmwareFamily::kLuxos:
      return {true, true, true, true, true};
    case FirmwareFamily::kBraiins:
      return {true, true, false, true, false};
    case FirmwareFamily::kWhatsminerV3:
      return {true, true, false, true, false};
  }
  return {};
}

RampTimes DefaultRampTimes(FirmwareFamily f) {
  // LuxOS: "~25 W in <5 s, full power in <10 s" (protocols.md §0.1, Luxor's
  // curtailment blog). Others: slower, from a config rewrite and a restart of
  // the hashing process (§0.1, §2.5); figures are assumptions, README.md.
  switch (f) {
    case FirmwareFamily::kLuxos:
      return {Seconds(4), Seconds(8), Seconds(10), Seconds(90)};
    case FirmwareFamily::kBraiins:
      return {Seconds(15), Seconds(60), Seconds(60), Seconds(90)};
    case FirmwareFamily::kBmminer:
      return {Seconds(30), Seconds(120), Seconds(60), Seconds(90)};
    case FirmwareFamily::kCgminer:
      return {Seconds(30), Seconds(90), Seconds(60), Seconds(90)};
    case FirmwareFamily::kWhatsminerV3:
      return {Seconds(20), Seconds(90), Seconds(60), Seconds(90)};
  }
  return {};
}

std::string_view StateName(MinerState s) {
  switch (s) {
    case MinerState::kRunning:
      return "running";
    case MinerState::kRampingDown:
      return "ramping_down";
    case MinerState::kSleeping:
      return "sleeping";
    case MinerState::kRampingUp:
      return "ramping_up";
    case MinerState::kRebooting:
      return "rebooting";
  }
  return "unknown";
}

Status ValidateMinerOptions(const MinerOptions& o) {
  if (Status s = ValidateAsicModel(o.model); !s.ok()) return s;
  auto bad = [](const char* field, const char* rule) {
    return Status::InvalidArgument(std::string("emulated miner: ") + field + ": " + rule);
  };
  if (!(o.min_power_fraction > 0 && o.min_power_fraction <= 1 && o.max_power_fraction >= 1))
    return bad("min_power_fraction/max_power_fraction", "need 0 < min <= 1 <= max");
  if (!(o.efficiency_exponent >= 0 && o.efficiency_exponent < 1))
    return bad("efficiency_exponent", "must be in [0, 1)");
  if (o.hashboards < 1 || o.chips_per_board < 1 || o.fans < 0)
    return bad("hashboards/chips_per_board/fans", "need >= 1 board and chip, >= 0 fans");
  if (!(o.share_difficulty > 0)) return bad("share_difficulty", "must be > 0");
  if (!(o.reject_fraction >= 0 && o.reject_fraction <= 0.5))
    return bad("reject_fraction", "must be in [0, 0.5]");
  if (!(o.unit_variation >= 0 && o.unit_variation < 0.5 && o.hashrate_noise >= 0 &&
        o.hashrate_noise < 0.5))
    return bad("unit_variation/hashrate_noise", "must be in [0, 0.5)");
  if (!(o.hardware_error_fraction >= 0 && o.hardware_error_fraction <= 0.5))
    return bad("hardware_error_fraction", "must be in [0, 0.5]");
  if (!(o.power_misreport_fraction > -1)) return bad("power_misreport_fraction", "must be > -1");
  if (!(o.fan_min_rpm >= 0 && o.fan_min_rpm <= o.fan_max_rpm))
    return bad("fan_min_rpm/fan_max_rpm", "need 0 <= min <= max");
  if (!(o.thermal_lag > Seconds(0))) return bad("thermal_lag", "must be > 0 s");
  if (o.sleep_power < Watts(0) || o.sleep_power >= o.model.power * o.min_power_fraction)
    return bad("sleep_power", "must be >= 0 and below the lowest power target");
  if (o.uptime_at_start < Seconds(0)) return bad("uptime_at_start", "must be >= 0 s");
  if (o.ramps && (o.ramps->down < Seconds(0) || o.ramps->up < Seconds(0) ||
                  o.ramps->retune < Seconds(0) || o.ramps->reboot < Seconds(0)))
    return bad("ramps", "durations must be >= 0 s");
  return Status::Ok();
}

Result<EmulatedMiner> EmulatedMiner::Create(MinerOptions options) {
  if (Status s = ValidateMinerOptions(options); !s.ok()) return s;
  return EmulatedMiner(std::move(options));
}

EmulatedMiner::EmulatedMiner(MinerOptions o) : o_(std::move(o)) {
  ramps_ = o_.ramps.value_or(DefaultRampTimes(o_.family));
  SplitMix64 rng(MixSeed(o_.seed, kUnitStream));
  unit_factor_ = Spread(rng.Next(), o_.unit_variation);
  reject_rate_ = o_.reject_fraction * (0.5 + rng.NextUnit());
  atm_enabled_ = o_.family == FirmwareFamily::kLuxos && o_.atm_enabled;
  if (capabilities().profiles) profile_ = "default";
  now_ = o_.start;
  boot_ = o_.start - std::chrono::floor<std::chrono::seconds>(o_.uptime_at_start);
  op_power_ = o_.model.power;
  const double p = op_power_.value();
  const double h = HashrateAtPower(op_power_).value();
  seg_ = Segment{now_, now_, p, p, h, h};
  // Already running: temperatures and averages start at their steady state.
  board_c_ = o_.ambient_c + o_.board_rise_c * p / o_.model.power.value();
  chip_c_ = o_.ambient_c + o_.chip_rise_c * p / o_.model.power.value();
  const double up = Seconds01(boot_, now_);
  hash_ths_s_ = h * up;
  for (size_t i = 0; i < kRollingWindows.size(); ++i)  // decayed averages of h since boot
    rolling_[i] = h * (1 - std::exp(-up / kRollingWindows[i]));
}

TerahashPerSecond EmulatedMiner::HashrateAtPower(Watts p) const {
  const double ratio = std::max(p / o_.model.power, 0.0);
  return o_.model.hashrate * (unit_factor_ * std::pow(ratio, 1 - o_.efficiency_exponent));
}

Watts EmulatedMiner::min_power() const { return o_.model.power * o_.min_power_fraction; }
Watts EmulatedMiner::max_power() const { return o_.model.power * o_.max_power_fraction; }

double EmulatedMiner::PowerAt(UtcTime t) const {
  if (t >= seg_.t1) return seg_.p1;
  if (t <= seg_.t0) return seg_.p0;
  const double f = Seconds01(seg_.t0, t) / Seconds01(seg_.t0, seg_.t1);
  return seg_.p0 + (seg_.p1 - seg_.p0) * f;
}

double EmulatedMiner::HashAt(UtcTime t) const {
  if (t >= seg_.t1) return seg_.h1;
  if (t <= seg_.t0) return seg_.h0;
  const double f = Seconds01(seg_.t0, t) / Seconds01(seg_.t0, seg_.t1);
  return seg_.h0 + (seg_.h1 - seg_.h0) * f;
}

void EmulatedMiner::StartSegment(double p1, double h1, Seconds duration) {
  seg_ = Segment{now_, After(now_, duration), PowerAt(now_), p1, HashAt(now_), h1};
}

void EmulatedMiner::AdvanceTo(UtcTime now) {
  while (now_ < now) {
    // Integrate piecewise: the trajectory is linear up to seg_.t1, flat after.
    const UtcTime b = (seg_.t1 > now_ && seg_.t1 < now) ? seg_.t1 : now;
    Integrate(now_, b);
    now_ = b;
    FinishTransition();
  }
}

void EmulatedMiner::Integrate(UtcTime a, UtcTime b) {
  const double dt = Seconds01(a, b);
  if (dt <= 0) return;
  const double p = (PowerAt(a) + PowerAt(b)) / 2;  // exact mean of a linear piece
  const double h = (HashAt(a) + HashAt(b)) / 2;
  hash_ths_s_ += h * dt;
  energy_mwh_ += p * dt / 3.6e9;
  for (size_t i = 0; i < kRollingWindows.size(); ++i)
    rolling_[i] += (h - rolling_[i]) * (1 - std::exp(-dt / kRollingWindows[i]));
  // First-order lag towards the steady state of the mean power over the step.
  const double load = p / o_.model.power.value();
  const double k = 1 - std::exp(-dt / o_.thermal_lag.count());
  board_c_ += (o_.ambient_c + o_.board_rise_c * load - board_c_) * k;
  chip_c_ += (o_.ambient_c + o_.chip_rise_c * load - chip_c_) * k;
}

void EmulatedMiner::FinishTransition() {
  while (now_ >= seg_.t1) {
    switch (state_) {
      case MinerState::kRampingDown:
        state_ = MinerState::kSleeping;
        return;
      case MinerState::kRampingUp:
        state_ = MinerState::kRunning;
        return;
      case MinerState::kRebooting:
        if (sleep_requested_) {
          state_ = MinerState::kSleeping;
          StartSegment(o_.sleep_power.value(), 0, Seconds(0));
          return;
        }
        state_ = MinerState::kRampingUp;
        StartSegment(op_power_.value(), HashrateAtPower(op_power_).value(), ramps_.up);
        break;  // loop: a zero ramp finishes at once
      default:
        return;
    }
  }
}

void EmulatedMiner::Sleep(UtcTime now) {
  AdvanceTo(now);
  sleep_requested_ = true;
  if (state_ != MinerState::kRunning && state_ != MinerState::kRampingUp) return;
  const double span = op_power_.value() - o_.sleep_power.value();
  const double frac = Clamp01((PowerAt(now_) - o_.sleep_power.value()) / span);
  state_ = MinerState::kRampingDown;
  StartSegment(o_.sleep_power.value(), 0, ramps_.down * frac);
  FinishTransition();
}

void EmulatedMiner::Wake(UtcTime now) {
  AdvanceTo(now);
  sleep_requested_ = false;
  if (state_ != MinerState::kSleeping && state_ != MinerState::kRampingDown) return;
  const double span = op_power_.value() - o_.sleep_power.value();
  const double frac = Clamp01((op_power_.value() - PowerAt(now_)) / span);
  state_ = MinerState::kRampingUp;
  StartSegment(op_power_.value(), HashrateAtPower(op_power_).value(), ramps_.up * frac);
  FinishTransition();
}

void EmulatedMiner::Reboot(UtcTime now) {
  AdvanceTo(now);
  if (!capabilities().sleep_survives_reboot) sleep_requested_ = false;
  state_ = MinerState::kRebooting;
  const double p = o_.boot_power.value();
  seg_ = Segment{now_, After(now_, ramps_.reboot), p, p, 0, 0};  // boards off at once
  boot_ = now_;
  ResetCounters();
  CloseSession();  // the API server restarts with the miner
  FinishTransition();
}

void EmulatedMiner::ResetCounters() {
  hash_ths_s_ = 0;
  for (double& r : rolling_) r = 0;
}

void EmulatedMiner::SetOperatingPoint(Watts p) {
  op_power_ = p;
  const double h = HashrateAtPower(p).value();
  if (state_ == MinerState::kRunning) {
    if (std::abs(PowerAt(now_) - p.value()) > 1e-9) StartSegment(p.value(), h, ramps_.retune);
  } else if (state_ == MinerState::kRampingUp) {
    // Re-aim the ramp: the time left is the share of the span still to climb.
    const double span = p.value() - o_.sleep_power.value();
    const double frac = Clamp01((p.value() - PowerAt(now_)) / span);
    StartSegment(p.value(), h, ramps_.up * frac);
  }
  FinishTransition();  // asleep, ramping down or rebooting: applies on the way up
}

Result<Watts> EmulatedMiner::SetPowerTarget(Watts target, UtcTime now) {
  AdvanceTo(now);
  if (!capabilities().power_target)
    return Status::InvalidArgument(std::string(FamilyName(o_.family)) +
                                   " firmware has no power target");
  const Watts applied = std::clamp(target, min_power(), max_power());
  profile_.reset();
  SetOperatingPoint(applied);
  return applied;
}

Status EmulatedMiner::SetProfile(std::string_view name, UtcTime now) {
  AdvanceTo(now);
  if (!capabilities().profiles)
    return Status::InvalidArgument(std::string(FamilyName(o_.family)) +
                                   " firmware has no profiles");
  if (atm_enabled_)
    return Status::InvalidArgument("profile changes are blocked while ATM is enabled");
  std::string names;
  for (const EmulatedProfile& p : profiles()) {
    if (p.name == name) {
      profile_ = p.name;
      SetOperatingPoint(p.power);
      return Status::Ok();
    }
    names += (names.empty() ? "" : ", ") + p.name;
  }
  return Status::NotFound("unknown profile '" + std::string(name) + "'; profiles: " + names);
}

std::vector<EmulatedProfile> EmulatedMiner::profiles() const {
  std::vector<EmulatedProfile> out;
  for (const auto& [name, fraction] : kProfiles) {
    const Watts p = std::clamp(o_.model.power * fraction, min_power(), max_power());
    const double r = p / o_.model.power;
    out.push_back({name, p, HashrateAtPower(p),
                   kNominalFrequencyMhz * std::pow(r, 1 - o_.efficiency_exponent),
                   kNominalVoltage * std::pow(r, o_.efficiency_exponent / 2)});
  }
  return out;
}

Watts EmulatedMiner::power() const { return Watts(PowerAt(now_)); }

std::optional<Watts> EmulatedMiner::reported_power() const {
  if (!capabilities().reports_power) return std::nullopt;
  return power() * (1 + o_.power_misreport_fraction);
}

TerahashPerSecond EmulatedMiner::hashrate() const { return TerahashPerSecond(HashAt(now_)); }

TerahashPerSecond EmulatedMiner::hashrate_5s() const {
  const auto t = static_cast<std::uint64_t>(now_.time_since_epoch().count());
  return hashrate() * Spread(MixSeed(o_.seed, kNoiseStream, t), o_.hashrate_noise);
}

TerahashPerSecond EmulatedMiner::hashrate_avg() const {
  const double s = elapsed().count();
  return TerahashPerSecond(s > 0 ? hash_ths_s_ / s : 0);
}

TerahashPerSecond EmulatedMiner::hashrate_rolling(int window_s) const {
  const auto it = std::find(kRollingWindows.begin(), kRollingWindows.end(), window_s);
  assert(it != kRollingWindows.end() && "window must be 60, 300, 900 or 1800 s");
  return TerahashPerSecond(rolling_[it - kRollingWindows.begin()]);
}

Seconds EmulatedMiner::elapsed() const { return Seconds(Seconds01(boot_, now_)); }

BoardReading EmulatedMiner::board(int i) const {
  assert(i >= 0 && i < o_.hashboards);
  // Boards differ by up to ±2 % of hashrate and ±2 °C at full load (seeded).
  double total = 0, mine = 0;
  for (int b = 0; b < o_.hashboards; ++b) {
    const double w = Spread(MixSeed(o_.seed, kBoardStream, b), 0.02);
    total += w;
    if (b == i) mine = w;
  }
  const double load = std::clamp((board_c_ - o_.ambient_c) / o_.board_rise_c, 0.0, 1.5);
  const double offset = 2 * (Spread(MixSeed(o_.seed, kBoardStream + 1, i), 1) - 1) * load;
  return {hashrate() * (mine / total), board_c_ + offset, chip_c_ + offset, o_.chips_per_board};
}

int EmulatedMiner::fan_rpm(int i) const {
  assert(i >= 0 && i < o_.fans);
  const double jitter = Spread(MixSeed(o_.seed, kFanStream, i), 0.02);
  if (state_ == MinerState::kRebooting)
    return static_cast<int>(std::lround(o_.fan_max_rpm * jitter));
  // Fan control: minimum below 50 °C chip, full at 100 °C (illustrative).
  const double duty = Clamp01((chip_c_ - 50) / 50);
  return static_cast<int>(
      std::lround((o_.fan_min_rpm + (o_.fan_max_rpm - o_.fan_min_rpm) * duty) * jitter));
}

// Shares of difficulty 1 worth of work: hashes / 2^32.
double EmulatedMiner::DiffOneShares() const { return hash_ths_s_ * 1e12 / 4294967296.0; }

std::int64_t EmulatedMiner::rejected_shares() const {
  return static_cast<std::int64_t>(DiffOneShares() / o_.share_difficulty * reject_rate_);
}

std::int64_t EmulatedMiner::accepted_shares() const {
  return static_cast<std::int64_t>(DiffOneShares() / o_.share_difficulty) - rejected_shares();
}

std::int64_t EmulatedMiner::hardware_errors() const {
  return static_cast<std::int64_t>(DiffOneShares() / o_.share_difficulty *
                                   o_.hardware_error_fraction);
}

// The best of N shares of difficulty d is about N·d (P(share ≥ x) = d / x).
double EmulatedMiner::best_share() const {
  return std::floor(DiffOneShares() > o_.share_difficulty ? DiffOneShares() : 0);
}

std::vector<PoolInfo> EmulatedMiner::pools() const {
  static constexpr std::array<const char*, 3> kUrls = {"stratum+tcp://btc.pool-a.example:3333",
                                                       "stratum+tcp://btc.pool-b.example:443",
                                                       "stratum+tcp://btc.pool-c.example:25"};
  const int count = 2 + static_cast<int>(MixSeed(o_.seed, kPoolStream) % 2);
  const std::string user = "mullet." + (o_.id.empty() ? std::string("worker") : o_.id);
  std::vector<PoolInfo> out;
  for (int i = 0; i < count; ++i) {
    PoolInfo p{kUrls[i], user, true, i == 0, 0, 0};
    if (i == 0) {
      p.accepted = accepted_shares();
      p.rejected = rejected_shares();
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::optional<std::string> EmulatedMiner::ActiveSession(UtcTime now) const {
  if (!session_ || now - session_->last_used >= kSessionIdle) return std::nullopt;
  return session_->id;
}

std::string EmulatedMiner::OpenSession(UtcTime now) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  SplitMix64 rng(MixSeed(o_.seed, kSessionStream, session_serial_++));
  std::string id(8, ' ');
  for (char& c : id) c = kAlphabet[rng.Next() % (sizeof(kAlphabet) - 1)];
  session_ = Session{id, now};
  return id;
}

bool EmulatedMiner::TouchSession(std::string_view id, UtcTime now) {
  const std::optional<std::string> live = ActiveSession(now);
  if (!live || *live != id) return false;
  session_->last_used = now;
  return true;
}

}  // namespace mullet
