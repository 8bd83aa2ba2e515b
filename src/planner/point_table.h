// PointFinder::Best by table, for the planner's hot loop. The best point
// depends on the prices through x = marginal price / hashprice only (divide
// a unit's hourly profit by the hashprice), so a table over u = log x holds
// it: in a cell whose ends pick the same fixed point (nameplate, a profile,
// a power-target end) that point is the answer, exactly; where both ends
// pick the curve's interior optimum, power and hashrate are interpolated
// linearly in u (p* = C x^(-1/k): relative error under (du / k)^2 / 8, 2e-5
// with the default grid); any other cell, x <= 0, a hashprice <= 0 and u
// off the table ask PointFinder itself. planner_test checks it against
// PointFinder over the whole range, and the site model's agreement with the
// backtest holds with it.
//
// Thread safety: immutable after construction.

#ifndef MULLET_PLANNER_POINT_TABLE_H_
#define MULLET_PLANNER_POINT_TABLE_H_

#include <cstdint>
#include <vector>

#include "dispatch/operating_point.h"

namespace mullet {

class PointTable {
 public:
  // REQUIRES: g outlives the table. The grid: u in [u_lo, u_hi], `cells` cells.
  PointTable(const MinerGroup& g, double pue, double u_lo = -12, double u_hi = 14, int cells = 4096);

  MinerPoint Best(UsdPerTerahashDay hashprice, UsdPerMegawattHour marginal_price) const;
  // The same with u = log(marginal_price / hashprice) already computed (a
  // caller that asks for many groups at the same prices); u is read only
  // when both prices are positive.
  MinerPoint Best(UsdPerTerahashDay hashprice, UsdPerMegawattHour marginal_price, double u) const {
    const double hp = hashprice.value(), price = marginal_price.value();
    if (hp > 0 && price > 0) {
      const double pos = (u - u_lo_) * inv_du_;
      if (pos >= 0 && pos < cells_) {
        const int i = static_cast<int>(pos);
        const std::int16_t a = kind_[i], b = kind_[i + 1];
        if (a == b && a >= 0) return points_[i];
        if (a == -1 && b == -1) {
          const double f = pos - i;
          const MinerPoint& p = points_[i];
          const MinerPoint& q = points_[i + 1];
          return {Watts(p.power.value() + f * (q.power.value() - p.power.value())),
                  TerahashPerSecond(p.hashrate.value() + f * (q.hashrate.value() - p.hashrate.value())),
                  p.underclocked};
        }
      }
    }
    return Ask(hashprice, marginal_price);
  }

 private:
  MinerPoint Ask(UsdPerTerahashDay hashprice, UsdPerMegawattHour marginal_price) const;

  PointFinder finder_;
  double pue_;
  double u_lo_, inv_du_;
  int cells_;
  // Per grid point: the point, and which candidate won (-1: the interior).
  std::vector<MinerPoint> points_;
  std::vector<std::int16_t> kind_;
};

}  // namespace mullet

#endif  // MULLET_PLANNER_POINT_TABLE_H_
