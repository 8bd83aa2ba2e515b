#include "site/site_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace mullet {
namespace {

namespace fs = std::filesystem;

const AsicCatalog& Catalog() {
  static const AsicCatalog catalog = AsicCatalog::BuiltIn();
  return catalog;
}

fs::path Example(const char* file) { return fs::path(MULLET_EXAMPLES) / file; }
fs::path Testdata(const char* file) { return fs::path(MULLET_TESTDATA) / "site" / file; }

Result<std::vector<Scenario>> Parse(const std::string& text) {
  return ParseSiteYaml("t.yaml", text, Catalog());
}

// The first four lines of most inline sites; cases add from line 5.
constexpr char kHead[] =
    "name: mini\n"                  // 1
    "interconnect_mw: 10\n"         // 2
    "contract:\n"                   // 3
    "  index: {column: hb_west}\n"  // 4
    ;
// A miner group to give a site a load (two lines).
constexpr char kMiners[] =
    "miner_groups:\n"
    "  - {name: g1, model: Antminer S21, count: 100}\n";

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

// `text` fails to load with InvalidArgument, "t.yaml:<line>: <path>: ..." and
// a message containing `what`.
::testing::AssertionResult FailsAt(const std::string& text, int line, const std::string& path,
                                   const std::string& what) {
  const Result<std::vector<Scenario>> r = Parse(text);
  if (r.ok()) return ::testing::AssertionFailure() << "loaded, expected an error at " << path;
  if (r.status().code() != StatusCode::kInvalidArgument) {
    return ::testing::AssertionFailure() << "wrong code for: " << r.status().message();
  }
  const std::string& m = r.status().message();
  const std::string where = "t.yaml:" + std::to_string(line) + ": " + path + ": ";
  if (m.rfind(where, 0) != 0) {
    return ::testing::AssertionFailure() << "'" << m << "' does not start with '" << where << "'";
  }
  return Contains(m, what);
}

// The one scenario `r` holds (a copy: `r` is usually a temporary).
Scenario Only(const Result<std::vector<Scenario>>& r) {
  if (!r.ok()) {
    ADD_FAILURE() << r.status().message();
    return Scenario{};
  }
  EXPECT_EQ(r->size(), 1u);
  return r->front();
}

// Nameplate facility power: every load at full draw, with its cooling.
Watts FacilityNameplate(const Site& s) {
  Watts total{0};
  for (const MinerGroup& g : s.miners) total += g.model.power * g.count * s.cooling.Pue(g.cooling);
  for (const ColoLease& l : s.leases) total += l.contracted_it * s.cooling.Pue(l.cooling);
  for (const GpuCloud& c : s.clouds) total += c.power_per_node * c.nodes * s.cooling.Pue(c.cooling);
  if (s.batch) total += s.batch->power_per_gpu * s.batch->gpus * s.cooling.Pue(s.batch->cooling);
  return total;
}

Watts MinerIt(const Site& s) {
  Watts total{0};
  for (const MinerGroup& g : s.miners) total += g.model.power * g.count;
  return total;
}

const Scenario& Named(const std::vector<Scenario>& all, const std::string& name) {
  for (const Scenario& s : all) {
    if (s.name == name) return s;
  }
  ADD_FAILURE() << "no scenario " << name;
  return all.front();
}

// Finding 3 of the hostile-input probe: a name that is not UTF-8 ran a whole
// backtest, then aborted writing JSON. It is refused at its line now, and so
// are control characters (a name reaches terminals, CSV and HTML).
TEST(SiteConfigTest, ANameMustBeOneLineOfUtf8Text) {
  EXPECT_TRUE(FailsAt(std::string(kHead) + "miner_groups:\n  - {name: \"b\xff\xfe\", model: S21, count: 1}\n", 6,
                      "miner_groups[0].name", "is not UTF-8 text: b\\xff\\xfe"));
  EXPECT_TRUE(FailsAt(std::string(kHead) + "miner_groups:\n  - {name: \"a\\e[2Jb\", model: S21, count: 1}\n", 6,
                      "miner_groups[0].name", "holds a control character: a\\x1b[2Jb"));
  EXPECT_TRUE(FailsAt(std::string(kHead) + "miner_groups:\n  - {name: " + std::string(201, 'x') + ", model: S21, count: 1}\n",
                      6, "miner_groups[0].name", "is 201 bytes long; at most 200"));
  EXPECT_TRUE(Parse(std::string(kHead) + "miner_groups:\n  - {name: \"Zürich hall – 東\", model: S21, count: 1}\n").ok());
}

// Finding 7 of the hostile-input probe: 20,000 scenarios aliasing 2,000
// groups (a 0.9 MB file) exhausted 4 GB. Lists have stated limits now,
// checked before a single entry is read.
TEST(SiteConfigTest, ListsHaveStatedLimits) {
  std::string groups = std::string(kHead) + "miner_groups:\n";
  for (int i = 0; i <= 2000; ++i) groups += "  - {name: g" + std::to_string(i) + ", model: S21, count: 1}\n";
  EXPECT_TRUE(FailsAt(groups, 5, "miner_groups", "lists 2001 entries; at most 2000"));
  std::string scenarios = std::string(kHead) + "miner_groups: &g [{name: a, model: S21, count: 1}]\nscenarios:\n";
  for (int i = 0; i <= 100; ++i) scenarios += "  - {name: s" + std::to_string(i) + ", miner_groups: *g}\n";
  const Result<std::vector<Scenario>> r = Parse(scenarios);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("lists 101 entries; at most 100"), std::string::npos) << r.status().message();
}

// ---- The examples. ----

