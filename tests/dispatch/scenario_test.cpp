// Scenario files of the dispatch policy (style.md, "Tests"; DuckDB's
// sqllogictest): every tests/dispatch/scenarios/*.yaml is one test,
// DispatchScenarioTest.<file stem>. A file holds a site in the docs/site.md
// schema (loaded by the real ParseSiteYaml), a policy, and ticks run in order
// through Dispatch with one DispatchState, each with the setpoints and reason
// codes it must produce. The format is tests/dispatch/scenarios/README.md.
//
// A malformed file fails its test with "<file>:<line>: <path>: <what>":
// unknown keys, unknown loads, unknown reason names and the site loader's own
// errors are all errors, so a typo cannot leave a check silently unchecked.
// (The file is over ~600 lines for one purpose: most of it is the reader's
// line-numbered errors.)

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "core/asic/catalog.h"
#include "core/time/calendar.h"
#include "dispatch/policy.h"
#include "dispatch/reason.h"
#include "site/site_config.h"

#ifndef MULLET_SCENARIOS
#error "MULLET_SCENARIOS must name the directory of the scenario files"
#endif

namespace mullet {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kDefaultStart = "2024-01-01T00:00:00Z";
constexpr double kNoMin = -std::numeric_limits<double>::infinity();

// ---- What a file may check, and how.

enum class LoadKind { kMiner, kFirm, kBatch, kSite };
enum class Op { kExact, kNear, kAtMost };

struct CheckKey {
  std::string_view key;
  Op op;
  double tol;  // kNear: |got - want| <= tol; kAtMost: got <= want + tol
  bool whole;  // a whole number >= 0
};
constexpr CheckKey kMinerKeys[] = {{"running", Op::kExact, 0, true},
                                   {"unit_power_w_max", Op::kAtMost, 1e-6, false}};
constexpr CheckKey kFirmKeys[] = {{"served_mw", Op::kNear, 1e-6, false}};
constexpr CheckKey kBatchKeys[] = {{"gpus", Op::kExact, 0, true}};
constexpr CheckKey kSiteKeys[] = {{"facility_mw", Op::kNear, 1e-3, false},
                                  {"facility_mw_max", Op::kAtMost, 1e-9, false},
                                  {"mining_mw", Op::kNear, 1e-3, false},
                                  {"firm_mw", Op::kNear, 1e-3, false}};

std::vector<CheckKey> KeysOf(LoadKind kind) {
  switch (kind) {
    case LoadKind::kMiner:
      return {std::begin(kMinerKeys), std::end(kMinerKeys)};
    case LoadKind::kFirm:
      return {std::begin(kFirmKeys), std::end(kFirmKeys)};
    case LoadKind::kBatch:
      return {std::begin(kBatchKeys), std::end(kBatchKeys)};
    case LoadKind::kSite:
      break;
  }
  return {std::begin(kSiteKeys), std::end(kSiteKeys)};
}

// The reasons each kind of load can be given (reason.h).
bool ReasonFits(LoadKind kind, Reason r) {
  const bool firm = r == Reason::kFirmServed || r == Reason::kFirmSlaBreach;
  const bool batch = r == Reason::kBatchRunValue || r == Reason::kBatchRunDeadline ||
                     r == Reason::kBatchDeferPrice || r == Reason::kBatchIdle ||
                     r == Reason::kBatchLimited;
  return kind == LoadKind::kFirm ? firm : kind == LoadKind::kBatch ? batch : !firm && !batch;
}

// ---- A parsed scenario file.

struct Check {
  CheckKey key;
  double want = 0;
};

// The checks on one load, or on the whole allocation (`site`), at one tick.
struct Expectation {
  int line = 0;
  std::string load;
  LoadKind kind = LoadKind::kSite;
  bool lease = false;  // kFirm: a colocation lease, else a GPU cloud
  int index = -1;      // into site.miners, site.leases or site.clouds
  std::vector<Check> checks;
  std::optional<Reason> reason;
};

struct ScenarioTick {
  TickSignals signals;
  std::vector<Expectation> expect;
};

struct ScenarioFile {
  std::string description;
  PolicyKind policy = PolicyKind::kMullet;
  PolicyOptions options;
  Site site;
  std::vector<ScenarioTick> ticks;
};

std::string Fmt(double x) {
  std::ostringstream out;
  out.precision(10);
  out << x;
  return out.str();
}

int LineOf(const YAML::Node& node, int fallback) {
  const YAML::Mark m = node.Mark();
  return m.is_null() ? fallback : m.line + 1;
}

// True when `a` and `b` hold the same data (scalars compared as text).
bool SameYaml(const YAML::Node& a, const YAML::Node& b) {
  if (a.Type() != b.Type()) return false;
  if (a.IsScalar()) return a.Scalar() == b.Scalar();
  if (a.size() != b.size()) return false;
  if (a.IsSequence()) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!SameYaml(a[i], b[i])) return false;
    }
  }
  if (a.IsMap()) {
    for (const auto& kv : a) {
      if (!kv.first.IsScalar() || !b[kv.first.Scalar()] ||
          !SameYaml(kv.second, b[kv.first.Scalar()])) {
        return false;
      }
    }
  }
  return true;
}

