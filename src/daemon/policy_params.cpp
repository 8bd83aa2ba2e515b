#include "daemon/policy_params.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/text/untrusted_text.h"

namespace mullet {

Result<PolicyParams> ParsePolicyParams(std::string_view text, const PolicyParams& base) {
  if (Status depth = CheckJsonDepth(text, 4); !depth.ok()) return Status::InvalidArgument("body " + depth.message());
  const nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("body: expected a JSON object");
  PolicyParams p = base;
  const auto number = [&](const std::string& key, double lo, double hi) -> Result<double> {
    const auto& v = j.at(key);
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < lo || v.get<double>() > hi) {
      return Status::InvalidArgument(key + ": expected a number from " + nlohmann::json(lo).dump() + " to " +
                                     nlohmann::json(hi).dump());
    }
    return v.get<double>();
  };
  for (const auto& item : j.items()) {
    const std::string& k = item.key();
    if (k == "hysteresis_usd_per_mwh") {
      Result<double> v = number(k, 0, 1000);
      if (!v.ok()) return v.status();
      p.hysteresis = UsdPerMegawattHour(*v);
    } else if (k == "reserve_fraction") {
      Result<double> v = number(k, 0, 0.5);
      if (!v.ok()) return v.status();
      p.reserve_fraction = *v;
    } else if (k == "strike_windows") {
      Result<double> v = number(k, 1, 48);
      if (!v.ok()) return v.status();
      if (*v != std::floor(*v)) return Status::InvalidArgument("strike_windows: expected a whole number");
      p.strike_windows = static_cast<int>(*v);
    } else if (k == "strike_window_h") {
      Result<double> v = number(k, 0.05, 24);
      if (!v.ok()) return v.status();
      p.strike_window = Hours(*v);
    } else {
      return Status::InvalidArgument("unknown field " + Quoted(k) +
                                     " (hysteresis_usd_per_mwh, reserve_fraction, strike_windows, strike_window_h)");
    }
  }
  return p;
}

std::string PolicyParamsJson(const PolicyParams& p) {
  const nlohmann::ordered_json j{{"hysteresis_usd_per_mwh", p.hysteresis.value()},
                                 {"reserve_fraction", p.reserve_fraction},
                                 {"strike_windows", p.strike_windows},
                                 {"strike_window_h", p.strike_window.count()}};
  return j.dump();
}

}  // namespace mullet
