// The rules every Site must pass (docs/site.md, "Rules"), for sites loaded
// from YAML and sites built in code alike, and the normalization that puts a
// site into the form the dispatch policy reads.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "core/text/untrusted_text.h"
#include "site/site_config.h"
#include "site/site_config_internal.h"

namespace mullet {
namespace site_config_internal {
namespace {


std::string Num(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 6);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

// "100 MW", "850 kW", "3500 W": the largest unit the value reaches.
std::string PowerText(Watts w) {
  const double abs = std::fabs(w.value());
  if (abs >= 1e6) return Num(w.megawatts()) + " MW";
  if (abs >= 1e3) return Num(w.kilowatts()) + " kW";
  return Num(w.value()) + " W";
}

std::string Indexed(std::string_view list, std::size_t i) {
  return std::string(list) + "[" + std::to_string(i) + "]";
}

// The first broken rule; later ones are ignored.
class Checker {
 public:
  bool ok() const { return !issue_.has_value(); }
  std::optional<SiteIssue> issue() && { return std::move(issue_); }

  void Fail(const std::string& path, std::string what) {
    if (!issue_) issue_ = SiteIssue{path, std::move(what)};
  }
  // NaN fails every range check: the comparisons are written so that it does.
  void Positive(const std::string& path, double v) {
    if (!(v > 0)) Fail(path, "must be > 0, got " + Num(v));
  }
  void Positive(const std::string& path, Watts w) {
    if (!(w.value() > 0)) Fail(path, "must be > 0, got " + PowerText(w));
  }
  void NonNegative(const std::string& path, double v) {
    if (!(v >= 0)) Fail(path, "must be >= 0, got " + Num(v));
  }
  void Finite(const std::string& path, double v) {
    if (!std::isfinite(v)) Fail(path, "must be a finite number, got " + Num(v));
  }
  // lo <= v <= hi.
  void InRange(const std::string& path, double v, double lo, double hi) {
    if (!(v >= lo && v <= hi)) {
      Fail(path, "must be in [" + Num(lo) + ", " + Num(hi) + "], got " + Num(v));
    }
  }
  // lo < v <= hi.
  void InHalfOpen(const std::string& path, double v, double lo, double hi) {
    if (!(v > lo && v <= hi)) {
      Fail(path, "must be in (" + Num(lo) + ", " + Num(hi) + "], got " + Num(v));
    }
  }
  // lo <= v < hi.
  void InRightOpen(const std::string& path, double v, double lo, double hi) {
    if (!(v >= lo && v < hi)) {
      Fail(path, "must be in [" + Num(lo) + ", " + Num(hi) + "), got " + Num(v));
    }
  }
  void NotEmpty(const std::string& path, const std::string& text) {
    if (text.empty()) Fail(path, "must not be empty");
  }

