#include "report/plan_summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string_view>

#include "core/text/untrusted_text.h"

namespace mullet {
namespace {

using nlohmann::json;

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string Index(const std::string& path, std::size_t i) { return fmt::format("{}[{}]", path, i); }

// Reads fields and keeps the first error; after one, every read returns an
// empty value, so that a reader can go on without checking each call and
// look at status() once at the end.
class Reader {
 public:
  // The member `key` of `o` (which is at `path`), or nullptr and an error.
  const json* Member(const json& o, std::string_view key, const std::string& path) {
    if (!status_.ok()) return nullptr;
    if (!o.is_object()) return Fail(path, "expected an object, got " + std::string(o.type_name()));
    const auto it = o.find(key);
    if (it == o.end()) return Fail(Join(path, key), "missing");
    return &*it;
  }

  const json* Object(const json& o, std::string_view key, const std::string& path) {
    const json* v = Member(o, key, path);
    if (v != nullptr && !v->is_object()) return Fail(Join(path, key), Expected("an object", *v));
    return v;
  }

  // An array, at least `min_size` long.
  const json* Array(const json& o, std::string_view key, const std::string& path,
                    std::size_t min_size = 0) {
    const json* v = Member(o, key, path);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) return Fail(Join(path, key), Expected("an array", *v));
    if (v->size() < min_size) return Fail(Join(path, key), "empty");
    return v;
  }

  double Number(const json& o, std::string_view key, const std::string& path) {
    const json* v = Member(o, key, path);
    return v == nullptr ? 0 : NumberOf(*v, Join(path, key));
  }

  std::optional<double> NullableNumber(const json& o, std::string_view key,
                                       const std::string& path) {
    const json* v = Member(o, key, path);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_number()) {
      Fail(Join(path, key), Expected("a number or null", *v));
      return std::nullopt;
    }
    return NumberOf(*v, Join(path, key));
  }

  std::string Text(const json& o, std::string_view key, const std::string& path) {
    const json* v = Member(o, key, path);
    if (v == nullptr) return "";
    if (!v->is_string()) {
      Fail(Join(path, key), Expected("a string", *v));
      return "";
    }
    return v->get<std::string>();
  }

  // A whole number, kept as written: a 64-bit seed does not fit a double.
  std::string Integer(const json& o, std::string_view key, const std::string& path) {
    const json* v = Member(o, key, path);
    if (v == nullptr) return "";
    if (!v->is_number_integer()) {
      Fail(Join(path, key), Expected("a whole number", *v));
      return "";
    }
    return v->dump();
  }

  // An array of `size` numbers.
  std::vector<double> Numbers(const json& o, std::string_view key, const std::string& path,
                              std::size_t size) {
    const json* v = Array(o, key, path);
    std::vector<double> out;
    if (v == nullptr) return out;
    if (v->size() != size) {
      Fail(Join(path, key), fmt::format("expected {} values, got {}", size, v->size()));
      return out;
    }
    for (std::size_t i = 0; i < v->size() && status_.ok(); ++i) {
      out.push_back(NumberOf((*v)[i], Index(Join(path, key), i)));
    }
    return out;
  }

  std::nullptr_t Fail(const std::string& path, const std::string& what) {
    if (status_.ok()) status_ = Status::InvalidArgument("summary.json: " + path + ": " + what);
    return nullptr;
  }

  const Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }

 private:
  static std::string Expected(std::string_view what, const json& v) {
    return fmt::format("expected {}, got {}", what, v.type_name());
  }

  double NumberOf(const json& v, const std::string& path) {
    if (!v.is_number()) {
      Fail(path, Expected("a number", v));
      return 0;
    }
    const double x = v.get<double>();
    if (!std::isfinite(x)) {
      Fail(path, "expected a finite number");
      return 0;
    }
    return x;
  }

  Status status_;
};

PlanFan ReadFan(Reader& r, const json& o, std::string_view key, const std::string& path,
                std::size_t months) {
  PlanFan fan;
  const json* f = r.Object(o, key, path);
  if (f == nullptr) return fan;
  const std::string at = Join(path, key);
  fan.p5 = r.Numbers(*f, "p5", at, months);
  fan.p25 = r.Numbers(*f, "p25", at, months);
  fan.p50 = r.Numbers(*f, "p50", at, months);
  fan.p75 = r.Numbers(*f, "p75", at, months);
  fan.p95 = r.Numbers(*f, "p95", at, months);
  return fan;
}

