#include "drivers/cgminer/reply_numbers.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace mullet::cgminer::internal {

std::optional<double> ThPerUnit(char prefix) {
  switch (prefix) {
    case 'K':
      return 1e-9;
    case 'M':
      return 1e-6;
    case 'G':
      return 1e-3;
    case 'T':
      return 1.0;
    default:
      return std::nullopt;
  }
}

std::optional<double> ParseDouble(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  double x = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(x)) {
    return std::nullopt;
  }
  return x;
}

std::optional<std::int64_t> WholeNumber(double x) {
  if (x != std::floor(x) || std::fabs(x) >= 9.2e18) return std::nullopt;
  return static_cast<std::int64_t>(x);
}

std::optional<double> LogIntervalRateUnit(std::string_view key) {
  if (key.size() < 6 || key.substr(1, 3) != "HS " || key.back() != 's') return std::nullopt;
  const std::string_view n = key.substr(4, key.size() - 5);
  if (!std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return ThPerUnit(key[0]);
}

}  // namespace mullet::cgminer::internal
