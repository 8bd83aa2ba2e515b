// JSON to readings: STATUS, multi-command sections, summary, pools, stats,
// version, and the request encoder. The contract is in reply.h, the fields in
// protocols.md §2.1 and ckolivas/cgminer api.c. ParseReply is in reply_repair.cpp.

#include "drivers/cgminer/reply.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <tuple>
#include <utility>

#include "core/text/untrusted_text.h"
#include "drivers/cgminer/reply_numbers.h"

namespace mullet::cgminer {

using nlohmann::json;

namespace {

using internal::ParseDouble;
using internal::ThPerUnit;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  return out;
}

std::string Text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A peer's value in an error message: quoted, control characters escaped,
// cut to a readable length.
std::string Shown(const json& v) { return Quoted(Text(v)); }

// A number for an error message ("1e+300", "-60", "900000").
std::string Num(double x) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, 15);
  return std::string(buf, r.ptr);
}

const json* Find(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  const auto it = obj.find(std::string(key));
  return it == obj.end() ? nullptr : &*it;
}

// A finite number, or a string holding one ("GHS 5s":"7903.729" on bmminer).
std::optional<double> NumberOf(const json& v) {
  if (v.is_number()) {
    const double x = v.get<double>();
    return std::isfinite(x) ? std::optional<double>(x) : std::nullopt;
  }
  return v.is_string() ? ParseDouble(v.get_ref<const std::string&>()) : std::nullopt;
}

std::optional<std::int64_t> IntegerOf(const json& v) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  const std::optional<double> x = NumberOf(v);
  return x ? internal::WholeNumber(*x) : std::nullopt;
}

bool IsMultiReply(const json& reply) {
  if (!reply.is_object() || reply.contains("STATUS")) return false;
  return std::any_of(reply.begin(), reply.end(), [](const json& v) {
    return v.is_array() && !v.empty() && v.front().is_object() && v.front().contains("STATUS");
  });
}

// The entries of section `name` ("SUMMARY":[{...}]); a lone object counts as
// one entry. When the section is missing, the reply's own E/F error if any.
Result<std::vector<const json*>> Entries(const json& reply, std::string_view name) {
  if (const json* section = Find(reply, name)) {
    std::vector<const json*> entries;
    if (section->is_object()) entries.push_back(section);
    if (section->is_array()) {
      for (const json& e : *section) entries.push_back(&e);
    }
    if (section->is_object() || section->is_array()) return entries;
    return Status::DataError(std::string(name) + " is neither a list nor an object");
  }
  if (Status status = CheckStatus(reply); !status.ok()) return status;
  return Status::DataError("reply has no " + std::string(name) + " section");
}

Result<const json*> FirstEntry(const json& reply, std::string_view name) {
  Result<std::vector<const json*>> entries = Entries(reply, name);
  if (!entries.ok()) return entries.status();
  if (entries->empty() || !entries->front()->is_object()) {
    return Status::DataError(std::string(name) + " holds no object");
  }
  return entries->front();
}

// A key "<K|M|G|T>HS <window>" and its TH/s per unit of value.
struct RateKey {
  std::string name;
  double th_per_unit = 0;
};

// The first of "GHS <window>", "MHS <window>"... present; for "5s", else the
// first "<unit>HS <n>s" in key order (internal::LogIntervalRateUnit).
std::optional<RateKey> FindRateKey(const json& obj, std::string_view window) {
  for (char prefix : internal::kRatePrefixes) {
    std::string name = std::string(1, prefix) + "HS " + std::string(window);
    if (obj.contains(name)) return RateKey{std::move(name), *internal::ThPerUnit(prefix)};
  }
  if (window != "5s") return std::nullopt;
  for (const auto& item : obj.items()) {
    if (const std::optional<double> unit = internal::LogIntervalRateUnit(item.key())) {
      return RateKey{item.key(), *unit};
    }
  }
  return std::nullopt;
}

// Reads fields of one object, keeping the first error ("summary: missing 'Elapsed'").
class FieldReader {
 public:
  FieldReader(const json& obj, std::string where) : obj_(obj), where_(std::move(where)) {}
  const Status& status() const { return status_; }