void ReadPlan(Reader& r, const json& doc, PlanRunInfo& p) {
  const json* o = r.Object(doc, "plan", "");
  if (o == nullptr) return;
  p.name = r.Text(*o, "name", "plan");
  p.file = r.Text(*o, "file", "plan");
  p.site = r.Text(*o, "site", "plan");
  p.start = r.Text(*o, "start", "plan");
  p.years = r.Number(*o, "years", "plan");
  p.paths = r.Integer(*o, "paths", "plan");
  p.seed = r.Integer(*o, "seed", "plan");
  p.discount_rate = r.Number(*o, "discount_rate", "plan");
  p.cash_floor_usd = r.Number(*o, "cash_floor_usd", "plan");
  p.initial_cash_usd = r.Number(*o, "initial_cash_usd", "plan");
  p.shards = r.Integer(*o, "shards", "plan");
  p.threads = r.Integer(*o, "threads", "plan");
}

void ReadMonths(Reader& r, const json& fans, PlanSummary& s) {
  const json* months = r.Array(fans, "months", "fans", 1);
  for (std::size_t i = 0; months != nullptr && i < months->size() && r.ok(); ++i) {
    const json& m = (*months)[i];
    const std::string path = Index("fans.months", i);
    if (!m.is_string()) {
      r.Fail(path, fmt::format("expected a string, got {}", m.type_name()));
      return;
    }
    const std::string text = m.get<std::string>();
    const Result<Date> day =
        text.size() == 7 ? ParseDate(text + "-01") : Status::InvalidArgument("");
    if (!day.ok()) {
      r.Fail(path, "expected YYYY-MM, got " + Quoted(text));
      return;
    }
    s.month_labels.push_back(text);
    s.months.push_back(UtcTime(*day));
  }
}

PlanDecision ReadDecision(Reader& r, const json& d, const std::string& path, std::size_t months) {
  PlanDecision out;
  out.name = r.Text(d, "name", path);
  if (d.is_object() && d.contains("description")) out.description = r.Text(d, "description", path);
  out.npv_p5 = r.Number(d, "npv_usd_p5", path);
  out.npv_p50 = r.Number(d, "npv_usd_p50", path);
  out.npv_p95 = r.Number(d, "npv_usd_p95", path);
  out.npv_mean = r.Number(d, "npv_usd_mean", path);
  out.irr_p50 = r.NullableNumber(d, "irr_p50", path);
  out.irr_none_share = r.Number(d, "irr_none_share", path);
  out.payback_months_p50 = r.NullableNumber(d, "payback_months_p50", path);
  out.prob_cash_below_floor = r.Number(d, "prob_cash_below_floor", path);
  out.first_breach_month_p50 = r.NullableNumber(d, "first_breach_month_p50", path);
  out.var_npv_5 = r.Number(d, "var_npv_usd_5", path);
  out.cvar_npv_5 = r.Number(d, "cvar_npv_usd_5", path);
  out.cost_per_btc_direct = r.Number(d, "cost_per_btc_direct_usd_p50", path);
  out.cost_per_btc_cash = r.Number(d, "cost_per_btc_cash_usd_p50", path);
  out.cost_per_btc_all_in = r.Number(d, "cost_per_btc_all_in_usd_p50", path);
  out.btc_mined_p50 = r.Number(d, "btc_mined_p50", path);
  if (const json* h = r.Object(d, "npv_histogram", path)) {
    const std::string at = Join(path, "npv_histogram");
    const json* counts = r.Array(*h, "counts", at, 1);
    const std::size_t n = counts == nullptr ? 0 : counts->size();
    out.npv_histogram.counts = r.Numbers(*h, "counts", at, n);
    out.npv_histogram.edges = r.Numbers(*h, "edges", at, n + 1);
    const auto& e = out.npv_histogram.edges;
    if (r.ok() && std::adjacent_find(e.begin(), e.end(), std::greater_equal<>()) != e.end()) {
      r.Fail(Join(at, "edges"), "must ascend");
    }
    const auto& c = out.npv_histogram.counts;
    if (r.ok() && std::any_of(c.begin(), c.end(), [](double x) { return x < 0; })) {
      r.Fail(Join(at, "counts"), "must not be negative");
    }
  }
  out.cash_fan = ReadFan(r, d, "cash_fan", path, months);
  out.prob_below_floor_by_month = r.Numbers(d, "prob_cash_below_floor_by_month", path, months);
  return out;
}