// The `site:` block as a document of its own, its lines at the same line
// numbers as in the file (the lines above blanked), so the loader's
// "<file>:<line>:" points into the scenario file. None when the block is not
// a plain block mapping (lines key_line0 + 1 .. end_line0 - 1) that
// round-trips; the caller then re-emits the node.
std::optional<std::string> SiteBlockText(const std::string& text, int key_line0, int end_line0,
                                         const YAML::Node& site) {
  if (site.Style() != YAML::EmitterStyle::Block || site.Mark().is_null()) return std::nullopt;
  const std::size_t indent = site.Mark().column;
  std::istringstream in(text);
  std::string out;
  int n = 0;
  for (std::string l; std::getline(in, l) && n < end_line0; ++n) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    const std::size_t first = l.find_first_not_of(' ');
    if (n <= key_line0 || first == std::string::npos || l[first] == '#') {
      out += '\n';
    } else if (first >= indent) {
      out += l.substr(indent) + '\n';
    } else {
      return std::nullopt;
    }
  }
  try {
    if (!SameYaml(YAML::Load(out), site)) return std::nullopt;
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
  return out;
}

// Reads one scenario file; the first error wins, "<file>:<line>: <path>: <what>".
class Parser {
 public:
  Parser(std::string file_name, std::string text)
      : file_(std::move(file_name)), text_(std::move(text)) {}

  std::optional<ScenarioFile> Parse();
  const std::string& error() const { return error_; }
  int error_line() const { return error_line_; }

 private:
  bool Fail(int line, const std::string& path, const std::string& what) {
    if (error_.empty()) {
      error_line_ = line;
      error_ = file_ + ":" + std::to_string(line) + ": " + (path.empty() ? "" : path + ": ") + what;
    }
    return false;
  }
  static std::string Got(const YAML::Node& n) {
    return n.IsScalar() ? "'" + n.Scalar() + "'" : n.IsNull() ? "nothing" : "a collection";
  }

  // A mapping whose keys are all in `allowed`, each once.
  bool Mapping(const YAML::Node& node, int line, const std::string& path,
               const std::vector<std::string_view>& allowed);
  bool Required(const YAML::Node& map, std::string_view key, int line, const std::string& path);
  bool Number(const YAML::Node& n, const std::string& path, double min, double* out);
  bool Text(const YAML::Node& n, const std::string& path, std::string* out);
  bool ReasonOf(const YAML::Node& n, const std::string& path, LoadKind kind, Reason* out);

  bool LoadSite(const YAML::Node& root);
  bool LoaderError(const std::string& message, bool reemitted, int site_line);
  bool ReadTime(const YAML::Node& node, const std::string& path, const ScenarioTick* prev,
                TickSignals* s);
  bool ReadTick(const YAML::Node& node, const std::string& path, const ScenarioTick* prev,
                ScenarioTick* out);
  bool ReadEntry(const YAML::Node& key, const YAML::Node& value, const std::string& path,
                 Expectation* e);