  double Number(std::string_view key) {
    const json* v = Get(key, true);
    if (v == nullptr) return 0;
    const std::optional<double> x = NumberOf(*v);
    if (!x) Fail("'" + std::string(key) + "' is not a finite number: " + Shown(*v));
    return x.value_or(0);
  }
  std::int64_t Integer(std::string_view key, bool required = true) {
    const json* v = Get(key, required);
    if (v == nullptr) return 0;
    const std::optional<std::int64_t> n = IntegerOf(*v);
    if (!n) Fail("'" + std::string(key) + "' is not an integer: " + Shown(*v));
    return n.value_or(0);
  }
  // A count (shares, errors): an integer, never negative.
  std::int64_t Count(std::string_view key, bool required = true) {
    const std::int64_t n = Integer(key, required);
    if (n < 0) Fail("'" + std::string(key) + "' is " + std::to_string(n) + ", a count below zero");
    return n;
  }
  std::string String(std::string_view key, bool required = true) {
    const json* v = Get(key, required);
    return v == nullptr ? "" : Text(*v);
  }
  TerahashPerSecond Rate(std::string_view window) {
    const std::optional<RateKey> key = FindRateKey(obj_, window);
    if (!key) {
      const std::string w(window);
      Fail("missing 'MHS " + w + "' or 'GHS " + w + "'");
      return TerahashPerSecond(0);
    }
    const double th = Number(key->name) * key->th_per_unit;
    // One miner hashes at 0 to 10 PH/s (the largest hydro units make half a
    // PH/s): anything else is a lie or a bug, refused rather than summed.
    if (!(th >= 0 && th <= kMaxMinerTerahash)) {
      Fail("'" + key->name + "' is " + std::to_string(th) + " TH/s, not a miner's hashrate (0 to " +
           std::to_string(static_cast<int>(kMaxMinerTerahash)) + " TH/s)");
      return TerahashPerSecond(0);
    }
    return TerahashPerSecond(th);
  }

 private:
  const json* Get(std::string_view key, bool required) {
    const json* v = Find(obj_, key);
    if (v == nullptr && required) Fail("missing '" + std::string(key) + "'");
    return v;
  }
  void Fail(const std::string& message) {
    if (status_.ok()) status_ = Status::DataError(where_ + ": " + message);
  }

  const json& obj_;
  std::string where_;
  Status status_;
};

bool Truthy(const json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() != 0;
  const std::string s = v.is_string() ? Lower(v.get_ref<const std::string&>()) : "";
  return s == "true" || s == "y" || s == "yes" || s == "1";
}

// Without "Stratum Active", cgminer's choice is the alive pool of lowest Priority.
void MarkActiveByPriority(std::vector<PoolReading>& pools, const std::vector<std::int64_t>& prio) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < pools.size(); ++i) {
    if (Lower(pools[i].status) != "alive") continue;
    if (!best || prio[i] < prio[*best]) best = i;
  }
  if (best) pools[*best].active = true;
}

// ---- stats: every firmware names these keys its own way. ----

// All the numbers a stats value holds: a number, a numeric string, a list of
// numbers, or bmminer 2.x's dash-joined "45-50-48-52". Anything else: none.
std::vector<double> NumbersOf(const json& v) {
  if (const std::optional<double> x = NumberOf(v)) return {*x};
  std::vector<double> out;
  if (v.is_array()) {
    for (const json& e : v) {
      if (const std::optional<double> x = NumberOf(e)) out.push_back(*x);
    }
  } else if (v.is_string()) {
    std::string_view s = v.get_ref<const std::string&>();
    while (true) {
      const std::size_t dash = s.find('-');
      const std::optional<double> x = ParseDouble(s.substr(0, dash));
      if (!x) return {};
      out.push_back(*x);
      if (dash == std::string_view::npos) break;
      s.remove_prefix(dash + 1);
    }
  }
  return out;
}

// "fan3" after "fan" -> 3: only when all that follows the prefix is digits.
std::optional<int> IndexAfter(std::string_view key, std::string_view prefix) {
  if (key.size() <= prefix.size() || key.substr(0, prefix.size()) != prefix) return std::nullopt;
  const std::string_view digits = key.substr(prefix.size());
  int n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return n;
}

