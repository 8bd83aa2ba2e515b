// The policy parameters an operator may change on a running daemon
// (PUT /api/v1/policy), as JSON: {"hysteresis_usd_per_mwh": N,
// "reserve_fraction": F, "strike_windows": K, "strike_window_h": H}; a
// field left out keeps its value.

#ifndef MULLET_DAEMON_POLICY_PARAMS_H_
#define MULLET_DAEMON_POLICY_PARAMS_H_

#include <string>
#include <string_view>

#include "core/status/result.h"
#include "site/site.h"

namespace mullet {

// `base` with the fields of `json` applied. InvalidArgument naming the
// field for an unknown one or a value out of range (hysteresis 0..1000
// USD/MWh, reserve 0..0.5, windows 1..48, window 0.05..24 h). Pure.
Result<PolicyParams> ParsePolicyParams(std::string_view json, const PolicyParams& base);
std::string PolicyParamsJson(const PolicyParams& p);

}  // namespace mullet

#endif  // MULLET_DAEMON_POLICY_PARAMS_H_
