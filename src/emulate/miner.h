// One emulated ASIC miner: a pure state machine of its power, hashrate,
// temperatures, fans, share counters and firmware settings, advanced by the
// caller's clock (style.md: pure code takes time as a value).
//
// States (protocols.md §6 "Emulator layer"): running, ramping down, sleeping,
// ramping up, rebooting. Power and hashrate move linearly between operating
// points during a ramp; temperatures follow power with a first-order lag.
// Everything that varies between units (a few % of hashrate, board offsets,
// fan jitter, pool list, reject rate) comes from the seed through SplitMix64,
// so the same seed and the same calls give the same readings on every platform.
//
// Thread safety: none; one miner belongs to one thread (the emulator shards
// miners across threads, never shares one).

#ifndef MULLET_EMULATE_MINER_H_
#define MULLET_EMULATE_MINER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/asic/catalog.h"
#include "core/status/result.h"
#include "core/time/calendar.h"
#include "core/units/units.h"

namespace mullet {

// Firmware families the emulator speaks (protocols.md §1.1, §2). Named
// FirmwareFamily, not Firmware: site/site.h already has a Firmware struct.
enum class FirmwareFamily {
  kBmminer,       // stock Antminer (bmminer): GH/s fields, no wattage, no multi-command
  kCgminer,       // vanilla cgminer 4.11.1 (Avalon and others): MH/s fields
  kLuxos,         // LuxOS (LUXminer): sessions, curtail, profiles, ATM, power
  kBraiins,       // Braiins OS+ legacy bosminer RPC: pause / resume, tunerstatus
  kWhatsminerV3,  // MicroBT btminer: cgminer-style read API with Power fields
};
std::string_view FamilyName(FirmwareFamily f);  // "bmminer", "cgminer", "luxos", ...

// What a family lets a controller do (pyasic/asic-rs capability flags, §0.2).
struct Capabilities {
  bool sleep = true;                   // some way to stop hashing and keep the fans
  bool power_target = false;           // a continuous watt target
  bool profiles = false;               // named operating points (LuxOS profiles)
  bool reports_power = false;          // the miner reports its own wattage
  bool sleep_survives_reboot = false;  // LuxOS: only `wakeup` clears sleep (§2.2)
};
Capabilities CapabilitiesOf(FirmwareFamily f);

// How long transitions take. Full spans: a partial ramp (wake while ramping
// down) takes the matching fraction.
struct RampTimes {
  Seconds down{30};    // full operating point -> asleep
  Seconds up{90};      // asleep -> full operating point
  Seconds retune{30};  // one operating point -> another (power target, profile)
  Seconds reboot{90};  // 0 hashrate after Reboot, before ramping up
};
// Defaults per family; sources and assumptions in src/emulate/README.md.
RampTimes DefaultRampTimes(FirmwareFamily f);

// A named operating point (LuxOS-style profile) of an emulated miner. Not
// site.h's MinerProfile: one name for two layouts broke the one-definition
// rule (the sanitizer build read one as the other once the link order moved).
struct EmulatedProfile {
  std::string name;  // "eco", "default", "turbo"
  Watts power{0};
  TerahashPerSecond hashrate{0};
  double frequency_mhz = 0;  // illustrative: proportional to hashrate
  double voltage_v = 0;      // illustrative
};

struct MinerOptions {
  AsicModel model;  // nameplate hashrate and power
  FirmwareFamily family = FirmwareFamily::kBmminer;
  std::string id;                   // e.g. "127.0.0.2"; shown as the worker name
  std::uint64_t seed = 0;           // every per-unit variation derives from it
  double ambient_c = 25;            // air temperature at the intake, °C
  UtcTime start{};                  // construction time; the clock starts here
  Seconds uptime_at_start{0};       // the miner booted this long before `start`
  std::optional<RampTimes> ramps;   // default: DefaultRampTimes(family)
  double min_power_fraction = 0.5;  // power target envelope, × nameplate power
  double max_power_fraction = 1.1;
  double efficiency_exponent = 0.35;  // h = h_nom (p / p_nom)^(1 - k), as site.h
  double unit_variation = 0.03;       // per-unit hashrate spread, ± fraction (seeded)
  double hashrate_noise = 0.01;       // "5s" reading noise, ± fraction (seeded per second)
  Watts sleep_power{25};              // asleep: fans and control board (LuxOS claim, §0.1)
  Watts boot_power{40};               // rebooting: control board, fans at full
  int hashboards = 3;
  int chips_per_board = 110;  // S19 XP stats sample: chain_acn 110
  int fans = 4;
  double board_rise_c = 35;  // board temperature above ambient at nameplate power
  double chip_rise_c = 45;   // chip temperature above ambient at nameplate power
  Seconds thermal_lag{120};  // first-order time constant of the temperatures
  double fan_min_rpm = 1000;
  double fan_max_rpm = 6000;
  double share_difficulty = 65536;          // pool difficulty of each share
  double reject_fraction = 0.005;           // of shares; the seed spreads it 0.5x..1.5x
  double hardware_error_fraction = 0.0005;  // of shares
  double power_misreport_fraction = 0;      // reported = true × (1 + this): a fault knob
  bool atm_enabled = true;                  // LuxOS ATM; profile changes fail while on (§2.2)
};

// Checks the options: a valid model, a non-empty envelope, positive counts.
Status ValidateMinerOptions(const MinerOptions& o);

enum class MinerState { kRunning, kRampingDown, kSleeping, kRampingUp, kRebooting };
std::string_view StateName(MinerState s);  // "running", "ramping_down", ...

struct PoolInfo {
  std::string url;   // "stratum+tcp://..."
  std::string user;  // "<pool user>.<miner id>"
  bool alive = true;
  bool active = false;  // the one receiving shares (the first)
  std::int64_t accepted = 0;
  std::int64_t rejected = 0;
};

struct BoardReading {
  TerahashPerSecond hashrate{0};
  double board_c = 0;
  double chip_c = 0;
  int chips = 0;
};

// A small, fast, well-mixed PRNG (Steele, Lea, Flood 2014; the public-domain
// reference by Vigna). Same output on every platform, unlike std distributions.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next();
  double NextUnit();  // uniform in [0, 1)
 private:
  std::uint64_t state_;
};
// One well-mixed value for (seed, a, b), for draws keyed by an index or a time.
std::uint64_t MixSeed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0);

