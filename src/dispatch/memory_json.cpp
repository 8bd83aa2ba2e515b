#include "dispatch/memory_json.h"

#include <nlohmann/json.hpp>

namespace mullet {
namespace {

using nlohmann::json;

json Time(const std::optional<UtcTime>& t) { return t ? json(FormatUtc(*t)) : json(nullptr); }
json Power(const std::optional<Watts>& w) { return w ? json(w->value()) : json(nullptr); }

// Reads fields of one object, remembering the first error with its path.
class Reader {
 public:
  explicit Reader(Status* status) : status_(status) {}

  bool ok() const { return status_->ok(); }
  void Fail(const std::string& path, const std::string& what) {
    if (ok()) *status_ = Status::DataError(path + ": " + what);
  }
  const json* Field(const json& obj, const std::string& path, const char* key) {
    if (!ok()) return nullptr;
    if (!obj.is_object()) {
      Fail(path, "expected an object");
      return nullptr;
    }
    auto it = obj.find(key);
    if (it == obj.end()) {
      Fail(path + "." + key, "missing");
      return nullptr;
    }
    return &*it;
  }
  std::optional<UtcTime> OptTime(const json& obj, const std::string& path, const char* key) {
    const json* v = Field(obj, path, key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_string()) {
      Fail(path + "." + key, "expected a UTC time or null");
      return std::nullopt;
    }
    Result<UtcTime> t = ParseUtcTimestamp(v->get<std::string>());
    if (!t.ok()) {
      Fail(path + "." + key, t.status().message());
      return std::nullopt;
    }
    return *t;
  }
  UtcTime Time(const json& obj, const std::string& path, const char* key) {
    std::optional<UtcTime> t = OptTime(obj, path, key);
    if (!t && ok()) Fail(path + "." + key, "expected a UTC time");
    return t.value_or(UtcTime{});
  }
  std::optional<double> OptNumber(const json& v, const std::string& path) {
    if (!ok() || v.is_null()) return std::nullopt;
    if (!v.is_number()) {
      Fail(path, "expected a number or null");
      return std::nullopt;
    }
    return v.get<double>();
  }
  double Number(const json& obj, const std::string& path, const char* key) {
    const json* v = Field(obj, path, key);
    if (v == nullptr) return 0;
    std::optional<double> d = OptNumber(*v, path + "." + key);
    if (!d && ok()) Fail(path + "." + key, "expected a number");
    return d.value_or(0);
  }
  bool Bool(const json& obj, const std::string& path, const char* key) {
    const json* v = Field(obj, path, key);
    if (v == nullptr) return false;
    if (!v->is_boolean()) Fail(path + "." + key, "expected true or false");
    return ok() && v->get<bool>();
  }
  std::string Text(const json& obj, const std::string& path, const char* key) {
    const json* v = Field(obj, path, key);
    if (v == nullptr) return "";
    if (!v->is_string()) Fail(path + "." + key, "expected a string");
    return ok() ? v->get<std::string>() : "";
  }
  const json& List(const json& obj, const std::string& path, const char* key) {
    static const json kEmpty = json::array();
    const json* v = Field(obj, path, key);
    if (v == nullptr) return kEmpty;
    if (!v->is_array()) {
      Fail(path + "." + key, "expected a list");
      return kEmpty;
    }
    return *v;
  }