// One numbered stats key, such as temp2_3: family "temp2_", index 3.
struct Numbered {
  std::string family;
  int index = 0;
  std::vector<double> values;
};

// A temperature key is "temp", then anything, then digits: temp1, temp2_1, temp_pcb1.
std::optional<Numbered> TempKey(std::string_view key, const json& value) {
  std::size_t cut = key.size();
  while (cut > 0 && key[cut - 1] >= '0' && key[cut - 1] <= '9') --cut;
  if (key.substr(0, 4) != "temp" || cut < 4 || cut == key.size()) return std::nullopt;
  const std::optional<int> index = IndexAfter(key, key.substr(0, cut));
  if (!index) return std::nullopt;
  return Numbered{std::string(key.substr(0, cut)), *index, NumbersOf(value)};
}

// Values in key order (fan2 before fan10), flattened.
std::vector<double> InKeyOrder(std::vector<Numbered> keys) {
  std::sort(keys.begin(), keys.end(), [](const Numbered& a, const Numbered& b) {
    return std::tie(a.family, a.index) < std::tie(b.family, b.index);
  });
  std::vector<double> out;
  for (const Numbered& k : keys) out.insert(out.end(), k.values.begin(), k.values.end());
  return out;
}

// TH/s per unit of chain_rateN / rate_real: "rate_unit" says, GH/s by default.
double ChainRateUnit(const json& entry) {
  const json* unit = Find(entry, "rate_unit");
  const std::string u = unit && unit->is_string() ? unit->get<std::string>() : "GH/s";
  if (u.size() >= 2 && (u[1] == 'H' || u[1] == 'h')) {
    if (const std::optional<double> th = ThPerUnit(Lower(u.substr(0, 1))[0] - ('a' - 'A'))) {
      return *th;
    }
  }
  return u.rfind("H/s", 0) == 0 ? 1e-12 : 1e-3;
}

// "Power": 3250, "chain_power": "3250 W" (Antminer), "Watts" (LuxOS-style).
std::optional<Watts> PowerIn(const json& entry) {
  for (std::string_view key : {"Power", "power", "chain_power", "Watts"}) {
    const json* v = Find(entry, key);
    if (v == nullptr) continue;
    std::optional<double> w = NumberOf(*v);
    if (!w && v->is_string()) {
      const std::string& s = v->get_ref<const std::string&>();
      w = ParseDouble(std::string_view(s).substr(0, s.find(' ')));
    }
    if (w) return Watts(*w);
  }
  return std::nullopt;
}

void Append(std::vector<double>& to, const std::vector<double>& values) {
  to.insert(to.end(), values.begin(), values.end());
}

// Newer Antminers: "chain":[{"rate_real":..,"temp_pcb":[..],"temp_chip":[..]}].
void ScanChains(const json& chains, double th_per_unit, StatsReading& r) {
  for (const json& chain : chains) {
    if (const json* rate = Find(chain, "rate_real")) {
      if (const std::optional<double> x = NumberOf(*rate)) {
        r.chain_rate.push_back(TerahashPerSecond(*x * th_per_unit));
      }
    }
    for (std::string_view key : {"temp_pcb", "temp_chip", "temp_pic"}) {
      if (const json* t = Find(chain, key)) Append(r.temps_c, NumbersOf(*t));
    }
  }
}