// A group may give its unit's figures instead of a catalog model (issue 9):
// hashrate with efficiency or with power. 200 TH/s at 17.5 J/TH is 3,500 W,
// an S21's figures.
TEST(SiteConfigTest, AGroupMayGiveItsUnitsFiguresInsteadOfAModel) {
  const Result<std::vector<Scenario>> r = Parse(std::string(kHead) +
                                                "miner_groups:\n"
                                                "  - {name: a, hashrate_th_s: 200, efficiency_j_per_th: 17.5, count: 10}\n"
                                                "  - {name: b, hashrate_th_s: 100, power_w: 3050, count: 10}\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Site& site = r->front().site;
  EXPECT_EQ(site.miners[0].model.hashrate.value(), 200);
  EXPECT_EQ(site.miners[0].model.power.value(), 3500);
  EXPECT_EQ(site.miners[0].model.name, "200 TH/s, 3500 W");
  EXPECT_EQ(site.miners[1].model.power.value(), 3050);
  EXPECT_NEAR(site.miners[1].model.efficiency().value(), 30.5, 1e-12);
  EXPECT_TRUE(FailsAt(std::string(kHead) +
                          "miner_groups:\n  - {name: a, model: S21, hashrate_th_s: 200, power_w: 3500, count: 1}\n",
                      6, "miner_groups[0].model", "not both"));
  EXPECT_TRUE(FailsAt(std::string(kHead) +
                          "miner_groups:\n  - {name: a, hashrate_th_s: 200, efficiency_j_per_th: 17.5, power_w: 1, count: 1}\n",
                      6, "miner_groups[0].power_w", "one of the two"));
  EXPECT_TRUE(FailsAt(std::string(kHead) + "miner_groups:\n  - {name: a, hashrate_th_s: 200, count: 1}\n", 6,
                      "miner_groups[0].hashrate_th_s", "one of the two"));
  EXPECT_TRUE(FailsAt(std::string(kHead) + "miner_groups:\n  - {name: a, count: 1}\n", 6, "miner_groups[0].model",
                      ""));
  EXPECT_TRUE(FailsAt(std::string(kHead) +
                          "miner_groups:\n  - {name: a, hashrate_th_s: 200, efficiency_j_per_th: -3, count: 1}\n",
                      6, "miner_groups[0].efficiency_j_per_th", "> 0"));
  EXPECT_TRUE(FailsAt(std::string(kHead) +
                          "miner_groups:\n  - {name: a, hashrate_th_s: 0, power_w: 3000, count: 1}\n",
                      6, "miner_groups[0].model", ""));
}

TEST(SiteConfigTest, HybridExampleLoadsItsThreeScenarios) {
  const Result<std::vector<Scenario>> r =
      LoadSiteFile(Example("hybrid_west_texas.yaml"), Catalog());
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].name, "hybrid");
  EXPECT_EQ((*r)[1].name, "all-mining");
  EXPECT_EQ((*r)[2].name, "all-ai");

  const Site& s = (*r)[0].site;
  EXPECT_EQ(s.name, "West Texas 100 MW hybrid");
  EXPECT_EQ(s.interconnect, Megawatts(100));
  ASSERT_EQ(s.domains.size(), 4u);
  EXPECT_EQ(s.domains[0].name, "sub-1");
  EXPECT_EQ(s.domains[0].parent_index, -1);
  EXPECT_EQ(s.domains[3].name, "hall-ai");
  EXPECT_EQ(s.domains[3].parent_index, 0);
  EXPECT_EQ(s.domains[3].limit, Megawatts(32));

  EXPECT_EQ(s.contract.index.column, "hb_west");
  EXPECT_TRUE(s.contract.index.csv.empty());
  EXPECT_FALSE(s.contract.index.fixed);
  EXPECT_EQ(s.contract.adder, UsdPerMegawattHour(4.5));
  ASSERT_TRUE(s.contract.block);
  EXPECT_EQ(s.contract.block->size, Megawatts(40));
  EXPECT_EQ(s.contract.block->price, UsdPerMegawattHour(33.5));
  ASSERT_EQ(s.contract.demand_response.size(), 2u);
  EXPECT_EQ(s.contract.demand_response[0].reduce_by, Megawatts(40));
  EXPECT_FALSE(s.contract.demand_response[0].reduce_to);
  EXPECT_EQ(s.contract.demand_response[1].start, *ParseUtcTimestamp("2024-08-20T20:00:00Z"));
  EXPECT_EQ(s.contract.demand_response[1].reduce_to, Megawatts(32));
  EXPECT_EQ(s.contract.demand_response[1].credit, UsdPerMegawattHour(150));
  ASSERT_TRUE(s.contract.four_cp);
  EXPECT_EQ(s.contract.four_cp->rate_usd_per_kw_year, 55);
  ASSERT_EQ(s.contract.four_cp->peaks.size(), 16u);  // ERCOT's 2021-2024 intervals
  EXPECT_EQ(s.contract.four_cp->peaks[14], *ParseUtcTimestamp("2024-08-20T21:45:00Z"));
  EXPECT_EQ(s.contract.four_cp->peak_interval, Hours(0.25));

  EXPECT_EQ(s.cooling.pue_liquid, 1.25);
  EXPECT_EQ(s.cooling.capacity, Megawatts(95));
  EXPECT_EQ(s.ambient.hottest_day_of_year, 200);
  EXPECT_EQ(s.ambient.mean_c, 18.5);

  ASSERT_EQ(s.miners.size(), 5u);
  const MinerGroup& s21 = s.miners[0];
  EXPECT_EQ(s21.name, "s21-air");
  EXPECT_EQ(s21.model.name, "Antminer S21");
  EXPECT_EQ(s21.model.power, Watts(3500));
  EXPECT_EQ(s21.count, 5000);
  EXPECT_EQ(s21.domain, "feeder-air");
  EXPECT_EQ(s21.domain_index, 1);
  EXPECT_EQ(s21.cooling, CoolingClass::kAir);
  EXPECT_TRUE(s21.firmware.can_sleep);
  EXPECT_EQ(s21.firmware.power_target_min, Watts(2500));
  EXPECT_EQ(s21.firmware.power_target_max, Watts(3800));
  ASSERT_EQ(s21.firmware.profiles.size(), 2u);
  EXPECT_EQ(s21.firmware.profiles[0].name, "eco");
  EXPECT_EQ(s21.firmware.profiles[0].hashrate, TerahashPerSecond(173));
  EXPECT_EQ(s21.ramp_up, Seconds(300));
  EXPECT_EQ(s21.min_on, Hours(1));
  EXPECT_EQ(s.miners[2].strike_price, UsdPerMegawattHour(55));
  EXPECT_EQ(s.miners[3].cooling, CoolingClass::kImmersion);
  EXPECT_EQ(s.miners[3].domain_index, 2);
  EXPECT_NEAR(MinerIt(s).megawatts(), 60.17, 0.01);

  ASSERT_EQ(s.leases.size(), 2u);
  EXPECT_EQ(s.leases[0].contracted_it, Megawatts(15));
  EXPECT_EQ(s.leases[0].rate, UsdPerKilowattMonth(125));
  EXPECT_EQ(s.leases[0].domain_index, 3);
  ASSERT_EQ(s.leases[0].sla.size(), 3u);
  EXPECT_EQ(s.leases[0].sla[0].availability_below, 0.9999);
  EXPECT_EQ(s.leases[0].sla[2].credit_fraction, 0.25);
  const Watts colo = s.leases[0].contracted_it + s.leases[1].contracted_it;
  EXPECT_GE(colo, Megawatts(20));
  EXPECT_LE(colo, Megawatts(25));
  ASSERT_EQ(s.clouds.size(), 1u);
  EXPECT_EQ(s.clouds[0].node_type, "8xH100");
  EXPECT_EQ(s.clouds[0].power_per_node, Kilowatts(10.2));
  ASSERT_TRUE(s.batch);
  EXPECT_EQ(s.batch->gpus, 512);
  EXPECT_EQ(s.batch->power_per_gpu, Kilowatts(1.2));
  ASSERT_EQ(s.batch->jobs.size(), 1u);
  EXPECT_EQ(s.batch->jobs[0].deadline, *ParseUtcTimestamp("2024-03-10T00:00:00Z"));
  ASSERT_TRUE(s.batch->recurring);
  EXPECT_EQ(s.batch->recurring->every, Hours(168));
  EXPECT_EQ(s.policy.hysteresis, UsdPerMegawattHour(2));
  EXPECT_EQ(s.policy.reserve_fraction, 0.02);
}

