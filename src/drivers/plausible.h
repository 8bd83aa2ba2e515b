// What one miner can truthfully report. Every driver checks the numbers a
// peer sends against these before they reach a reading, a sum or the policy:
// a value outside is refused with the field named (docs/security.md).

#ifndef MULLET_DRIVERS_PLAUSIBLE_H_
#define MULLET_DRIVERS_PLAUSIBLE_H_

namespace mullet {

// TH/s: the largest hydro units make half a PH/s.
inline constexpr double kMaxMinerTerahash = 10000;
// W: drawn, targeted or in a profile; the largest hydro units draw about 12 kW.
inline constexpr double kMaxMinerWatts = 20000;
// °C, any sensor (board, chip, inlet, outdoor air). The floor is far below
// zero: an outdoor site's air in winter, and some firmware say -1 or 0 for an
// empty slot.
inline constexpr double kMinSensorCelsius = -60;
inline constexpr double kMaxSensorCelsius = 250;
// RPM of one fan.
inline constexpr double kMaxFanRpm = 50000;

}  // namespace mullet

#endif  // MULLET_DRIVERS_PLAUSIBLE_H_