 private:
  std::optional<SiteIssue> issue_;
};

// Index of the domain named `name`, or -1.
int DomainIndex(const Site& site, const std::string& name) {
  for (std::size_t i = 0; i < site.domains.size(); ++i) {
    if (site.domains[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string DomainList(const Site& site) {
  if (site.domains.empty()) return "no power_domains are defined";
  std::string out = "domains: ";
  for (std::size_t i = 0; i < site.domains.size(); ++i) {
    out += (i ? ", " : "") + site.domains[i].name;
  }
  return out;
}

void CheckDomains(const Site& site, bool normalized, Checker* c) {
  const auto& domains = site.domains;
  for (std::size_t i = 0; i < domains.size() && c->ok(); ++i) {
    const PowerDomain& d = domains[i];
    const std::string path = Indexed("power_domains", i);
    c->NotEmpty(path + ".name", d.name);
    c->Positive(path + ".limit_mw", d.limit);
    if (d.parent.empty()) {
      if (normalized && d.parent_index != -1) {
        c->Fail(path + ".parent", "parent_index " + std::to_string(d.parent_index) +
                                      " but no parent (call NormalizeSite)");
      }
      continue;
    }
    const int parent = DomainIndex(site, d.parent);
    if (parent < 0) {
      c->Fail(path + ".parent",
              "unknown domain " + Quoted(d.parent) + " (" + DomainList(site) + ")");
    } else if (parent == static_cast<int>(i)) {
      c->Fail(path + ".parent", "a domain cannot be its own parent");
    } else if (normalized && parent > static_cast<int>(i)) {
      c->Fail(path + ".parent",
              "parent " + Quoted(d.parent) + " must be listed before " + Quoted(d.name));
    } else if (normalized && d.parent_index != parent) {
      c->Fail(path + ".parent", "parent_index " + std::to_string(d.parent_index) +
                                    " does not match parent " + Quoted(d.parent) +
                                    " (call NormalizeSite)");
    }
  }
  // Cycles: follow parents from each domain; coming back to it is a cycle.
  for (std::size_t i = 0; i < domains.size() && c->ok(); ++i) {
    std::string chain = domains[i].name;
    int at = DomainIndex(site, domains[i].parent);
    for (std::size_t steps = 0; at >= 0 && steps <= domains.size(); ++steps) {
      chain += " -> " + domains[at].name;
      if (at == static_cast<int>(i)) {
        c->Fail(Indexed("power_domains", i) + ".parent", "cycle in the domain tree: " + chain);
        break;
      }
      at = DomainIndex(site, domains[at].parent);
    }
  }
}

// Names of domains and loads are one namespace: reports and the API name a
// load by it.
void CheckUniqueNames(const Site& site, Checker* c) {
  std::map<std::string, std::string> seen;  // name -> path of its first use
  auto add = [&](const std::string& name, const std::string& path) {
    if (name.empty()) return;
    const auto [it, fresh] = seen.emplace(name, path);
    if (!fresh) c->Fail(path, "duplicate name " + Quoted(name) + " (also " + it->second + ")");
  };
  for (std::size_t i = 0; i < site.domains.size(); ++i) {
    add(site.domains[i].name, Indexed("power_domains", i) + ".name");
  }
  for (std::size_t i = 0; i < site.miners.size(); ++i) {
    add(site.miners[i].name, Indexed("miner_groups", i) + ".name");
  }
  for (std::size_t i = 0; i < site.leases.size(); ++i) {
    add(site.leases[i].name, Indexed("ai.colocation", i) + ".name");
  }
  for (std::size_t i = 0; i < site.clouds.size(); ++i) {
    add(site.clouds[i].name, Indexed("ai.gpu_cloud", i) + ".name");
  }
  if (site.batch) add(site.batch->name, "batch.name");
}

void CheckDomainRef(const Site& site, const std::string& path, const std::string& domain,
                    int domain_index, bool normalized, Checker* c) {
  const int found = domain.empty() ? -1 : DomainIndex(site, domain);
  if (!domain.empty() && found < 0) {
    c->Fail(path + ".domain", "unknown domain " + Quoted(domain) + " (" + DomainList(site) + ")");
  } else if (normalized && domain_index != found) {
    c->Fail(path + ".domain", "domain_index " + std::to_string(domain_index) +
                                  " does not match domain " + Quoted(domain) +
                                  " (call NormalizeSite)");
  }
}

void CheckContract(const Site& site, Checker* c) {
  const PowerContract& k = site.contract;
  const PriceSource& index = k.index;
  if (index.fixed) {
    c->Finite("contract.index.fixed_usd_per_mwh", index.fixed->value());
    if (!index.column.empty()) {
      c->Fail("contract.index.column", "give fixed_usd_per_mwh or column, not both");
    }
    if (!index.csv.empty())
      c->Fail("contract.index.csv", "only with column, not with a fixed price");
  } else if (index.column.empty()) {
    c->Fail("contract.index.column", "required unless fixed_usd_per_mwh is given");
  } else if (index.column.ends_with("_usd_per_mwh")) {
    c->Fail(
        "contract.index.column",
        "give the price point without '_usd_per_mwh', e.g. 'hb_west', got " + Quoted(index.column));
  } else if (!std::all_of(index.column.begin(), index.column.end(), [](char ch) {
               return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
             })) {
    c->Fail("contract.index.column",
            "must be a price point in lower case, e.g. 'hb_west', got " + Quoted(index.column));
  }
  c->Finite("contract.adder_usd_per_mwh", k.adder.value());
  if (k.block) {
    c->Positive("contract.fixed_block.size_mw", k.block->size);
    if (k.block->size > site.interconnect) {
      c->Fail("contract.fixed_block.size_mw", PowerText(k.block->size) +
                                                  " exceeds interconnect_mw (" +
                                                  PowerText(site.interconnect) + ")");
    }
    c->Finite("contract.fixed_block.price_usd_per_mwh", k.block->price.value());
  }
  for (std::size_t i = 0; i < k.demand_response.size() && c->ok(); ++i) {
    const DemandResponseEvent& e = k.demand_response[i];
    const std::string path = Indexed("contract.demand_response", i);
    if (!(e.end > e.start))
      c->Fail(path + ".end", "must be after start (" + FormatUtc(e.start) + ")");
    if (i > 0 && e.start < k.demand_response[i - 1].end) {
      c->Fail(path + ".start", "must not be before the previous event ends (" +
                                   FormatUtc(k.demand_response[i - 1].end) +
                                   "): list events in time order, without overlap");
    }
    if (e.reduce_to && e.reduce_by) {
      c->Fail(path + ".reduce_by_mw", "give reduce_to_mw or reduce_by_mw, not both");
    } else if (!e.reduce_to && !e.reduce_by) {
      c->Fail(path, "give reduce_to_mw or reduce_by_mw");
    } else if (e.reduce_to) {
      if (!(e.reduce_to->value() >= 0 && *e.reduce_to < site.interconnect)) {
        c->Fail(path + ".reduce_to_mw", "must be >= 0 and below interconnect_mw (" +
                                            PowerText(site.interconnect) + "), got " +
                                            PowerText(*e.reduce_to));
      }
    } else if (!(e.reduce_by->value() > 0 && *e.reduce_by <= site.interconnect)) {
      c->Fail(path + ".reduce_by_mw", "must be > 0 and at most interconnect_mw (" +
                                          PowerText(site.interconnect) + "), got " +
                                          PowerText(*e.reduce_by));
    }
    c->NonNegative(path + ".credit_usd_per_mwh", e.credit.value());
  }
  if (k.four_cp) {
    const FourCoincidentPeak& cp = *k.four_cp;
    c->NonNegative("contract.four_cp.rate_usd_per_kw_year", cp.rate_usd_per_kw_year);
    const bool hours = cp.peak_interval == Hours(1);
    const std::string list = hours ? "contract.four_cp.peak_hours" : "contract.four_cp.peaks";
    const auto interval = std::chrono::duration_cast<std::chrono::seconds>(cp.peak_interval);
    if (!(interval.count() > 0 && 3600 % interval.count() == 0)) {
      c->Fail("contract.four_cp.peak_interval_minutes", "must divide an hour (15, 30, 60...)");
    }
    if (cp.peaks.empty()) c->Fail(list, "must list at least one peak");
    std::map<int, int> per_year;
    for (std::size_t i = 0; i < cp.peaks.size() && c->ok(); ++i) {
      const UtcTime t = cp.peaks[i];
      const std::string path = Indexed(list, i);
      if ((t.time_since_epoch().count() % interval.count()) != 0) {
        c->Fail(path, std::string("must be the start of ") + (hours ? "an hour" : "a peak interval") + ", got " +
                          FormatUtc(t));
      } else if (i > 0 && !(t > cp.peaks[i - 1])) {
        c->Fail(path, "must be after the previous peak (" + FormatUtc(cp.peaks[i - 1]) + ")");
      }
      const int year = static_cast<int>(
          std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(t)).year());
      if (++per_year[year] > 4) c->Fail(path, "more than four peaks in " + std::to_string(year));
    }
    for (std::size_t i = 0; i < cp.alert_hours.size() && c->ok(); ++i) {
      const UtcTime t = cp.alert_hours[i];
      const std::string path = Indexed("contract.four_cp.alert_hours", i);
      if (t != std::chrono::floor<std::chrono::hours>(t)) {
        c->Fail(path, "must be the start of an hour, got " + FormatUtc(t));
      } else if (i > 0 && !(t > cp.alert_hours[i - 1])) {
        c->Fail(path, "must be after the previous alert hour (" + FormatUtc(cp.alert_hours[i - 1]) + ")");
      }
    }
    const FourCpAlertRule& r = cp.alert_rule;
    for (std::size_t i = 0; i < r.months.size(); ++i) {
      if (r.months[i] < 1 || r.months[i] > 12) {
        c->Fail(Indexed("contract.four_cp.alert_rule.months", i),
                "must be a month 1-12, got " + std::to_string(r.months[i]));
      }
    }
    if (!(r.from_hour >= 0 && r.from_hour < r.to_hour && r.to_hour <= 24)) {
      c->Fail("contract.four_cp.alert_rule.from_hour",
              "want 0 <= from_hour < to_hour <= 24, got " + std::to_string(r.from_hour) + " and " +
                  std::to_string(r.to_hour));
    }
    if (!(r.utc_offset_hours >= -14 && r.utc_offset_hours <= 14)) {
      c->Fail("contract.four_cp.alert_rule.utc_offset_hours", "must be in [-14, 14]");
    }
    if (!(cp.alert_peak_probability > 0 && cp.alert_peak_probability <= 1)) {
      c->Fail("contract.four_cp.alert_peak_probability",
              "must be in (0, 1], got " + Num(cp.alert_peak_probability));
    }
  }
}

void CheckCoolingAndAmbient(const Site& site, Checker* c) {
  const Cooling& k = site.cooling;
  c->InRange("cooling.pue_air", k.pue_air, 1, 3);
  c->InRange("cooling.pue_immersion", k.pue_immersion, 1, 3);
  c->InRange("cooling.pue_liquid", k.pue_liquid, 1, 3);
  if (k.capacity) c->Positive("cooling.capacity_mw", *k.capacity);
  c->InRange("cooling.design_ambient_c", k.design_ambient_c, -50, 60);
  c->InRange("cooling.derate_per_c", k.derate_per_c, 0, 1);
  const Ambient& a = site.ambient;
  c->InRange("ambient.mean_c", a.mean_c, -60, 60);
  c->InRange("ambient.seasonal_amplitude_c", a.seasonal_amplitude_c, 0, 50);
  c->InRange("ambient.daily_amplitude_c", a.daily_amplitude_c, 0, 30);
  c->InRange("ambient.hottest_day_of_year", a.hottest_day_of_year, 1, 366);
  c->InRange("ambient.utc_offset_hours", a.utc_offset_hours, -12, 14);
}

void CheckFirmware(const MinerGroup& g, const std::string& path, Checker* c) {
  const Firmware& fw = g.firmware;
  const Watts max_power = g.model.power * 2;
  const std::string nameplate =
      " (2x the " + g.model.name + " nameplate of " + PowerText(g.model.power) + ")";
  if (fw.power_target_min.has_value() != fw.power_target_max.has_value()) {
    c->Fail(path + ".power_target_w", "give both min and max");
  } else if (fw.power_target_min) {
    const Watts lo = *fw.power_target_min;
    const Watts hi = *fw.power_target_max;
    if (!(lo.value() > 0)) {
      c->Fail(path + ".power_target_w", "min must be > 0, got " + PowerText(lo));
    } else if (!(lo < hi)) {
      c->Fail(path + ".power_target_w",
              "min " + PowerText(lo) + " must be below max " + PowerText(hi));
    } else if (!(hi <= max_power)) {
      c->Fail(path + ".power_target_w",
              "max " + PowerText(hi) + " exceeds " + PowerText(max_power) + nameplate);
    }
  }
  c->InRightOpen(path + ".efficiency_exponent", fw.efficiency_exponent, 0, 1);
  for (std::size_t j = 0; j < fw.profiles.size() && c->ok(); ++j) {
    const MinerProfile& p = fw.profiles[j];
    const std::string ppath = Indexed(path + ".profiles", j);
    c->NotEmpty(ppath + ".name", p.name);
    for (std::size_t k = 0; k < j; ++k) {
      if (fw.profiles[k].name == p.name) {
        c->Fail(ppath + ".name", "duplicate profile " + Quoted(p.name) + " (also " +
                                     Indexed(path + ".profiles", k) + ")");
      }
    }
    if (!(p.power.value() > 0 && p.power <= max_power)) {
      c->Fail(ppath + ".power_w", "must be in (0, " + PowerText(max_power) + "]" + nameplate +
                                      ", got " + PowerText(p.power));
    }
    c->Positive(ppath + ".hashrate_th_s", p.hashrate.value());
  }
}

void CheckMiners(const Site& site, bool normalized, Checker* c) {
  for (std::size_t i = 0; i < site.miners.size() && c->ok(); ++i) {
    const MinerGroup& g = site.miners[i];
    const std::string path = Indexed("miner_groups", i);
    c->NotEmpty(path + ".name", g.name);
    if (Status model = ValidateAsicModel(g.model); !model.ok()) {
      c->Fail(path + ".model", model.message());
      continue;
    }
    c->Positive(path + ".count", g.count);
    CheckDomainRef(site, path, g.domain, g.domain_index, normalized, c);
    CheckFirmware(g, path + ".firmware", c);
    c->NonNegative(path + ".ramp_up_s", g.ramp_up.count());
    c->NonNegative(path + ".ramp_down_s", g.ramp_down.count());
    c->NonNegative(path + ".min_on_h", g.min_on.count());
    c->NonNegative(path + ".min_off_h", g.min_off.count());
    c->InRange(path + ".pool_fee", g.pool_fee, 0, 1);
    c->InHalfOpen(path + ".uptime", g.uptime, 0, 1);
    if (g.strike_price) c->Finite(path + ".strike_usd_per_mwh", g.strike_price->value());
  }
}

void CheckSla(const ColoLease& lease, const std::string& path, bool normalized, Checker* c) {
  const std::vector<SlaCreditTier>& sla = lease.sla;
  for (std::size_t j = 0; j < sla.size() && c->ok(); ++j) {
    const std::string tpath = Indexed(path + ".sla_credits", j);
    c->InHalfOpen(tpath + ".below", sla[j].availability_below, 0, 1);
    c->InRange(tpath + ".credit", sla[j].credit_fraction, 0, 1);
    if (c->ok() && sla[j].availability_below > lease.availability_target) {
      c->Fail(tpath + ".below", "must not exceed availability_target (" +
                                    Num(lease.availability_target) + "), got " +
                                    Num(sla[j].availability_below));
    }
    for (std::size_t k = 0; k < j && c->ok(); ++k) {
      if (sla[k].availability_below == sla[j].availability_below) {
        c->Fail(tpath + ".below", "duplicate threshold " + Num(sla[j].availability_below) +
                                      " (also " + Indexed(path + ".sla_credits", k) + ")");
      }
    }
    if (normalized && j > 0 && !(sla[j].availability_below < sla[j - 1].availability_below)) {
      c->Fail(tpath + ".below", "tiers must be sorted by below, descending (call NormalizeSite)");
    }
  }
  // In order of falling availability, the credit must not fall.
  std::vector<std::size_t> order(sla.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return sla[a].availability_below > sla[b].availability_below;
  });
  for (std::size_t k = 1; k < order.size() && c->ok(); ++k) {
    const SlaCreditTier& higher = sla[order[k - 1]];
    const SlaCreditTier& lower = sla[order[k]];
    if (lower.credit_fraction < higher.credit_fraction) {
      c->Fail(Indexed(path + ".sla_credits", order[k]) + ".credit",
              "credit " + Num(lower.credit_fraction) + " below " + Num(lower.availability_below) +
                  " is smaller than the " + Num(higher.credit_fraction) + " below " +
                  Num(higher.availability_below) + ": credits must grow as availability falls");
    }
  }
}

void CheckAi(const Site& site, bool normalized, Checker* c) {
  for (std::size_t i = 0; i < site.leases.size() && c->ok(); ++i) {
    const ColoLease& lease = site.leases[i];
    const std::string path = Indexed("ai.colocation", i);
    c->NotEmpty(path + ".name", lease.name);
    c->Positive(path + ".contracted_it_mw", lease.contracted_it);
    c->NonNegative(path + ".usd_per_kw_month", lease.rate.value());
    c->InHalfOpen(path + ".availability_target", lease.availability_target, 0, 1);
    c->InRange(path + ".load_factor", lease.load_factor, 0, 1);
    CheckDomainRef(site, path, lease.domain, lease.domain_index, normalized, c);
    CheckSla(lease, path, normalized, c);
  }
  for (std::size_t i = 0; i < site.clouds.size() && c->ok(); ++i) {
    const GpuCloud& cloud = site.clouds[i];
    const std::string path = Indexed("ai.gpu_cloud", i);
    c->NotEmpty(path + ".name", cloud.name);
    c->Positive(path + ".nodes", cloud.nodes);
    c->Positive(path + ".gpus_per_node", cloud.gpus_per_node);
    c->Positive(path + ".kw_per_node", cloud.power_per_node.kilowatts());
    c->NonNegative(path + ".usd_per_gpu_hour", cloud.usd_per_gpu_hour);
    c->InRange(path + ".utilisation", cloud.utilisation, 0, 1);
    CheckDomainRef(site, path, cloud.domain, cloud.domain_index, normalized, c);
  }
}

void CheckBatch(const Site& site, bool normalized, Checker* c) {
  if (!site.batch) return;
  const BatchQueue& q = *site.batch;
  c->NotEmpty("batch.name", q.name);
  c->Positive("batch.gpus", q.gpus);
  c->Positive("batch.kw_per_gpu", q.power_per_gpu.kilowatts());
  CheckDomainRef(site, "batch", q.domain, q.domain_index, normalized, c);
  for (std::size_t j = 0; j < q.jobs.size() && c->ok(); ++j) {
    const BatchJob& job = q.jobs[j];
    const std::string path = Indexed("batch.jobs", j);
    c->NotEmpty(path + ".name", job.name);
    for (std::size_t k = 0; k < j; ++k) {
      if (q.jobs[k].name == job.name) {
        c->Fail(path + ".name",
                "duplicate job " + Quoted(job.name) + " (also " + Indexed("batch.jobs", k) + ")");
      }
    }
    c->Positive(path + ".gpu_hours", job.gpu_hours);
    c->NonNegative(path + ".value_usd_per_gpu_hour", job.value_usd_per_gpu_hour);
    if (!(job.deadline > job.release)) {
      c->Fail(path + ".deadline", "must be after release (" + FormatUtc(job.release) + ")");
    } else if (c->ok() && q.gpus > 0) {
      const double capacity = q.gpus * Hours(job.deadline - job.release).count();
      if (job.gpu_hours > capacity) {
        c->Fail(path + ".gpu_hours", "cannot finish: needs " + Num(job.gpu_hours) +
                                         " GPU-hours, but " + std::to_string(q.gpus) +
                                         " GPUs give only " + Num(capacity) +
                                         " between release and deadline");
      }
    }
  }
  if (q.recurring && c->ok()) {
    const RecurringBatch& r = *q.recurring;
    c->Positive("batch.recurring.every_h", r.every.count());
    c->Positive("batch.recurring.gpu_hours", r.gpu_hours);
    c->Positive("batch.recurring.deadline_after_h", r.deadline_after.count());
    c->NonNegative("batch.recurring.value_usd_per_gpu_hour", r.value_usd_per_gpu_hour);
    if (c->ok() && q.gpus > 0) {
      const double window = std::min(r.every.count(), r.deadline_after.count());
      if (r.gpu_hours > q.gpus * window) {
        c->Fail("batch.recurring.gpu_hours",
                "cannot keep up: " + Num(r.gpu_hours) + " GPU-hours per job, but " +
                    std::to_string(q.gpus) + " GPUs give only " + Num(q.gpus * window) +
                    " in min(every_h, deadline_after_h) = " + Num(window) + " h");
      }
    }
  }
}

void CheckPolicy(const Site& site, Checker* c) {
  c->NonNegative("policy.hysteresis_usd_per_mwh", site.policy.hysteresis.value());
  if (site.policy.strike_windows < 1) {
    c->Fail("policy.strike_windows",
            "must be >= 1, got " + std::to_string(site.policy.strike_windows));
  }
  c->NonNegative("costs.capex_usd", site.costs.capex.value());
  if (!(site.costs.life_years > 0 && site.costs.life_years <= 100)) {
    c->Fail("costs.life_years", "must be in (0, 100], got " + Num(site.costs.life_years));
  }
  if (!(site.costs.capital_rate >= 0 && site.costs.capital_rate < 1)) {
    c->Fail("costs.capital_rate", "must be in [0, 1) (a yearly rate: 0.08 for 8 %), got " +
                                      Num(site.costs.capital_rate));
  }
  c->NonNegative("costs.ai_opex_usd_per_kw_month", site.costs.ai_opex.value());
  c->NonNegative("costs.mining_opex_usd_per_kw_month", site.costs.mining_opex.value());
  if (!(site.policy.strike_window.count() > 0)) {
    c->Fail("policy.strike_window_minutes", "must be > 0");
  }
  c->InRightOpen("policy.reserve_fraction", site.policy.reserve_fraction, 0, 1);
}

// A firm load (contracted, with its cooling) as the checks below need it.
struct FirmLoad {
  std::string path;  // the field to blame: the load's size
  std::string domain;
  Watts it{0};
  Watts facility{0};
};

// Firm loads must fit where they are: the interconnect, every domain above
// them and the cooling plant. A breach by design would be an SLA breach in
// every hour; mining and batch are flexible and may oversubscribe. The load
// that tips a limit over is blamed, so that a scenario that adds AI points
// at its own lines. REQUIRES: domain references and the tree are valid.
void CheckFirmCapacity(const Site& site, Checker* c) {
  std::vector<FirmLoad> firm;
  for (std::size_t i = 0; i < site.leases.size(); ++i) {
    const ColoLease& l = site.leases[i];
    firm.push_back({Indexed("ai.colocation", i) + ".contracted_it_mw", l.domain, l.contracted_it,
                    l.contracted_it * site.cooling.Pue(l.cooling)});
  }
  for (std::size_t i = 0; i < site.clouds.size(); ++i) {
    const GpuCloud& g = site.clouds[i];
    const Watts it = g.power_per_node * g.nodes;
    firm.push_back(
        {Indexed("ai.gpu_cloud", i) + ".nodes", g.domain, it, it * site.cooling.Pue(g.cooling)});
  }
  Watts total{0};
  Watts total_it{0};
  std::vector<Watts> per_domain(site.domains.size(), Watts(0));
  for (const FirmLoad& f : firm) {
    total += f.facility;
    total_it += f.it;
    if (total > site.interconnect) {
      c->Fail(f.path, "firm AI load with cooling reaches " + PowerText(total) +
                          ", over interconnect_mw (" + PowerText(site.interconnect) + ")");
      return;
    }
    if (site.cooling.capacity && total_it > *site.cooling.capacity) {
      c->Fail(f.path, "firm AI IT load reaches " + PowerText(total_it) +
                          ", over cooling.capacity_mw (" + PowerText(*site.cooling.capacity) + ")");
      return;
    }
    std::size_t steps = 0;
    for (int d = DomainIndex(site, f.domain); d >= 0 && steps <= site.domains.size(); ++steps) {
      per_domain[d] += f.facility;
      if (per_domain[d] > site.domains[d].limit) {
        c->Fail(f.path, "firm AI load with cooling under power domain " +
                            Quoted(site.domains[d].name) + " reaches " + PowerText(per_domain[d]) +
                            ", over its limit_mw (" + PowerText(site.domains[d].limit) + ")");
        return;
      }
      d = DomainIndex(site, site.domains[d].parent);
    }
  }
}

}  // namespace

std::optional<SiteIssue> CheckSite(const Site& site, bool normalized) {
  Checker c;
  c.NotEmpty("name", site.name);
  c.Positive("interconnect_mw", site.interconnect);
  CheckDomains(site, normalized, &c);
  CheckUniqueNames(site, &c);
  if (c.ok()) CheckContract(site, &c);
  if (c.ok()) CheckCoolingAndAmbient(site, &c);
  if (c.ok()) CheckMiners(site, normalized, &c);
  if (c.ok()) CheckAi(site, normalized, &c);
  if (c.ok()) CheckBatch(site, normalized, &c);
  if (c.ok()) CheckPolicy(site, &c);
  if (c.ok() && site.miners.empty() && site.leases.empty() && site.clouds.empty() && !site.batch) {
    c.Fail("miner_groups",
           "the site has no load: give at least one of miner_groups, ai.colocation, "
           "ai.gpu_cloud or batch");
  }
  if (c.ok()) CheckFirmCapacity(site, &c);
  return std::move(c).issue();
}

void Normalize(Site* site) {
  // Parents first, otherwise in the order given (a stable topological sort;
  // O(n^2), and sites have tens of domains).
  std::vector<PowerDomain> ordered;
  std::vector<bool> placed(site->domains.size(), false);
  while (ordered.size() < site->domains.size()) {
    const std::size_t before = ordered.size();
    for (std::size_t i = 0; i < site->domains.size(); ++i) {
      if (placed[i]) continue;
      const PowerDomain& d = site->domains[i];
      const bool parent_placed =
          d.parent.empty() || std::any_of(ordered.begin(), ordered.end(),
                                          [&](const PowerDomain& p) { return p.name == d.parent; });
      if (!parent_placed) continue;
      placed[i] = true;
      ordered.push_back(d);
    }
    if (ordered.size() == before) break;  // a cycle: CheckSite rules it out
  }
  site->domains = std::move(ordered);
  for (PowerDomain& d : site->domains) {
    d.parent_index = d.parent.empty() ? -1 : DomainIndex(*site, d.parent);
  }
  auto resolve = [&](const std::string& domain) {
    return domain.empty() ? -1 : DomainIndex(*site, domain);
  };
  for (MinerGroup& g : site->miners) g.domain_index = resolve(g.domain);
  for (ColoLease& l : site->leases) {
    l.domain_index = resolve(l.domain);
    std::stable_sort(l.sla.begin(), l.sla.end(),
                     [](const SlaCreditTier& a, const SlaCreditTier& b) {
                       return a.availability_below > b.availability_below;
                     });
  }
  for (GpuCloud& g : site->clouds) g.domain_index = resolve(g.domain);
  if (site->batch) site->batch->domain_index = resolve(site->batch->domain);
}

}  // namespace site_config_internal

Status ValidateSite(const Site& site) {
  if (std::optional<site_config_internal::SiteIssue> issue =
          site_config_internal::CheckSite(site, /*normalized=*/true)) {
    return Status::InvalidArgument(issue->path + ": " + issue->what);
  }
  return Status::Ok();
}

Status NormalizeSite(Site* site) {
  if (std::optional<site_config_internal::SiteIssue> issue =
          site_config_internal::CheckSite(*site, /*normalized=*/false)) {
    return Status::InvalidArgument(issue->path + ": " + issue->what);
  }
  site_config_internal::Normalize(site);
  return Status::Ok();
}

}  // namespace mullet
