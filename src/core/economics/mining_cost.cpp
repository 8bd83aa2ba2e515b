#include "core/economics/mining_cost.h"

#include <cassert>

namespace mullet {
namespace {

// Energy one TH/s of miners draws at the meter over a day, in MWh.
MegawattHours MeterEnergyPerTerahashDay(const OperatingPoint& op) {
  assert(op.efficiency.value() > 0 && op.pue >= 1.0);
  return EnergyOver(PowerAt(TerahashPerSecond(1), op.efficiency), Days(1)) * op.pue;
}

// Energy 1 kW of miners draws at the meter over an accounting month.
MegawattHours MeterEnergyPerKilowattMonth(const OperatingPoint& op) {
  return EnergyOver(Kilowatts(1), kAccountingMonth) * op.pue;
}

}  // namespace

Usd ElectricityCostPerBtc(BtcPerTerahashDay expected, UsdPerMegawattHour power_price,
                          const OperatingPoint& op) {
  const Usd cost_per_th_day = CostOf(MeterEnergyPerTerahashDay(op), power_price);
  return cost_per_th_day / (expected.value() * op.revenue_share());
}

UsdPerMegawattHour BreakevenPowerPrice(UsdPerTerahashDay hashprice, const OperatingPoint& op) {
  return UsdPerMegawattHour(hashprice.value() * op.revenue_share() /
                            MeterEnergyPerTerahashDay(op).value());
}

UsdPerTerahashDay BreakevenHashprice(UsdPerMegawattHour power_price, const OperatingPoint& op) {
  return UsdPerTerahashDay(CostOf(MeterEnergyPerTerahashDay(op), power_price).value() /
                           op.revenue_share());
}

UsdPerKilowattMonth MiningGrossPerKilowattMonth(UsdPerTerahashDay hashprice,
                                                const OperatingPoint& op) {
  const TerahashPerSecond per_kw = HashrateAt(Kilowatts(1), op.efficiency);
  return UsdPerKilowattMonth(EarnedOver(hashprice, per_kw, kAccountingMonth).value() *
                             op.revenue_share());
}

UsdPerKilowattMonth PowerCostPerKilowattMonth(UsdPerMegawattHour power_price,
                                              const OperatingPoint& op) {
  return UsdPerKilowattMonth(CostOf(MeterEnergyPerKilowattMonth(op), power_price).value());
}

CostPerBtc CostTiers(BtcPerTerahashDay expected, UsdPerMegawattHour power_price,
                     const OperatingPoint& op, const CostInputs& in) {
  CostPerBtc out;
  // Hosting is billed on the miners' own draw, power on the meter (x PUE).
  const MegawattHours it_energy = EnergyOver(PowerAt(TerahashPerSecond(1), op.efficiency), Days(1));
  const Usd direct_per_th_day =
      CostOf(MeterEnergyPerTerahashDay(op), power_price) + CostOf(it_energy, in.hosting);
  const double realised_btc_per_th_day = expected.value() * op.revenue_share();
  out.direct = direct_per_th_day / realised_btc_per_th_day;
  out.cash = out.direct;
  out.all_in = out.direct;
  if (in.fleet_hashrate.value() > 0) {
    out.mined_per_month =
        MinedOver(expected, in.fleet_hashrate, kAccountingMonth) * op.revenue_share();
    const double btc = out.mined_per_month.value();
    out.cash = out.direct + (in.cash_opex_per_month + in.interest_per_month) / btc;
    out.all_in = out.cash + (in.depreciation_per_month + in.stock_pay_per_month) / btc;
  } else {
    assert(in.cash_opex_per_month.value() == 0 && in.interest_per_month.value() == 0 &&
           in.depreciation_per_month.value() == 0 && in.stock_pay_per_month.value() == 0);
  }
  return out;
}

}  // namespace mullet