 private:
  Status* status_;
};

}  // namespace

std::string SaveMemoryJson(const Site& site, const DispatchState& st) {
  json j;
  j["version"] = 1;
  j["site"] = site.name;
  j["last_tick"] = Time(st.last_tick);
  j["last_draw_w"] = Power(st.last_draw);
  j["next_recurring"] = Time(st.next_recurring);
  j["batch_it_w"] = st.batch_it.value();
  json dr = json::array();
  for (const std::optional<Watts>& b : st.dr_baselines) dr.push_back(Power(b));
  j["dr_baselines_w"] = dr;
  json miners = json::array();
  for (size_t i = 0; i < st.miners.size(); ++i) {
    const MinerGroupState& m = st.miners[i];
    miners.push_back({{"name", i < site.miners.size() ? site.miners[i].name : ""},
                      {"running", m.running},
                      {"changed", Time(m.changed)},
                      {"strike_on", m.strike_on},
                      {"across_since", Time(m.across_since)},
                      {"stopped_by_limit", m.stopped_by_limit},
                      {"unit_it_w", m.unit_it.value()}});
  }
  j["miners"] = miners;
  json jobs = json::array();
  for (const BatchJobState& b : st.jobs) {
    jobs.push_back({{"name", b.name},
                    {"remaining_gpu_hours", b.remaining_gpu_hours},
                    {"release", FormatUtc(b.release)},
                    {"deadline", FormatUtc(b.deadline)},
                    {"value_usd_per_gpu_hour", b.value_usd_per_gpu_hour},
                    {"missed", b.missed}});
  }
  j["jobs"] = jobs;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<DispatchState> LoadMemoryJson(const Site& site, std::string_view text) {
  const json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::DataError("not valid JSON");
  Status status;
  Reader r(&status);
  DispatchState st = InitialState(site);
  if (r.Number(j, "memory", "version") != 1 && r.ok()) r.Fail("version", "expected 1");
  const std::string name = r.Text(j, "memory", "site");
  if (r.ok() && name != site.name) {
    r.Fail("site", "saved for site '" + name + "', this site is '" + site.name + "'");
  }
  st.last_tick = r.OptTime(j, "memory", "last_tick");
  if (const json* v = r.Field(j, "memory", "last_draw_w")) {
    if (std::optional<double> w = r.OptNumber(*v, "last_draw_w")) st.last_draw = Watts(*w);
  }
  st.next_recurring = r.OptTime(j, "memory", "next_recurring");
  if (r.ok() && j.is_object() && j.contains("batch_it_w")) {  // absent in the first saves: 0
    const double w = r.Number(j, "memory", "batch_it_w");
    if (r.ok() && !(w >= 0)) r.Fail("batch_it_w", "must be >= 0");
    st.batch_it = Watts(w);
  }

  const json& dr = r.List(j, "memory", "dr_baselines_w");
  if (r.ok() && dr.size() != site.contract.demand_response.size()) {
    r.Fail("dr_baselines_w", "saved for " + std::to_string(dr.size()) + " demand-response events, the site has " +
                                 std::to_string(site.contract.demand_response.size()));
  }
  for (size_t i = 0; r.ok() && i < dr.size(); ++i) {
    if (std::optional<double> w = r.OptNumber(dr[i], "dr_baselines_w[" + std::to_string(i) + "]")) {
      st.dr_baselines[i] = Watts(*w);
    }
  }

  const json& miners = r.List(j, "memory", "miners");
  if (r.ok() && miners.size() != site.miners.size()) {
    r.Fail("miners", "saved for " + std::to_string(miners.size()) + " miner groups, the site has " +
                         std::to_string(site.miners.size()));
  }
  for (size_t i = 0; r.ok() && i < miners.size(); ++i) {
    const std::string path = "miners[" + std::to_string(i) + "]";
    const json& m = miners[i];
    MinerGroupState& g = st.miners[i];
    const std::string group = r.Text(m, path, "name");
    if (r.ok() && group != site.miners[i].name) {
      r.Fail(path + ".name", "saved for group '" + group + "', the site has '" + site.miners[i].name + "'");
    }
    const double running = r.Number(m, path, "running");
    if (r.ok() && !(running >= 0 && running <= site.miners[i].count && running == static_cast<int>(running))) {
      r.Fail(path + ".running", "must be a whole number of units from 0 to " + std::to_string(site.miners[i].count));
    }
    g.running = static_cast<int>(running);
    g.changed = r.OptTime(m, path, "changed");
    g.strike_on = r.Bool(m, path, "strike_on");
    g.across_since = r.OptTime(m, path, "across_since");
    g.stopped_by_limit = r.Bool(m, path, "stopped_by_limit");
    // Added after the first saves: absent, the nameplate InitialState gave.
    if (r.ok() && m.contains("unit_it_w")) {
      const double w = r.Number(m, path, "unit_it_w");
      if (r.ok() && !(w >= 0)) r.Fail(path + ".unit_it_w", "must be >= 0");
      g.unit_it = Watts(w);
    }
  }

  st.jobs.clear();
  const json& jobs = r.List(j, "memory", "jobs");
  for (size_t i = 0; r.ok() && i < jobs.size(); ++i) {
    const std::string path = "jobs[" + std::to_string(i) + "]";
    BatchJobState b;
    b.name = r.Text(jobs[i], path, "name");
    b.remaining_gpu_hours = r.Number(jobs[i], path, "remaining_gpu_hours");
    b.release = r.Time(jobs[i], path, "release");
    b.deadline = r.Time(jobs[i], path, "deadline");
    b.value_usd_per_gpu_hour = r.Number(jobs[i], path, "value_usd_per_gpu_hour");
    b.missed = r.Bool(jobs[i], path, "missed");
    if (r.ok() && !(b.remaining_gpu_hours >= 0)) r.Fail(path + ".remaining_gpu_hours", "must be >= 0");
    st.jobs.push_back(std::move(b));
  }
  if (!status.ok()) return status;
  return st;
}

}  // namespace mullet