  std::string file_;
  std::string text_;
  std::string error_;
  int error_line_ = 1;
  ScenarioFile f_;
  std::map<std::string, Expectation, std::less<>> loads_;  // by name: kind and index
  std::set<std::string, std::less<>> domains_;
};

bool Parser::Mapping(const YAML::Node& node, int line, const std::string& path,
                     const std::vector<std::string_view>& allowed) {
  if (!node.IsMap()) return Fail(LineOf(node, line), path, "expected a mapping, got " + Got(node));
  std::set<std::string, std::less<>> seen;
  for (const auto& kv : node) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    const std::string where = path.empty() ? key : path + "." + key;
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return Fail(LineOf(kv.first, line), where, "unknown key (expected one of: " + list + ")");
    }
    if (!seen.insert(key).second) return Fail(LineOf(kv.first, line), where, "given twice");
  }
  return true;
}

bool Parser::Required(const YAML::Node& map, std::string_view key, int line,
                      const std::string& path) {
  if (map[std::string(key)]) return true;
  return Fail(line, (path.empty() ? "" : path + ".") + std::string(key), "missing required key");
}

bool Parser::Number(const YAML::Node& n, const std::string& path, double min, double* out) {
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, *out) || !std::isfinite(*out)) {
    return Fail(LineOf(n, 1), path, "expected a number, got " + Got(n));
  }
  if (*out < min) return Fail(LineOf(n, 1), path, "must be >= " + Fmt(min) + ", got " + Fmt(*out));
  return true;
}

bool Parser::Text(const YAML::Node& n, const std::string& path, std::string* out) {
  if (!n.IsScalar() || n.Scalar().empty()) {
    return Fail(LineOf(n, 1), path, "expected non-empty text, got " + Got(n));
  }
  *out = n.Scalar();
  return true;
}

bool Parser::ReasonOf(const YAML::Node& n, const std::string& path, LoadKind kind, Reason* out) {
  std::string name;
  if (!Text(n, path, &name)) return false;
  std::string known;
  for (int i = 0; i < static_cast<int>(Reason::kCount); ++i) {
    const Reason r = static_cast<Reason>(i);
    known += (known.empty() ? "" : ", ") + std::string(ReasonName(r));
    if (ReasonName(r) != name) continue;
    if (!ReasonFits(kind, r)) {
      return Fail(LineOf(n, 1), path, "reason '" + name + "' is never given to this kind of load");
    }
    *out = r;
    return true;
  }
  return Fail(LineOf(n, 1), path, "unknown reason '" + name + "' (known: " + known + ")");
}

bool Parser::LoaderError(const std::string& message, bool reemitted, int site_line) {
  // The loader's message starts "<file>:<line>: ".
  const std::string prefix = file_ + ":";
  const std::size_t end =
      message.rfind(prefix, 0) == 0 ? message.find(':', prefix.size()) : std::string::npos;
  const int line = end == std::string::npos ? 0 : std::atoi(message.substr(prefix.size()).c_str());
  error_line_ = line > 0 && !reemitted ? line : site_line;
  error_ = message;
  if (line > 0 && reemitted) {
    // Lines of the re-emitted text are not the file's: point at `site:`.
    error_ = prefix + std::to_string(site_line) + ":" + message.substr(end + 1) + " (line " +
             std::to_string(line) + " of the `site:` value re-emitted as block YAML)";
  }
  return false;
}

