// Property tests of the dispatch policy on seeded random sites and price
// paths. Every failure prints its seed; rerun one with MULLET_SEED=<seed>.

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "dispatch/policy.h"
#include "dispatch/test_sites.h"

namespace mullet {
namespace {

// A 4CP rate of $50/kW-year with no peaks listed.
FourCoincidentPeak FourCpAt50() {
  FourCoincidentPeak f;
  f.rate_usd_per_kw_year = 50;
  return f;
}

constexpr double kTolW = 1e-3;  // rounding slack, in watts

struct RandomCase {
  Site site;
  std::vector<TickSignals> ticks;
};

double Uniform(std::mt19937_64& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}
int UniformInt(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

RandomCase MakeCase(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  RandomCase c;
  Site& s = c.site;
  s.name = "random";
  s.interconnect = Megawatts(Uniform(rng, 5, 120));
  s.cooling.pue_air = Uniform(rng, 1.0, 1.15);
  s.cooling.pue_immersion = Uniform(rng, 1.0, 1.08);
  s.cooling.pue_liquid = Uniform(rng, 1.1, 1.4);
  if (UniformInt(rng, 0, 1)) {
    s.cooling.capacity = s.interconnect * Uniform(rng, 0.5, 1.2);
    s.cooling.derate_per_c = Uniform(rng, 0, 0.05);
  }
  const int domains = UniformInt(rng, 0, 5);
  for (int d = 0; d < domains; ++d) {
    const int parent = d == 0 ? -1 : UniformInt(rng, -1, d - 1);
    s.domains.push_back({"d" + std::to_string(d), "", s.interconnect * Uniform(rng, 0.1, 0.9), parent});
  }
  const char* models[] = {"S19j Pro", "S19 XP", "S21", "S21 XP", "M30S++", "M50S", "M60S"};
  const int groups = UniformInt(rng, 1, 12);
  for (int g = 0; g < groups; ++g) {
    MinerGroup m = testing_sites::Group("g" + std::to_string(g), models[UniformInt(rng, 0, 6)],
                                        UniformInt(rng, 1, 6000), UniformInt(rng, -1, domains - 1));
    m.cooling = UniformInt(rng, 0, 1) ? CoolingClass::kAir : CoolingClass::kImmersion;
    m.pool_fee = Uniform(rng, 0, 0.03);
    m.uptime = Uniform(rng, 0.9, 1);
    if (UniformInt(rng, 0, 2) == 0) {
      m.firmware.power_target_min = m.model.power * 0.6;
      m.firmware.power_target_max = m.model.power * 1.1;
    }
    m.min_on = Hours(UniformInt(rng, 0, 3));
    m.min_off = Hours(UniformInt(rng, 0, 3));
    s.miners.push_back(m);
  }
  const int leases = UniformInt(rng, 0, 3);
  for (int l = 0; l < leases; ++l) {
    ColoLease lease = testing_sites::Lease("l" + std::to_string(l), s.interconnect.megawatts() * Uniform(rng, 0.02, 0.3),
                                           UniformInt(rng, -1, domains - 1));
    lease.cooling = CoolingClass::kLiquid;
    s.leases.push_back(lease);
  }
  if (UniformInt(rng, 0, 1)) {
    GpuCloud cloud;
    cloud.name = "cloud";
    cloud.nodes = UniformInt(rng, 1, 200);
    cloud.power_per_node = Kilowatts(Uniform(rng, 5, 12));
    cloud.domain_index = UniformInt(rng, -1, domains - 1);
    s.clouds.push_back(cloud);
  }
  const UtcTime t0 = *ParseUtcTimestamp("2024-01-01T00:00:00Z");
  if (UniformInt(rng, 0, 1)) {
    BatchQueue q;
    q.gpus = UniformInt(rng, 8, 1024);
    q.power_per_gpu = Kilowatts(Uniform(rng, 0.7, 1.4));
    q.domain_index = UniformInt(rng, -1, domains - 1);
    for (int j = 0; j < 5; ++j) {
      const UtcTime rel = t0 + std::chrono::hours(UniformInt(rng, 0, 40));
      q.jobs.push_back({"j", Uniform(rng, 10, 5000), rel, rel + std::chrono::hours(UniformInt(rng, 2, 30)),
                        Uniform(rng, 0.5, 4)});
    }
    s.batch = q;
  }
  s.contract.adder = UsdPerMegawattHour(Uniform(rng, 0, 8));
  if (UniformInt(rng, 0, 2) == 0) s.contract.block = FixedBlock{s.interconnect * 0.4, UsdPerMegawattHour(30)};
  if (UniformInt(rng, 0, 2) == 0) s.contract.four_cp = FourCpAt50();
  s.policy.hysteresis = UsdPerMegawattHour(Uniform(rng, 0, 10));
  s.policy.strike_windows = UniformInt(rng, 1, 3);
  if (UniformInt(rng, 0, 2) == 0) s.policy.reserve_fraction = Uniform(rng, 0, 0.1);

  double price = Uniform(rng, 10, 80);
  for (int k = 0; k < 48; ++k) {
    TickSignals t;
    t.time = t0 + std::chrono::hours(k);
    price = std::max(-20.0, price * std::exp(Uniform(rng, -0.4, 0.4)) + (UniformInt(rng, 0, 20) == 0 ? 2000 : 0));
    if (price > 500 && UniformInt(rng, 0, 1)) price = Uniform(rng, 10, 80);
    t.price = UsdPerMegawattHour(price);
    t.hashprice = UsdPerPetahashDay(Uniform(rng, 30, 90));
    t.ambient_c = Uniform(rng, -5, 48);
    if (UniformInt(rng, 0, 6) == 0) t.dr_limit = s.interconnect * Uniform(rng, 0, 0.8);
    t.peak_alert = UniformInt(rng, 0, 20) == 0;
    c.ticks.push_back(t);
  }
  return c;
}

// Facility and IT power each limit carries, recomputed from the allocation.
struct Usage {
  Watts site{0};
  std::vector<Watts> domain;
  Watts cooling_it{0};
};

void Add(const Site& s, Usage& u, int domain, double pue, Watts it) {
  u.site += it * pue;
  for (int d = domain; d >= 0; d = s.domains[d].parent_index) u.domain[d] += it * pue;
  u.cooling_it += it;
}

Usage FirmUsage(const Site& s, const Allocation& a) {
  Usage u;
  u.domain.assign(s.domains.size(), Watts(0));
  for (size_t i = 0; i < s.leases.size(); ++i) {
    Add(s, u, s.leases[i].domain_index, s.cooling.Pue(s.leases[i].cooling), a.leases[i].served_it);
  }
  for (size_t i = 0; i < s.clouds.size(); ++i) {
    Add(s, u, s.clouds[i].domain_index, s.cooling.Pue(s.clouds[i].cooling), a.clouds[i].served_it);
  }
  return u;
}

Usage TotalUsage(const Site& s, const Allocation& a) {
  Usage u = FirmUsage(s, a);
  if (s.batch) Add(s, u, s.batch->domain_index, s.cooling.Pue(s.batch->cooling), a.batch.it);
  for (size_t i = 0; i < s.miners.size(); ++i) {
    Add(s, u, s.miners[i].domain_index, s.cooling.Pue(s.miners[i].cooling),
        a.miners[i].point.power * a.miners[i].running);
  }
  return u;
}

std::uint64_t BaseSeed() {
  const char* env = std::getenv("MULLET_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 20261121;
}

constexpr int kCases = 300;

TEST(PolicyPropertyTest, NeverExceedsAnyLimitUnlessFirmAloneDoes) {
  for (int n = 0; n < kCases; ++n) {
    const std::uint64_t seed = BaseSeed() + n;
    const RandomCase c = MakeCase(seed);
    for (PolicyKind p : {PolicyKind::kMullet, PolicyKind::kStrikePrice, PolicyKind::kAlwaysOn}) {
      DispatchState st = InitialState(c.site);
      for (const TickSignals& t : c.ticks) {
        const Allocation a = Dispatch(c.site, t, p, &st);
        const Usage firm = FirmUsage(c.site, a);
        const Usage all = TotalUsage(c.site, a);
        const Watts cap = t.dr_limit ? std::min(c.site.interconnect, std::max(Watts(0), *t.dr_limit))
                                     : c.site.interconnect;
        ASSERT_LE(all.site.value(), std::max(cap, firm.site).value() + kTolW)
            << "seed " << seed << " policy " << PolicyName(p);
        for (size_t d = 0; d < c.site.domains.size(); ++d) {
          ASSERT_LE(all.domain[d].value(), std::max(c.site.domains[d].limit, firm.domain[d]).value() + kTolW)
              << "seed " << seed << " domain " << d;
        }
        if (c.site.cooling.capacity) {
          ASSERT_LE(all.cooling_it.value(),
                    std::max(c.site.cooling.CapacityAt(t.ambient_c), firm.cooling_it).value() + kTolW)
              << "seed " << seed;
        }
        ASSERT_NEAR(a.facility().value(), all.site.value(), 1e-3) << "seed " << seed;
        for (const MinerSetpoint& m : a.miners) ASSERT_GE(m.running, 0) << "seed " << seed;
        ASSERT_GE(a.batch.gpus, 0) << "seed " << seed;
      }
    }
  }
}

// What a site measured: a random share of each group's units does not answer
// (at a last known power up to 10 % above nameplate) and some still ramp down.
Observation RandomObservation(const Site& s, std::mt19937_64& rng) {
  Observation o;
  for (const MinerGroup& g : s.miners) {
    GroupObservation m;
    m.unanswering = UniformInt(rng, 0, 3) == 0 ? UniformInt(rng, 0, g.count * 3 / 10) : 0;
    m.unanswering_it = g.model.power * (m.unanswering * Uniform(rng, 0.5, 1.1));
    m.ramping_down = UniformInt(rng, 0, 4) == 0 ? UniformInt(rng, 0, (g.count - m.unanswering) / 5) : 0;
    m.ramping_down_it = g.model.power * m.ramping_down;
    m.hashing = g.count - m.unanswering - m.ramping_down;
    o.miners.push_back(m);
  }
  return o;
}

// Usage of the loads that draw whatever is decided: firm demand served and
// miners that do not answer or still ramp down.
Usage UncommandedUsage(const Site& s, const Allocation& a, const Observation& o) {
  Usage u = FirmUsage(s, a);
  for (size_t i = 0; i < s.miners.size(); ++i) {
    Add(s, u, s.miners[i].domain_index, s.cooling.Pue(s.miners[i].cooling),
        o.miners[i].unanswering_it + o.miners[i].ramping_down_it);
  }
  return u;
}

TEST(PolicyPropertyTest, ExpectedDrawWithUnansweringAndRampingUnitsStaysInsideEveryLimit) {
  for (int n = 0; n < kCases; ++n) {
    const std::uint64_t seed = BaseSeed() + n;
    const RandomCase c = MakeCase(seed);
    std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ull);
    for (PolicyKind p : {PolicyKind::kMullet, PolicyKind::kStrikePrice, PolicyKind::kAlwaysOn}) {
      DispatchState st = InitialState(c.site);
      for (const TickSignals& t : c.ticks) {
        const Observation o = RandomObservation(c.site, rng);
        const Allocation a = Dispatch(c.site, t, o, p, PolicyOptions{}, &st);
        // Recompute the expected draw from the setpoints and the observation.
        Usage all = UncommandedUsage(c.site, a, o);
        const Usage fixed = all;
        if (c.site.batch) Add(c.site, all, c.site.batch->domain_index, c.site.cooling.Pue(c.site.batch->cooling), a.batch.it);
        for (size_t i = 0; i < c.site.miners.size(); ++i) {
          const MinerGroup& g = c.site.miners[i];
          const MinerSetpoint& m = a.miners[i];
          ASSERT_LE(m.running, g.count - o.miners[i].unanswering - o.miners[i].ramping_down)
              << "seed " << seed << ": commanded a unit that cannot be commanded";
          ASSERT_NEAR(m.expected_it.value(),
                      (m.point.power * m.running + o.miners[i].unanswering_it + o.miners[i].ramping_down_it).value(),
                      1e-6)
              << "seed " << seed;
          Add(c.site, all, g.domain_index, c.site.cooling.Pue(g.cooling), m.point.power * m.running);
        }
        ASSERT_NEAR(a.facility().value(), all.site.value(), 1e-3) << "seed " << seed;
        const Watts cap = t.dr_limit ? std::min(c.site.interconnect, std::max(Watts(0), *t.dr_limit))
                                     : c.site.interconnect;
        ASSERT_LE(all.site.value(), std::max(cap, fixed.site).value() + kTolW)
            << "seed " << seed << " policy " << PolicyName(p);
        for (size_t d = 0; d < c.site.domains.size(); ++d) {
          ASSERT_LE(all.domain[d].value(), std::max(c.site.domains[d].limit, fixed.domain[d]).value() + kTolW)
              << "seed " << seed << " domain " << d;
        }
        if (c.site.cooling.capacity) {
          ASSERT_LE(all.cooling_it.value(),
                    std::max(c.site.cooling.CapacityAt(t.ambient_c), fixed.cooling_it).value() + kTolW)
              << "seed " << seed;
        }
      }
    }
  }
}

// Load nobody modelled (random watts at random domains, or under the
// interconnect) on a plant that otherwise does as commanded, read by a meter
// at the interconnect and at every domain: the commands plus that load stay
// inside every limit, unless the firm demand and that load alone do not.
// The meters read the plant the test keeps, from the last allocation's
// setpoints: not the policy's own model.
TEST(PolicyPropertyTest, MeteredLoadNobodyModelledIsKeptInsideEveryLimit) {
  for (int n = 0; n < kCases; ++n) {
    const std::uint64_t seed = BaseSeed() + n;
    const RandomCase c = MakeCase(seed);
    const Site& s = c.site;
    std::mt19937_64 rng(seed ^ 0x5851f42d4c957f2dull);
    for (PolicyKind p : {PolicyKind::kMullet, PolicyKind::kStrikePrice, PolicyKind::kAlwaysOn}) {
      DispatchState st = InitialState(s);
      // The plant before the first tick: every unit at nameplate (as
      // InitialState has it), firm at demand, no batch.
      Allocation last;
      last.leases.resize(s.leases.size());
      last.clouds.resize(s.clouds.size());
      for (size_t i = 0; i < s.leases.size(); ++i) last.leases[i].served_it = s.leases[i].contracted_it * s.leases[i].load_factor;
      for (size_t i = 0; i < s.clouds.size(); ++i) last.clouds[i].served_it = s.clouds[i].power_per_node * s.clouds[i].nodes;
      for (const MinerGroup& g : s.miners) {
        MinerSetpoint m;
        m.running = g.count;
        m.point.power = g.model.power;
        last.miners.push_back(m);
      }
      for (const TickSignals& t : c.ticks) {
        // Hidden facility load: at most two places, up to 15 % of the site.
        Usage hidden;
        hidden.domain.assign(s.domains.size(), Watts(0));
        for (int k = UniformInt(rng, 0, 2); k > 0; --k) {
          const int d = UniformInt(rng, -1, static_cast<int>(s.domains.size()) - 1);
          const Watts w = s.interconnect * Uniform(rng, 0, 0.15);
          hidden.site += w;
          for (int x = d; x >= 0; x = s.domains[x].parent_index) hidden.domain[x] += w;
        }
        // Firm demand, as the plant draws it (a tenant draws what it needs).
        for (size_t i = 0; i < s.leases.size(); ++i) last.leases[i].served_it = s.leases[i].contracted_it * s.leases[i].load_factor;
        for (size_t i = 0; i < s.clouds.size(); ++i) last.clouds[i].served_it = s.clouds[i].power_per_node * s.clouds[i].nodes;
        const Usage plant = TotalUsage(s, last);
        Observation o;
        o.site_meter = plant.site + hidden.site;
        for (size_t d = 0; d < s.domains.size(); ++d) o.domain_meters.push_back(plant.domain[d] + hidden.domain[d]);
        const Allocation a = Dispatch(s, t, o, p, PolicyOptions{}, &st);
        ASSERT_NEAR(a.unexplained_facility.value(), hidden.site.value(), 1e-3)
            << "seed " << seed << " policy " << PolicyName(p) << ": the meters' excess is the hidden load";
        Usage all = TotalUsage(s, a);
        Usage fixed = FirmUsage(s, a);
        // Firm at demand: the limit may be passed only if demand and the
        // hidden load alone pass it.
        Allocation demand = a;
        for (size_t i = 0; i < s.leases.size(); ++i) demand.leases[i].served_it = demand.leases[i].demand_it;
        for (size_t i = 0; i < s.clouds.size(); ++i) demand.clouds[i].served_it = demand.clouds[i].demand_it;
        fixed = FirmUsage(s, demand);
        for (Usage* u : {&all, &fixed}) {
          u->site += hidden.site;
          for (size_t d = 0; d < s.domains.size(); ++d) u->domain[d] += hidden.domain[d];
        }
        const Watts cap = t.dr_limit ? std::min(s.interconnect, std::max(Watts(0), *t.dr_limit)) : s.interconnect;
        ASSERT_LE(all.site.value(), std::max(cap, fixed.site).value() + kTolW)
            << "seed " << seed << " policy " << PolicyName(p);
        for (size_t d = 0; d < s.domains.size(); ++d) {
          ASSERT_LE(all.domain[d].value(), std::max(s.domains[d].limit, fixed.domain[d]).value() + kTolW)
              << "seed " << seed << " domain " << d;
        }
        last = a;
      }
    }
  }
}

TEST(PolicyPropertyTest, FirmIsNeverCurtailedWhileMiningRuns) {
  for (int n = 0; n < kCases; ++n) {
    const std::uint64_t seed = BaseSeed() + n;
    const RandomCase c = MakeCase(seed);
    DispatchState st = InitialState(c.site);
    for (const TickSignals& t : c.ticks) {
      Allocation a = Dispatch(c.site, t, PolicyKind::kMullet, &st);
      bool firm_short = false;
      for (const FirmSetpoint& f : a.leases) firm_short |= f.served_it < f.demand_it;
      for (const FirmSetpoint& f : a.clouds) firm_short |= f.served_it < f.demand_it;
      if (!firm_short) continue;
      // Give the firm loads all the mining and batch power back: they must
      // not get more than they got, i.e. mining took nothing they needed.
      Allocation only_firm = a;
      for (MinerSetpoint& m : only_firm.miners) m.running = 0;
      only_firm.batch = BatchSetpoint{};
      const Usage firm = FirmUsage(c.site, only_firm);
      const Watts cap = t.dr_limit ? std::min(c.site.interconnect, std::max(Watts(0), *t.dr_limit))
                                   : c.site.interconnect;
      bool some_limit_full = firm.site.value() >= cap.value() - kTolW;
      for (size_t d = 0; d < c.site.domains.size(); ++d) {
        some_limit_full |= firm.domain[d].value() >= c.site.domains[d].limit.value() - kTolW;
      }
      if (c.site.cooling.capacity) {
        some_limit_full |= firm.cooling_it.value() >= c.site.cooling.CapacityAt(t.ambient_c).value() - kTolW;
      }
      ASSERT_TRUE(some_limit_full) << "seed " << seed << ": firm short although firm alone fits";
    }
  }
}

TEST(PolicyPropertyTest, NothingIsCurtailedWhenPowerIsBelowEveryBreakeven) {
  for (int n = 0; n < kCases; ++n) {
    const std::uint64_t seed = BaseSeed() + n;
    RandomCase c = MakeCase(seed);
    Site& s = c.site;
    // Ample headroom, no firm or batch, no events: only the economics decide.
    s.interconnect = Megawatts(1e4);
    s.domains.clear();
    s.cooling.capacity.reset();
    s.leases.clear();
    s.clouds.clear();
    s.batch.reset();
    s.contract.four_cp.reset();
    for (MinerGroup& g : s.miners) g.domain_index = -1;
    DispatchState st = InitialState(s);
    for (TickSignals t : c.ticks) {
      t.dr_limit.reset();
      t.peak_alert = false;
      double lowest = 1e18;
      for (const MinerGroup& g : s.miners) {
        const double pue = s.cooling.Pue(g.cooling);
        lowest = std::min(lowest, ValuePerMegawattHour(g, NameplatePoint(g), t.hashprice, pue).value());
      }
      t.price = UsdPerMegawattHour(lowest - s.contract.adder.value() - s.policy.hysteresis.value() - 0.01);
      const Allocation a = Dispatch(s, t, PolicyKind::kMullet, &st);
      for (size_t i = 0; i < s.miners.size(); ++i) {
        ASSERT_EQ(a.miners[i].running, s.miners[i].count)
            << "seed " << seed << " group " << i << " " << ReasonName(a.miners[i].reason);
      }
    }
  }
}

}  // namespace
}  // namespace mullet