TEST(SiteConfigTest, ScenarioKeysReplaceTheBaseSectionsWhole) {
  const Result<std::vector<Scenario>> r =
      LoadSiteFile(Example("hybrid_west_texas.yaml"), Catalog());
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Site& hybrid = Named(*r, "hybrid").site;
  const Site& mining = Named(*r, "all-mining").site;
  const Site& ai = Named(*r, "all-ai").site;
  // Sections a scenario does not give come from the base.
  for (const Site* s : {&mining, &ai}) {
    EXPECT_EQ(s->name, hybrid.name);
    EXPECT_EQ(s->interconnect, hybrid.interconnect);
    EXPECT_EQ(s->cooling.capacity, hybrid.cooling.capacity);
    EXPECT_EQ(s->ambient.mean_c, hybrid.ambient.mean_c);
    EXPECT_EQ(s->policy.reserve_fraction, hybrid.policy.reserve_fraction);
  }
  // all-mining: `ai: null` and `batch: null` remove; miner_groups replaces.
  EXPECT_TRUE(mining.leases.empty());
  EXPECT_TRUE(mining.clouds.empty());
  EXPECT_FALSE(mining.batch);
  ASSERT_EQ(mining.miners.size(), 5u);
  EXPECT_EQ(mining.miners[0].count, 8000);
  EXPECT_EQ(mining.miners[1].firmware.profiles.size(), 0u);  // not merged with the base's
  EXPECT_EQ(mining.domains.size(), 3u);
  EXPECT_EQ(mining.contract.demand_response.size(), 2u);  // the base's contract
  // all-ai: its own contract, without demand response; no miners.
  EXPECT_TRUE(ai.miners.empty());
  EXPECT_TRUE(ai.contract.demand_response.empty());
  EXPECT_EQ(ai.contract.four_cp->peaks.size(), 16u);
  EXPECT_EQ(ai.leases.size(), 2u);
  EXPECT_EQ(ai.batch->gpus, 1024);
  EXPECT_EQ(ai.leases[1].domain_index, 2);
}

TEST(SiteConfigTest, AllMiningExampleIsOneScenarioOfAbout90MwOfMiners) {
  const Scenario& s = Only(LoadSiteFile(Example("all_mining_west_texas.yaml"), Catalog()));
  EXPECT_EQ(s.name, "West Texas 100 MW all mining");  // named after the site
  EXPECT_EQ(s.site.miners.size(), 5u);
  EXPECT_TRUE(s.site.leases.empty());
  EXPECT_TRUE(s.site.clouds.empty());
  EXPECT_FALSE(s.site.batch);
  EXPECT_NEAR(MinerIt(s.site).megawatts(), 90, 1.0);
  EXPECT_EQ(s.site.contract.index.column, "hb_west");
}

TEST(SiteConfigTest, AllAiExampleHasOnlyAiLoads) {
  const Scenario& s = Only(LoadSiteFile(Example("all_ai_west_texas.yaml"), Catalog()));
  EXPECT_EQ(s.name, "West Texas 100 MW all AI");
  EXPECT_TRUE(s.site.miners.empty());
  ASSERT_EQ(s.site.leases.size(), 2u);
  EXPECT_EQ(s.site.leases[0].contracted_it + s.site.leases[1].contracted_it, Megawatts(60));
  EXPECT_EQ(s.site.clouds.size(), 1u);
  EXPECT_TRUE(s.site.batch);
  EXPECT_TRUE(s.site.contract.demand_response.empty());
}

TEST(SiteConfigTest, EveryExampleScenarioFitsTheInterconnectWithCooling) {
  for (const char* file :
       {"hybrid_west_texas.yaml", "all_mining_west_texas.yaml", "all_ai_west_texas.yaml"}) {
    const Result<std::vector<Scenario>> r = LoadSiteFile(Example(file), Catalog());
    ASSERT_TRUE(r.ok()) << r.status().message();
    for (const Scenario& s : *r) {
      SCOPED_TRACE(std::string(file) + " / " + s.name);
      EXPECT_TRUE(ValidateSite(s.site).ok()) << ValidateSite(s.site).message();
      EXPECT_LE(FacilityNameplate(s.site), s.site.interconnect);
      EXPECT_GT(FacilityNameplate(s.site), Megawatts(80));  // and uses most of it
    }
  }
}

// ---- Files. ----

TEST(SiteConfigTest, MissingFileIsNotFoundNamingThePath) {
  const fs::path path = Testdata("no_such_site.yaml");
  const Result<std::vector<Scenario>> r = LoadSiteFile(path, Catalog());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(r.status().message(), path.string()));
}

TEST(SiteConfigTest, DirectoryIsAnIoError) {
  const Result<std::vector<Scenario>> r = LoadSiteFile(fs::path(MULLET_TESTDATA), Catalog());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
}

TEST(SiteConfigTest, FileErrorsNameTheFileLineAndField) {
  const fs::path path = Testdata("bad_count.yaml");
  const Result<std::vector<Scenario>> r = LoadSiteFile(path, Catalog());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.status().message(),
                       path.string() + ":14: miner_groups[1].count: must be > 0, got -5"));
}

TEST(SiteConfigTest, RelativePriceCsvIsResolvedAgainstTheSiteFile) {
  const Scenario& s = Only(LoadSiteFile(Testdata("own_prices.yaml"), Catalog()));
  EXPECT_EQ(s.site.contract.index.csv,
            (fs::path(MULLET_TESTDATA) / "site" / "prices.csv").lexically_normal().string());
  EXPECT_EQ(s.site.contract.index.column, "lz_west");
  // From text there is no directory: the path stays as written.
  const Scenario& t =
      Only(Parse(std::string("name: x\ninterconnect_mw: 5\n") +
                 "contract: {index: {csv: prices.csv, column: lz_west}}\n" + kMiners));
  EXPECT_EQ(t.site.contract.index.csv, "prices.csv");
}

// ---- Minimal sites and defaults. ----

TEST(SiteConfigTest, MinimalSiteGetsDocumentedDefaults) {
  const Scenario& s = Only(Parse(std::string(kHead) + kMiners));
  EXPECT_EQ(s.name, "mini");
  const Site& site = s.site;
  EXPECT_EQ(site.interconnect, Megawatts(10));
  EXPECT_TRUE(site.domains.empty());
  EXPECT_EQ(site.cooling.pue_air, 1.08);
  EXPECT_FALSE(site.cooling.capacity);
  EXPECT_EQ(site.ambient.hottest_day_of_year, 200);
  const MinerGroup& g = site.miners[0];
  EXPECT_EQ(g.domain_index, -1);
  EXPECT_EQ(g.cooling, CoolingClass::kAir);
  EXPECT_TRUE(g.firmware.can_sleep);
  EXPECT_FALSE(g.firmware.power_target_min);
  EXPECT_EQ(g.pool_fee, 0.02);
  EXPECT_EQ(g.uptime, 0.98);
  EXPECT_EQ(site.policy.strike_windows, 1);
}

TEST(SiteConfigTest, PowerKeysTakeMegawattsOrKilowatts) {
  const Scenario& s = Only(Parse(
      "name: kw\n"
      "interconnect_kw: 2500\n"
      "power_domains: [{name: d, limit_kw: 1500}]\n"
      "contract: {index: {fixed_usd_per_mwh: 45}, fixed_block: {size_kw: 500, "
      "price_usd_per_mwh: 30}}\n"
      "ai: {colocation: [{name: t, contracted_it_kw: 800, usd_per_kw_month: 120, domain: d}]}\n"));
  EXPECT_EQ(s.site.interconnect, Kilowatts(2500));
  EXPECT_EQ(s.site.domains[0].limit, Megawatts(1.5));
  EXPECT_EQ(s.site.contract.index.fixed, UsdPerMegawattHour(45));
  EXPECT_EQ(s.site.contract.block->size, Kilowatts(500));
  EXPECT_EQ(s.site.leases[0].contracted_it, Kilowatts(800));
  EXPECT_EQ(s.site.leases[0].cooling, CoolingClass::kLiquid);
  EXPECT_TRUE(FailsAt("name: x\ninterconnect_mw: 1\ninterconnect_kw: 1000\n", 3, "interconnect_kw",
                      "give interconnect_mw or interconnect_kw, not both"));
  // Errors name the key as written.
  EXPECT_TRUE(
      FailsAt(std::string(kHead) + kMiners + "power_domains:\n  - {name: d, limit_kw: -5}\n", 8,
              "power_domains[0].limit_kw", "must be > 0, got -5 kW"));
}

