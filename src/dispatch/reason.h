// Stable reason codes: why a load got the setpoint it got. They are stored in
// time series, served over the API and asserted in tests, so a code never
// changes meaning once released (Bitcoin Core's reject reasons).

#ifndef MULLET_DISPATCH_REASON_H_
#define MULLET_DISPATCH_REASON_H_

#include <cstdint>
#include <string_view>

namespace mullet {

enum class Reason : std::uint8_t {
  kFirmServed,                // firm load served in full
  kFirmSlaBreach,             // firm load above headroom: breach, costed
  kBatchRunValue,             // batch work runs: its value beats the power price
  kBatchRunDeadline,          // batch work runs because its deadline requires it
  kBatchDeferPrice,           // batch work waits: power costs more than it earns
  kBatchIdle,                 // no batch work released
  kBatchLimited,              // batch work cut by a power limit
  kMineFull,                  // miners at nameplate, or a profile at or above it
  kMinePowerTarget,           // miners underclocked: the tuning curve pays
  kMineAlwaysOn,              // always-on baseline
  kMineBelowStrike,           // strike-price baseline: price at or below strike
  kCurtailPriceAboveBreakeven,  // margin below zero at every operating point
  kCurtailAboveStrike,        // strike-price baseline: price above strike
  kCurtailHysteresis,         // margin positive but inside the restart band
  kCurtailMinOffTime,         // held off: minimum off time not yet served
  kHoldMinOnTime,             // held on: minimum on time not yet served
  kCurtailInterconnect,       // cut by the interconnect limit
  kCurtailDomainLimit,        // cut by a power-domain limit
  kCurtailDrEvent,            // cut by a demand-response target
  kCurtailCoolingDerate,      // cut by cooling capacity (derated above design ambient)
  kCurtail4cpPeak,            // curtailed in a 4CP peak interval
  kCount,
};

// "curtail-price-above-breakeven", "firm-sla-breach", ...
std::string_view ReasonName(Reason r);

// What the code means, in a few plain words ("cut by the interconnect
// limit"): the meaning column of docs/backtest.md's reason table, word for
// word, so the report and the docs say the same. Never empty.
// REQUIRES: r < Reason::kCount.
std::string_view ReasonMeaning(Reason r);

// True when the policy chose to curtail: for price, a strike, hysteresis, a
// minimum off time, a grid event (DR, 4CP) or cooling at ambient. False for
// running, and for cuts by the static domain and interconnect limits, which a
// site designed with more miners than feeders binds every hour.
bool IsCurtailmentDecision(Reason r);

}  // namespace mullet

#endif  // MULLET_DISPATCH_REASON_H_