bool Parser::LoadSite(const YAML::Node& root) {
  // The `site:` key, and where the next top-level key starts.
  int key_line0 = 0;
  int end_line0 = std::numeric_limits<int>::max();
  for (const auto& kv : root) {
    if (kv.first.Scalar() == "site") key_line0 = kv.first.Mark().line;
  }
  for (const auto& kv : root) {
    if (kv.first.Mark().line > key_line0) end_line0 = std::min(end_line0, kv.first.Mark().line);
  }
  const YAML::Node site = root["site"];
  if (!site.IsMap()) {
    return Fail(LineOf(site, key_line0 + 1), "site",
                "expected a mapping in the docs/site.md schema");
  }
  if (site["scenarios"]) {
    return Fail(LineOf(site["scenarios"], key_line0 + 1), "site.scenarios",
                "a scenario file runs one site; remove `scenarios`");
  }
  std::optional<std::string> text = SiteBlockText(text_, key_line0, end_line0, site);
  const bool reemitted = !text;
  if (reemitted) {
    YAML::Emitter emitter;
    emitter << site;
    text = emitter.c_str();
  }
  Result<std::vector<Scenario>> loaded = ParseSiteYaml(file_, *text, AsicCatalog::BuiltIn());
  if (!loaded.ok()) return LoaderError(loaded.status().message(), reemitted, key_line0 + 1);
  f_.site = std::move(loaded->front().site);
  const Site& s = f_.site;
  auto add = [&](const std::string& name, LoadKind kind, bool lease, std::size_t i) {
    Expectation& e = loads_[name];
    e.kind = kind;
    e.lease = lease;
    e.index = static_cast<int>(i);
  };
  for (std::size_t i = 0; i < s.miners.size(); ++i)
    add(s.miners[i].name, LoadKind::kMiner, false, i);
  for (std::size_t i = 0; i < s.leases.size(); ++i) add(s.leases[i].name, LoadKind::kFirm, true, i);
  for (std::size_t i = 0; i < s.clouds.size(); ++i)
    add(s.clouds[i].name, LoadKind::kFirm, false, i);
  if (s.batch) add(s.batch->name, LoadKind::kBatch, false, 0);
  for (const PowerDomain& d : s.domains) domains_.insert(d.name);
  if (loads_.count("site") || domains_.count("site")) {
    return Fail(key_line0 + 1, "site", "a load or domain named 'site' clashes with `expect.site`");
  }
  return true;
}

bool Parser::ReadEntry(const YAML::Node& key, const YAML::Node& value, const std::string& path,
                       Expectation* e) {
  const int line = LineOf(key, 1);
  const std::string name = key.IsScalar() ? key.Scalar() : "?";
  if (name != "site") {
    const auto it = loads_.find(name);
    if (it == loads_.end()) {
      std::string names;
      for (const auto& [n, unused] : loads_) names += (names.empty() ? "" : ", ") + n;
      return Fail(line, path,
                  domains_.count(name) ? "'" + name + "' is a power domain, not a load"
                                       : "no load named '" + name + "' in the site (loads: " +
                                             names + "; or `site` for the whole allocation)");
    }
    *e = it->second;
  }
  e->line = line;
  e->load = name;
  const std::vector<CheckKey> keys = KeysOf(e->kind);
  std::vector<std::string_view> allowed;
  for (const CheckKey& k : keys) allowed.push_back(k.key);
  if (e->kind != LoadKind::kSite) allowed.push_back("reason");
  if (!Mapping(value, line, path, allowed)) return false;
  if (value.size() == 0) return Fail(line, path, "checks nothing: give at least one key");
  for (const CheckKey& k : keys) {
    const YAML::Node v = value[std::string(k.key)];
    if (!v) continue;
    Check c{k};
    const std::string where = path + "." + std::string(k.key);
    if (!Number(v, where, k.whole ? 0 : kNoMin, &c.want)) return false;
    if (k.whole && c.want != std::floor(c.want)) {
      return Fail(LineOf(v, line), where, "expected a whole number, got " + Got(v));
    }
    e->checks.push_back(c);
  }
  if (!value["reason"]) return true;
  Reason r = Reason::kCount;
  if (!ReasonOf(value["reason"], path + ".reason", e->kind, &r)) return false;
  e->reason = r;
  return true;
}

