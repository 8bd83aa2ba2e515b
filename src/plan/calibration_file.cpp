#include "plan/calibration_file.h"

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <utility>

#include "plan/default_calibration_json.h"  // generated from default_calibration.json

namespace mullet {
namespace {

using Json = nlohmann::ordered_json;

// A model's params whose C++ name differs from the document's key (the unit
// goes in the key): the validators name the C++ field.
struct Rename {
  const char* field;
  const char* key;
};
constexpr Rename kHashrateRenames[] = {
    {"reference_hashprice", "reference_hashprice_usd_per_th_day"},
    {"breakeven_hashprice", "breakeven_hashprice_usd_per_th_day"},
};

// Reads the fields of one object, keeping the first error ("path.key:
// what") and every key it was asked for, so that Finish() can name an
// unknown one (a misspelt key would otherwise leave a default in place).
class ObjectReader {
 public:
  ObjectReader(const Json& object, std::string path, Status* error)
      : object_(object), path_(std::move(path)), error_(error) {
    if (error_->ok() && !object_.is_object()) Fail("", "expected an object");
  }

  // The value of `key`, or nullptr (the error recorded) when it is missing.
  const Json* Get(const char* key) {
    seen_.insert(key);
    if (!error_->ok() || !object_.is_object()) return nullptr;
    const auto it = object_.find(key);
    if (it == object_.end()) {
      Fail(key, "missing");
      return nullptr;
    }
    return &*it;
  }

  double Number(const char* key) {
    const Json* v = Get(key);
    if (v == nullptr) return 0;
    if (!v->is_number()) return Fail(key, "expected a number"), 0;
    return v->get<double>();
  }

  std::int64_t Integer(const char* key, std::int64_t lo, std::int64_t hi) {
    const Json* v = Get(key);
    if (v == nullptr) return 0;
    if (!v->is_number_integer()) return Fail(key, "expected an integer"), 0;
    // Unsigned values above int64's range read as negative here and fail the range.
    const std::int64_t i = v->get<std::int64_t>();
    if (i < lo || i > hi ||
        (v->is_number_unsigned() && v->get<std::uint64_t>() > std::uint64_t(hi))) {
      return Fail(key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]"), 0;
    }
    return i;
  }