class EmulatedMiner {
 public:
  // Fails with InvalidArgument naming the field when the options are wrong.
  static Result<EmulatedMiner> Create(MinerOptions options);

  // Moves the clock forward to `now`; a `now` before the current time is
  // ignored (monotone). Every command and reading below acts at the current time.
  void AdvanceTo(UtcTime now);
  UtcTime now() const { return now_; }

  // ---- Commands. Each first advances to `now`.
  void Sleep(UtcTime now);   // ramp down to sleep_power; remembered across a reboot
  void Wake(UtcTime now);    // ramp back up to the operating point
  void Reboot(UtcTime now);  // 0 hashrate for ramps.reboot, counters and uptime reset
  // Sets the operating point to `target` clamped into the envelope; returns the
  // watts applied. InvalidArgument when the family has no power target.
  Result<Watts> SetPowerTarget(Watts target, UtcTime now);
  // Selects a profile by name. InvalidArgument without profiles or while ATM is
  // on; NotFound for an unknown name (the message lists the names).
  Status SetProfile(std::string_view name, UtcTime now);

  // ---- Readings at the current time.
  MinerState state() const { return state_; }
  Watts power() const;                          // true draw at the wall
  std::optional<Watts> reported_power() const;  // none when the family reports none
  TerahashPerSecond hashrate() const;           // true instantaneous
  TerahashPerSecond hashrate_5s() const;        // true × (1 ± noise), the "5s" reading
  TerahashPerSecond hashrate_avg() const;       // mean since boot
  // cgminer's decaying averages ("MHS 1m" ...): window 60, 300, 900 or 1800 s.
  TerahashPerSecond hashrate_rolling(int window_s) const;
  double board_temp_c() const { return board_c_; }
  double chip_temp_c() const { return chip_c_; }
  BoardReading board(int i) const;  // REQUIRES: 0 <= i < hashboards
  int fan_rpm(int i) const;         // REQUIRES: 0 <= i < fans
  Seconds elapsed() const;          // since (re)boot
  std::int64_t accepted_shares() const;
  std::int64_t rejected_shares() const;
  std::int64_t hardware_errors() const;
  double best_share() const;
  std::vector<PoolInfo> pools() const;  // 2-3 pools, the first alive and active
  MegawattHours energy() const { return MegawattHours(energy_mwh_); }  // since start

