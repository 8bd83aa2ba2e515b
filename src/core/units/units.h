// The unit types of mullet and the only ways to cross between them.
//
// Each type stores its value in one canonical unit, named by the type; other
// scales go through named factories and accessors (Megawatts(100) is a Watts
// holding 1e8; w.megawatts() reads it back). Consensus amounts are exact
// integer satoshis (Sats); expected or simulated amounts of bitcoin are Btc
// (double), as style.md allows for simulation and finance.
//
// Crossing units is only possible through the functions at the end of this
// file; tests/core/units/units_compile_test.cpp proves that the wrong mixes do
// not compile.

#ifndef MULLET_CORE_UNITS_UNITS_H_
#define MULLET_CORE_UNITS_UNITS_H_

#include <chrono>
#include <cstdint>
#include <ratio>

#include "core/units/quantity.h"

namespace mullet {

// ---- Time spans: std::chrono durations with a double count. ----
using Seconds = std::chrono::duration<double>;
using Hours = std::chrono::duration<double, std::ratio<3600>>;
using Days = std::chrono::duration<double, std::ratio<86400>>;
// The accounting month used for $/kW-month figures: 365.25 / 12 = 30.4375
// days, quoted as 30.44 in economics.md §1.5.
inline constexpr Days kAccountingMonth{365.25 / 12.0};

// ---- Power and energy. ----
class Watts : public Quantity<Watts> {
 public:
  using Quantity::Quantity;
  static constexpr const char* kSymbol = "W";
  constexpr double kilowatts() const { return value() / 1e3; }
  constexpr double megawatts() const { return value() / 1e6; }
};
constexpr Watts Kilowatts(double kw) { return Watts(kw * 1e3); }
constexpr Watts Megawatts(double mw) { return Watts(mw * 1e6); }

class MegawattHours : public Quantity<MegawattHours> {
 public:
  using Quantity::Quantity;
  static constexpr const char* kSymbol = "MWh";
  constexpr double kilowatt_hours() const { return value() * 1e3; }
};
constexpr MegawattHours KilowattHours(double kwh) { return MegawattHours(kwh / 1e3); }

// ---- Hashing. ----
class TerahashPerSecond : public Quantity<TerahashPerSecond> {
 public:
  using Quantity::Quantity;
  static constexpr const char* kSymbol = "TH/s";
  constexpr double hashes_per_second() const { return value() * 1e12; }
  constexpr double ph_s() const { return value() / 1e3; }
  constexpr double eh_s() const { return value() / 1e6; }
};
constexpr TerahashPerSecond HashesPerSecond(double h_s) { return TerahashPerSecond(h_s / 1e12); }
constexpr TerahashPerSecond PetahashPerSecond(double ph_s) { return TerahashPerSecond(ph_s * 1e3); }
constexpr TerahashPerSecond ExahashPerSecond(double eh_s) { return TerahashPerSecond(eh_s * 1e6); }

// Efficiency of a miner: joules per terahash, which is also watts per TH/s.
class JoulesPerTerahash : public Quantity<JoulesPerTerahash> {
 public:
  using Quantity::Quantity;
  static constexpr const char* kSymbol = "J/TH";
};

// ---- Money and bitcoin. ----
class Usd : public Quantity<Usd> {
 public:
  using Quantity::Quantity;
  static constexpr const char* kSymbol = "USD";
};

// Exact consensus amount (Bitcoin Core's CAmount).
class Sats : public Quantity<Sats, std::int64_t> {
 public:
  using Quantity::Quantity;
  static constexpr const char* kSymbol = "sat";
};
inline constexpr std::int64_t kSatsPerBtc = 100'000'000;    // COIN
inline constexpr Sats kMaxMoney{21'000'000 * kSatsPerBtc};  // MAX_MONEY

// An expected, fractional or simulated amount of bitcoin.
class Btc : public Quantity<Btc> {
 public:
  using Quantity::Quantity;
  static constexpr const char* kSymbol = "BTC";
  constexpr double sats() const { return value() * kSatsPerBtc; }
};
constexpr Btc ToBtc(Sats s) { return Btc(static_cast<double>(s.value()) / kSatsPerBtc); }

// ---- Prices. ----
// Power price, USD per MWh (the wholesale market's unit).
class UsdPerMegawattHour : public Quantity<UsdPerMegawattHour> {
 public:
  using Quantity::Quantity;
  static constexpr const char* kSymbol = "USD/MWh";
  constexpr double usd_per_kwh() const { return value() / 1e3; }
};
constexpr UsdPerMegawattHour UsdPerKilowattHour(double usd_per_kwh) {
  return UsdPerMegawattHour(usd_per_kwh * 1e3);
}

// Bitcoin price.
class UsdPerBtc : public Quantity<UsdPerBtc> {
 public:
  using Quantity::Quantity;
  static constexpr const char* kSymbol = "USD/BTC";
};

// Expected bitcoin earned by 1 TH/s over one day.
class BtcPerTerahashDay : public Quantity<BtcPerTerahashDay> {
 public:
  using Quantity::Quantity;
  static constexpr const char* kSymbol = "BTC/TH/day";
  constexpr double sats_per_th_day() const { return value() * kSatsPerBtc; }
};

// Hashprice: expected USD earned by 1 TH/s over one day (Luxor quotes it per PH/s).
class UsdPerTerahashDay : public Quantity<UsdPerTerahashDay> {
 public:
  using Quantity::Quantity;
  static constexpr const char* kSymbol = "USD/TH/day";
  constexpr double usd_per_ph_day() const { return value() * 1e3; }
};
constexpr UsdPerTerahashDay UsdPerPetahashDay(double usd_per_ph_day) {
  return UsdPerTerahashDay(usd_per_ph_day / 1e3);
}

// Revenue or rent per kW of IT load per accounting month (the unit of AI leases).
class UsdPerKilowattMonth : public Quantity<UsdPerKilowattMonth> {
 public:
  using Quantity::Quantity;
  static constexpr const char* kSymbol = "USD/kW-month";
};

// ---- The named crossings. ----

// Energy drawn by a constant power over a span.
constexpr MegawattHours EnergyOver(Watts p, Hours t) {
  return MegawattHours(p.megawatts() * t.count());
}
// Mean power that delivers an energy over a span. REQUIRES: t > 0.
constexpr Watts AveragePower(MegawattHours e, Hours t) { return Megawatts(e.value() / t.count()); }
// What an energy costs at a price.
constexpr Usd CostOf(MegawattHours e, UsdPerMegawattHour price) {
  return Usd(e.value() * price.value());
}
// Power a miner draws at a hashrate and an efficiency.
constexpr Watts PowerAt(TerahashPerSecond h, JoulesPerTerahash eff) {
  return Watts(h.value() * eff.value());
}
// Hashrate a power buys at an efficiency. REQUIRES: eff > 0.
constexpr TerahashPerSecond HashrateAt(Watts p, JoulesPerTerahash eff) {
  return TerahashPerSecond(p.value() / eff.value());
}
// Efficiency of a machine. REQUIRES: h > 0.
constexpr JoulesPerTerahash EfficiencyOf(Watts p, TerahashPerSecond h) {
  return JoulesPerTerahash(p.value() / h.value());
}
// USD value of an amount of bitcoin at a price.
constexpr Usd ValueOf(Btc amount, UsdPerBtc price) { return Usd(amount.value() * price.value()); }
// Hashprice in USD from hashprice in BTC.
constexpr UsdPerTerahashDay HashpriceOf(BtcPerTerahashDay btc, UsdPerBtc price) {
  return UsdPerTerahashDay(btc.value() * price.value());
}
// Bitcoin a hashrate is expected to earn over a span.
constexpr Btc MinedOver(BtcPerTerahashDay rate, TerahashPerSecond h, Days t) {
  return Btc(rate.value() * h.value() * t.count());
}
// USD a hashrate is expected to earn over a span.
constexpr Usd EarnedOver(UsdPerTerahashDay rate, TerahashPerSecond h, Days t) {
  return Usd(rate.value() * h.value() * t.count());
}

}  // namespace mullet

#endif  // MULLET_CORE_UNITS_UNITS_H_