// ---- Required keys. ----

TEST(SiteConfigTest, RequiredKeysAreReported) {
  EXPECT_TRUE(FailsAt("", 1, "name", "missing required field"));
  EXPECT_TRUE(FailsAt("interconnect_mw: 10\ncontract: {index: {column: hb_west}}\n", 1, "name",
                      "missing required field"));
  EXPECT_TRUE(FailsAt("name: x\ncontract: {index: {column: hb_west}}\n", 1, "interconnect_mw",
                      "missing required field (or interconnect_kw)"));
  EXPECT_TRUE(
      FailsAt("name: x\ninterconnect_mw:\n", 2, "interconnect_mw", "required, got nothing"));
  EXPECT_TRUE(FailsAt("name: x\ninterconnect_mw: 5\n", 1, "contract", "missing required field"));
  EXPECT_TRUE(FailsAt("name: x\ninterconnect_mw: 5\ncontract: {adder_usd_per_mwh: 1}\n", 3,
                      "contract.index", "missing required field"));
  EXPECT_TRUE(FailsAt("name: x\ninterconnect_mw: 5\ncontract: {index: {csv: a.csv}}\n", 3,
                      "contract.index.column", "required unless fixed_usd_per_mwh is given"));
  EXPECT_TRUE(FailsAt(std::string(kHead) + "miner_groups:\n  - name: g1\n    count: 5\n", 6,
                      "miner_groups[0].model", "missing required field"));
  EXPECT_TRUE(FailsAt(std::string(kHead), 1, "miner_groups", "the site has no load"));
  EXPECT_TRUE(FailsAt(std::string(kHead) + "miner_groups: []\nai: {colocation: []}\n", 5,
                      "miner_groups", "the site has no load"));
}

// ---- YAML shape. ----

TEST(SiteConfigTest, UnknownKeysAreRejectedEverywhereWithTheExpectedKeys) {
  EXPECT_TRUE(FailsAt(std::string(kHead) + kMiners + "colour: blue\n", 7, "colour",
                      "unknown field (expected one of: name, interconnect_mw"));
  EXPECT_TRUE(FailsAt(std::string(kHead) + "miner_groups:\n"
                                           "  - name: g1\n"
                                           "    model: Antminer S21\n"
                                           "    count: 1\n"
                                           "    firmware: {slep: true}\n",
                      9, "miner_groups[0].firmware.slep", "did you mean 'sleep'?"));
  EXPECT_TRUE(FailsAt(std::string(kHead) + kMiners +
                          "ai:\n  gpu_cloud:\n    - {name: c, nodes: 1, kw_per_node: 10, "
                          "usd_per_gpu_hour: 2, utilization: 0.5}\n",
                      9, "ai.gpu_cloud[0].utilization", "did you mean 'utilisation'?"));
  EXPECT_TRUE(
      FailsAt("name: x\ninterconnect_mw: 5\ncontract:\n  index: {column: a, "
              "colum: b}\n",
              4, "contract.index.colum", "expected one of: column, csv, fixed_usd_per_mwh"));
  EXPECT_TRUE(
      FailsAt(std::string(kHead) + kMiners + "name: again\n", 7, "name", "duplicate field"));
}

TEST(SiteConfigTest, WrongYamlTypesAreReportedWithTheirLine) {
  // The whole file is no field: its message has no path.
  const Result<std::vector<Scenario>> list = Parse("- name: x\n");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().message(), "t.yaml:1: expected a mapping, got a list");
  EXPECT_TRUE(FailsAt("name: x\ninterconnect_mw: 5\ncontract:\n  - index: {column: a}\n", 3,
                      "contract", "expected a mapping, got a list"));
  EXPECT_TRUE(FailsAt(std::string(kHead) + "miner_groups:\n  name: g1\n", 5, "miner_groups",
                      "expected a list, got a mapping"));
  EXPECT_TRUE(FailsAt(std::string(kHead) + "miner_groups:\n  - just-a-name\n", 6, "miner_groups[0]",
                      "expected a mapping, got 'just-a-name'"));
  EXPECT_TRUE(FailsAt(std::string(kHead) + kMiners + "cooling: 1.08\n", 7, "cooling",
                      "expected a mapping, got '1.08'"));
  EXPECT_TRUE(FailsAt("name: [a, b]\n", 1, "name", "expected a text, got a list"));
  EXPECT_TRUE(FailsAt("name: x\ninterconnect_mw: lots\n", 2, "interconnect_mw",
                      "expected a number, got 'lots'"));
  EXPECT_TRUE(FailsAt(std::string(kHead) + "miner_groups:\n  - {name: g, model: S21, count: 2.5}\n",
                      6, "miner_groups[0].count", "expected an integer, got '2.5'"));
  EXPECT_TRUE(FailsAt(
      std::string(kHead) + "miner_groups:\n  - {name: g, model: S21, count: 2, cooling: water}\n",
      6, "miner_groups[0].cooling", "expected air, immersion or liquid"));
  EXPECT_TRUE(FailsAt(std::string(kHead) +
                          "miner_groups:\n  - {name: g, model: S21, count: 2, firmware: {sleep: "
                          "maybe}}\n",
                      6, "miner_groups[0].firmware.sleep", "expected true or false"));
  EXPECT_TRUE(FailsAt(std::string(kHead) +
                          "miner_groups:\n  - {name: g, model: S21, count: 2, firmware: "
                          "{power_target_w: 3000}}\n",
                      6, "miner_groups[0].firmware.power_target_w", "expected a list [min, max]"));
}

