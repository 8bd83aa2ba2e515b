// The policy's memory saved to JSON and loaded back: a run stopped in the
// middle of a demand-response event, a strike hold, minimum on/off times and
// batch work, and resumed from the saved memory, gives allocations identical
// to a run that never stopped.

#include "dispatch/memory_json.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dispatch/test_sites.h"
#include "sim/backtest.h"

namespace mullet {
namespace {

using testing_sites::Group;
using testing_sites::Lease;

// A site with something to remember of every kind.
Site RememberingSite() {
  Site s;
  s.name = "remembering";
  s.interconnect = Megawatts(12);
  s.cooling.pue_air = 1.05;
  s.miners.push_back(Group("s21", "S21", 1000));
  s.miners.push_back(Group("s19jpro", "S19j Pro", 1000));
  s.miners.push_back(Group("m30", "M30S++", 800));
  s.miners[0].min_on = Hours(3);
  s.miners[1].min_off = Hours(2);
  s.miners[1].strike_price = UsdPerMegawattHour(45);
  s.miners[2].ramp_up = Seconds(900);
  s.leases.push_back(Lease("tenant", 2));
  s.policy.hysteresis = UsdPerMegawattHour(3);
  s.policy.strike_windows = 3;
  BatchQueue q;
  q.gpus = 64;
  q.power_per_gpu = Watts(1000);
  q.jobs.push_back({"train", 900, *ParseUtcTimestamp("2024-03-01T05:00:00Z"),
                    *ParseUtcTimestamp("2024-03-03T00:00:00Z"), 4.0});
  q.recurring = RecurringBatch{Hours(24), 300, Hours(20), 2.5};
  s.batch = q;
  DemandResponseEvent e;
  e.start = *ParseUtcTimestamp("2024-03-02T10:00:00Z");
  e.end = *ParseUtcTimestamp("2024-03-02T16:00:00Z");
  e.reduce_by = Megawatts(3);
  e.credit = UsdPerMegawattHour(90);
  s.contract.demand_response.push_back(e);
  return s;
}

MarketSeries Market(int hours) {
  MarketSeries m;
  m.step = Hours(1);
  const UtcTime t0 = *ParseUtcTimestamp("2024-03-01T00:00:00Z");
  unsigned seed = 11;
  double x = 40;
  for (int k = 0; k < hours; ++k) {
    seed = seed * 1103515245u + 12345u;
    x = std::max(-5.0, x + static_cast<double>(seed % 3001) / 100.0 - 15.0);
    if (k % 13 == 4) x = 180;
    m.times.push_back(t0 + std::chrono::hours(k));
    m.power_price.push_back(UsdPerMegawattHour(x));
    m.hashprice.push_back(UsdPerPetahashDay(45));
    m.btc_price.push_back(UsdPerBtc(60000));
    m.btc_per_th_day.push_back(BtcPerTerahashDay(45.0 / 1000 / 60000));
  }
  return m;
}

// Runs steps [from, to) of `m`, appending each allocation.
void RunSteps(const Site& site, const MarketSeries& m, PolicyKind p, size_t from, size_t to, DispatchState* st,
              std::vector<Allocation>* out) {
  for (size_t k = from; k < to; ++k) {
    const TickSignals s = SignalsAt(site, m, k, p, PolicyOptions{}, Observation{}, st);
    out->push_back(Dispatch(site, s, Observation{}, p, PolicyOptions{}, st));
  }
}

void ExpectSameAllocation(const Allocation& a, const Allocation& b, size_t k) {
  ASSERT_EQ(a.miners.size(), b.miners.size());
  for (size_t i = 0; i < a.miners.size(); ++i) {
    EXPECT_EQ(a.miners[i].running, b.miners[i].running) << "step " << k << " group " << i;
    EXPECT_EQ(a.miners[i].point.power, b.miners[i].point.power) << "step " << k << " group " << i;
    EXPECT_EQ(a.miners[i].reason, b.miners[i].reason) << "step " << k << " group " << i;
  }
  EXPECT_EQ(a.batch.gpus, b.batch.gpus) << "step " << k;
  EXPECT_EQ(a.batch.value, b.batch.value) << "step " << k;
  EXPECT_EQ(a.site_cap, b.site_cap) << "step " << k;
  EXPECT_EQ(a.facility(), b.facility()) << "step " << k;
}

TEST(MemoryJsonTest, ResumedRunIsIdenticalToAnUninterruptedOne) {
  const Site site = RememberingSite();
  const MarketSeries m = Market(72);
  for (PolicyKind p : {PolicyKind::kMullet, PolicyKind::kStrikePrice}) {
    std::vector<Allocation> whole;
    DispatchState st = InitialState(site);
    RunSteps(site, m, p, 0, m.size(), &st, &whole);

    // Stop at 13:00 on 2 March, three hours into the event; save; resume.
    const size_t stop = 37;
    ASSERT_EQ(FormatUtc(m.times[stop]), "2024-03-02T13:00:00Z");
    std::vector<Allocation> resumed;
    DispatchState first = InitialState(site);
    RunSteps(site, m, p, 0, stop, &first, &resumed);
    ASSERT_TRUE(first.dr_baselines[0].has_value()) << "the event's baseline is fixed before the stop";
    const std::string saved = SaveMemoryJson(site, first);
    Result<DispatchState> loaded = LoadMemoryJson(site, saved);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    EXPECT_EQ(SaveMemoryJson(site, *loaded), saved);  // exact round trip
    DispatchState second = std::move(loaded).value();
    RunSteps(site, m, p, stop, m.size(), &second, &resumed);

    ASSERT_EQ(resumed.size(), whole.size());
    for (size_t k = 0; k < whole.size(); ++k) ExpectSameAllocation(whole[k], resumed[k], k);
    // The event cut the site during the resumed part (it did bind).
    EXPECT_LT(whole[stop].site_cap, site.interconnect);
  }
}

// Without the saved memory, a restart would forget the event's baseline and
// the timers: the resumed allocations would differ (the test above can fail).
TEST(MemoryJsonTest, AFreshMemoryDoesNotResumeTheSame) {
  const Site site = RememberingSite();
  const MarketSeries m = Market(72);
  std::vector<Allocation> whole, restarted;
  DispatchState st = InitialState(site);
  RunSteps(site, m, PolicyKind::kMullet, 0, m.size(), &st, &whole);
  DispatchState fresh = InitialState(site);
  const size_t stop = 37;
  RunSteps(site, m, PolicyKind::kMullet, stop, m.size(), &fresh, &restarted);
  bool differs = false;
  for (size_t k = stop; k < m.size(); ++k) {
    const Allocation& a = whole[k];
    const Allocation& b = restarted[k - stop];
    differs |= a.site_cap != b.site_cap || a.facility() != b.facility() || a.batch.gpus != b.batch.gpus;
  }
  EXPECT_TRUE(differs);
}

TEST(MemoryJsonTest, LoadNamesTheFieldThatIsWrong) {
  const Site site = RememberingSite();
  const std::string good = SaveMemoryJson(site, InitialState(site));
  auto fails = [&](std::string text, const std::string& what) {
    Result<DispatchState> r = LoadMemoryJson(site, text);
    if (r.ok()) return ::testing::AssertionFailure() << "loaded: " << text;
    if (r.status().message().find(what) == std::string::npos) {
      return ::testing::AssertionFailure() << r.status().message();
    }
    return ::testing::AssertionSuccess();
  };
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  EXPECT_TRUE(fails("{", "not valid JSON"));
  EXPECT_TRUE(fails(replace("\"version\": 1", "\"version\": 2"), "version: expected 1"));
  EXPECT_TRUE(fails(replace("\"site\": \"remembering\"", "\"site\": \"other\""),
                    "site: saved for site 'other', this site is 'remembering'"));
  EXPECT_TRUE(fails(replace("\"name\": \"s19jpro\"", "\"name\": \"s19\""),
                    "miners[1].name: saved for group 's19', the site has 's19jpro'"));
  EXPECT_TRUE(fails(replace("\"running\": 800", "\"running\": 801"),
                    "miners[2].running: must be a whole number of units from 0 to 800"));
  EXPECT_TRUE(fails(replace("\"release\": \"2024-03-01T05:00:00Z\"", "\"release\": \"yesterday\""),
                    "jobs[0].release"));
  EXPECT_TRUE(fails(replace("\"dr_baselines_w\": [\n    null\n  ]", "\"dr_baselines_w\": []"),
                    "dr_baselines_w: saved for 0 demand-response events, the site has 1"));
}

// The setpoints the meter model needs (unit_it_w, batch_it_w) came after the
// first saves: a memory without them loads with InitialState's values, and a
// bad one is named.
TEST(MemoryJsonTest, SetpointsForTheMeterModelRoundTripAndMayBeAbsent) {
  const Site site = RememberingSite();
  DispatchState st = InitialState(site);
  st.miners[0].unit_it = Watts(2750.5);
  st.batch_it = Watts(120000);
  const std::string saved = SaveMemoryJson(site, st);
  Result<DispatchState> loaded = LoadMemoryJson(site, saved);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->miners[0].unit_it, Watts(2750.5));
  EXPECT_EQ(loaded->batch_it, Watts(120000));

  nlohmann::json j = nlohmann::json::parse(saved);
  j.erase("batch_it_w");
  for (auto& m : j["miners"]) m.erase("unit_it_w");
  Result<DispatchState> old = LoadMemoryJson(site, j.dump());
  ASSERT_TRUE(old.ok()) << old.status().message();
  EXPECT_EQ(old->miners[0].unit_it, site.miners[0].model.power);
  EXPECT_EQ(old->batch_it, Watts(0));

  j["miners"][0]["unit_it_w"] = -1;
  Result<DispatchState> bad = LoadMemoryJson(site, j.dump());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("miners[0].unit_it_w: must be >= 0"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace mullet