  int Int(const char* key) {
    return static_cast<int>(
        Integer(key, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
  }

  std::string String(const char* key) {
    const Json* v = Get(key);
    if (v == nullptr) return "";
    if (!v->is_string()) return Fail(key, "expected a string"), "";
    return v->get<std::string>();
  }

  Date Day(const char* key) {
    const std::string text = String(key);
    if (!error_->ok()) return Date{};
    const Result<Date> d = ParseDate(text);
    if (!d.ok()) return Fail(key, "expected a date YYYY-MM-DD, got '" + text + "'"), Date{};
    return *d;
  }

  // `key`'s object or array, for a reader of its own; nullptr on error.
  const Json* Child(const char* key, bool array) {
    const Json* v = Get(key);
    if (v == nullptr) return nullptr;
    if (array ? !v->is_array() : !v->is_object()) {
      Fail(key, array ? "expected an array" : "expected an object");
      return nullptr;
    }
    return v;
  }

  // Names the first key that was not read.
  void Finish() {
    if (!error_->ok() || !object_.is_object()) return;
    for (const auto& [key, value] : object_.items()) {
      if (!seen_.contains(key)) return Fail(key, "unknown field");
    }
  }

  // A model's validator's message ("lag_days: must be ...") under this
  // object's path, its field renamed to the document's key.
  void Check(const Status& valid, std::span<const Rename> renames = {}) {
    if (!error_->ok() || valid.ok()) return;
    std::string message = valid.message();
    for (const Rename& r : renames) {
      const std::string field = std::string(r.field) + ":";
      if (message.starts_with(field)) message = r.key + message.substr(std::string(r.field).size());
    }
    *error_ = Status::InvalidArgument(path_ + "." + message);
  }

  void Fail(std::string_view key, const std::string& what) {
    if (!error_->ok()) return;
    std::string field = path_;
    if (!key.empty()) field += (field.empty() ? "" : ".") + std::string(key);
    *error_ =
        Status::InvalidArgument((field.empty() ? std::string("document") : field) + ": " + what);
  }

  const std::string& path() const { return path_; }

 private:
  const Json& object_;
  std::string path_;
  Status* error_;
  std::set<std::string, std::less<>> seen_;
};

Json HashrateToJson(const HashrateModelParams& p, double correlation) {
  Json j;
  j["lag_days"] = p.lag_days;
  j["hashprice_window_days"] = p.hashprice_window_days;
  j["growth_at_reference"] = p.growth_at_reference;
  j["sensitivity"] = p.sensitivity;
  j["reference_hashprice_usd_per_th_day"] = p.reference_hashprice.value();
  j["breakeven_hashprice_usd_per_th_day"] = p.breakeven_hashprice.value();
  j["efficiency_gain_per_year"] = p.efficiency_gain_per_year;
  j["noise_per_day"] = p.noise_per_day;
  j["bound_window_days"] = p.bound_window_days;
  j["max_ship_per_day"] = p.max_ship_per_day;
  j["max_exit_per_day"] = p.max_exit_per_day;
  j["fit_correlation"] = correlation;
  return j;
}

void HashrateFromJson(ObjectReader& r, Calibration& c) {
  HashrateModelParams& p = c.hashrate;
  p.lag_days = r.Int("lag_days");
  p.hashprice_window_days = r.Int("hashprice_window_days");
  p.growth_at_reference = r.Number("growth_at_reference");
  p.sensitivity = r.Number("sensitivity");
  p.reference_hashprice = UsdPerTerahashDay(r.Number("reference_hashprice_usd_per_th_day"));
  p.breakeven_hashprice = UsdPerTerahashDay(r.Number("breakeven_hashprice_usd_per_th_day"));
  p.efficiency_gain_per_year = r.Number("efficiency_gain_per_year");
  p.noise_per_day = r.Number("noise_per_day");
  p.bound_window_days = r.Int("bound_window_days");
  p.max_ship_per_day = r.Number("max_ship_per_day");
  p.max_exit_per_day = r.Number("max_exit_per_day");
  c.hashrate_fit_correlation = r.Number("fit_correlation");
  r.Check(ValidateHashrateParams(p), kHashrateRenames);
  if (!(std::fabs(c.hashrate_fit_correlation) <= 1))
    r.Fail("fit_correlation", "must be in [-1, 1]");
}

Json FeesToJson(const Calibration& c) {
  const FeeModelParams& p = c.fees;
  Json j;
  j["mean_log_fees"] = p.mean_log_fees;
  j["slow_persistence"] = p.slow_persistence;
  j["slow_stdev"] = p.slow_stdev;
  j["fast_persistence"] = p.fast_persistence;
  j["fast_stdev"] = p.fast_stdev;
  j["tail_dof"] = p.tail_dof;
  j["last_btc_per_day"] = c.fees_last_btc_per_day;
  j["last_date"] = FormatDate(c.fees_last_date);
  return j;
}

void FeesFromJson(ObjectReader& r, Calibration& c) {
  FeeModelParams& p = c.fees;
  p.mean_log_fees = r.Number("mean_log_fees");
  p.slow_persistence = r.Number("slow_persistence");
  p.slow_stdev = r.Number("slow_stdev");
  p.fast_persistence = r.Number("fast_persistence");
  p.fast_stdev = r.Number("fast_stdev");
  p.tail_dof = r.Number("tail_dof");
  c.fees_last_btc_per_day = r.Number("last_btc_per_day");
  c.fees_last_date = r.Day("last_date");
  r.Check(ValidateFeeParams(p));
  if (!(c.fees_last_btc_per_day > 0 && std::isfinite(c.fees_last_btc_per_day))) {
    r.Fail("last_btc_per_day", "must be positive and finite");
  }
}

Json BtcRegimeToJson(const BtcRegimeParams& p) {
  Json j;
  j["mean_log_return"] = p.mean_log_return;
  j["calm_stdev"] = p.calm_stdev;
  j["wild_stdev"] = p.wild_stdev;
  j["stay_calm"] = p.stay_calm;
  j["stay_wild"] = p.stay_wild;
  j["tail_dof"] = p.tail_dof;
  j["clip_stdevs"] = p.clip_stdevs;
  j["wild_at_start"] = p.wild_at_start;
  return j;
}

void BtcRegimeFromJson(ObjectReader& r, BtcRegimeParams& p) {
  p.mean_log_return = r.Number("mean_log_return");
  p.calm_stdev = r.Number("calm_stdev");
  p.wild_stdev = r.Number("wild_stdev");
  p.stay_calm = r.Number("stay_calm");
  p.stay_wild = r.Number("stay_wild");
  p.tail_dof = r.Number("tail_dof");
  p.clip_stdevs = r.Number("clip_stdevs");
  p.wild_at_start = r.Number("wild_at_start");
  r.Check(ValidateBtcRegimeParams(p));
}

Json GpuRentToJson(const Calibration& c) {
  const GpuRentParams& p = c.gpu_rent;
  Json j;
  j["start_usd_per_gpu_hour"] = p.start_usd_per_gpu_hour;
  j["annual_decline"] = p.annual_decline;
  j["cycle_amplitude"] = p.cycle_amplitude;
  j["cycle_period_years"] = p.cycle_period_years;
  j["cycle_phase"] = p.cycle_phase;
  j["noise_stdev"] = p.noise_stdev;
  j["noise_persistence"] = p.noise_persistence;
  j["as_of"] = FormatDate(c.gpu_rent_as_of);
  return j;
}

void GpuRentFromJson(ObjectReader& r, Calibration& c) {
  GpuRentParams& p = c.gpu_rent;
  p.start_usd_per_gpu_hour = r.Number("start_usd_per_gpu_hour");
  p.annual_decline = r.Number("annual_decline");
  p.cycle_amplitude = r.Number("cycle_amplitude");
  p.cycle_period_years = r.Number("cycle_period_years");
  p.cycle_phase = r.Number("cycle_phase");
  p.noise_stdev = r.Number("noise_stdev");
  p.noise_persistence = r.Number("noise_persistence");
  c.gpu_rent_as_of = r.Day("as_of");
  r.Check(ValidateGpuRentParams(p));
}

}  // namespace

std::string CalibrationToJson(const Calibration& c) {
  Json j;
  j["version"] = c.version;
  j["generated_by"] = c.generated_by;
  j["sources"] = Json::array();
  for (const Calibration::Source& s : c.sources) {
    j["sources"].push_back(
        {{"file", s.file}, {"first", s.first}, {"last", s.last}, {"rows", s.rows}});
  }
  j["reference_date"] = FormatDate(c.reference_date);
  j["hashrate"] = HashrateToJson(c.hashrate, c.hashrate_fit_correlation);
  j["fees"] = FeesToJson(c);
  j["btc_regime"] = BtcRegimeToJson(c.btc_regime);
  j["gpu_rent"] = GpuRentToJson(c);
  j["fit"] = Json::array();
  for (const Calibration::FitRow& f : c.fit) {
    j["fit"].push_back({{"model", f.model},
                        {"statistic", f.statistic},
                        {"history", f.history},
                        {"simulated", f.simulated}});
  }
  return j.dump(2) + "\n";
}

Result<Calibration> CalibrationFromJson(std::string_view name, std::string_view text) {
  const Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded())
    return Status::InvalidArgument(std::string(name) + ": not a JSON document");
  Calibration c;
  Status error;
  ObjectReader top(doc, "", &error);
  c.version = top.Int("version");
  if (error.ok() && c.version != 1) {
    top.Fail("version", "expected 1, got " + std::to_string(c.version));
  }
  c.generated_by = top.String("generated_by");
  if (const Json* sources = top.Child("sources", /*array=*/true)) {
    for (std::size_t i = 0; i < sources->size() && error.ok(); ++i) {
      ObjectReader r((*sources)[i], "sources[" + std::to_string(i) + "]", &error);
      Calibration::Source s;
      s.file = r.String("file");
      s.first = r.String("first");
      s.last = r.String("last");
      s.rows = r.Integer("rows", 0, std::numeric_limits<std::int64_t>::max());
      r.Finish();
      c.sources.push_back(std::move(s));
    }
  }
  c.reference_date = top.Day("reference_date");
  if (const Json* j = top.Child("hashrate", false)) {
    ObjectReader r(*j, "hashrate", &error);
    HashrateFromJson(r, c);
    r.Finish();
  }
  if (const Json* j = top.Child("fees", false)) {
    ObjectReader r(*j, "fees", &error);
    FeesFromJson(r, c);
    r.Finish();
  }
  if (const Json* j = top.Child("btc_regime", false)) {
    ObjectReader r(*j, "btc_regime", &error);
    BtcRegimeFromJson(r, c.btc_regime);
    r.Finish();
  }
  if (const Json* j = top.Child("gpu_rent", false)) {
    ObjectReader r(*j, "gpu_rent", &error);
    GpuRentFromJson(r, c);
    r.Finish();
  }
  if (const Json* fit = top.Child("fit", /*array=*/true)) {
    for (std::size_t i = 0; i < fit->size() && error.ok(); ++i) {
      ObjectReader r((*fit)[i], "fit[" + std::to_string(i) + "]", &error);
      Calibration::FitRow f;
      f.model = r.String("model");
      f.statistic = r.String("statistic");
      f.history = r.Number("history");
      f.simulated = r.Number("simulated");
      r.Finish();
      c.fit.push_back(std::move(f));
    }
  }
  top.Finish();
  if (!error.ok()) return Status::InvalidArgument(std::string(name) + ": " + error.message());
  return c;
}

const Calibration& DefaultCalibration() {
  static const Calibration* const kDefault = [] {
    Result<Calibration> c =
        CalibrationFromJson("default_calibration.json", kDefaultCalibrationJson);
    // A bug, not input: the committed file is read back by its tests.
    if (!c.ok()) {
      std::cerr << "mullet: the embedded default calibration does not read: "
                << c.status().message() << "\n";
      std::abort();
    }
    return new Calibration(std::move(c).value());
  }();
  return *kDefault;
}

}  // namespace mullet