TEST(SiteConfigTest, MalformedYamlIsAnErrorWithItsLine) {
  const Result<std::vector<Scenario>> r =
      Parse("name: x\nminer_groups: [1, 2\ninterconnect_mw: 3\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.status().message(), "t.yaml:"));
  EXPECT_TRUE(Contains(r.status().message(), "invalid YAML"));
}

TEST(SiteConfigTest, UnknownModelSuggestsTheClosest) {
  EXPECT_TRUE(
      FailsAt(std::string(kHead) + "miner_groups:\n  - {name: g, model: Antminer S12, count: 1}\n",
              6, "miner_groups[0].model", "unknown model 'Antminer S12'; closest: "));
  // Catalog lookups are forgiving about case, spaces and the brand line.
  const Scenario& s =
      Only(Parse(std::string(kHead) + "miner_groups:\n  - {name: g, model: s21-xp, count: 1}\n"));
  EXPECT_EQ(s.site.miners[0].model.name, "Antminer S21 XP");
}

TEST(SiteConfigTest, TimestampsMustBeUtcIso8601) {
  const std::string head = std::string(kHead) + kMiners;  // contract at line 3
  EXPECT_TRUE(
      FailsAt("name: x\ninterconnect_mw: 5\ncontract:\n  index: {column: a}\n"
              "  demand_response:\n"
              "    - {start: 2024-08-20 20:00, end: 2024-08-20T23:00:00Z, reduce_to_mw: 1}\n",
              6, "contract.demand_response[0].start",
              "expected a UTC time YYYY-MM-DDTHH:MM:SSZ, got '2024-08-20 20:00'"));
  EXPECT_TRUE(FailsAt(head + "batch:\n  gpus: 8\n  kw_per_gpu: 1\n  jobs:\n"
                             "    - {name: j, gpu_hours: 1, release: 2023-02-29T00:00:00Z,\n"
                             "       deadline: 2023-03-02T00:00:00Z, value_usd_per_gpu_hour: 1}\n",
                      11, "batch.jobs[0].release", "got '2023-02-29T00:00:00Z'"));
  EXPECT_TRUE(
      FailsAt("name: x\ninterconnect_mw: 5\ncontract:\n  index: {column: a}\n"
              "  four_cp: {rate_usd_per_kw_year: 5, peak_hours: [2024-06-20T21:00:00]}\n",
              5, "contract.four_cp.peak_hours[0]", "expected a UTC time"));
}

// ---- Value rules. ----

TEST(SiteConfigTest, NumbersMustBeInRange) {
  const std::string head = std::string(kHead);
  EXPECT_TRUE(FailsAt(head + "miner_groups:\n"
                             "  - {name: g0, model: S21, count: 1}\n"
                             "  - name: g1\n"
                             "    model: S21\n"
                             "    count: -5\n",
                      9, "miner_groups[1].count", "must be > 0, got -5"));
  EXPECT_TRUE(FailsAt("name: x\ninterconnect_mw: -100\n" + std::string(kMiners) +
                          "contract: {index: {column: a}}\n",
                      2, "interconnect_mw", "must be > 0, got -100 MW"));
  EXPECT_TRUE(FailsAt(head + kMiners + "cooling:\n  pue_air: 0.9\n", 8, "cooling.pue_air",
                      "must be in [1, 3], got 0.9"));
  EXPECT_TRUE(FailsAt(head + kMiners + "cooling: {pue_liquid: 3.5}\n", 7, "cooling.pue_liquid",
                      "must be in [1, 3]"));
  EXPECT_TRUE(FailsAt(head + "miner_groups:\n  - {name: g, model: S21, count: 1, pool_fee: 1.5}\n",
                      6, "miner_groups[0].pool_fee", "must be in [0, 1], got 1.5"));
  EXPECT_TRUE(FailsAt(head + "miner_groups:\n  - {name: g, model: S21, count: 1, uptime: 0}\n", 6,
                      "miner_groups[0].uptime", "must be in (0, 1], got 0"));
  EXPECT_TRUE(FailsAt(head + "ai:\n  colocation:\n    - name: t\n      contracted_it_mw: 1\n"
                             "      usd_per_kw_month: 100\n      availability_target: 0\n",
                      10, "ai.colocation[0].availability_target", "must be in (0, 1], got 0"));
  EXPECT_TRUE(FailsAt(head + "ai:\n  gpu_cloud:\n    - {name: c, nodes: 0, kw_per_node: 10, "
                             "usd_per_gpu_hour: 2}\n",
                      7, "ai.gpu_cloud[0].nodes", "must be > 0, got 0"));
  EXPECT_TRUE(FailsAt(head + "ai:\n  gpu_cloud:\n    - {name: c, nodes: 1, kw_per_node: 10, "
                             "usd_per_gpu_hour: 2, utilisation: 1.2}\n",
                      7, "ai.gpu_cloud[0].utilisation", "must be in [0, 1], got 1.2"));
  EXPECT_TRUE(FailsAt(head + kMiners + "policy: {reserve_fraction: -0.1}\n", 7,
                      "policy.reserve_fraction", "must be in [0, 1), got -0.1"));
  EXPECT_TRUE(FailsAt(head + kMiners + "policy: {strike_windows: 0}\n", 7, "policy.strike_windows",
                      "must be >= 1, got 0"));
  EXPECT_TRUE(FailsAt(head + kMiners + "ambient: {hottest_day_of_year: 400}\n", 7,
                      "ambient.hottest_day_of_year", "must be in [1, 366], got 400"));
  EXPECT_TRUE(
      FailsAt(head + "batch: {gpus: 0, kw_per_gpu: 1}\n", 5, "batch.gpus", "must be > 0, got 0"));
  EXPECT_TRUE(FailsAt(head + "miner_groups:\n  - {name: g, model: S21, count: 1, ramp_up_s: -1}\n",
                      6, "miner_groups[0].ramp_up_s", "must be >= 0, got -1"));
}

TEST(SiteConfigTest, PowerTargetsMustBeOrderedAndWithinTwiceNameplate) {
  const std::string group = std::string(kHead) +
                            "miner_groups:\n"
                            "  - name: g\n"
                            "    model: Antminer S21\n"
                            "    count: 10\n"
                            "    firmware:\n";
  EXPECT_TRUE(FailsAt(group + "      power_target_w: [3800, 2500]\n", 10,
                      "miner_groups[0].firmware.power_target_w",
                      "min 3.8 kW must be below max 2.5 kW"));
  EXPECT_TRUE(FailsAt(group + "      power_target_w: [2500, 7001]\n", 10,
                      "miner_groups[0].firmware.power_target_w",
                      "max 7.001 kW exceeds 7 kW (2x the Antminer S21 nameplate of 3.5 kW)"));
  EXPECT_TRUE(FailsAt(group + "      power_target_w: [0, 3000]\n", 10,
                      "miner_groups[0].firmware.power_target_w", "min must be > 0"));
  EXPECT_TRUE(Parse(group + "      power_target_w: [2500, 7000]\n").ok());
  EXPECT_TRUE(
      FailsAt(group + "      profiles:\n        - {name: eco, power_w: 8000, hashrate_th_s: 1}\n",
              11, "miner_groups[0].firmware.profiles[0].power_w", "must be in (0, 7 kW]"));
  EXPECT_TRUE(FailsAt(group + "      profiles:\n"
                              "        - {name: eco, power_w: 2800, hashrate_th_s: 170}\n"
                              "        - {name: eco, power_w: 2900, hashrate_th_s: 175}\n",
                      12, "miner_groups[0].firmware.profiles[1].name", "duplicate profile 'eco'"));
}

TEST(SiteConfigTest, NamesAreUniqueAcrossLoadsAndDomains) {
  EXPECT_TRUE(FailsAt(std::string(kHead) + "power_domains:\n"
                                           "  - {name: hall, limit_mw: 5}\n"
                                           "miner_groups:\n"
                                           "  - {name: hall, model: S21, count: 1}\n",
                      8, "miner_groups[0].name",
                      "duplicate name 'hall' (also power_domains[0].name)"));
  EXPECT_TRUE(
      FailsAt(std::string(kHead) +
                  "ai:\n"
                  "  colocation: [{name: t, contracted_it_mw: 1, usd_per_kw_month: 100}]\n"
                  "  gpu_cloud: [{name: t, nodes: 1, kw_per_node: 1, usd_per_gpu_hour: 2}]\n",
              7, "ai.gpu_cloud[0].name", "duplicate name 't' (also ai.colocation[0].name)"));
}

TEST(SiteConfigTest, DomainReferencesMustExist) {
  EXPECT_TRUE(FailsAt(std::string(kHead) + "power_domains: [{name: a, limit_mw: 5}]\n"
                                           "miner_groups:\n"
                                           "  - {name: g, model: S21, count: 1, domain: b}\n",
                      7, "miner_groups[0].domain", "unknown domain 'b' (domains: a)"));
  EXPECT_TRUE(FailsAt(std::string(kHead) + kMiners +
                          "power_domains:\n"
                          "  - {name: a, limit_mw: 5}\n"
                          "  - {name: b, parent: nope, limit_mw: 5}\n",
                      9, "power_domains[1].parent", "unknown domain 'nope'"));
  EXPECT_TRUE(FailsAt(std::string(kHead) + "batch: {gpus: 8, kw_per_gpu: 1, domain: x}\n", 5,
                      "batch.domain", "no power_domains are defined"));
}

TEST(SiteConfigTest, DomainTreeMustHaveNoCycles) {
  EXPECT_TRUE(FailsAt(std::string(kHead) + kMiners +
                          "power_domains:\n"
                          "  - {name: a, parent: c, limit_mw: 5}\n"
                          "  - {name: b, parent: a, limit_mw: 5}\n"
                          "  - {name: c, parent: b, limit_mw: 5}\n",
                      8, "power_domains[0].parent", "cycle in the domain tree: a -> c -> b -> a"));
  EXPECT_TRUE(
      FailsAt(std::string(kHead) + kMiners + "power_domains: [{name: a, parent: a, limit_mw: 5}]\n",
              7, "power_domains[0].parent", "cannot be its own parent"));
}

TEST(SiteConfigTest, ChildrenListedBeforeParentsAreSortedAndMayExceedTheirParent) {
  const Scenario& s =
      Only(Parse(std::string(kHead) + "power_domains:\n"
                                      "  - {name: hall, parent: feeder, limit_mw: 8}\n"
                                      "  - {name: feeder, parent: sub, limit_mw: 6}\n"
                                      "  - {name: sub, limit_mw: 10}\n"
                                      "miner_groups:\n"
                                      "  - {name: g, model: S21, count: 1, domain: hall}\n"));
  const std::vector<PowerDomain>& d = s.site.domains;
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].name, "sub");
  EXPECT_EQ(d[1].name, "feeder");
  EXPECT_EQ(d[1].parent_index, 0);
  EXPECT_EQ(d[2].name, "hall");
  EXPECT_EQ(d[2].parent_index, 1);
  EXPECT_EQ(d[2].limit, Megawatts(8));  // above its parent's 6 MW: allowed, the parent binds
  EXPECT_EQ(s.site.miners[0].domain_index, 2);
}

