#include "cli/flags.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace mullet {

std::string ShortNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string Range::Describe() const {
  if (std::isinf(hi)) return (lo_open ? "> " : ">= ") + ShortNumber(lo);
  return std::string("in ") + (lo_open ? "(" : "[") + ShortNumber(lo) + ", " + ShortNumber(hi) +
         (hi_open ? ")" : "]");
}

bool Range::Contains(double v) const {
  return (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
}

Result<double> ParseNumberFlag(const std::string& flag, const std::string& text) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v)) {
    return Status::InvalidArgument(flag + ": '" + text + "' is not a number");
  }
  return v;
}

Status TakeNumber(const std::string& flag, const std::optional<std::string>& text, Range r,
                  std::optional<double>* out) {
  if (!text) return Status::Ok();
  Result<double> v = ParseNumberFlag(flag, *text);
  if (!v.ok()) return v.status();
  if (!r.Contains(*v)) {
    return Status::InvalidArgument(flag + ": must be " + r.Describe() + ", got " + *text);
  }
  *out = *v;
  return Status::Ok();
}

Result<UtcTime> ParseTimeFlag(const std::string& flag, const std::string& text) {
  if (text.size() == 10) {
    Result<Date> d = ParseDate(text);
    if (!d.ok()) return Status::InvalidArgument(flag + ": " + d.status().message());
    return UtcTime(*d);
  }
  Result<UtcTime> t = ParseUtcTimestamp(text);
  if (!t.ok()) {
    return Status::InvalidArgument(flag + ": expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, got '" +
                                   text + "'");
  }
  return *t;
}

Result<Hours> ParseStepFlag(const std::string& flag, const std::string& text) {
  const size_t unit_at = text.find_first_not_of("0123456789.");
  const std::string number = text.substr(0, unit_at);
  const std::string unit = unit_at == std::string::npos ? "" : text.substr(unit_at);
  double v = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
  double hours_per_unit = 0;
  if (unit == "h") hours_per_unit = 1;
  if (unit == "m" || unit == "min") hours_per_unit = 1.0 / 60;
  if (unit == "s") hours_per_unit = 1.0 / 3600;
  if (unit == "d") hours_per_unit = 24;
  if (number.empty() || ec != std::errc() || ptr != number.data() + number.size() || v <= 0 ||
      hours_per_unit == 0) {
    return Status::InvalidArgument(flag + ": expected a span such as 1h, 15m or 1d, got '" + text + "'");
  }
  return Hours(v * hours_per_unit);
}

Result<std::vector<std::string>> ExpandSweep(const std::string& flag, const std::string& text,
                                             std::size_t max_values) {
  std::vector<std::string> out;
  const auto too_many = [&] {
    return Status::InvalidArgument(flag + ": more than " + std::to_string(max_values) + " values in '" + text + "'");
  };
  if (text.find(':') != std::string::npos) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
      const std::size_t colon = text.find(':', start);
      parts.push_back(text.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    if (parts.size() != 3) {
      return Status::InvalidArgument(flag + ": a range is lo:hi:step, got '" + text + "'");
    }
    double v[3];
    for (int i = 0; i < 3; ++i) {
      Result<double> x = ParseNumberFlag(flag, parts[i]);
      if (!x.ok()) return x.status();
      v[i] = *x;
    }
    if (!(v[2] > 0)) return Status::InvalidArgument(flag + ": the step of '" + text + "' must be > 0");
    if (v[1] < v[0]) return Status::InvalidArgument(flag + ": the range '" + text + "' ends below its start");
    const double count = std::floor((v[1] - v[0]) / v[2] + 1e-6) + 1;
    if (count > static_cast<double>(max_values)) return too_many();
    for (int k = 0; k < static_cast<int>(count); ++k) {
      char buf[64];
      // Each value from its index (no drift); 12 significant digits undo
      // the binary representation of the step (0.03 + 2 x 0.01 = 0.05).
      std::snprintf(buf, sizeof buf, "%.12g", v[0] + k * v[2]);
      out.push_back(buf);
    }
    return out;
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (out.size() > max_values) return too_many();
    Result<double> x = ParseNumberFlag(flag, out.back());
    if (!x.ok()) return x.status();
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace mullet