void ScanStatsEntry(const json& entry, StatsReading& r) {
  std::vector<Numbered> fans, temps, rates;
  for (const auto& item : entry.items()) {
    const std::string& key = item.key();
    if (const std::optional<int> n = IndexAfter(key, "fan")) {
      fans.push_back({"", *n, NumbersOf(item.value())});
    } else if (const std::optional<int> c = IndexAfter(key, "chain_rate")) {
      rates.push_back({"", *c, NumbersOf(item.value())});
    } else if (std::optional<Numbered> t = TempKey(key, item.value())) {
      temps.push_back(std::move(*t));
    }
  }
  const double th_per_unit = ChainRateUnit(entry);
  Append(r.fan_rpm, InKeyOrder(std::move(fans)));
  Append(r.temps_c, InKeyOrder(std::move(temps)));
  for (double x : InKeyOrder(std::move(rates))) {
    r.chain_rate.push_back(TerahashPerSecond(x * th_per_unit));
  }
  if (const json* fan = Find(entry, "fan"); fan && fan->is_array()) {
    Append(r.fan_rpm, NumbersOf(*fan));
  }
  if (const json* chains = Find(entry, "chain"); chains && chains->is_array()) {
    ScanChains(*chains, th_per_unit, r);
  }
  if (!r.power) r.power = PowerIn(entry);
}

}  // namespace

Result<StatusReading> ReadStatus(const json& reply) {
  if (reply.is_string()) {
    const std::string& word = reply.get_ref<const std::string&>();
    if (word == "RESTART" || word == "BYE") {
      StatusReading r;
      r.status = word;
      return r;
    }
    return Status::DataError("reply is the string " + Quoted(word) + ", not a STATUS");
  }
  const json* status = Find(reply, "STATUS");
  if (status == nullptr) return Status::DataError("reply has no STATUS");
  const json* holder = &reply;  // the object beside the letter: Code, Msg...
  if (status->is_array()) {
    if (status->empty()) return Status::DataError("STATUS is an empty list");
    status = &status->front();
  }
  if (status->is_object()) {
    holder = status;
    status = Find(*holder, "STATUS");
    if (status == nullptr) return Status::DataError("STATUS entry has no STATUS letter");
  }
  if (!status->is_string()) return Status::DataError("STATUS is not a string: " + Shown(*status));
  StatusReading r;
  r.status = status->get<std::string>();
  const json none;
  const json* code = Find(*holder, "Code");
  const json* when = Find(*holder, "When");
  r.code = IntegerOf(code ? *code : none).value_or(0);
  r.when = IntegerOf(when ? *when : none).value_or(0);
  if (const json* msg = Find(*holder, "Msg")) r.msg = Text(*msg);
  if (const json* d = Find(*holder, "Description")) r.description = Text(*d);
  return r;
}

Status CheckStatus(const json& reply) {
  if (IsMultiReply(reply)) return Status::Ok();
  Result<StatusReading> r = ReadStatus(reply);
  if (!r.ok()) return r.status();
  const std::string letter = r->status.size() == 1 ? Lower(r->status) : r->status;
  const std::string detail = "Code " + std::to_string(r->code) + ": " + Printable(r->msg);
  if (letter == "s" || letter == "i") return Status::Ok();
  if (letter == "w") return Status(StatusCode::kOk, "warning, " + detail);
  if (letter == "RESTART" || letter == "BYE") {
    return Status(StatusCode::kOk, "miner said " + letter);
  }
  if (letter == "e" || letter == "f") {
    return Status::InvalidArgument("miner replied " + r->status + ", " + detail);
  }
  return Status::DataError("unknown STATUS " + Quoted(r->status) + " (" + detail + ")");
}

Result<json> CommandReply(const json& reply, std::string_view command) {
  if (!reply.is_object()) return Status::DataError("reply is not a JSON object");
  if (const json* section = Find(reply, command)) {
    if (section->is_object()) return *section;
    if (section->is_array() && !section->empty() && section->front().is_object()) {
      return section->front();
    }
    return Status::DataError("section '" + std::string(command) + "' holds no object");
  }
  if (!IsMultiReply(reply)) return reply;
  return Status::NotFound("multi-command reply has no section '" + std::string(command) + "'");
}

Result<SummaryReading> ReadSummary(const json& summary_reply) {
  Result<const json*> entry = FirstEntry(summary_reply, "SUMMARY");
  if (!entry.ok()) return entry.status();
  FieldReader f(**entry, "summary");
  SummaryReading r;
  r.hashrate_5s = f.Rate("5s");
  r.hashrate_avg = f.Rate("av");
  r.elapsed_s = f.Number("Elapsed");
  r.accepted = f.Count("Accepted");
  r.rejected = f.Count("Rejected");
  r.hardware_errors = f.Count("Hardware Errors");
  if (!f.status().ok()) return f.status();
  if (r.elapsed_s < 0) return Status::DataError("summary: 'Elapsed' is " + std::to_string(r.elapsed_s) + " s, below zero");
  return r;
}

