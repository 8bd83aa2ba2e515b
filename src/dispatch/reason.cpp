#include "dispatch/reason.h"

#include <array>

namespace mullet {

std::string_view ReasonName(Reason r) {
  static constexpr std::array<std::string_view, static_cast<size_t>(Reason::kCount)> kNames = {
      "firm-served",
      "firm-sla-breach",
      "batch-run-value",
      "batch-run-deadline",
      "batch-defer-price",
      "batch-idle",
      "batch-limited",
      "mine-full",
      "mine-power-target",
      "mine-always-on",
      "mine-below-strike",
      "curtail-price-above-breakeven",
      "curtail-above-strike",
      "curtail-hysteresis",
      "curtail-min-off-time",
      "hold-min-on-time",
      "curtail-interconnect",
      "curtail-domain-limit",
      "dr-event",
      "cooling-derate",
      "curtail-4cp-peak",
  };
  return kNames[static_cast<size_t>(r)];
}

bool IsCurtailmentDecision(Reason r) {
  switch (r) {
    case Reason::kCurtailPriceAboveBreakeven:
    case Reason::kCurtailAboveStrike:
    case Reason::kCurtailHysteresis:
    case Reason::kCurtailMinOffTime:
    case Reason::kCurtailDrEvent:
    case Reason::kCurtailCoolingDerate:
    case Reason::kCurtail4cpPeak:
      return true;
    default:
      return false;
  }
}

}  // namespace mullet
