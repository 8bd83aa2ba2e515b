#include "dispatch/operating_point.h"

#include <algorithm>
#include <cmath>

namespace mullet {

Usd RevenuePerHour(const MinerGroup& g, const MinerPoint& p, UsdPerTerahashDay hashprice) {
  return EarnedOver(hashprice, p.hashrate, Hours(1)) * (g.uptime * (1.0 - g.pool_fee));
}

UsdPerMegawattHour ValuePerMegawattHour(const MinerGroup& g, const MinerPoint& p,
                                        UsdPerTerahashDay hashprice, double pue) {
  const MegawattHours energy = EnergyOver(p.power * pue, Hours(1));
  return UsdPerMegawattHour(RevenuePerHour(g, p, hashprice).value() / energy.value());
}

MinerPoint NameplatePoint(const MinerGroup& g) { return {g.model.power, g.model.hashrate, false}; }

Usd ProfitPerHour(const MinerGroup& g, const MinerPoint& p, UsdPerTerahashDay hashprice,
                  UsdPerMegawattHour marginal_price, double pue) {
  return RevenuePerHour(g, p, hashprice) - CostOf(EnergyOver(p.power * pue, Hours(1)), marginal_price);
}

namespace {

MinerPoint OnCurve(const MinerGroup& g, Watts power) {
  const MinerPoint nom = NameplatePoint(g);
  const double k = g.firmware.efficiency_exponent;
  const double h = nom.hashrate.value() * std::pow(power / nom.power, 1.0 - k);
  return {power, TerahashPerSecond(h), power < nom.power};
}

}  // namespace

MinerPoint BestPoint(const MinerGroup& g, UsdPerTerahashDay hashprice,
                     UsdPerMegawattHour marginal_price, double pue) {
  MinerPoint best = NameplatePoint(g);
  double best_profit = ProfitPerHour(g, best, hashprice, marginal_price, pue).value();
  auto consider = [&](const MinerPoint& p) {
    const double profit = ProfitPerHour(g, p, hashprice, marginal_price, pue).value();
    if (profit > best_profit + 1e-9) {
      best = p;
      best_profit = profit;
    }
  };
  for (const MinerProfile& prof : g.firmware.profiles) {
    consider({prof.power, prof.hashrate, prof.power < g.model.power});
  }
  const Firmware& fw = g.firmware;
  if (fw.power_target_min && fw.power_target_max) {
    const Watts lo = *fw.power_target_min;
    const Watts hi = *fw.power_target_max;
    consider(OnCurve(g, lo));
    consider(OnCurve(g, hi));
    const double k = fw.efficiency_exponent;
    const double c = marginal_price.value() * pue / 1e6;  // $ per W per hour
    if (k > 0 && c > 0) {
      const MinerPoint nom = NameplatePoint(g);
      // Revenue per hour = a p^(1-k) with p in W.
      const double a = RevenuePerHour(g, nom, hashprice).value() / std::pow(nom.power.value(), 1.0 - k);
      const double p_star = std::pow(a * (1.0 - k) / c, 1.0 / k);
      consider(OnCurve(g, std::clamp(Watts(p_star), lo, hi)));
    }
  }
  return best;
}

}  // namespace mullet
