#include "planner/point_table.h"

#include <cmath>

namespace mullet {
namespace {

// Which candidate `p` is: 0 nameplate, 1.. a profile, then the curve's ends;
// -1 the interior of the curve.
std::int16_t KindOf(const MinerGroup& g, const MinerPoint& p) {
  if (p.power == g.model.power && p.hashrate == g.model.hashrate) return 0;
  std::int16_t k = 1;
  for (const MinerProfile& prof : g.firmware.profiles) {
    if (p.power == prof.power && p.hashrate == prof.hashrate) return k;
    ++k;
  }
  if (g.firmware.power_target_min && p.power == *g.firmware.power_target_min) return k;
  if (g.firmware.power_target_max && p.power == *g.firmware.power_target_max) return static_cast<std::int16_t>(k + 1);
  return -1;
}

}  // namespace

PointTable::PointTable(const MinerGroup& g, double pue, double u_lo, double u_hi, int cells)
    : finder_(g), pue_(pue), u_lo_(u_lo), inv_du_(cells / (u_hi - u_lo)), cells_(cells) {
  points_.resize(static_cast<std::size_t>(cells) + 1);
  kind_.resize(points_.size());
  // Hashprice 1: the price is x itself.
  for (int i = 0; i <= cells; ++i) {
    const double x = std::exp(u_lo + (u_hi - u_lo) * i / cells);
    points_[i] = finder_.Best(UsdPerTerahashDay(1), UsdPerMegawattHour(x), pue);
    kind_[i] = KindOf(g, points_[i]);
  }
}

MinerPoint PointTable::Best(UsdPerTerahashDay hashprice, UsdPerMegawattHour marginal_price) const {
  const double hp = hashprice.value(), price = marginal_price.value();
  return Best(hashprice, marginal_price, hp > 0 && price > 0 ? std::log(price / hp) : 0.0);
}

MinerPoint PointTable::Ask(UsdPerTerahashDay hashprice, UsdPerMegawattHour marginal_price) const {
  return finder_.Best(hashprice, marginal_price, pue_);
}

}  // namespace mullet