Result<std::vector<DevReading>> ReadDevs(const json& devs_reply) {
  Result<std::vector<const json*>> entries = Entries(devs_reply, "DEVS");
  if (!entries.ok()) return entries.status();
  std::vector<DevReading> out;
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const json& e = *(*entries)[i];
    if (!e.is_object()) return Status::DataError("DEVS[" + std::to_string(i) + "] is not an object");
    FieldReader f(e, "DEVS[" + std::to_string(i) + "]");
    DevReading d;
    d.id = e.contains("ASC") ? f.Integer("ASC") : e.contains("ID") ? f.Integer("ID") : static_cast<int>(i);
    d.status = f.String("Status", false);
    d.hashrate_5s = f.Rate("5s");
    if (const json* t = Find(e, "Temperature")) d.temp_c = NumberOf(*t);
    if (const json* t = Find(e, "Chip Temp Avg")) d.chip_temp_c = NumberOf(*t);
    if (!f.status().ok()) return f.status();
    for (const std::optional<double>& t : {d.temp_c, d.chip_temp_c}) {
      if (t && !(*t >= kMinSensorCelsius && *t <= kMaxSensorCelsius)) {
        return Status::DataError("DEVS[" + std::to_string(i) + "]: a temperature of " + Num(*t) +
                                 " °C is not a sensor's reading (" + Num(kMinSensorCelsius) + " to " +
                                 Num(kMaxSensorCelsius) + " °C)");
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

Result<ConfigReading> ReadConfig(const json& config_reply) {
  Result<const json*> entry = FirstEntry(config_reply, "CONFIG");
  if (!entry.ok()) return entry.status();
  FieldReader f(**entry, "config");
  ConfigReading r;
  r.asc_count = f.Integer("ASC Count", false);
  r.pool_count = f.Integer("Pool Count", false);
  r.strategy = f.String("Strategy", false);
  r.profile = f.String("Profile", false);
  r.mac = f.String("MACAddr", false);
  if (!f.status().ok()) return f.status();
  return r;
}

Result<std::vector<PoolReading>> ReadPools(const json& pools_reply) {
  Result<std::vector<const json*>> entries = Entries(pools_reply, "POOLS");
  if (!entries.ok()) return entries.status();
  std::vector<PoolReading> pools;
  std::vector<std::int64_t> priority;
  bool any_stratum_active = false;
  for (const json* e : *entries) {
    FieldReader f(*e, "pools[" + std::to_string(pools.size()) + "]");
    PoolReading p;
    p.url = f.String("URL");
    p.user = f.String("User", false);
    p.status = f.String("Status", false);
    p.accepted = f.Count("Accepted", false);
    p.rejected = f.Count("Rejected", false);
    priority.push_back(Find(*e, "Priority") ? f.Integer("Priority") : INT64_MAX);
    if (const json* active = Find(*e, "Stratum Active")) {
      any_stratum_active = true;
      p.active = Truthy(*active);
    }
    if (!f.status().ok()) return f.status();
    pools.push_back(std::move(p));
  }
  if (!any_stratum_active) MarkActiveByPriority(pools, priority);
  return pools;
}

Result<Watts> ReadPower(const json& power_reply) {
  Result<std::vector<const json*>> entries = Entries(power_reply, "POWER");
  if (!entries.ok()) return entries.status();
  if (entries->empty() || !(*entries)[0]->is_object()) return Status::DataError("power: no POWER[0] entry");
  const json* w = Find(*(*entries)[0], "Watts");
  const std::optional<double> watts = w ? NumberOf(*w) : std::nullopt;
  if (!watts) return Status::DataError("power: POWER[0] has no number of Watts");
  if (!(*watts >= 0 && *watts <= kMaxMinerWatts)) {
    return Status::DataError("power: " + Num(*watts) + " W is not a miner's (0 to " + Num(kMaxMinerWatts) + " W)");
  }
  return Watts(*watts);
}

Result<StatsReading> ReadStats(const json& stats_reply) {
  Result<std::vector<const json*>> entries = Entries(stats_reply, "STATS");
  if (!entries.ok()) return entries.status();
  StatsReading r;
  for (const json* e : *entries) {
    if (e->is_object()) ScanStatsEntry(*e, r);
  }
  const auto outside = [](const std::vector<double>& xs, double lo, double hi) -> std::optional<double> {
    for (double x : xs) {
      if (!(x >= lo && x <= hi)) return x;
    }
    return std::nullopt;
  };
  if (const std::optional<double> t = outside(r.temps_c, kMinSensorCelsius, kMaxSensorCelsius)) {
    return Status::DataError("stats: a temperature of " + Num(*t) + " °C is not a sensor's reading (" +
                             Num(kMinSensorCelsius) + " to " + Num(kMaxSensorCelsius) + " °C)");
  }
  if (const std::optional<double> rpm = outside(r.fan_rpm, 0, kMaxFanRpm)) {
    return Status::DataError("stats: a fan at " + Num(*rpm) + " RPM is not a fan's reading (0 to " +
                             Num(kMaxFanRpm) + " RPM)");
  }
  if (r.power && !(r.power->value() >= 0 && r.power->value() <= kMaxMinerWatts)) {
    return Status::DataError("stats: a power of " + Num(r.power->value()) + " W is not a miner's (0 to " +
                             Num(kMaxMinerWatts) + " W)");
  }
  for (const TerahashPerSecond& rate : r.chain_rate) {
    if (!(rate.value() >= 0 && rate.value() <= kMaxMinerTerahash)) {
      return Status::DataError("stats: a chain hashing " + Num(rate.value()) + " TH/s is not a miner's (0 to " +
                               Num(kMaxMinerTerahash) + " TH/s)");
    }
  }
  return r;
}

Result<VersionReading> ReadVersion(const json& version_reply) {
  Result<const json*> entry = FirstEntry(version_reply, "VERSION");
  if (!entry.ok()) return entry.status();
  const json& v = **entry;
  Result<StatusReading> status = ReadStatus(version_reply);
  const std::string description = status.ok() ? status->description : "";
  VersionReading r;
  if (const json* api = Find(v, "API")) r.api = Text(*api);
  if (const json* type = Find(v, "Type")) r.model = Text(*type);
  if (const json* prod = Find(v, "PROD"); prod && r.model.empty()) r.model = Text(*prod);
  // Most specific first: a fork may keep its parent's key (BMMiner, CGMiner) beside its own.
  static constexpr std::pair<std::string_view, std::string_view> kFamilies[] = {
      {"luxminer", "luxminer"}, {"bosminer", "bosminer"}, {"boser", "bosminer"},
      {"vnish", "vnish"},       {"bmminer", "bmminer"},   {"cgminer", "cgminer"}};
  for (const auto& [key, family] : kFamilies) {
    for (const auto& item : v.items()) {
      // A prefix: Braiins OS+ answers "BOSminer+" beside plain "BOSminer" builds.
      if (Lower(item.key()).rfind(key, 0) != 0 || !r.firmware_family.empty()) continue;
      r.firmware_family = family;
      r.miner = item.key() + " " + Text(item.value());
    }
  }
  // Whatsminer's btminer answers with cgminer keys; pyasic tells it by "BTMINER".
  if ((r.firmware_family.empty() || r.firmware_family == "cgminer") &&
      (Lower(description).find("btminer") != std::string::npos ||
       Lower(Text(v)).find("btminer") != std::string::npos)) {
    r.firmware_family = "btminer";
  }
  if (r.miner.empty()) r.miner = description;
  if (r.firmware_family.empty()) r.firmware_family = "unknown";
  return r;
}

std::string EncodeRequest(std::string_view command, std::string_view parameter) {
  json request = json::object();
  request["command"] = std::string(command);
  if (!parameter.empty()) request["parameter"] = std::string(parameter);
  return request.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace mullet::cgminer