// `at`: the previous tick's at + step_h (the first: kDefaultStart), or given and equal to it.
bool Parser::ReadTime(const YAML::Node& node, const std::string& path, const ScenarioTick* prev,
                      TickSignals* s) {
  s->time = prev ? prev->signals.time +
                       std::chrono::duration_cast<std::chrono::seconds>(prev->signals.step)
                 : *ParseUtcTimestamp(kDefaultStart);
  const YAML::Node at = node["at"];
  if (!at) return true;
  std::string text;
  if (!Text(at, path + ".at", &text)) return false;
  const Result<UtcTime> t = ParseUtcTimestamp(text);
  if (!t.ok()) return Fail(LineOf(at, 1), path + ".at", t.status().message());
  if (prev && *t != s->time) {
    return Fail(LineOf(at, 1), path + ".at",
                "expected " + FormatUtc(s->time) +
                    " (the previous tick's at + step_h): ticks are contiguous; lengthen the "
                    "previous tick's step_h to skip time");
  }
  s->time = *t;
  return true;
}

bool Parser::ReadTick(const YAML::Node& node, const std::string& path, const ScenarioTick* prev,
                      ScenarioTick* out) {
  const int line = LineOf(node, 1);
  TickSignals& s = out->signals;
  if (!Mapping(node, line, path,
               {"at", "step_h", "price_usd_per_mwh", "hashprice_usd_per_ph_day", "ambient_c",
                "dr_limit_mw", "peak_alert", "expect"}) ||
      !Required(node, "price_usd_per_mwh", line, path) ||
      !Required(node, "hashprice_usd_per_ph_day", line, path) || !ReadTime(node, path, prev, &s)) {
    return false;
  }
  // Reads `key` into `out` when given.
  auto number = [&](const char* key, double min, auto set) {
    double x = 0;
    if (!node[key]) return true;
    if (!Number(node[key], path + "." + key, min, &x)) return false;
    set(x);
    return true;
  };
  double step_s = 3600;
  if (!number("step_h", 0, [&](double h) { step_s = h * 3600; }) ||
      !number("price_usd_per_mwh", kNoMin, [&](double p) { s.price = UsdPerMegawattHour(p); }) ||
      !number("hashprice_usd_per_ph_day", 0,
              [&](double h) { s.hashprice = UsdPerPetahashDay(h); }) ||
      !number("ambient_c", kNoMin, [&](double c) { s.ambient_c = c; }) ||
      !number("dr_limit_mw", 0, [&](double mw) { s.dr_limit = Megawatts(mw); })) {
    return false;
  }
  if (step_s <= 0 || std::abs(step_s - std::round(step_s)) > 1e-6) {
    return Fail(LineOf(node["step_h"], line), path + ".step_h",
                "must be > 0 and a whole number of seconds, got " + Fmt(step_s / 3600));
  }
  s.step = Hours(std::round(step_s) / 3600);
  if (const YAML::Node p = node["peak_alert"]) {
    if (!p.IsScalar() || (p.Scalar() != "true" && p.Scalar() != "false")) {
      return Fail(LineOf(p, line), path + ".peak_alert", "expected true or false, got " + Got(p));
    }
    s.peak_alert = p.Scalar() == "true";
  }
  const YAML::Node expect = node["expect"];
  if (!expect) return true;
  if (!expect.IsMap()) {
    return Fail(LineOf(expect, line), path + ".expect", "expected a mapping of loads to checks");
  }
  std::set<std::string, std::less<>> seen;
  for (const auto& kv : expect) {
    const std::string where = path + ".expect." + (kv.first.IsScalar() ? kv.first.Scalar() : "?");
    if (!seen.insert(kv.first.Scalar()).second)
      return Fail(LineOf(kv.first, line), where, "given twice");
    if (!ReadEntry(kv.first, kv.second, where, &out->expect.emplace_back())) return false;
  }
  return true;
}

