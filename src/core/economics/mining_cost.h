// Cost to produce one bitcoin, breakeven prices, and mining revenue per kW
// beside an AI lease (economics.md §1.4, §1.5).
//
// Conventions, used throughout:
// - Efficiency is the miner's own J/TH; PUE scales it to energy at the meter.
// - Uptime is the share of time the machine hashes while it is powered and
//   paid for (failures, reboots, pool outages); curtailment, where power is
//   not drawn, is the dispatch policy's business, not a factor here. Pool fee
//   is a fraction of revenue. Both scale revenue, never power.
// - $/kW figures are per kW of miner (IT) load over kAccountingMonth.

#ifndef MULLET_CORE_ECONOMICS_MINING_COST_H_
#define MULLET_CORE_ECONOMICS_MINING_COST_H_

#include "core/units/units.h"

namespace mullet {

// How a fleet runs. Defaults: PUE 1, no pool fee, always up.
struct OperatingPoint {
  JoulesPerTerahash efficiency{0};  // REQUIRES: > 0
  double pue = 1.0;                 // facility energy / IT energy, >= 1
  double pool_fee = 0.0;            // fraction of revenue, in [0, 1)
  double uptime = 1.0;              // fraction, in (0, 1]

  // The share of expected revenue that is realised: uptime x (1 - pool fee).
  double revenue_share() const { return uptime * (1.0 - pool_fee); }
};

// Electricity cost per BTC mined: 0.024 * eta * p * PUE / (BTC/TH/day x share).
// (0.024 kWh is 1 W over one day, in kWh.)
Usd ElectricityCostPerBtc(BtcPerTerahashDay expected, UsdPerMegawattHour power_price,
                          const OperatingPoint& op);

// Power price at which mining just pays: hashprice x share / (0.024 * eta * PUE).
UsdPerMegawattHour BreakevenPowerPrice(UsdPerTerahashDay hashprice, const OperatingPoint& op);

// Hashprice at which mining just pays for its power: 0.024 * eta * p * PUE / share.
UsdPerTerahashDay BreakevenHashprice(UsdPerMegawattHour power_price, const OperatingPoint& op);

// Mining revenue per kW of miners per month: hashprice x (1000 / eta) x
// month days x share.
UsdPerKilowattMonth MiningGrossPerKilowattMonth(UsdPerTerahashDay hashprice,
                                                const OperatingPoint& op);

// Power cost of 1 kW of miners over a month: p x PUE x 24 h x month days.
UsdPerKilowattMonth PowerCostPerKilowattMonth(UsdPerMegawattHour power_price,
                                              const OperatingPoint& op);

// The three accounting tiers of cost per BTC (economics.md §1.4; CoinShares,
// Galaxy): direct (power + hosting), cash (+ cash SG&A and other cash opex +
// interest) and all-in (+ depreciation and amortisation + stock-based pay).
// The monthly figures are for a fleet of `fleet_hashrate`.
struct CostInputs {
  UsdPerMegawattHour hosting{0};  // non-power direct cost per MWh the miners draw
  Usd cash_opex_per_month{0};     // cash SG&A and other cash opex, whole fleet
  Usd interest_per_month{0};
  Usd depreciation_per_month{0};        // D&A of the miners and the site
  Usd stock_pay_per_month{0};           // stock-based compensation
  TerahashPerSecond fleet_hashrate{0};  // REQUIRES: > 0 when any monthly input is
};

struct CostPerBtc {
  Usd direct{0};
  Usd cash{0};
  Usd all_in{0};
  Btc mined_per_month{0};  // by fleet_hashrate; 0 when no fleet was given
};

CostPerBtc CostTiers(BtcPerTerahashDay expected, UsdPerMegawattHour power_price,
                     const OperatingPoint& op, const CostInputs& in);

}  // namespace mullet

#endif  // MULLET_CORE_ECONOMICS_MINING_COST_H_