void ReadComparison(Reader& r, const json& doc, PlanSummary& s) {
  const json* c = r.Object(doc, "comparison", "");
  if (c == nullptr) return;
  std::set<std::string> names;
  for (const PlanDecision& d : s.decisions) names.insert(d.name);
  const auto name_of = [&](const json& o, std::string_view key, const std::string& path) {
    std::string name = r.Text(o, key, path);
    if (r.ok() && !names.contains(name))
      r.Fail(Join(path, key), Quoted(name) + " names no decision");
    return name;
  };
  s.best_median_npv = name_of(*c, "best_median_npv", "comparison");
  s.lowest_cash_risk = name_of(*c, "lowest_cash_risk", "comparison");
  const json* pairs = r.Array(*c, "pairwise", "comparison");
  for (std::size_t i = 0; pairs != nullptr && i < pairs->size() && r.ok(); ++i) {
    const std::string path = Index("comparison.pairwise", i);
    const json& p = (*pairs)[i];
    PlanPairwise pw;
    pw.a = name_of(p, "a", path);
    pw.b = name_of(p, "b", path);
    pw.share_a_better = r.Number(p, "share_a_better", path);
    pw.npv_diff_usd_p50 = r.Number(p, "npv_diff_usd_p50", path);
    s.pairwise.push_back(std::move(pw));
  }
}

}  // namespace

Result<PlanSummary> ReadPlanSummary(const json& doc) {
  Reader r;
  PlanSummary s;
  if (!doc.is_object()) {
    return Status::InvalidArgument(
        fmt::format("summary.json: expected an object, got {}", doc.type_name()));
  }
  s.mullet_version = r.Text(doc, "mullet_version", "");
  ReadPlan(r, doc, s.plan);

  const json* assumptions = r.Array(doc, "assumptions", "");
  for (std::size_t i = 0; assumptions != nullptr && i < assumptions->size() && r.ok(); ++i) {
    const std::string path = Index("assumptions", i);
    std::string name = r.Text((*assumptions)[i], "name", path);
    s.assumptions.emplace_back(std::move(name), r.Text((*assumptions)[i], "value", path));
  }

  if (const json* fans = r.Object(doc, "fans", "")) {
    ReadMonths(r, *fans, s);
    const std::size_t n = s.months.size();
    s.btc_price_usd = ReadFan(r, *fans, "btc_price_usd", "fans", n);
    s.hashprice_usd_per_ph_day = ReadFan(r, *fans, "hashprice_usd_per_ph_day", "fans", n);
    s.network_hashrate_eh_s = ReadFan(r, *fans, "network_hashrate_eh_s", "fans", n);
    s.power_price_usd_per_mwh = ReadFan(r, *fans, "power_price_usd_per_mwh", "fans", n);
  }

  const json* decisions = r.Array(doc, "decisions", "", 1);
  std::set<std::string> seen;
  for (std::size_t i = 0; decisions != nullptr && i < decisions->size() && r.ok(); ++i) {
    const std::string path = Index("decisions", i);
    s.decisions.push_back(ReadDecision(r, (*decisions)[i], path, s.months.size()));
    if (r.ok() && !seen.insert(s.decisions.back().name).second) {
      r.Fail(Join(path, "name"), Quoted(s.decisions.back().name) + " names two decisions");
    }
  }
  ReadComparison(r, doc, s);

  const json* calibration = r.Array(doc, "calibration", "");
  for (std::size_t i = 0; calibration != nullptr && i < calibration->size() && r.ok(); ++i) {
    const std::string path = Index("calibration", i);
    const json& c = (*calibration)[i];
    PlanCalibration row;
    row.model = r.Text(c, "model", path);
    row.statistic = r.Text(c, "statistic", path);
    row.history = r.Number(c, "history", path);
    row.simulated = r.Number(c, "simulated", path);
    s.calibration.push_back(std::move(row));
  }
  if (!r.ok()) return r.status();
  return s;
}

}  // namespace mullet