std::optional<ScenarioFile> Parser::Parse() {
  YAML::Node root;
  try {
    root = YAML::Load(text_);
  } catch (const YAML::Exception& e) {
    Fail(e.mark.is_null() ? 1 : e.mark.line + 1, "", "invalid YAML: " + e.msg);
    return std::nullopt;
  }
  std::string policy;
  if (!Mapping(root, 1, "", {"description", "policy", "baseline_4cp", "site", "ticks"}) ||
      !Required(root, "description", 1, "") || !Required(root, "policy", 1, "") ||
      !Required(root, "site", 1, "") || !Required(root, "ticks", 1, "") ||
      !Text(root["description"], "description", &f_.description) ||
      !Text(root["policy"], "policy", &policy)) {
    return std::nullopt;
  }
  const Result<PolicyKind> kind = ParsePolicy(policy);
  if (!kind.ok()) {
    Fail(LineOf(root["policy"], 1), "policy", kind.status().message());
    return std::nullopt;
  }
  f_.policy = *kind;
  if (root["baseline_4cp"]) {
    std::string response;
    if (!Text(root["baseline_4cp"], "baseline_4cp", &response)) return std::nullopt;
    const Result<FourCpResponse> r = ParseFourCpResponse(response);
    if (!r.ok()) {
      Fail(LineOf(root["baseline_4cp"], 1), "baseline_4cp", r.status().message());
      return std::nullopt;
    }
    f_.options.baseline_four_cp = *r;
  }
  if (!LoadSite(root)) return std::nullopt;
  const YAML::Node ticks = root["ticks"];
  if (!ticks.IsSequence() || ticks.size() == 0) {
    Fail(LineOf(ticks, 1), "ticks", "expected a non-empty list of ticks");
    return std::nullopt;
  }
  std::size_t checks = 0;
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    ScenarioTick t;
    const ScenarioTick* prev = f_.ticks.empty() ? nullptr : &f_.ticks.back();
    if (!ReadTick(ticks[i], "ticks[" + std::to_string(i) + "]", prev, &t)) return std::nullopt;
    checks += t.expect.size();
    f_.ticks.push_back(std::move(t));
  }
  if (checks == 0) {
    Fail(LineOf(ticks, 1), "ticks", "no tick has an `expect`: the scenario checks nothing");
    return std::nullopt;
  }
  return std::move(f_);
}

// ---- Running a file.

// The value `key` checks in `a`.
double Actual(const Allocation& a, const Expectation& e, std::string_view key) {
  if (key == "running") return a.miners[e.index].running;
  if (key == "unit_power_w_max") return a.miners[e.index].point.power.value();
  if (key == "served_mw") {
    return (e.lease ? a.leases : a.clouds)[e.index].served_it.megawatts();
  }
  if (key == "gpus") return a.batch.gpus;
  if (key == "mining_mw") return a.mining_facility.megawatts();
  if (key == "firm_mw") return a.firm_facility.megawatts();
  return a.facility().megawatts();  // facility_mw, facility_mw_max
}

// What the load got, in words, and its reason (none for `site`).
std::string Setpoint(const Allocation& a, const Expectation& e, std::optional<Reason>* reason) {
  switch (e.kind) {
    case LoadKind::kMiner: {
      const MinerSetpoint& m = a.miners[e.index];
      *reason = m.reason;
      return "running " + std::to_string(m.running) + " at " + Fmt(m.point.power.value()) +
             " W/unit, reason " + std::string(ReasonName(m.reason));
    }
    case LoadKind::kFirm: {
      const FirmSetpoint& f = (e.lease ? a.leases : a.clouds)[e.index];
      *reason = f.reason;
      return "served " + Fmt(f.served_it.megawatts()) + " of " + Fmt(f.demand_it.megawatts()) +
             " MW IT, reason " + std::string(ReasonName(f.reason));
    }
    case LoadKind::kBatch:
      *reason = a.batch.reason;
      return "gpus " + std::to_string(a.batch.gpus) + ", reason " +
             std::string(ReasonName(a.batch.reason));
    case LoadKind::kSite:
      break;
  }
  return "facility " + Fmt(a.facility().megawatts()) + " MW (firm " +
         Fmt(a.firm_facility.megawatts()) + ", batch " + Fmt(a.batch_facility.megawatts()) +
         ", mining " + Fmt(a.mining_facility.megawatts()) + "), site cap " +
         Fmt(a.site_cap.megawatts()) + " MW";
}

