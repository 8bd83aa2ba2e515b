// The economics of one miner at one operating point, and the best point a
// group's firmware allows at a hashprice and a marginal power price.

#ifndef MULLET_DISPATCH_OPERATING_POINT_H_
#define MULLET_DISPATCH_OPERATING_POINT_H_

#include "site/site.h"

namespace mullet {

struct MinerPoint {
  Watts power{0};                  // per unit, IT
  TerahashPerSecond hashrate{0};   // per unit
  bool underclocked = false;       // below nameplate power
};

// Expected revenue of one unit over one hour at `p`, after uptime and pool fee.
Usd RevenuePerHour(const MinerGroup& g, const MinerPoint& p, UsdPerTerahashDay hashprice);

// Revenue per MWh of facility energy (IT x pue) at `p`: the marginal value
// the policy compares with the marginal power price.
UsdPerMegawattHour ValuePerMegawattHour(const MinerGroup& g, const MinerPoint& p,
                                        UsdPerTerahashDay hashprice, double pue);

// Nameplate point of the group's model.
MinerPoint NameplatePoint(const MinerGroup& g);

// The index price at which the group at nameplate just pays for its power:
// hashprice x uptime x (1 - pool fee) / (0.024 x J/TH x PUE) per MWh
// (economics.md §1.5), less the contract's adder on each MWh bought. The
// strike-price baseline's strike where a group sets none, and the
// dashboard's breakeven line of each group.
UsdPerMegawattHour BreakevenIndexPrice(const Site& site, const MinerGroup& g, UsdPerTerahashDay hashprice);

// The most profitable point among nameplate, the firmware's profiles and, with
// a power-target range, the curve's optimum in that range
// (h = h_nom (p / p_nom)^(1 - k), profit a p^(1-k) - c p is largest at
// p* = (a (1 - k) / c)^(1 / k)). Ties keep nameplate.
MinerPoint BestPoint(const MinerGroup& g, UsdPerTerahashDay hashprice,
                     UsdPerMegawattHour marginal_price, double pue);

// BestPoint for one group, with what does not depend on the prices computed
// once: the curve's ends and nameplate's power term. Best() returns exactly
// what BestPoint returns (the same operations on the same values); a loop
// that asks many times (the planner's site model) keeps one per group.
// Holds a reference to `g`, which must outlive it.
class PointFinder {
 public:
  explicit PointFinder(const MinerGroup& g);
  MinerPoint Best(UsdPerTerahashDay hashprice, UsdPerMegawattHour marginal_price, double pue) const;

 private:
  const MinerGroup& g_;
  MinerPoint nameplate_;
  bool curve_ = false;
  MinerPoint lo_, hi_;
  double nominal_power_term_ = 0;  // p_nom^(1 - k)
};

// Profit of one unit over one hour at `p` and a marginal price (facility basis).
Usd ProfitPerHour(const MinerGroup& g, const MinerPoint& p, UsdPerTerahashDay hashprice,
                  UsdPerMegawattHour marginal_price, double pue);

}  // namespace mullet

#endif  // MULLET_DISPATCH_OPERATING_POINT_H_
