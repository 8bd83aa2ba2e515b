#include "planner/plan_spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <cstdio>

#include "site/site_config.h"

namespace mullet {
namespace {

// Reads one mapping strictly: every key must be known; the first error wins.
class Fields {
 public:
  Fields(std::string file, const YAML::Node& node, std::string path, std::string* error)
      : file_(std::move(file)), node_(node), path_(std::move(path)), error_(error) {
    if (!error_->empty()) return;
    if (!node_.IsMap()) Fail(node_, "", "must be a mapping");
  }

  void Fail(const YAML::Node& at, std::string_view key, std::string_view what) {
    if (!error_->empty()) return;
    const int line = at.Mark().line >= 0 ? at.Mark().line + 1 : 1;
    std::string field = path_;
    if (!key.empty()) field += (field.empty() ? "" : ".") + std::string(key);
    *error_ = file_ + ":" + std::to_string(line) + ": " + (field.empty() ? "" : field + ": ") + std::string(what);
  }

  YAML::Node Get(std::string_view key) {
    known_.insert(std::string(key));
    if (!error_->empty() || !node_.IsMap()) return YAML::Node();
    return node_[std::string(key)];
  }

  void Number(std::string_view key, double* out, double lo, double hi, bool required = false) {
    const YAML::Node n = Get(key);
    if (!n) {
      if (required) Fail(node_, key, "missing");
      return;
    }
    double v = 0;
    try {
      if (!n.IsScalar()) throw YAML::Exception(n.Mark(), "");
      v = n.as<double>();
    } catch (const YAML::Exception&) {
      Fail(n, key, "must be a number");
      return;
    }
    if (!std::isfinite(v) || v < lo || v > hi) {
      std::ostringstream m;
      m << "must be in [" << lo << ", " << hi << "], got " << n.Scalar();
      Fail(n, key, m.str());
      return;
    }
    *out = v;
  }
  void Integer(std::string_view key, int* out, int lo, int hi, bool required = false) {
    double v = *out;
    Number(key, &v, lo, hi, required);
    if (v != std::floor(v)) Fail(Get(key), key, "must be a whole number");
    *out = static_cast<int>(v);
  }
  void Text(std::string_view key, std::string* out, bool required = false) {
    const YAML::Node n = Get(key);
    if (!n) {
      if (required) Fail(node_, key, "missing");
      return;
    }
    if (!n.IsScalar()) return Fail(n, key, "must be text");
    *out = n.Scalar();
  }
  void Bool(std::string_view key, bool* out) {
    const YAML::Node n = Get(key);
    if (!n) return;
    try {
      *out = n.as<bool>();
    } catch (const YAML::Exception&) {
      Fail(n, key, "must be true or false");
    }
  }
  // Call last: rejects keys nobody asked for.
  void Done() {
    if (!error_->empty() || !node_.IsMap()) return;
    for (const auto& kv : node_) {
      const std::string key = kv.first.Scalar();
      if (!known_.count(key)) {
        std::string list;
        for (const std::string& k : known_) list += (list.empty() ? "" : ", ") + k;
        Fail(kv.first, key, "unknown key (expected one of: " + list + ")");
      }
    }
  }
  const std::string& file() const { return file_; }
  std::string Sub(std::string_view key) const { return path_.empty() ? std::string(key) : path_ + "." + std::string(key); }

