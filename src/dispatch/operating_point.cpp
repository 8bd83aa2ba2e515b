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

UsdPerMegawattHour BreakevenIndexPrice(const Site& site, const MinerGroup& g, UsdPerTerahashDay hashprice) {
  return ValuePerMegawattHour(g, NameplatePoint(g), hashprice, site.cooling.Pue(g.cooling)) - site.contract.adder;
}

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

PointFinder::PointFinder(const MinerGroup& g) : g_(g), nameplate_(NameplatePoint(g)) {
  const Firmware& fw = g.firmware;
  if (fw.power_target_min && fw.power_target_max) {
    curve_ = true;
    lo_ = OnCurve(g, *fw.power_target_min);
    hi_ = OnCurve(g, *fw.power_target_max);
    nominal_power_term_ = std::pow(nameplate_.power.value(), 1.0 - fw.efficiency_exponent);
  }
}

MinerPoint PointFinder::Best(UsdPerTerahashDay hashprice, UsdPerMegawattHour marginal_price, double pue) const {
  const MinerGroup& g = g_;
  MinerPoint best = nameplate_;
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
  if (curve_) {
    const Watts lo = lo_.power;
    const Watts hi = hi_.power;
    consider(lo_);
    consider(hi_);
    const double k = g.firmware.efficiency_exponent;
    const double c = marginal_price.value() * pue / 1e6;  // $ per W per hour
    if (k > 0 && c > 0) {
      // Revenue per hour = a p^(1-k) with p in W.
      const double a = RevenuePerHour(g, nameplate_, hashprice).value() / nominal_power_term_;
      const double p_star = std::pow(a * (1.0 - k) / c, 1.0 / k);
      const Watts p = std::clamp(Watts(p_star), lo, hi);
      consider(p == lo ? lo_ : p == hi ? hi_ : OnCurve(g, p));
    }
  }
  return best;
}

MinerPoint BestPoint(const MinerGroup& g, UsdPerTerahashDay hashprice,
                     UsdPerMegawattHour marginal_price, double pue) {
  return PointFinder(g).Best(hashprice, marginal_price, pue);
}

}  // namespace mullet