TEST(SiteConfigTest, DemandResponseEventsAreChecked) {
  const std::string head = std::string(kMiners) +
                           "name: x\n"               // 3
                           "interconnect_mw: 50\n"   // 4
                           "contract:\n"             // 5
                           "  index: {column: a}\n"  // 6
                           "  demand_response:\n";   // 7
  EXPECT_TRUE(FailsAt(head + "    - start: 2024-08-20T23:00:00Z\n"
                             "      end: 2024-08-20T20:00:00Z\n"
                             "      reduce_to_mw: 20\n",
                      9, "contract.demand_response[0].end", "must be after start"));
  EXPECT_TRUE(FailsAt(head + "    - start: 2024-08-20T20:00:00Z\n"
                             "      end: 2024-08-20T23:00:00Z\n"
                             "      reduce_to_mw: 20\n"
                             "      reduce_by_kw: 5000\n",
                      11, "contract.demand_response[0].reduce_by_kw",
                      "give reduce_to_mw or reduce_by_mw, not both"));
  EXPECT_TRUE(FailsAt(head + "    - {start: 2024-08-20T20:00:00Z, end: 2024-08-20T23:00:00Z}\n", 8,
                      "contract.demand_response[0]", "give reduce_to_mw or reduce_by_mw"));
  EXPECT_TRUE(FailsAt(head + "    - {start: 2024-08-20T20:00:00Z, end: 2024-08-20T23:00:00Z, "
                             "reduce_to_mw: 20}\n"
                             "    - {start: 2024-08-20T22:00:00Z, end: 2024-08-21T01:00:00Z, "
                             "reduce_by_mw: 5}\n",
                      9, "contract.demand_response[1].start", "must not be before the previous"));
  EXPECT_TRUE(FailsAt(head + "    - {start: 2024-08-20T20:00:00Z, end: 2024-08-20T23:00:00Z, "
                             "reduce_to_mw: 60}\n",
                      8, "contract.demand_response[0].reduce_to_mw",
                      "below interconnect_mw (50 MW), got 60 MW"));
}

TEST(SiteConfigTest, FourCoincidentPeaksAreHourStartsInOrderAtMostFourAYear) {
  const std::string head = std::string(kMiners) +
                           "name: x\ninterconnect_mw: 50\ncontract:\n  index: {column: a}\n"
                           "  four_cp:\n    rate_usd_per_kw_year: 55\n    peak_hours:\n";  // 9
  EXPECT_TRUE(FailsAt(head + "      - 2024-06-20T21:15:00Z\n", 10, "contract.four_cp.peak_hours[0]",
                      "must be the start of an hour"));
  EXPECT_TRUE(FailsAt(head + "      - 2024-07-20T21:00:00Z\n      - 2024-06-20T21:00:00Z\n", 11,
                      "contract.four_cp.peak_hours[1]", "must be after the previous peak"));
  EXPECT_TRUE(
      FailsAt(head + "      [2024-06-20T21:00:00Z, 2024-07-20T21:00:00Z, 2024-08-20T21:00:00Z,\n"
                     "       2024-08-21T21:00:00Z, 2024-09-20T21:00:00Z]\n",
              11, "contract.four_cp.peak_hours[4]", "more than four peaks in 2024"));
}

TEST(SiteConfigTest, FourCpPeakIntervalsAndAlerts) {
  const std::string head = std::string(kMiners) +
                           "name: x\ninterconnect_mw: 50\ncontract:\n  index: {column: a}\n"
                           "  four_cp:\n    rate_usd_per_kw_year: 55\n";  // 8
  // ERCOT's 15-minute intervals by default; starts must sit on the interval.
  EXPECT_TRUE(FailsAt(head + "    peaks: [2024-06-20T21:10:00Z]\n", 9, "contract.four_cp.peaks[0]",
                      "must be the start of a peak interval"));
  EXPECT_TRUE(FailsAt(head + "    peaks: [2024-06-20T21:45:00Z]\n    peak_hours: [2024-06-20T21:00:00Z]\n", 10,
                      "contract.four_cp.peak_hours", "give peaks or peak_hours, not both"));
  EXPECT_TRUE(FailsAt(head + "    peaks: [2024-06-20T21:45:00Z]\n    alert_rule: {months: [13]}\n", 10,
                      "contract.four_cp.alert_rule.months[0]", "must be a month 1-12"));
  EXPECT_TRUE(FailsAt(head + "    peaks: [2024-06-20T21:45:00Z]\n    alert_rule: {from_hour: 18, to_hour: 15}\n",
                      10, "contract.four_cp.alert_rule.from_hour", "want 0 <= from_hour < to_hour <= 24"));
  EXPECT_TRUE(FailsAt(head + "    peaks: [2024-06-20T21:45:00Z]\n    alert_peak_probability: 0\n", 10,
                      "contract.four_cp.alert_peak_probability", "must be in (0, 1]"));
  EXPECT_TRUE(FailsAt(head + "    peaks: [2024-06-20T21:45:00Z]\n    alert_hours: [2024-06-20T21:00:00Z]\n"
                             "    alert_rule: {months: [6]}\n",
                      11, "contract.four_cp.alert_rule", "give alert_hours or alert_rule, not both"));
  Result<std::vector<Scenario>> ok =
      Parse(head + "    peaks: [2024-06-20T21:45:00Z]\n    peak_interval_minutes: 15\n"
                   "    alert_rule: {months: [7, 8], weekdays_only: false, from_hour: 14, to_hour: 19,\n"
                   "                 utc_offset_hours: -5, min_price_usd_per_mwh: 100}\n");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  const FourCoincidentPeak& cp = *(*ok)[0].site.contract.four_cp;
  EXPECT_EQ(cp.peak_interval, Hours(0.25));
  EXPECT_EQ(cp.alert_rule.months, (std::vector<int>{7, 8}));
  EXPECT_FALSE(cp.alert_rule.weekdays_only);
  EXPECT_EQ(cp.alert_rule.from_hour, 14);
  EXPECT_EQ(cp.alert_rule.to_hour, 19);
  EXPECT_EQ(cp.alert_rule.min_price, UsdPerMegawattHour(100));
}