 private:
  std::string file_;
  YAML::Node node_;
  std::string path_;
  std::string* error_;
  std::set<std::string> known_;
};

void ReadLease(const std::string& file, const YAML::Node& n, const std::string& path, LeaseTerms* out,
               std::string* error) {
  Fields f(file, n, path, error);
  f.Number("usd_per_kw_month", &out->usd_per_kw_month, 0, 10000, true);
  f.Number("escalator_per_year", &out->escalator_per_year, -0.5, 1);
  f.Number("load_factor", &out->load_factor, 0, 1);
  f.Integer("term_months", &out->term_months, 0, 1200);
  std::string at_end = "renew";
  f.Text("at_term_end", &at_end);
  if (at_end != "renew" && at_end != "vacant") f.Fail(f.Get("at_term_end"), "at_term_end", "must be renew or vacant");
  out->vacant_at_end = at_end == "vacant";
  std::string type = "gross";
  f.Text("lease_type", &type);
  if (type == "gross") {
    out->type = LeaseType::kGross;
  } else if (type == "triple-net") {
    out->type = LeaseType::kTripleNet;
  } else {
    f.Fail(f.Get("lease_type"), "lease_type", "must be gross or triple-net");
  }
  f.Done();
}

// A decision's grid: each key a list of values, every combination a decision.
using Grid = std::vector<std::pair<std::string, std::vector<double>>>;
constexpr const char* kGridKeys[] = {"mw", "start_month", "build_months", "capex_usd_per_mw", "usd_per_kw_month",
                                     "debt_share", "sell_share"};

void ReadDecision(const std::string& file, const YAML::Node& n, const std::string& path, Decision* d, Grid* grid,
                  std::string* error) {
  Fields f(file, n, path, error);
  if (const YAML::Node g = f.Get("grid")) {
    if (!g.IsMap()) f.Fail(g, "grid", "must map keys to lists of values");
    for (const auto& kv : g) {
      if (!error->empty() || !g.IsMap()) break;
      const std::string key = kv.first.Scalar();
      const std::string at = "grid." + key;
      if (std::find_if(std::begin(kGridKeys), std::end(kGridKeys), [&](const char* k) { return key == k; }) ==
          std::end(kGridKeys)) {
        f.Fail(kv.first, at, "not a grid key (mw, start_month, build_months, capex_usd_per_mw, usd_per_kw_month, "
                             "debt_share, sell_share)");
        break;
      }
      std::vector<double> values;
      if (!kv.second.IsSequence() || kv.second.size() == 0) {
        f.Fail(kv.second, at, "must be a list of numbers");
        break;
      }
      for (const auto& v : kv.second) {
        try {
          values.push_back(v.as<double>());
        } catch (const YAML::Exception&) {
          f.Fail(v, at, "must be a list of numbers");
          break;
        }
        if (!std::isfinite(values.back()) || values.back() < 0) f.Fail(v, at, "values must be finite, 0 or more");
      }
      grid->emplace_back(key, std::move(values));
    }
  }
  f.Text("name", &d->name, true);
  f.Text("description", &d->description);
  const YAML::Node convs = f.Get("conversions");
  if (convs) {
    if (!convs.IsSequence()) f.Fail(convs, "conversions", "must be a list");
    for (std::size_t i = 0; error->empty() && convs.IsSequence() && i < convs.size(); ++i) {
      const std::string cp = f.Sub("conversions") + "[" + std::to_string(i) + "]";
      Conversion c;
      Fields cf(file, convs[i], cp, error);
      cf.Number("mw", &c.facility_mw, 0.001, 1e5, true);
      cf.Integer("start_month", &c.start_month, 0, 600);
      cf.Integer("build_months", &c.build_months, 0, 120);
      cf.Number("offline_mw", &c.offline_mw, 0, 1e5);
      cf.Number("capex_usd_per_mw", &c.capex_usd_per_mw, 0, 1e9, true);
      const YAML::Node lease = cf.Get("lease");
      if (!lease) {
        cf.Fail(convs[i], "lease", "missing");
      } else {
        ReadLease(file, lease, cp + ".lease", &c.lease, error);
      }
      cf.Done();
      d->conversions.push_back(c);
    }
  }
  if (const YAML::Node fleet = f.Get("fleet")) {
    if (!fleet.IsSequence()) f.Fail(fleet, "fleet", "must be a list");
    for (std::size_t i = 0; error->empty() && fleet.IsSequence() && i < fleet.size(); ++i) {
      const std::string fp = f.Sub("fleet") + "[" + std::to_string(i) + "]";
      Fields ff(file, fleet[i], fp, error);
      FleetChange c;
      ff.Integer("month", &c.month, 0, 600, true);
      ff.Text("group", &c.group, true);
      int buy = 0, retire = 0;
      ff.Integer("buy", &buy, 0, 10000000);
      ff.Integer("retire", &retire, 0, 10000000);
      if (error->empty() && (buy > 0) == (retire > 0)) ff.Fail(fleet[i], "", "give one of buy or retire, a count above 0");
      c.count = buy > 0 ? buy : -retire;
      if (buy > 0) {
        ff.Number("usd_per_unit", &c.usd_per_unit, 0, 1e7, true);
        ff.Integer("life_months", &c.life_months, 1, 240);
        ff.Number("debt_share", &c.debt_share, 0, 1);
        ff.Number("debt_annual_rate", &c.debt_annual_rate, 0, 1);
        ff.Integer("debt_term_months", &c.debt_term_months, 1, 240);
      } else {
        ff.Number("salvage_usd_per_unit", &c.usd_per_unit, 0, 1e7);
      }
      ff.Done();
      d->fleet.push_back(c);
    }
  }
  if (const YAML::Node fin = f.Get("financing")) {
    Fields ff(file, fin, f.Sub("financing"), error);
    ff.Number("debt_share", &d->financing.debt_share, 0, 1);
    ff.Number("annual_rate", &d->financing.annual_rate, 0, 1);
    ff.Integer("term_months", &d->financing.term_months, 1, 600);
    ff.Done();
  }
  if (const YAML::Node tr = f.Get("treasury")) {
    Fields tf(file, tr, f.Sub("treasury"), error);
    tf.Number("sell_share", &d->treasury.sell_share, 0, 1);
    tf.Bool("sell_to_cover", &d->treasury.sell_to_cover);
    tf.Done();
  }
  if (const YAML::Node dr = f.Get("demand_response")) {
    Fields rf(file, dr, f.Sub("demand_response"), error);
    DemandResponseProgram p;
    rf.Number("events_per_year", &p.events_per_year, 0, 365, true);
    if (const YAML::Node m = rf.Get("months")) {
      p.months.clear();
      bool ok = m.IsSequence() && m.size() > 0;
      for (std::size_t i = 0; ok && i < m.size(); ++i) {
        try {
          const int v = m[i].as<int>();
          ok = v >= 1 && v <= 12;
          p.months.push_back(v);
        } catch (const YAML::Exception&) {
          ok = false;
        }
      }
      if (!ok) rf.Fail(m, "months", "must be a list of months 1 to 12");
    }
    rf.Bool("weekdays_only", &p.weekdays_only);
    rf.Integer("start_hour", &p.start_hour, 0, 23);
    rf.Integer("hours", &p.hours, 1, 24);
    rf.Number("utc_offset_hours", &p.utc_offset_hours, -12, 14);
    rf.Number("reduce_to_mw", &p.reduce_to_mw, 0, 1e5);
    rf.Number("reduce_by_mw", &p.reduce_by_mw, 0, 1e5);
    rf.Number("credit_usd_per_mwh", &p.credit_usd_per_mwh, 0, 1e5);
    rf.Number("capacity_usd_per_mw_month", &p.capacity_usd_per_mw_month, 0, 1e7);
    rf.Number("enrolled_mw", &p.enrolled_mw, 0, 1e5);
    const double first = EventStartInPlanDay(p);
    if ((p.reduce_to_mw >= 0) == (p.reduce_by_mw >= 0)) {
      rf.Fail(dr, "", "give one of reduce_to_mw and reduce_by_mw");
    } else if (first < 1 || first + p.hours > 24) {
      // Its baseline is the hour before it, in the same plan day; and one
      // event is one run of hours.
      const double day_start = std::fmod(kPlanDayStartUtc.count() + p.utc_offset_hours + 48, 24);
      std::ostringstream m;
      m << "the event must lie inside one plan day (from 06:00 UTC, " << day_start
        << ":00 at utc_offset_hours " << p.utc_offset_hours << "), after its first hour: here start_hour "
        << std::fmod(day_start + 1, 24) << " or later, and start_hour + hours at most " << day_start + 24;
      rf.Fail(rf.Get("start_hour"), "start_hour", m.str());
    } else if (p.capacity_usd_per_mw_month > 0 && p.enrolled_mw < 0 && p.reduce_by_mw < 0) {
      rf.Fail(dr, "enrolled_mw", "missing: a capacity payment on reduce_to_mw needs the MW enrolled");
    }
    rf.Done();
    d->demand_response = p;
  }
  f.Done();
}

std::string Short(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Every combination of the grid's values, in the order the keys are
// written (the last varies fastest). Names: "{key}" in the name is
// replaced by the value; a name without placeholders gets "-key=value"s.
std::vector<Decision> ExpandGrid(const Decision& d, const Grid& grid) {
  std::vector<Decision> out{d};
  for (const auto& [key, values] : grid) {
    std::vector<Decision> next;
    for (const Decision& base : out) {
      for (double v : values) {
        Decision e = base;
        for (Conversion& c : e.conversions) {
          if (key == "mw") c.facility_mw = v;
          if (key == "start_month") c.start_month = static_cast<int>(v);
          if (key == "build_months") c.build_months = static_cast<int>(v);
          if (key == "capex_usd_per_mw") c.capex_usd_per_mw = v;
          if (key == "usd_per_kw_month") c.lease.usd_per_kw_month = v;
        }
        if (key == "debt_share") e.financing.debt_share = std::min(v, 1.0);
        if (key == "sell_share") e.treasury.sell_share = std::min(v, 1.0);
        const std::string placeholder = "{" + key + "}";
        const std::size_t at = e.name.find(placeholder);
        if (at != std::string::npos) {
          e.name.replace(at, placeholder.size(), Short(v));
        } else if (d.name.find('{') == std::string::npos) {
          e.name += "-" + key + "=" + Short(v);
        }
        next.push_back(std::move(e));
      }
    }
    out = std::move(next);
  }
  return out;
}

}  // namespace

double EventStartInPlanDay(const DemandResponseProgram& p) {
  return std::fmod(p.start_hour - p.utc_offset_hours - kPlanDayStartUtc.count() + 48, 24.0);
}

int EventDateShift(const DemandResponseProgram& p) {
  return static_cast<int>(std::floor((kPlanDayStartUtc.count() + EventStartInPlanDay(p) + p.utc_offset_hours) / 24));
}


Result<PlanSpec> ParsePlanYaml(std::string_view name, std::string_view text) {
  const std::string file(name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  std::string error;
  PlanSpec p;
  p.file = file;
  Fields f(file, root, "", &error);
  f.Text("name", &p.name, true);
  std::string site;
  f.Text("site", &site, true);
  p.site_file = site;
  f.Text("scenario", &p.scenario);
  std::string start;
  f.Text("start", &start, true);
  if (error.empty()) {
    const Result<Date> d = ParseDate(start);
    if (!d.ok()) {
      f.Fail(f.Get("start"), "start", "must be a date YYYY-MM-DD");
    } else {
      p.start = *d;
    }
  }
  f.Integer("years", &p.years, 1, 50);
  f.Number("discount_rate", &p.discount_rate, -0.5, 5);
  f.Number("initial_cash_usd", &p.initial_cash_usd, -1e12, 1e12);
  f.Number("cash_floor_usd", &p.cash_floor_usd, -1e12, 1e12);
  f.Number("tax_rate", &p.tax_rate, 0, 1);
  f.Number("tax_loss_offset_share", &p.tax_loss_offset_share, 0, 1);
  f.Number("overhead_usd_per_month", &p.overhead_usd_per_month, 0, 1e10);
  f.Number("mining_depreciation_usd_per_month", &p.mining_depreciation_usd_per_month, 0, 1e10);
  f.Number("capex_depreciation_years", &p.capex_depreciation_years, 1, 100);
  f.Number("terminal_ebitda_multiple", &p.terminal_ebitda_multiple, 0, 100);
  f.Text("dispatch", &p.dispatch);
  if (p.dispatch != "table" && p.dispatch != "hourly") f.Fail(f.Get("dispatch"), "dispatch", "must be table or hourly");
  f.Number("dispatch_step", &p.dispatch_step, 0.001, 0.5);
  if (const YAML::Node m = f.Get("market")) {
    Fields mf(file, m, "market", &error);
    MarketStart& ms = p.market;
    mf.Number("btc_price_usd", &ms.btc_price_usd, 1, 1e9);
    mf.Number("network_hashrate_eh_s", &ms.network_hashrate_eh_s, 0.001, 1e7);
    double height = static_cast<double>(ms.block_height);
    mf.Number("block_height", &height, 0, 6.9e6);
    ms.block_height = static_cast<std::int64_t>(height);
    mf.Number("difficulty", &ms.difficulty, 0, 1e20);
    mf.Number("fees_btc_per_block", &ms.fees_btc_per_block, 0, 100);
    mf.Number("btc_annual_drift", &ms.btc_annual_drift, -0.99, 10);
    mf.Text("fee_model", &ms.fee_model);
    if (ms.fee_model != "fitted" && ms.fee_model != "constant") {
      mf.Fail(mf.Get("fee_model"), "fee_model", "must be fitted or constant");
    }
    mf.Text("btc_drift", &ms.btc_drift);
    if (ms.btc_drift != "expected-return" && ms.btc_drift != "log") {
      mf.Fail(mf.Get("btc_drift"), "btc_drift", "must be expected-return or log");
    }
    mf.Text("btc_history_from", &ms.btc_history_from);
    if (!ms.btc_history_from.empty() && !ParseDate(ms.btc_history_from).ok()) {
      mf.Fail(mf.Get("btc_history_from"), "btc_history_from", "must be a date YYYY-MM-DD");
    }
    mf.Number("power_price_level", &ms.power_price_level, 0.01, 100);
    mf.Done();
  }
  const YAML::Node decisions = f.Get("decisions");
  if (error.empty() && (!decisions || !decisions.IsSequence() || decisions.size() == 0)) {
    f.Fail(decisions ? decisions : root, "decisions", "must be a list of at least one decision");
  }
  std::set<std::string> names;
  for (std::size_t i = 0; error.empty() && i < decisions.size(); ++i) {
    Decision d;
    Grid grid;
    const std::string at = "decisions[" + std::to_string(i) + "]";
    ReadDecision(file, decisions[i], at, &d, &grid, &error);
    if (!error.empty()) break;
    std::vector<Decision> expanded = ExpandGrid(d, grid);
    if (expanded.size() > 1000) {
      f.Fail(decisions[i], at + ".grid", std::to_string(expanded.size()) + " decisions: at most 1000");
      break;
    }
    for (Decision& e : expanded) {
      if (!names.insert(e.name).second) {
        f.Fail(decisions[i], at + ".name", "'" + e.name + "' is used twice");
        break;
      }
      if (!grid.empty() && e.conversions.empty() &&
          std::any_of(grid.begin(), grid.end(), [](const auto& g) {
            return g.first != "debt_share" && g.first != "sell_share";
          })) {
        f.Fail(decisions[i], at + ".grid", "varies a conversion, but the decision has none");
        break;
      }
      p.decisions.push_back(std::move(e));
    }
  }
  f.Done();
  if (!error.empty()) return Status::InvalidArgument(error);
  return p;
}

Result<PlanSpec> LoadPlanFile(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return Status::NotFound(file.string() + ": cannot open the plan file");
  std::stringstream text;
  text << in.rdbuf();
  Result<PlanSpec> parsed = ParsePlanYaml(file.string(), text.str());
  if (!parsed.ok()) return parsed;
  PlanSpec p = *parsed;
  if (p.site_file.is_relative()) p.site_file = file.parent_path() / p.site_file;
  return p;
}

ConversionPhase PhaseIn(const Conversion& c, int month) {
  if (month < c.start_month) return ConversionPhase::kNotStarted;
  const int lease_start = c.start_month + c.build_months;
  if (month < lease_start) return ConversionPhase::kWorks;
  const bool ended = c.lease.term_months > 0 && month >= lease_start + c.lease.term_months;
  return ended && c.lease.vacant_at_end ? ConversionPhase::kVacant : ConversionPhase::kLeased;
}

std::string ConversionLeaseName(std::size_t k) { return "converted-" + std::to_string(k + 1); }

Result<Site> SiteInMonth(const Site& base, const Decision& decision, int month) {
  Site site = base;
  // Least efficient groups first: the end of the merit order.
  std::vector<std::size_t> order(site.miners.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto facility_j_per_th = [&](std::size_t i) {
    const MinerGroup& g = site.miners[i];
    return g.model.efficiency().value() * site.cooling.Pue(g.cooling);
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return facility_j_per_th(x) > facility_j_per_th(y); });
  for (std::size_t k = 0; k < decision.conversions.size(); ++k) {
    const Conversion& c = decision.conversions[k];
    const ConversionPhase phase = PhaseIn(c, month);
    if (phase == ConversionPhase::kNotStarted) continue;
    const bool built = phase != ConversionPhase::kWorks;
    double take_mw = built ? c.facility_mw : (c.offline_mw < 0 ? c.facility_mw : c.offline_mw);
    for (std::size_t i : order) {
      if (take_mw <= 1e-9) break;
      MinerGroup& g = site.miners[i];
      const double unit_mw = (g.model.power * site.cooling.Pue(g.cooling)).megawatts();
      const int units = std::min(g.count, static_cast<int>(std::ceil(take_mw / unit_mw - 1e-9)));
      g.count -= units;
      take_mw -= units * unit_mw;
    }
    if (take_mw > 1e-6) {
      return Status::InvalidArgument(decision.name + ": conversion " + std::to_string(k + 1) + " takes " +
                                     std::to_string(c.facility_mw) + " MW of mining; the site has less left");
    }
    if (phase == ConversionPhase::kLeased) {
      ColoLease l;
      l.name = ConversionLeaseName(k);
      l.contracted_it = Megawatts(c.facility_mw / site.cooling.pue_liquid);
      l.rate = UsdPerKilowattMonth(c.lease.usd_per_kw_month);
      l.load_factor = c.lease.load_factor;
      l.type = c.lease.type;
      l.cooling = CoolingClass::kLiquid;
      l.availability_target = 0.999;
      site.leases.push_back(l);
    }
  }
  for (const FleetChange& c : decision.fleet) {
    if (month < c.month) continue;
    auto g = std::find_if(site.miners.begin(), site.miners.end(), [&](const MinerGroup& m) { return m.name == c.group; });
    if (g == site.miners.end()) {
      return Status::InvalidArgument(decision.name + ": fleet: the site has no miner group '" + c.group + "'");
    }
    if (g->count + c.count < 0) {
      return Status::InvalidArgument(decision.name + ": fleet: retires " + std::to_string(-c.count) + " units of '" +
                                     c.group + "', which has " + std::to_string(g->count) + " left by then");
    }
    g->count += c.count;
  }
  std::erase_if(site.miners, [](const MinerGroup& g) { return g.count == 0; });
  return site;
}

}  // namespace mullet
