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

std::string_view ReasonMeaning(Reason r) {
  // In enum order; docs/backtest.md "Reason codes" holds the same words
  // (tests/report/reason_meaning_test.cpp reads the table and compares).
  static constexpr std::array<std::string_view, static_cast<size_t>(Reason::kCount)> kMeanings = {
      "firm AI load served in full",
      "firm load above the headroom: a breach, costed through SLA credits",
      "batch runs: its value per GPU-hour beats the power price",
      "batch runs because its deadline requires it (EDF)",
      "batch waits: power costs more than the work earns",
      "no batch work released",
      "batch cut by a power limit",
      "miners at nameplate (or a profile at or above it)",
      "miners underclocked: the tuning curve pays",
      "the always-on baseline",
      "strike-price baseline: price at or below the strike",
      "margin below zero at every operating point",
      "strike-price baseline: price above the strike",
      "margin positive but inside the restart band",
      "held off until its minimum off time is served",
      "held on until its minimum on time is served",
      "cut by the interconnect limit",
      "cut by a power-domain limit",
      "cut by a demand-response target",
      "cut by cooling capacity at ambient",
      "curtailed in a 4CP peak interval although it would otherwise earn",
  };
  return kMeanings[static_cast<size_t>(r)];
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