TEST(SiteConfigTest, SlaCreditsAreSortedAndMustBeConsistent) {
  const std::string head = std::string(kHead) +
                           "ai:\n"                          // 5
                           "  colocation:\n"                // 6
                           "    - name: t\n"                // 7
                           "      contracted_it_mw: 5\n"    // 8
                           "      usd_per_kw_month: 125\n"  // 9
                           "      sla_credits:\n";          // 10
  const Scenario& s = Only(Parse(head + "        - {below: 0.99, credit: 0.25}\n"
                                        "        - {below: 0.9999, credit: 0.05}\n"
                                        "        - {below: 0.999, credit: 0.10}\n"));
  const std::vector<SlaCreditTier>& sla = s.site.leases[0].sla;
  ASSERT_EQ(sla.size(), 3u);
  EXPECT_EQ(sla[0].availability_below, 0.9999);
  EXPECT_EQ(sla[1].availability_below, 0.999);
  EXPECT_EQ(sla[2].availability_below, 0.99);
  EXPECT_EQ(sla[2].credit_fraction, 0.25);

  EXPECT_TRUE(FailsAt(head + "        - {below: 0.999, credit: 0.05}\n"
                             "        - {below: 0.999, credit: 0.10}\n",
                      12, "ai.colocation[0].sla_credits[1].below", "duplicate threshold 0.999"));
  EXPECT_TRUE(FailsAt(head + "        - {below: 0.9999, credit: 0.10}\n"
                             "        - {below: 0.999, credit: 0.05}\n",
                      12, "ai.colocation[0].sla_credits[1].credit",
                      "credits must grow as availability falls"));
  EXPECT_TRUE(FailsAt(head + "        - {below: 1.5, credit: 0.10}\n", 11,
                      "ai.colocation[0].sla_credits[0].below", "must be in (0, 1], got 1.5"));
  EXPECT_TRUE(FailsAt(head + "        - {below: 0.99995, credit: 0.10}\n", 11,
                      "ai.colocation[0].sla_credits[0].below",
                      "must not exceed availability_target (0.9999)"));
}

TEST(SiteConfigTest, PriceIndexIsAColumnOrAFixedPrice) {
  const std::string head = "name: x\ninterconnect_mw: 5\n" + std::string(kMiners) + "contract:\n";
  EXPECT_TRUE(FailsAt(head + "  index: {column: hb_west, fixed_usd_per_mwh: 40}\n", 6,
                      "contract.index.column", "give fixed_usd_per_mwh or column, not both"));
  EXPECT_TRUE(FailsAt(head + "  index: {column: hb_west_usd_per_mwh}\n", 6, "contract.index.column",
                      "without '_usd_per_mwh'"));
  EXPECT_TRUE(
      FailsAt(head + "  index: {column: a}\n  fixed_block: {size_mw: 6, price_usd_per_mwh: 30}\n",
              7, "contract.fixed_block.size_mw", "exceeds interconnect_mw (5 MW)"));
}

TEST(SiteConfigTest, FirmLoadWithCoolingMustFitEveryLimit) {
  // 8 MW x PUE 1.3 = 10.4 MW: over a 10 MW interconnect.
  EXPECT_TRUE(FailsAt(std::string(kHead) +
                          "ai:\n  colocation:\n"
                          "    - {name: t, contracted_it_mw: 8, usd_per_kw_month: 120}\n",
                      7, "ai.colocation[0].contracted_it_mw",
                      "firm AI load with cooling reaches 10.4 MW, over interconnect_mw (10 MW)"));
  // The second load tips the domain over: it is the one blamed.
  EXPECT_TRUE(FailsAt(std::string(kHead) +
                          "power_domains: [{name: hall, limit_mw: 5}]\n"
                          "ai:\n"
                          "  colocation: [{name: t, contracted_it_mw: 3, usd_per_kw_month: 120, "
                          "domain: hall}]\n"
                          "  gpu_cloud:\n"
                          "    - {name: c, nodes: 100, kw_per_node: 10, usd_per_gpu_hour: 2, "
                          "domain: hall}\n",
                      9, "ai.gpu_cloud[0].nodes",
                      "under power domain 'hall' reaches 5.2 MW, over its limit_mw (5 MW)"));
  EXPECT_TRUE(
      FailsAt(std::string(kHead) + "cooling: {capacity_mw: 2}\n" +
                  "ai: {colocation: [{name: t, contracted_it_mw: 3, usd_per_kw_month: 1}]}\n",
              6, "ai.colocation[0].contracted_it_mw", "over cooling.capacity_mw (2 MW)"));
  // Miners may oversubscribe: the policy curtails them.
  EXPECT_TRUE(
      Parse(std::string(kHead) + "miner_groups: [{name: g, model: S21, count: 100000}]\n").ok());
}

TEST(SiteConfigTest, BatchWorkMustBeFeasible) {
  const std::string head = std::string(kHead) + "batch:\n  gpus: 10\n  kw_per_gpu: 1\n";  // 5-7
  EXPECT_TRUE(FailsAt(head + "  jobs:\n"
                             "    - {name: j, gpu_hours: 1000, release: 2024-03-01T00:00:00Z,\n"
                             "       deadline: 2024-03-02T00:00:00Z, value_usd_per_gpu_hour: 2}\n",
                      9, "batch.jobs[0].gpu_hours",
                      "cannot finish: needs 1000 GPU-hours, but 10 GPUs give only 240"));
  EXPECT_TRUE(FailsAt(head + "  jobs:\n"
                             "    - {name: j, gpu_hours: 10, release: 2024-03-02T00:00:00Z,\n"
                             "       deadline: 2024-03-01T00:00:00Z, value_usd_per_gpu_hour: 2}\n",
                      10, "batch.jobs[0].deadline", "must be after release"));
  EXPECT_TRUE(
      FailsAt(head + "  recurring: {every_h: 24, gpu_hours: 500, value_usd_per_gpu_hour: 2}\n", 8,
              "batch.recurring.gpu_hours", "cannot keep up"));
}

// ---- Scenarios. ----

TEST(SiteConfigTest, WithoutScenariosTheSiteRunsAloneUnderItsName) {
  const Result<std::vector<Scenario>> r = Parse(std::string(kHead) + kMiners);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].name, "mini");
}

TEST(SiteConfigTest, ScenarioErrorsNameTheScenarioEntry) {
  const std::string head = std::string(kHead) + kMiners + "scenarios:\n";  // 7
  EXPECT_TRUE(FailsAt(head + "  - name: a\n"
                             "  - name: b\n"
                             "    miner_groups:\n"
                             "      - {name: g, model: S21, count: -5}\n",
                      11, "scenarios[1].miner_groups[0].count", "must be > 0, got -5"));
  EXPECT_TRUE(FailsAt(head + "  - name: a\n  - name: a\n", 9, "scenarios[1].name",
                      "duplicate scenario name 'a' (also scenarios[0], line 8)"));
  EXPECT_TRUE(FailsAt(head + "  - name: a\n    scenarios: []\n", 9, "scenarios[0].scenarios",
                      "unknown field"));
  EXPECT_TRUE(
      FailsAt(head + "  - miner_groups: []\n", 8, "scenarios[0].name", "missing required field"));
  EXPECT_TRUE(FailsAt(head + "  - name: a\n    contract: null\n", 9, "scenarios[0].contract",
                      "required, got nothing"));
  EXPECT_TRUE(FailsAt(std::string(kHead) + kMiners + "scenarios: []\n", 7, "scenarios",
                      "must list at least one scenario"));
  EXPECT_TRUE(FailsAt(std::string(kHead) + kMiners + "scenarios: {name: a}\n", 7, "scenarios",
                      "expected a list, got a mapping"));
}

