// The firm tenants' terms of dispatch/contract.h: what a shortfall of firm
// load costs over one step, the one rule `backtest` books and `serve`
// records with each SLA event.

#include "dispatch/contract.h"

#include <gtest/gtest.h>

namespace mullet {
namespace {

ColoLease Lease() {
  ColoLease l;
  l.name = "tenant-a";
  l.contracted_it = Kilowatts(1000);
  l.rate = UsdPerKilowattMonth(120);
  l.availability_target = 0.9999;
  l.sla = {{0.9999, 0.10}, {0.99, 0.25}, {0.95, 1.0}};
  return l;
}

TEST(FirmTermsTest, ALeaseShortfallCreditsTheDeepestTierBreachedOnTheStepsRent) {
  const ColoLease l = Lease();
  const Hours step(0.5);
  const double rent = 120 * 1000 * 0.5 / Hours(kAccountingMonth).count();
  EXPECT_DOUBLE_EQ(LeaseRentUsd(l, step), rent);
  EXPECT_EQ(LeaseShortfallUsd(l, Kilowatts(850), Kilowatts(850), step), 0) << "served in full";
  EXPECT_DOUBLE_EQ(LeaseShortfallUsd(l, Kilowatts(1000), Kilowatts(995), step), 0.10 * rent);
  EXPECT_DOUBLE_EQ(LeaseShortfallUsd(l, Kilowatts(1000), Kilowatts(980), step), 0.25 * rent);
  EXPECT_DOUBLE_EQ(LeaseShortfallUsd(l, Kilowatts(1000), Kilowatts(0), step), rent);
  ColoLease no_sla = l;
  no_sla.sla.clear();
  EXPECT_EQ(LeaseShortfallUsd(no_sla, Kilowatts(1000), Kilowatts(0), step), 0) << "no credit tiers, no credit";
}

TEST(FirmTermsTest, ACloudShortfallLosesTheRevenueOfTheGpuHoursNotServed) {
  GpuCloud c;
  c.nodes = 10;
  c.gpus_per_node = 8;
  c.usd_per_gpu_hour = 2.5;
  c.utilisation = 0.8;
  const Hours step(2);
  EXPECT_DOUBLE_EQ(CloudRevenueUsd(c, step, 1.0), 10 * 8 * 2.5 * 0.8 * 2);
  EXPECT_DOUBLE_EQ(CloudShortfallUsd(c, Kilowatts(100), Kilowatts(75), step), 0.25 * 10 * 8 * 2.5 * 0.8 * 2);
  EXPECT_EQ(CloudShortfallUsd(c, Kilowatts(100), Kilowatts(100), step), 0);
  EXPECT_EQ(CloudShortfallUsd(c, Watts(0), Watts(0), step), 0) << "nothing demanded, nothing short";
}

}  // namespace
}  // namespace mullet