// What `e` finds wrong with `a`, "" when it holds.
std::string Mismatches(const Expectation& e, const Allocation& a, std::string* got) {
  std::optional<Reason> reason;
  *got = Setpoint(a, e, &reason);
  std::string bad;
  auto report = [&](std::string_view key, const std::string& want, const std::string& value) {
    bad += (bad.empty() ? "" : "; ") + std::string(key) + ": expected " + want + ", got " + value;
  };
  for (const Check& c : e.checks) {
    const double x = Actual(a, e, c.key.key);
    switch (c.key.op) {
      case Op::kExact:
        if (x != c.want) report(c.key.key, Fmt(c.want), Fmt(x));
        break;
      case Op::kNear:
        if (std::abs(x - c.want) > c.key.tol) {
          report(c.key.key, Fmt(c.want) + " ±" + Fmt(c.key.tol), Fmt(x));
        }
        break;
      case Op::kAtMost:
        if (x > c.want + c.key.tol) report(c.key.key, "at most " + Fmt(c.want), Fmt(x));
        break;
    }
  }
  if (e.reason && reason && *e.reason != *reason) {
    report("reason", std::string(ReasonName(*e.reason)), std::string(ReasonName(*reason)));
  }
  return bad;
}

void RunScenarioFile(const fs::path& path) {
  const std::string file = path.filename().string();
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    ADD_FAILURE_AT(path.string().c_str(), 1) << "cannot read " << path.string();
    return;
  }
  Parser parser(file, text.str());
  const std::optional<ScenarioFile> f = parser.Parse();
  if (!f) {
    ADD_FAILURE_AT(path.string().c_str(), parser.error_line()) << parser.error();
    return;
  }
  DispatchState state = InitialState(f->site);
  for (std::size_t i = 0; i < f->ticks.size(); ++i) {
    const ScenarioTick& t = f->ticks[i];
    const Allocation a = Dispatch(f->site, t.signals, Observation{}, f->policy, f->options, &state);
    for (const Expectation& e : t.expect) {
      std::string got;
      const std::string bad = Mismatches(e, a, &got);
      if (bad.empty()) continue;
      ADD_FAILURE_AT(path.string().c_str(), e.line)
          << file << ":" << e.line << ": ticks[" << i << "] (at " << FormatUtc(t.signals.time)
          << ", price " << Fmt(t.signals.price.value()) << " $/MWh): " << e.load << ": " << bad
          << "\n  got: " << got << "\n  scenario: " << f->description;
    }
  }
}

// One scenario file; `error`, when not empty, is why the file cannot run.
class ScenarioFileTest : public testing::Test {
 public:
  ScenarioFileTest(fs::path path, std::string error)
      : path_(std::move(path)), error_(std::move(error)) {}
  void TestBody() override {
    if (error_.empty()) {
      RunScenarioFile(path_);
    } else {
      ADD_FAILURE_AT(path_.string().c_str(), 1) << error_;
    }
  }

 private:
  fs::path path_;
  std::string error_;
};

void Register(const std::string& name, const fs::path& path, const std::string& error) {
  testing::RegisterTest(
      "DispatchScenarioTest", name.c_str(), nullptr, nullptr, path.string().c_str(), 1,
      [path, error]() -> ScenarioFileTest* { return new ScenarioFileTest(path, error); });
}

// One test per *.yaml under MULLET_SCENARIOS, in name order.
const bool kRegistered = [] {
  const fs::path dir = MULLET_SCENARIOS;
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".yaml") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    Register("NoScenarioFiles", dir,
             "no *.yaml scenario files in " + dir.string() + (ec ? " (" + ec.message() + ")" : ""));
  }
  int bad_names = 0;
  for (const fs::path& p : files) {
    // The stem is the test name; gtest filters read '-' as a negative pattern.
    const std::string stem = p.stem().string();
    if (std::all_of(stem.begin(), stem.end(),
                    [](unsigned char c) { return std::isalnum(c) || c == '_'; })) {
      Register(stem, p, "");
    } else {
      Register("BadFileName" + std::to_string(bad_names++), p,
               p.filename().string() +
                   ": rename it: a scenario file's stem is its test name and may hold only "
                   "letters, digits and '_'");
    }
  }
  return true;
}();

}  // namespace
}  // namespace mullet
