// Small sites built in code for the dispatch and backtest tests.

#ifndef MULLET_TESTS_DISPATCH_TEST_SITES_H_
#define MULLET_TESTS_DISPATCH_TEST_SITES_H_

#include <chrono>
#include <string>
#include <vector>

#include "core/asic/catalog.h"
#include "data/market.h"
#include "site/site.h"

namespace mullet::testing_sites {

inline MinerGroup Group(const std::string& name, const std::string& model, int count,
                        int domain_index = -1) {
  MinerGroup g;
  g.name = name;
  g.model = *AsicCatalog::BuiltIn().Find(model);
  g.count = count;
  g.domain_index = domain_index;
  g.pool_fee = 0;
  g.uptime = 1;
  g.ramp_up = Seconds(0);
  return g;
}

// A pure-mining site, PUE 1, no adder: 1000 S21 (3.5 MW) and 1000 S19j Pro (3.05 MW).
inline Site MiningSite() {
  Site s;
  s.name = "mining";
  s.interconnect = Megawatts(10);
  s.cooling.pue_air = 1.0;
  s.miners.push_back(Group("s21", "S21", 1000));
  s.miners.push_back(Group("s19jpro", "S19j Pro", 1000));
  s.policy.hysteresis = UsdPerMegawattHour(0);
  return s;
}

inline ColoLease Lease(const std::string& name, double it_mw, int domain_index = -1) {
  ColoLease l;
  l.name = name;
  l.contracted_it = Megawatts(it_mw);
  l.rate = UsdPerKilowattMonth(120);
  l.load_factor = 1.0;
  l.cooling = CoolingClass::kAir;  // PUE 1 in MiningSite()
  l.domain_index = domain_index;
  l.sla = {{0.9999, 0.05}, {0.999, 0.10}, {0.99, 0.25}};
  return l;
}

// A market on a regular grid from `t0`: one price per step, a flat hashprice
// ($/PH/day) and BTC price, BTC per TH/s per day = hashprice / BTC price.
inline MarketSeries Market(UtcTime t0, Hours step, const std::vector<double>& prices, double hashprice_ph,
                           double btc_price = 60000) {
  MarketSeries m;
  m.step = step;
  for (size_t k = 0; k < prices.size(); ++k) {
    m.times.push_back(t0 + std::chrono::duration_cast<std::chrono::seconds>(step * k));
    m.power_price.push_back(UsdPerMegawattHour(prices[k]));
    m.hashprice.push_back(UsdPerPetahashDay(hashprice_ph));
    m.btc_price.push_back(UsdPerBtc(btc_price));
    m.btc_per_th_day.push_back(BtcPerTerahashDay(hashprice_ph / 1000 / btc_price));
  }
  m.power_source = "test";
  m.hashprice_source = "test";
  return m;
}

}  // namespace mullet::testing_sites

#endif  // MULLET_TESTS_DISPATCH_TEST_SITES_H_
