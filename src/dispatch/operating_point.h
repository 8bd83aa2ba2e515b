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

// The most profitable point among nameplate, the firmware's profiles and, with
// a power-target range, the curve's optimum in that range
// (h = h_nom (p / p_nom)^(1 - k), profit a p^(1-k) - c p is largest at
// p* = (a (1 - k) / c)^(1 / k)). Ties keep nameplate.
MinerPoint BestPoint(const MinerGroup& g, UsdPerTerahashDay hashprice,
                     UsdPerMegawattHour marginal_price, double pue);

// Profit of one unit over one hour at `p` and a marginal price (facility basis).
Usd ProfitPerHour(const MinerGroup& g, const MinerPoint& p, UsdPerTerahashDay hashprice,
                  UsdPerMegawattHour marginal_price, double pue);

}  // namespace mullet

#endif  // MULLET_DISPATCH_OPERATING_POINT_H_
