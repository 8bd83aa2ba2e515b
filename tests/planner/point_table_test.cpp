// The table of best operating points against PointFinder, which it stands
// in for in the planner's hot loop.

#include "planner/point_table.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/asic/catalog.h"

namespace mullet {
namespace {

MinerGroup Group(bool curve, bool profiles) {
  MinerGroup g;
  g.name = "g";
  g.model = *AsicCatalog::BuiltIn().Find("Antminer S21");
  g.count = 100;
  if (curve) {
    g.firmware.power_target_min = Watts(2500);
    g.firmware.power_target_max = Watts(3800);
  }
  if (profiles) {
    g.firmware.profiles = {{"eco", Watts(2800), TerahashPerSecond(173)},
                           {"turbo", Watts(3800), TerahashPerSecond(211)}};
  }
  return g;
}

TEST(PointTableTest, MatchesPointFinderFromNegativePricesToTheCap) {
  for (bool curve : {false, true}) {
    for (bool profiles : {false, true}) {
      const MinerGroup g = Group(curve, profiles);
      const PointTable table(g, 1.08);
      const PointFinder finder(g);
      int interpolated = 0;
      double worst = 0;
      for (double hp : {0.02, 0.045, 0.1}) {
        for (double price = -50; price <= 5000; price += 0.37) {
          const MinerPoint a = table.Best(UsdPerTerahashDay(hp), UsdPerMegawattHour(price));
          const MinerPoint b = finder.Best(UsdPerTerahashDay(hp), UsdPerMegawattHour(price), 1.08);
          const double rel = std::abs(a.hashrate.value() - b.hashrate.value()) / b.hashrate.value();
          worst = std::max(worst, rel);
          EXPECT_LE(std::abs(a.power.value() - b.power.value()) / b.power.value(), 1e-4)
              << "hp " << hp << " price " << price << " curve " << curve << " profiles " << profiles;
          interpolated += a.power != b.power;
        }
      }
      EXPECT_LE(worst, 1e-4);
      // Only the curve's interior is interpolated; fixed points are exact.
      if (!curve) {
        EXPECT_EQ(interpolated, 0);
      } else {
        EXPECT_GT(interpolated, 0);
      }
    }
  }
}

}  // namespace
}  // namespace mullet
