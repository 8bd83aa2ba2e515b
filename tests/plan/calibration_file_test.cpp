#include "plan/calibration_file.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

namespace mullet {
namespace {

using Json = nlohmann::ordered_json;

// Doubles that a fixed number of digits would not carry back: thirds, tiny
// and huge values, a negative zero.
Calibration Awkward() {
  Calibration c;
  c.generated_by = "mullet calibrate";
  c.sources = {{"btc_price_daily.csv", "2012-01-01", "2026-01-30", 5144}};
  c.reference_date = Date(std::chrono::year(2025) / 2 / 2);
  c.hashrate.lag_days = 7;
  c.hashrate.growth_at_reference = 1.0 / 3;
  c.hashrate.sensitivity = 0.0016912345678901234;
  c.hashrate.reference_hashprice = UsdPerTerahashDay(0.1 + 0.2);
  c.hashrate.breakeven_hashprice = UsdPerTerahashDay(1e-300);
  c.hashrate.efficiency_gain_per_year = -0.0;
  c.hashrate_fit_correlation = std::nextafter(0.17, 1.0);
  c.fees.mean_log_fees = 3.5491234567890123;
  c.fees_last_btc_per_day = 6.02;
  c.fees_last_date = Date(std::chrono::year(2025) / 2 / 2);
  c.btc_regime.calm_stdev = 2.0 / 79;
  c.btc_regime.wild_stdev = 1e10;
  c.gpu_rent.cycle_phase = -0.9470000000000001;
  c.gpu_rent_as_of = Date(std::chrono::year(2026) / 3 / 13);
  c.fit = {{"btc_regime", "stdev of r", 0.0415, 0.0437},
           {"fees", "acf of log F, lag 30", 1.0 / 7, 5e-324}};
  return c;
}

std::string ErrorOf(const Json& doc) {
  const Result<Calibration> c = CalibrationFromJson("cal.json", doc.dump());
  return c.ok() ? "ok" : c.status().message();
}

TEST(CalibrationFileTest, RoundTripIsExact) {
  const Calibration c = Awkward();
  const std::string text = CalibrationToJson(c);
  const Result<Calibration> back = CalibrationFromJson("cal.json", text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(CalibrationToJson(*back), text);
  EXPECT_EQ(back->hashrate.growth_at_reference, c.hashrate.growth_at_reference);
  EXPECT_EQ(back->hashrate.reference_hashprice.value(), 0.1 + 0.2);
  EXPECT_EQ(back->hashrate.breakeven_hashprice.value(), 1e-300);
  EXPECT_TRUE(std::signbit(back->hashrate.efficiency_gain_per_year));
  EXPECT_EQ(back->hashrate_fit_correlation, c.hashrate_fit_correlation);
  EXPECT_EQ(back->fees.mean_log_fees, c.fees.mean_log_fees);
  EXPECT_EQ(back->fees_last_date, c.fees_last_date);
  EXPECT_EQ(back->btc_regime.calm_stdev, 2.0 / 79);
  EXPECT_EQ(back->gpu_rent.cycle_phase, c.gpu_rent.cycle_phase);
  EXPECT_EQ(back->gpu_rent_as_of, c.gpu_rent_as_of);
  ASSERT_EQ(back->sources.size(), 1u);
  EXPECT_EQ(back->sources[0].rows, 5144);
  ASSERT_EQ(back->fit.size(), 2u);
  EXPECT_EQ(back->fit[1].history, 1.0 / 7);
  EXPECT_EQ(back->fit[1].simulated, 5e-324);
  EXPECT_EQ(back->fit[0].statistic, "stdev of r");
}

TEST(CalibrationFileTest, KeysComeInAFixedOrderWithTheirUnits) {
  const std::string text = CalibrationToJson(Awkward());
  EXPECT_EQ(text.rfind("{\n  \"version\": 1,\n  \"generated_by\"", 0), 0u) << text;
  EXPECT_LT(text.find("\"hashrate\""), text.find("\"fees\""));
  EXPECT_LT(text.find("\"fees\""), text.find("\"btc_regime\""));
  EXPECT_LT(text.find("\"btc_regime\""), text.find("\"gpu_rent\""));
  EXPECT_NE(text.find("\"reference_hashprice_usd_per_th_day\""), std::string::npos);
  EXPECT_NE(text.find("\"reference_date\": \"2025-02-02\""), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
}

TEST(CalibrationFileTest, AMissingFieldIsNamed) {
  const Json doc = Json::parse(CalibrationToJson(Awkward()));
  Json d = doc;
  d["hashrate"].erase("sensitivity");
  EXPECT_EQ(ErrorOf(d), "cal.json: hashrate.sensitivity: missing");
  d = doc;
  d.erase("gpu_rent");
  EXPECT_EQ(ErrorOf(d), "cal.json: gpu_rent: missing");
  d = doc;
  d["fit"][1].erase("simulated");
  EXPECT_EQ(ErrorOf(d), "cal.json: fit[1].simulated: missing");
  d = doc;
  d["fees"].erase("last_date");
  EXPECT_EQ(ErrorOf(d), "cal.json: fees.last_date: missing");
}

TEST(CalibrationFileTest, AWrongTypeIsNamed) {
  const Json doc = Json::parse(CalibrationToJson(Awkward()));
  Json d = doc;
  d["hashrate"]["lag_days"] = "seven";
  EXPECT_EQ(ErrorOf(d), "cal.json: hashrate.lag_days: expected an integer");
  d = doc;
  d["hashrate"]["lag_days"] = 7.5;
  EXPECT_EQ(ErrorOf(d), "cal.json: hashrate.lag_days: expected an integer");
  d = doc;
  d["btc_regime"]["stay_calm"] = nullptr;
  EXPECT_EQ(ErrorOf(d), "cal.json: btc_regime.stay_calm: expected a number");
  d = doc;
  d["reference_date"] = "2025-02-30";
  EXPECT_EQ(ErrorOf(d), "cal.json: reference_date: expected a date YYYY-MM-DD, got '2025-02-30'");
  d = doc;
  d["sources"] = Json::object();
  EXPECT_EQ(ErrorOf(d), "cal.json: sources: expected an array");
  EXPECT_EQ(ErrorOf(Json::array()), "cal.json: document: expected an object");
  const Result<Calibration> broken = CalibrationFromJson("cal.json", "{\"version\": 1,");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().message(), "cal.json: not a JSON document");
}

TEST(CalibrationFileTest, AValueOutOfRangeIsNamedByTheModelsCheck) {
  const Json doc = Json::parse(CalibrationToJson(Awkward()));
  Json d = doc;
  d["fees"]["slow_persistence"] = 1.5;
  EXPECT_EQ(ErrorOf(d).rfind("cal.json: fees.slow_persistence: ", 0), 0u) << ErrorOf(d);
  d = doc;
  d["hashrate"]["reference_hashprice_usd_per_th_day"] = 0;
  EXPECT_EQ(ErrorOf(d).rfind("cal.json: hashrate.reference_hashprice_usd_per_th_day: ", 0), 0u)
      << ErrorOf(d);
  d = doc;
  d["hashrate"]["lag_days"] = -1;
  EXPECT_EQ(ErrorOf(d).rfind("cal.json: hashrate.lag_days: ", 0), 0u) << ErrorOf(d);
  d = doc;
  d["btc_regime"]["stay_wild"] = 1;
  EXPECT_EQ(ErrorOf(d).rfind("cal.json: btc_regime.stay_wild: ", 0), 0u) << ErrorOf(d);
  d = doc;
  d["gpu_rent"]["start_usd_per_gpu_hour"] = -3.34;
  EXPECT_EQ(ErrorOf(d).rfind("cal.json: gpu_rent.start_usd_per_gpu_hour: ", 0), 0u) << ErrorOf(d);
  d = doc;
  d["hashrate"]["fit_correlation"] = 1.2;
  EXPECT_EQ(ErrorOf(d), "cal.json: hashrate.fit_correlation: must be in [-1, 1]");
  d = doc;
  d["fees"]["last_btc_per_day"] = 0;
  EXPECT_EQ(ErrorOf(d), "cal.json: fees.last_btc_per_day: must be positive and finite");
  d = doc;
  d["hashrate"]["lag_days"] = 1e12;  // a double: not an integer
  EXPECT_EQ(ErrorOf(d), "cal.json: hashrate.lag_days: expected an integer");
  d = doc;
  d["hashrate"]["lag_days"] = std::int64_t{1} << 40;
  EXPECT_EQ(ErrorOf(d).rfind("cal.json: hashrate.lag_days: must be in [", 0), 0u) << ErrorOf(d);
  d = doc;
  d["sources"][0]["rows"] = -1;
  EXPECT_EQ(ErrorOf(d).rfind("cal.json: sources[0].rows: must be in [0, ", 0), 0u) << ErrorOf(d);
}

TEST(CalibrationFileTest, AnUnknownFieldOrVersionIsRejected) {
  const Json doc = Json::parse(CalibrationToJson(Awkward()));
  Json d = doc;
  d["fees"]["mean_log_fee"] = 3.5;  // a misspelt key would leave a default in place
  EXPECT_EQ(ErrorOf(d), "cal.json: fees.mean_log_fee: unknown field");
  d = doc;
  d["extra"] = 1;
  EXPECT_EQ(ErrorOf(d), "cal.json: extra: unknown field");
  d = doc;
  d["version"] = 2;
  EXPECT_EQ(ErrorOf(d), "cal.json: version: expected 1, got 2");
}

}  // namespace
}  // namespace mullet
