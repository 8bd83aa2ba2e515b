// Each power domain's expected draw, against a hand computation: a site with
// two halls (one holding a row), PUE 1.25, firm AI and miners in each.

#include "dispatch/domain_draw.h"

#include <gtest/gtest.h>

#include "dispatch/test_sites.h"

namespace mullet {
namespace {

using testing_sites::Group;
using testing_sites::Lease;

PowerDomain Domain(const std::string& name, double limit_w, int parent = -1) {
  PowerDomain d;
  d.name = name;
  d.limit = Watts(limit_w);
  d.parent_index = parent;
  return d;
}

// hall-a (2 MW) holds row-a1 (1 MW) with 60 S21 (3,500 W) and a 500 kW lease
// of its own; hall-b (100 kW) holds 40 S19j Pro (3,050 W). PUE 1.25.
Site TwoHalls() {
  Site s;
  s.name = "two halls";
  s.interconnect = Megawatts(10);
  s.cooling.pue_air = 1.25;
  s.domains = {Domain("hall-a", 2e6), Domain("hall-b", 100e3), Domain("row-a1", 1e6, 0)};
  s.miners.push_back(Group("s21", "S21", 60, 2));
  s.miners.push_back(Group("s19jpro", "S19j Pro", 40, 1));
  s.leases.push_back(Lease("tenant", 0.5, 0));
  return s;
}

TEST(DomainDrawTest, EachDomainCarriesItsOwnLoadsAndItsChildrensTimesTheirPue) {
  const Site site = TwoHalls();
  DispatchState state = InitialState(site);
  TickSignals s;
  s.time = *ParseUtcTimestamp("2026-12-02T15:00:00Z");
  s.price = UsdPerMegawattHour(20);
  s.hashprice = UsdPerTerahashDay(0.05);
  const Allocation a = Dispatch(site, s, PolicyKind::kAlwaysOn, &state);
  const std::vector<Watts> draw = DomainDraw(site, a);
  ASSERT_EQ(draw.size(), 3u);
  // row-a1: 60 x 3,500 W x 1.25 = 262,500 W.
  EXPECT_DOUBLE_EQ(draw[2].value(), 262'500);
  // hall-a: row-a1 and the lease, 500 kW x 1.25 = 625,000 W.
  EXPECT_DOUBLE_EQ(draw[0].value(), 887'500);
  // hall-b's 100 kW fits floor(100,000 / (3,050 x 1.25)) = 26 S19j Pro: 99,125 W.
  EXPECT_EQ(a.miners[1].running, 26);
  EXPECT_DOUBLE_EQ(draw[1].value(), 99'125);
  // Every load sits under some top-level domain here: the halls add up to
  // the site's expected draw.
  EXPECT_NEAR((draw[0] + draw[1]).value(), a.facility().value(), 1e-6);
}

TEST(DomainDrawTest, ALoadUnderTheInterconnectAloneIsInNoDomain) {
  Site site = TwoHalls();
  site.miners[1].domain_index = -1;
  DispatchState state = InitialState(site);
  TickSignals s;
  s.time = *ParseUtcTimestamp("2026-12-02T15:00:00Z");
  s.price = UsdPerMegawattHour(20);
  s.hashprice = UsdPerTerahashDay(0.05);
  const Allocation a = Dispatch(site, s, PolicyKind::kAlwaysOn, &state);
  const std::vector<Watts> draw = DomainDraw(site, a);
  EXPECT_DOUBLE_EQ(draw[1].value(), 0);
  EXPECT_DOUBLE_EQ(draw[0].value(), 887'500);
  // All 40 S19j Pro run now, under the interconnect: 40 x 3,050 x 1.25.
  EXPECT_NEAR(a.facility().value() - draw[0].value(), 152'500, 1e-6);
}

}  // namespace
}  // namespace mullet
