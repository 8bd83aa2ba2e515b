// Compile-fail cases for the unit types. tests/CMakeLists.txt compiles this
// file once per CASE_<name>; every case except `control` must be rejected by
// the compiler with the error its test expects. `control` must compile, which
// proves that a failing case fails for its own line and not for the harness.

#include "core/units/units.h"

namespace mullet {

void Cases() {
  [[maybe_unused]] Watts w(1);
  [[maybe_unused]] Usd usd(1);
  [[maybe_unused]] MegawattHours e(1);
  [[maybe_unused]] UsdPerMegawattHour price(1);
  [[maybe_unused]] Sats sats(1);
  [[maybe_unused]] TerahashPerSecond th(1);
#if defined(CASE_control)
  [[maybe_unused]] Watts sum = w + w;
  [[maybe_unused]] Usd cost = CostOf(e, price);
  [[maybe_unused]] Sats doubled = sats * 2;
#elif defined(CASE_watts_plus_usd)
  auto bad = w + usd;
#elif defined(CASE_watts_to_double)
  double bad = w;
#elif defined(CASE_energy_times_price)
  Usd bad = e * price;
#elif defined(CASE_sats_times_fraction)
  Sats bad = sats * 0.5;
#elif defined(CASE_hashrate_plus_power)
  auto bad = th + w;
#elif defined(CASE_price_per_mwh_as_per_kwh)
  UsdPerMegawattHour bad = 0.05;
#else
#error "no CASE_ defined"
#endif
}

}  // namespace mullet
