#include "site/site.h"

#include <algorithm>
#include <cassert>
#include <cmath>
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

double Ambient::At(UtcTime t) const {
  using std::chrono::days;
  using std::chrono::floor;
  const auto local = t + std::chrono::seconds(std::llround(utc_offset_hours * 3600));
  const auto day = floor<days>(local);
  const std::chrono::year_month_day ymd(day);
  const int day_of_year =
      (day - std::chrono::sys_days(ymd.year() / std::chrono::January / 1)).count() + 1;
  const double hour = std::chrono::duration<double, std::ratio<3600>>(local - day).count();
  constexpr double kTwoPi = 2 * std::numbers::pi;
  return mean_c + seasonal_amplitude_c * std::cos(kTwoPi * (day_of_year - hottest_day_of_year) / 365.25) +
         daily_amplitude_c * std::cos(kTwoPi * (hour - 15.0) / 24.0);
}

Usd Costs::AnnualCapitalCharge() const {
  if (capex.value() <= 0 || life_years <= 0) return Usd(0);
  if (capital_rate == 0) return Usd(capex.value() / life_years);
  return Usd(capex.value() * capital_rate / (1 - std::pow(1 + capital_rate, -life_years)));
}

}  // namespace mullet