TEST(SiteConfigTest, BaseFieldBrokenByAScenarioIsReportedAtTheBaseLineForThatScenario) {
  // The scenario removes the domain the base's miners sit in.
  const std::string text = std::string(kHead) +
                           "power_domains: [{name: hall, limit_mw: 8}]\n"                     // 5
                           "miner_groups: [{name: g, model: S21, count: 1, domain: hall}]\n"  // 6
                           "scenarios:\n"                                                     // 7
                           "  - name: as-built\n"                                             // 8
                           "  - name: no-hall\n"                                              // 9
                           "    power_domains: []\n";                                         // 10
  EXPECT_TRUE(FailsAt(text, 6, "miner_groups[0].domain",
                      "unknown domain 'hall' (no power_domains are defined) (scenario 'no-hall')"));
}

TEST(SiteConfigTest, ScenarioOverridesReplaceAndNullRemoves) {
  const Result<std::vector<Scenario>> r =
      Parse(std::string(kHead) +
            "miner_groups: [{name: g, model: S21, count: 10}]\n"
            "ai:\n"
            "  colocation: [{name: t, contracted_it_mw: 1, "
            "usd_per_kw_month: 100}]\n"
            "  gpu_cloud: [{name: c, nodes: 1, kw_per_node: 10, "
            "usd_per_gpu_hour: 2}]\n"
            "cooling: {pue_air: 1.1, capacity_mw: 9}\n"
            "scenarios:\n"
            "  - name: base\n"
            "  - name: more-ai\n"
            "    ai: {colocation: [{name: t2, contracted_it_kw: "
            "2000, usd_per_kw_month: 130}]}\n"
            "    cooling: {pue_liquid: 1.2}\n"
            "    interconnect_kw: 12000\n"
            "  - name: no-ai\n"
            "    ai: null\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 3u);
  const Site& base = (*r)[0].site;
  EXPECT_EQ(base.leases.size(), 1u);
  EXPECT_EQ(base.clouds.size(), 1u);
  const Site& more = (*r)[1].site;
  ASSERT_EQ(more.leases.size(), 1u);
  EXPECT_EQ(more.leases[0].name, "t2");
  EXPECT_TRUE(more.clouds.empty());       // `ai` replaced whole: no deep merge
  EXPECT_EQ(more.cooling.pue_air, 1.08);  // `cooling` replaced whole: defaults again
  EXPECT_FALSE(more.cooling.capacity);
  EXPECT_EQ(more.cooling.pue_liquid, 1.2);
  EXPECT_EQ(more.interconnect, Megawatts(12));  // written in kW over a base in MW
  EXPECT_EQ(more.miners.size(), 1u);            // not given: the base's
  const Site& none = (*r)[2].site;
  EXPECT_TRUE(none.leases.empty());
  EXPECT_TRUE(none.clouds.empty());
  EXPECT_EQ(none.cooling.pue_air, 1.1);
}

TEST(SiteConfigTest, NothingIsHalfLoaded) {
  // The first scenario is fine, the second is not: no scenarios at all.
  const Result<std::vector<Scenario>> r =
      Parse(std::string(kHead) + kMiners +
            "scenarios:\n  - name: ok\n  - name: bad\n    cooling: {pue_air: 9}\n");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message(), "t.yaml:10: scenarios[1].cooling.pue_air: "));
}

TEST(SiteConfigTest, NeverThrowsOnTruncatedOrCorruptedInput) {
  std::ifstream in(Example("hybrid_west_texas.yaml"), std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(text.size(), 1000u);
  for (std::size_t cut = 0; cut < text.size(); cut += 97) {
    EXPECT_NO_THROW((void)Parse(text.substr(0, cut)));
  }
  std::mt19937 rng(20240820);
  const std::string noise = ":-[]{}#&*!|>'\"%@` \n\t0aZ,?";
  for (int i = 0; i < 300; ++i) {
    std::string corrupted = text;
    for (int k = 0; k < 5; ++k) {
      corrupted[rng() % corrupted.size()] = noise[rng() % noise.size()];
    }
    SCOPED_TRACE("seed 20240820, round " + std::to_string(i));
    EXPECT_NO_THROW((void)Parse(corrupted));
  }
}

// ---- ValidateSite and NormalizeSite on sites built in code. ----

Site CodeBuiltSite() {
  Site s;
  s.name = "code";
  s.interconnect = Megawatts(20);
  s.contract.index.column = "hb_west";
  s.domains.push_back({"hall", "sub", Megawatts(8)});
  s.domains.push_back({"sub", "", Megawatts(20)});
  MinerGroup g;
  g.name = "g";
  g.model = *AsicCatalog::BuiltIn().Find("S21");
  g.count = 100;
  g.domain = "hall";
  s.miners.push_back(g);
  ColoLease lease;
  lease.name = "t";
  lease.contracted_it = Megawatts(2);
  lease.rate = UsdPerKilowattMonth(120);
  lease.sla = {{0.99, 0.25}, {0.9999, 0.05}};
  s.leases.push_back(lease);
  return s;
}

TEST(SiteConfigTest, ValidateSiteNamesTheFieldPathWithoutALine) {
  Site s = CodeBuiltSite();
  ASSERT_TRUE(NormalizeSite(&s).ok());
  ASSERT_TRUE(ValidateSite(s).ok()) << ValidateSite(s).message();
  s.miners[0].count = -5;
  const Status st = ValidateSite(s);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "miner_groups[0].count: must be > 0, got -5");
}

TEST(SiteConfigTest, ValidateSiteRequiresTheNormalizedForm) {
  Site s = CodeBuiltSite();
  const Status unsorted = ValidateSite(s);
  EXPECT_TRUE(Contains(unsorted.message(),
                       "power_domains[0].parent: parent 'sub' must be listed before 'hall'"));
  ASSERT_TRUE(NormalizeSite(&s).ok());
  EXPECT_EQ(s.domains[0].name, "sub");
  EXPECT_EQ(s.domains[1].parent_index, 0);
  EXPECT_EQ(s.miners[0].domain_index, 1);
  EXPECT_EQ(s.leases[0].sla[0].availability_below, 0.9999);
  EXPECT_TRUE(ValidateSite(s).ok());
  s.miners[0].domain_index = 0;
  EXPECT_TRUE(Contains(ValidateSite(s).message(),
                       "miner_groups[0].domain: domain_index 0 does not match domain 'hall'"));
  s.miners[0].domain_index = 1;
  std::swap(s.leases[0].sla[0], s.leases[0].sla[1]);
  EXPECT_TRUE(Contains(ValidateSite(s).message(), "ai.colocation[0].sla_credits[1].below"));
}

TEST(SiteConfigTest, NormalizeSiteLeavesABrokenSiteUnchanged) {
  Site s = CodeBuiltSite();
  s.domains[1].parent = "hall";  // hall -> sub -> hall
  const Status st = NormalizeSite(&s);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(st.message(), "cycle in the domain tree"));
  EXPECT_EQ(s.domains[0].name, "hall");
}

}  // namespace
}  // namespace mullet
