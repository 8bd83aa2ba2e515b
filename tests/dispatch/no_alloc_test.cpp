// A tick of the policy allocates nothing once its storage has grown (issue 8:
// the planner runs millions of ticks). This binary replaces the global
// operator new to count allocations, so it is a test executable of its own.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "dispatch/policy.h"
#include "dispatch/test_sites.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// Every replaceable form that the library may call, so that new and delete
// always pair (malloc and free underneath). g++ 12 takes the free() inside a
// replaced operator delete for a mismatch with new; here they are the pair.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* Counted(std::size_t n) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new(std::size_t n) {
  if (void* p = Counted(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = Counted(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return Counted(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return Counted(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace mullet {
namespace {

using testing_sites::Group;
using testing_sites::Lease;

// Every part of a tick: domains, cooling, firm, batch with jobs, power
// targets, strike windows, an observation with silent and ramping units.
Site BusySite() {
  Site s;
  s.name = "busy";
  s.interconnect = Megawatts(20);
  s.domains.push_back({"feeder-a", "", Megawatts(9), -1});
  s.domains.push_back({"feeder-b", "", Megawatts(9), -1});
  s.cooling.capacity = Megawatts(18);
  for (int g = 0; g < 6; ++g) {
    MinerGroup m = Group("group-with-a-long-name-" + std::to_string(g), g % 2 ? "S21" : "S19j Pro", 400, g % 2);
    if (g % 3 == 0) {
      m.firmware.power_target_min = m.model.power * 0.6;
      m.firmware.power_target_max = m.model.power * 1.1;
    }
    m.min_on = Hours(2);
    s.miners.push_back(m);
  }
  s.leases.push_back(Lease("tenant-with-a-long-name", 3));
  BatchQueue q;
  q.gpus = 256;
  q.power_per_gpu = Watts(1000);
  const UtcTime t0 = *ParseUtcTimestamp("2024-07-01T00:00:00Z");
  for (int j = 0; j < 8; ++j) {
    q.jobs.push_back({"checkpointed-training-job-" + std::to_string(j), 400.0 + 50 * j, t0,
                      t0 + std::chrono::hours(24 + 12 * j), 1.0 + j});
  }
  s.batch = q;
  s.contract.four_cp = FourCoincidentPeak{};
  s.contract.four_cp->rate_usd_per_kw_year = 5;
  s.policy.strike_windows = 2;
  return s;
}

TEST(NoAllocTest, ATickAllocatesNothingOnceWarm) {
  const Site site = BusySite();
  Observation obs;
  for (const MinerGroup& g : site.miners) {
    GroupObservation o;
    o.unanswering = 3;
    o.unanswering_it = g.model.power * 3;
    o.ramping_down = 2;
    o.ramping_down_it = g.model.power * 2;
    o.hashing = g.count - 5;
    obs.miners.push_back(o);
  }
  for (PolicyKind p : {PolicyKind::kMullet, PolicyKind::kStrikePrice, PolicyKind::kAlwaysOn}) {
    DispatchState st = InitialState(site);
    Allocation a;
    TickSignals s;
    s.time = *ParseUtcTimestamp("2024-07-01T00:00:00Z");
    s.hashprice = UsdPerPetahashDay(50);
    // Warm up: the first tick grows the allocation and the scratch storage.
    Dispatch(site, s, obs, p, PolicyOptions{}, &st, &a);
    const long before = g_allocations.load();
    for (int k = 1; k < 200; ++k) {
      s.time += std::chrono::hours(1);
      s.price = UsdPerMegawattHour(k % 7 == 0 ? 400 : 20 + k % 50);
      s.ambient_c = 15 + k % 30;
      s.dr_limit = k % 11 == 0 ? std::optional<Watts>(Megawatts(8)) : std::nullopt;
      s.peak_alert = k % 13 == 0;
      Dispatch(site, s, obs, p, PolicyOptions{}, &st, &a);
    }
    EXPECT_EQ(g_allocations.load() - before, 0) << PolicyName(p);
    EXPECT_GT(a.facility().value(), 0);
  }
}

// The counter works: a tick into a fresh Allocation allocates.
TEST(NoAllocTest, TheCounterSeesAllocations) {
  const Site site = BusySite();
  DispatchState st = InitialState(site);
  TickSignals s;
  s.time = *ParseUtcTimestamp("2024-07-01T00:00:00Z");
  const long before = g_allocations.load();
  const Allocation a = Dispatch(site, s, PolicyKind::kMullet, &st);
  EXPECT_GT(g_allocations.load() - before, 0);
}

}  // namespace
}  // namespace mullet
