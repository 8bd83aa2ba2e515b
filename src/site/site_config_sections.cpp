// The section parsers of the site loader: YAML shape into Site fields. Value
// rules (ranges, references, order) are checked later, on the whole Site, by
// site_config_validate.cpp; here only what the YAML itself must be.

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "core/text/untrusted_text.h"
#include "site/site_config_internal.h"

namespace mullet::site_config_internal {
namespace {

constexpr Need kRequired = Need::kRequired;
constexpr Need kOptional = Need::kOptional;

// The mapping at `key` of `parent`, when given and not null.
std::optional<MapReader> SubMap(MapReader& parent, std::string_view key,
                                std::vector<std::string_view> keys) {
  const YAML::Node* value = parent.Value(key);
  if (value == nullptr) return std::nullopt;
  MapReader m(parent.reader(), *value, parent.LineOf(key), parent.PathOf(key), std::move(keys));
  if (!m.ok()) return std::nullopt;
  return m;
}

// ---- power_domains ----

void ReadDomains(MapReader& top, Site* site) {
  top.List("power_domains", [&](const YAML::Node& node, int line, const FieldPath& path) {
    MapReader m(top.reader(), node, line, path, {"name", "parent", "limit_mw", "limit_kw"});
    if (!m.ok()) return;
    PowerDomain d;
    m.Text("name", &d.name, kRequired);
    m.Text("parent", &d.parent, kOptional);
    m.Power("limit", &d.limit, kRequired);
    site->domains.push_back(std::move(d));
  });
}

// ---- contract ----

void ReadIndex(MapReader& contract, PriceSource* index) {
  if (!contract.Has("index")) {
    contract.reader()->Fail(contract.line(), contract.path().Key("index"),
                            "missing required field");
    return;
  }
  std::optional<MapReader> m = SubMap(contract, "index", {"column", "csv", "fixed_usd_per_mwh"});
  if (!m) {
    if (contract.reader()->ok()) contract.Fail("index", "required, got nothing");
    return;
  }
  m->Text("column", &index->column, kOptional);
  m->Text("csv", &index->csv, kOptional);
  m->Quantity("fixed_usd_per_mwh", &index->fixed);
}

void ReadDemandResponse(MapReader& contract, std::vector<DemandResponseEvent>* events) {
  contract.List("demand_response", [&](const YAML::Node& node, int line, const FieldPath& path) {
    MapReader m(contract.reader(), node, line, path,
                {"start", "end", "reduce_to_mw", "reduce_to_kw", "reduce_by_mw", "reduce_by_kw",
                 "credit_usd_per_mwh"});
    if (!m.ok()) return;
    DemandResponseEvent e;
    m.Time("start", &e.start, kRequired);
    m.Time("end", &e.end, kRequired);
    m.Power("reduce_to", &e.reduce_to);
    m.Power("reduce_by", &e.reduce_by);
    m.Quantity("credit_usd_per_mwh", &e.credit, kOptional);
    events->push_back(e);
  });
}

void ReadTimes(MapReader& m, std::string_view key, std::vector<UtcTime>* out) {
  m.List(key, [&](const YAML::Node& node, int line, const FieldPath& path) {
    UtcTime t;
    if (ReadTime(m.reader(), node, line, path, &t)) out->push_back(t);
  });
}

void ReadFourCpAlertRule(MapReader& cp, FourCpAlertRule* rule) {
  std::optional<MapReader> m =
      SubMap(cp, "alert_rule", {"months", "weekdays_only", "from_hour", "to_hour", "utc_offset_hours",
                                "min_price_usd_per_mwh"});
  if (!m) return;
  if (m->Has("months")) {
    rule->months.clear();
    m->List("months", [&](const YAML::Node& node, int line, const FieldPath& path) {
      double v = 0;
      if (ReadNumber(m->reader(), node, line, path, &v)) rule->months.push_back(static_cast<int>(v));
    });
  }
  m->Bool("weekdays_only", &rule->weekdays_only);
  m->Integer("from_hour", &rule->from_hour, kOptional);
  m->Integer("to_hour", &rule->to_hour, kOptional);
  m->Number("utc_offset_hours", &rule->utc_offset_hours, kOptional);
  m->Quantity("min_price_usd_per_mwh", &rule->min_price);
}

void ReadFourCp(MapReader& contract, std::optional<FourCoincidentPeak>* out) {
  std::optional<MapReader> m =
      SubMap(contract, "four_cp",
             {"rate_usd_per_kw_year", "peaks", "peak_interval_minutes", "peak_hours", "alert_hours",
              "alert_rule", "alert_peak_probability"});
  if (!m) return;
  FourCoincidentPeak cp;
  m->Number("rate_usd_per_kw_year", &cp.rate_usd_per_kw_year, kRequired);
  // `peaks` with `peak_interval_minutes` (default 15, ERCOT's settlement
  // interval), or `peak_hours`: whole hours.
  if (m->Has("peaks") && m->Has("peak_hours")) {
    m->Fail("peak_hours", "give peaks or peak_hours, not both");
  } else if (m->Has("peak_hours")) {
    if (m->Has("peak_interval_minutes")) m->Fail("peak_interval_minutes", "peak_hours are whole hours; with an interval give peaks");
    ReadTimes(*m, "peak_hours", &cp.peaks);
    cp.peak_interval = Hours(1);
  } else if (m->Has("peaks")) {
    ReadTimes(*m, "peaks", &cp.peaks);
    double minutes = 15;
    m->Number("peak_interval_minutes", &minutes, kOptional);
    cp.peak_interval = Hours(minutes / 60);
  } else {
    m->Fail("peaks", "missing required field (the peak intervals' starts, or peak_hours)");
  }
  ReadTimes(*m, "alert_hours", &cp.alert_hours);
  if (m->Has("alert_hours") && m->Has("alert_rule")) {
    m->Fail("alert_rule", "give alert_hours or alert_rule, not both");
  }
  ReadFourCpAlertRule(*m, &cp.alert_rule);
  m->Number("alert_peak_probability", &cp.alert_peak_probability, kOptional);
  *out = std::move(cp);
}

void ReadContract(MapReader& top, PowerContract* contract) {
  std::optional<MapReader> m = SubMap(
      top, "contract", {"index", "adder_usd_per_mwh", "fixed_block", "demand_response", "four_cp"});
  if (!m) {
    if (top.reader()->ok() && top.Has("contract")) top.Fail("contract", "required, got nothing");
    return;
  }
  ReadIndex(*m, &contract->index);
  m->Quantity("adder_usd_per_mwh", &contract->adder, kOptional);
  if (std::optional<MapReader> b =
          SubMap(*m, "fixed_block", {"size_mw", "size_kw", "price_usd_per_mwh"})) {
    FixedBlock block;
    b->Power("size", &block.size, kRequired);
    b->Quantity("price_usd_per_mwh", &block.price, kRequired);
    contract->block = block;
  }
  ReadDemandResponse(*m, &contract->demand_response);
  ReadFourCp(*m, &contract->four_cp);
}

// ---- cooling, ambient, policy ----

void ReadCooling(MapReader& top, Cooling* cooling) {
  std::optional<MapReader> m = SubMap(top, "cooling",
                                      {"pue_air", "pue_immersion", "pue_liquid", "capacity_mw",
                                       "capacity_kw", "design_ambient_c", "derate_per_c"});
  if (!m) return;
  m->Number("pue_air", &cooling->pue_air, kOptional);
  m->Number("pue_immersion", &cooling->pue_immersion, kOptional);
  m->Number("pue_liquid", &cooling->pue_liquid, kOptional);
  m->Power("capacity", &cooling->capacity);
  m->Number("design_ambient_c", &cooling->design_ambient_c, kOptional);
  m->Number("derate_per_c", &cooling->derate_per_c, kOptional);
}

void ReadAmbient(MapReader& top, Ambient* ambient) {
  std::optional<MapReader> m = SubMap(top, "ambient",
                                      {"mean_c", "seasonal_amplitude_c", "daily_amplitude_c",
                                       "hottest_day_of_year", "utc_offset_hours"});
  if (!m) return;
  m->Number("mean_c", &ambient->mean_c, kOptional);
  m->Number("seasonal_amplitude_c", &ambient->seasonal_amplitude_c, kOptional);
  m->Number("daily_amplitude_c", &ambient->daily_amplitude_c, kOptional);
  m->Integer("hottest_day_of_year", &ambient->hottest_day_of_year, kOptional);
  m->Number("utc_offset_hours", &ambient->utc_offset_hours, kOptional);
}

void ReadPolicy(MapReader& top, PolicyParams* policy) {
  std::optional<MapReader> m =
      SubMap(top, "policy", {"hysteresis_usd_per_mwh", "strike_windows", "strike_window_minutes",
                             "reserve_fraction"});
  if (!m) return;
  m->Quantity("hysteresis_usd_per_mwh", &policy->hysteresis, kOptional);
  m->Integer("strike_windows", &policy->strike_windows, kOptional);
  double window_minutes = policy->strike_window.count() * 60;
  m->Number("strike_window_minutes", &window_minutes, kOptional);
  policy->strike_window = Hours(window_minutes / 60);
  m->Number("reserve_fraction", &policy->reserve_fraction, kOptional);
}

// ---- miner_groups ----

void ReadFirmware(MapReader& group, Firmware* fw) {
  std::optional<MapReader> m =
      SubMap(group, "firmware", {"sleep", "power_target_w", "efficiency_exponent", "profiles"});
  if (!m) return;
  m->Bool("sleep", &fw->can_sleep);
  if (const YAML::Node* range = m->Value("power_target_w")) {
    if (!range->IsSequence() || range->size() != 2) {
      m->Fail("power_target_w",
              "expected a list [min, max] of two powers in W, got " + KindOf(*range));
    } else {
      double lo = 0;
      double hi = 0;
      const int line = m->LineOf("power_target_w");
      const FieldPath path = m->PathOf("power_target_w");
      if (ReadNumber(m->reader(), (*range)[0], line, path, &lo) &&
          ReadNumber(m->reader(), (*range)[1], line, path, &hi)) {
        fw->power_target_min = Watts(lo);
        fw->power_target_max = Watts(hi);
      }
    }
  }
  m->Number("efficiency_exponent", &fw->efficiency_exponent, kOptional);
  m->List("profiles", [&](const YAML::Node& node, int line, const FieldPath& path) {
    MapReader p(m->reader(), node, line, path, {"name", "power_w", "hashrate_th_s"});
    if (!p.ok()) return;
    MinerProfile profile;
    p.Text("name", &profile.name, kRequired);
    p.Quantity("power_w", &profile.power, kRequired);
    p.Quantity("hashrate_th_s", &profile.hashrate, kRequired);
    fw->profiles.push_back(std::move(profile));
  });
}

// A group's unit: a catalog `model`, or its own figures per unit,
// `hashrate_th_s` with `efficiency_j_per_th` or `power_w` (a machine the
// catalog lacks, without a models file).
void ReadGroupModel(MapReader& m, const AsicCatalog& catalog, MinerGroup* g) {
  const bool own = m.Has("hashrate_th_s") || m.Has("efficiency_j_per_th") || m.Has("power_w");
  if (m.Has("model") && own) {
    m.Fail("model", "give model, or the unit's hashrate_th_s with efficiency_j_per_th or power_w, not both");
    return;
  }
  if (!own) {
    std::string model;
    m.Text("model", &model, kRequired);
    if (model.empty()) return;
    Result<AsicModel> found = catalog.Find(model);
    if (found.ok()) {
      g->model = *found;
    } else {
      m.Fail("model", found.status().message());
    }
    return;
  }
  if (m.Has("efficiency_j_per_th") == m.Has("power_w")) {
    m.Fail(m.Has("power_w") ? "power_w" : "hashrate_th_s",
           "give the unit's efficiency_j_per_th or its power_w with hashrate_th_s, one of the two");
    return;
  }
  TerahashPerSecond hashrate{0};
  m.Quantity("hashrate_th_s", &hashrate, kRequired);
  Watts power{0};
  if (m.Has("power_w")) {
    m.Quantity("power_w", &power, kRequired);
  } else {
    JoulesPerTerahash efficiency{0};
    m.Quantity("efficiency_j_per_th", &efficiency, kRequired);
    if (efficiency.value() <= 0 || !std::isfinite(efficiency.value())) {
      m.Fail("efficiency_j_per_th", "must be > 0");
      return;
    }
    power = Watts(efficiency.value() * hashrate.value());  // J/TH x TH/s = W
  }
  g->model.brand = "custom";
  char name[96];
  std::snprintf(name, sizeof name, "%g TH/s, %g W", hashrate.value(), power.value());
  g->model.name = name;
  g->model.hashrate = hashrate;
  g->model.power = power;
  g->model.source = "site file";
}

void ReadMinerGroups(MapReader& top, std::vector<MinerGroup>* groups) {
  top.List("miner_groups", [&](const YAML::Node& node, int line, const FieldPath& path) {
    MapReader m(
        top.reader(), node, line, path,
        {"name", "model", "hashrate_th_s", "efficiency_j_per_th", "power_w", "count", "domain", "cooling",
         "firmware", "ramp_up_s", "ramp_down_s", "min_on_h", "min_off_h", "pool_fee", "uptime",
         "strike_usd_per_mwh", "addresses", "driver"});
    if (!m.ok()) return;
    MinerGroup g;
    m.Text("name", &g.name, kRequired);
    ReadGroupModel(m, top.reader()->catalog(), &g);
    m.Integer("count", &g.count, kRequired);
    m.Text("domain", &g.domain, kOptional);
    m.Cooling("cooling", &g.cooling);
    ReadFirmware(m, &g.firmware);
    m.Quantity("ramp_up_s", &g.ramp_up, kOptional);
    m.Quantity("ramp_down_s", &g.ramp_down, kOptional);
    m.Quantity("min_on_h", &g.min_on, kOptional);
    m.Quantity("min_off_h", &g.min_off, kOptional);
    m.Number("pool_fee", &g.pool_fee, kOptional);
    m.Number("uptime", &g.uptime, kOptional);
    m.Quantity("strike_usd_per_mwh", &g.strike_price);
    m.Text("addresses", &g.addresses, kOptional);
    m.Text("driver", &g.driver, kOptional);
    if (!g.driver.empty() && g.driver != "luxminer" && g.driver != "bosminer") {
      m.Fail("driver", "expected luxminer or bosminer (the firmware `mullet serve` commands), got " + Quoted(g.driver));
    }
    groups->push_back(std::move(g));
  });
}

// ---- ai ----

void ReadColocation(MapReader& ai, std::vector<ColoLease>* leases) {
  ai.List("colocation", [&](const YAML::Node& node, int line, const FieldPath& path) {
    MapReader m(ai.reader(), node, line, path,
                {"name", "contracted_it_mw", "contracted_it_kw", "usd_per_kw_month",
                 "availability_target", "load_factor", "domain", "cooling", "sla_credits", "lease_type"});
    if (!m.ok()) return;
    ColoLease lease;
    m.Text("name", &lease.name, kRequired);
    m.Power("contracted_it", &lease.contracted_it, kRequired);
    m.Quantity("usd_per_kw_month", &lease.rate, kRequired);
    m.Number("availability_target", &lease.availability_target, kOptional);
    m.Number("load_factor", &lease.load_factor, kOptional);
    m.Text("domain", &lease.domain, kOptional);
    m.Cooling("cooling", &lease.cooling);
    std::string type = "gross";
    m.Text("lease_type", &type, kOptional);
    if (type == "triple-net") {
      lease.type = LeaseType::kTripleNet;
    } else if (type != "gross") {
      m.Fail("lease_type", "expected gross or triple-net, got '" + type + "'");
    }
    m.List("sla_credits",
           [&](const YAML::Node& tier_node, int tier_line, const FieldPath& tier_path) {
             MapReader t(m.reader(), tier_node, tier_line, tier_path, {"below", "credit"});
             if (!t.ok()) return;
             SlaCreditTier tier;
             t.Number("below", &tier.availability_below, kRequired);
             t.Number("credit", &tier.credit_fraction, kRequired);
             lease.sla.push_back(tier);
           });
    leases->push_back(std::move(lease));
  });
}

void ReadGpuCloud(MapReader& ai, std::vector<GpuCloud>* clouds) {
  ai.List("gpu_cloud", [&](const YAML::Node& node, int line, const FieldPath& path) {
    MapReader m(ai.reader(), node, line, path,
                {"name", "node_type", "nodes", "gpus_per_node", "kw_per_node", "usd_per_gpu_hour",
                 "utilisation", "domain", "cooling"});
    if (!m.ok()) return;
    GpuCloud cloud;
    m.Text("name", &cloud.name, kRequired);
    m.Text("node_type", &cloud.node_type, kOptional);
    m.Integer("nodes", &cloud.nodes, kRequired);
    m.Integer("gpus_per_node", &cloud.gpus_per_node, kOptional);
    double kw = 0;
    m.Number("kw_per_node", &kw, kRequired);
    cloud.power_per_node = Kilowatts(kw);
    m.Number("usd_per_gpu_hour", &cloud.usd_per_gpu_hour, kRequired);
    m.Number("utilisation", &cloud.utilisation, kOptional);
    m.Text("domain", &cloud.domain, kOptional);
    m.Cooling("cooling", &cloud.cooling);
    clouds->push_back(std::move(cloud));
  });
}

void ReadAi(MapReader& top, Site* site) {
  std::optional<MapReader> m = SubMap(top, "ai", {"colocation", "gpu_cloud"});
  if (!m) return;
  ReadColocation(*m, &site->leases);
  ReadGpuCloud(*m, &site->clouds);
}

// ---- batch ----

void ReadBatch(MapReader& top, std::optional<BatchQueue>* out) {
  std::optional<MapReader> m = SubMap(
      top, "batch", {"name", "gpus", "kw_per_gpu", "domain", "cooling", "jobs", "recurring"});
  if (!m) return;
  BatchQueue q;
  m->Text("name", &q.name, kOptional);
  m->Integer("gpus", &q.gpus, kRequired);
  double kw = 0;
  m->Number("kw_per_gpu", &kw, kRequired);
  q.power_per_gpu = Kilowatts(kw);
  m->Text("domain", &q.domain, kOptional);
  m->Cooling("cooling", &q.cooling);
  m->List("jobs", [&](const YAML::Node& node, int line, const FieldPath& path) {
    MapReader j(m->reader(), node, line, path,
                {"name", "gpu_hours", "release", "deadline", "value_usd_per_gpu_hour"});
    if (!j.ok()) return;
    BatchJob job;
    j.Text("name", &job.name, kRequired);
    j.Number("gpu_hours", &job.gpu_hours, kRequired);
    j.Time("release", &job.release, kRequired);
    j.Time("deadline", &job.deadline, kRequired);
    j.Number("value_usd_per_gpu_hour", &job.value_usd_per_gpu_hour, kRequired);
    q.jobs.push_back(std::move(job));
  });
  if (std::optional<MapReader> r =
          SubMap(*m, "recurring",
                 {"every_h", "gpu_hours", "deadline_after_h", "value_usd_per_gpu_hour"})) {
    RecurringBatch rec;
    r->Quantity("every_h", &rec.every, kOptional);
    r->Number("gpu_hours", &rec.gpu_hours, kRequired);
    r->Quantity("deadline_after_h", &rec.deadline_after, kOptional);
    r->Number("value_usd_per_gpu_hour", &rec.value_usd_per_gpu_hour, kRequired);
    q.recurring = rec;
  }
  *out = std::move(q);
}

}  // namespace

void ReadCosts(MapReader& top, Costs* costs) {
  std::optional<MapReader> m =
      SubMap(top, "costs", {"capex_usd", "life_years", "capital_rate", "ai_opex_usd_per_kw_month",
                            "mining_opex_usd_per_kw_month"});
  if (!m) return;
  m->Quantity("capex_usd", &costs->capex, kOptional);
  m->Number("life_years", &costs->life_years, kOptional);
  m->Number("capital_rate", &costs->capital_rate, kOptional);
  m->Quantity("ai_opex_usd_per_kw_month", &costs->ai_opex, kOptional);
  m->Quantity("mining_opex_usd_per_kw_month", &costs->mining_opex, kOptional);
}

void ReadSection(std::string_view section, MapReader& top, Site* site) {
  if (!top.reader()->ok()) return;
  if (section == "interconnect") {
    site->interconnect = Watts(0);
    const bool null = (top.Has("interconnect_mw") || top.Has("interconnect_kw")) &&
                      top.Value("interconnect_mw") == nullptr &&
                      top.Value("interconnect_kw") == nullptr;
    if (null) {
      top.Fail(top.Has("interconnect_mw") ? "interconnect_mw" : "interconnect_kw",
               "required, got nothing");
    }
    top.Power("interconnect", &site->interconnect, kOptional);
  } else if (section == "power_domains") {
    site->domains.clear();
    ReadDomains(top, site);
  } else if (section == "contract") {
    site->contract = PowerContract{};
    ReadContract(top, &site->contract);
  } else if (section == "cooling") {
    site->cooling = Cooling{};
    ReadCooling(top, &site->cooling);
  } else if (section == "ambient") {
    site->ambient = Ambient{};
    ReadAmbient(top, &site->ambient);
  } else if (section == "miner_groups") {
    site->miners.clear();
    ReadMinerGroups(top, &site->miners);
  } else if (section == "ai") {
    site->leases.clear();
    site->clouds.clear();
    ReadAi(top, site);
  } else if (section == "batch") {
    site->batch.reset();
    ReadBatch(top, &site->batch);
  } else if (section == "policy") {
    site->policy = PolicyParams{};
    ReadPolicy(top, &site->policy);
  } else if (section == "costs") {
    site->costs = Costs{};
    ReadCosts(top, &site->costs);
  }
}

}  // namespace mullet::site_config_internal
