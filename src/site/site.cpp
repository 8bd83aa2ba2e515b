#include "site/site.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

namespace mullet {

double Cooling::Pue(CoolingClass c) const {
  switch (c) {
    case CoolingClass::kAir:
      return pue_air;
    case CoolingClass::kImmersion:
      return pue_immersion;
    case CoolingClass::kLiquid:
      return pue_liquid;
  }
  assert(false && "unknown CoolingClass");
  return 1.0;
}

Watts Cooling::CapacityAt(double ambient_c) const {
  assert(capacity.has_value());
  const double over = std::max(0.0, ambient_c - design_ambient_c);
  return *capacity * std::max(0.0, 1.0 - derate_per_c * over);
}

namespace {

constexpr double kTwoPi = 2 * std::numbers::pi;

double SeasonalTerm(const Ambient& a, std::chrono::sys_days day) {
  const std::chrono::year_month_day ymd(day);
  const int day_of_year = (day - std::chrono::sys_days(ymd.year() / std::chrono::January / 1)).count() + 1;
  return a.seasonal_amplitude_c * std::cos(kTwoPi * (day_of_year - a.hottest_day_of_year) / 365.25);
}

double DailyTerm(const Ambient& a, double hour) { return a.daily_amplitude_c * std::cos(kTwoPi * (hour - 15.0) / 24.0); }

}  // namespace

double Ambient::At(UtcTime t) const {
  const auto local = t + std::chrono::seconds(std::llround(utc_offset_hours * 3600));
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const double hour = std::chrono::duration<double, std::ratio<3600>>(local - day).count();
  return mean_c + SeasonalTerm(*this, day) + DailyTerm(*this, hour);
}

AmbientClock::AmbientClock(const Ambient& ambient)
    : ambient_(ambient),
      day_(std::numeric_limits<std::int64_t>::min()),
      daily_(24 * 60, std::numeric_limits<double>::quiet_NaN()) {}

double AmbientClock::At(UtcTime t) {
  const auto local = t + std::chrono::seconds(std::llround(ambient_.utc_offset_hours * 3600));
  const auto day = std::chrono::floor<std::chrono::days>(local);
  if (day.time_since_epoch().count() != day_) {
    day_ = day.time_since_epoch().count();
    seasonal_ = SeasonalTerm(ambient_, day);
  }
  const auto into_day = local - day;
  const double hour = std::chrono::duration<double, std::ratio<3600>>(into_day).count();
  // A step on a whole minute (every step length mullet takes) reuses the
  // minute's cosine; any other instant is computed.
  const std::int64_t seconds = into_day.count();
  if (seconds % 60 != 0) return ambient_.mean_c + seasonal_ + DailyTerm(ambient_, hour);
  double& daily = daily_[static_cast<size_t>(seconds / 60)];
  if (std::isnan(daily)) daily = DailyTerm(ambient_, hour);
  return ambient_.mean_c + seasonal_ + daily;
}

Usd Costs::AnnualCapitalCharge() const {
  if (capex.value() <= 0 || life_years <= 0) return Usd(0);
  if (capital_rate == 0) return Usd(capex.value() / life_years);
  return Usd(capex.value() * capital_rate / (1 - std::pow(1 + capital_rate, -life_years)));
}

}  // namespace mullet