  // ---- Settings.
  const MinerOptions& options() const { return o_; }
  FirmwareFamily family() const { return o_.family; }
  const AsicModel& model() const { return o_.model; }
  const std::string& id() const { return o_.id; }
  std::uint64_t seed() const { return o_.seed; }
  const RampTimes& ramps() const { return ramps_; }
  Capabilities capabilities() const { return CapabilitiesOf(o_.family); }
  std::vector<EmulatedProfile> profiles() const;  // eco 80 %, default 100 %, turbo 110 %
  // The active profile; none after a power target.
  const std::optional<std::string>& active_profile() const { return profile_; }
  Watts target_power() const { return op_power_; }  // the operating point's power
  Watts min_power() const;
  Watts max_power() const;
  // The hashrate this unit makes at `p` (its own variation included).
  TerahashPerSecond HashrateAtPower(Watts p) const;
  bool sleep_requested() const { return sleep_requested_; }
  bool atm_enabled() const { return atm_enabled_; }
  void set_atm_enabled(bool on) { atm_enabled_ = on; }
  double power_misreport() const { return o_.power_misreport_fraction; }
  void set_power_misreport(double fraction) { o_.power_misreport_fraction = fraction; }

  // ---- API server state kept with the miner (LuxOS sessions, §2.2): one
  // session at a time, expiring after kSessionIdle without use.
  static constexpr Seconds kSessionIdle{60};
  std::optional<std::string> ActiveSession(UtcTime now) const;
  // REQUIRES: !ActiveSession(now). Returns the new 8-character id.
  std::string OpenSession(UtcTime now);
  // True and refreshes the session when `id` is the live session.
  bool TouchSession(std::string_view id, UtcTime now);
  void CloseSession() { session_.reset(); }
  // A serial number per reply, for deterministic per-reply fault draws.
  std::uint64_t NextReplySerial() { return reply_serial_++; }

 private:
  explicit EmulatedMiner(MinerOptions o);

  // A linear move of (power, hashrate) from t0 to t1; constant after t1.
  struct Segment {
    UtcTime t0{}, t1{};
    double p0 = 0, p1 = 0;  // W
    double h0 = 0, h1 = 0;  // TH/s
  };
  double PowerAt(UtcTime t) const;
  double HashAt(UtcTime t) const;
  void StartSegment(double p1, double h1, Seconds duration);
  void Integrate(UtcTime a, UtcTime b);
  void FinishTransition();
  void SetOperatingPoint(Watts p);
  void ResetCounters();
  double DiffOneShares() const;

  MinerOptions o_;
  RampTimes ramps_;
  double unit_factor_ = 1;  // this unit's hashrate / the curve's
  double reject_rate_ = 0;
  UtcTime now_{};
  UtcTime boot_{};
  MinerState state_ = MinerState::kRunning;
  Segment seg_;
  Watts op_power_{0};
  std::optional<std::string> profile_;
  bool sleep_requested_ = false;
  bool atm_enabled_ = false;
  double board_c_ = 0, chip_c_ = 0;
  double hash_ths_s_ = 0;  // ∫ hashrate dt since boot, TH/s·s
  double energy_mwh_ = 0;
  double rolling_[4] = {0, 0, 0, 0};  // 1m, 5m, 15m, 30m decaying averages, TH/s
  struct Session {
    std::string id;
    UtcTime last_used{};
  };
  std::optional<Session> session_;
  std::uint64_t session_serial_ = 0;
  std::uint64_t reply_serial_ = 0;
};

}  // namespace mullet

#endif  // MULLET_EMULATE_MINER_H_
