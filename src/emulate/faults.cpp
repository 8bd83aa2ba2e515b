#include "emulate/faults.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "emulate/miner.h"

namespace mullet {
namespace {

constexpr std::uint64_t kFaultStream = 0x6661756c;  // "faul"

// Index of the first occurrence of `pattern` that starts outside a JSON
// string, or npos. Replies hold URLs ("...example:3333") whose bytes must not
// be mistaken for structure.
size_t FindOutsideStrings(const std::string& s, std::string_view pattern, size_t from = 0) {
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (in_string) {
      if (s[i] == '\\')
        ++i;
      else if (s[i] == '"')
        in_string = false;
      continue;
    }
    if (i >= from && s.compare(i, pattern.size(), pattern) == 0) return i;
    if (s[i] == '"') in_string = true;
  }
  return std::string::npos;
}

// The number value after the first ':' outside strings, preferring one with a
// fraction (a float cgminer printed with "%f"). Returns {start, length}.
std::pair<size_t, size_t> FindNumberValue(const std::string& s) {
  std::pair<size_t, size_t> first_int{std::string::npos, 0};
  for (size_t i = FindOutsideStrings(s, ":"); i != std::string::npos;
       i = FindOutsideStrings(s, ":", i + 1)) {
    size_t j = i + 1, k = j;
    while (k < s.size() && (std::isdigit(static_cast<unsigned char>(s[k])) || s[k] == '-' ||
                            s[k] == '.' || s[k] == 'e' || s[k] == 'E' || s[k] == '+'))
      ++k;
    if (k == j || !(std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '-')) continue;
    if (s.substr(j, k - j).find('.') != std::string::npos) return {j, k - j};
    if (first_int.first == std::string::npos) first_int = {j, k - j};
  }
  return first_int;
}

// Position just after the closing quote of the string value of `key`, or npos.
size_t EndOfStringValue(const std::string& s, std::string_view key_colon_quote) {
  size_t i = FindOutsideStrings(s, key_colon_quote);
  if (i == std::string::npos) return i;
  for (i += key_colon_quote.size(); i < s.size(); ++i) {
    if (s[i] == '\\')
      ++i;
    else if (s[i] == '"')
      return i + 1;
  }
  return std::string::npos;
}

}  // namespace

std::string_view QuirkName(Quirk q) {
  switch (q) {
    case Quirk::kTrailingComma:
      return "trailing_comma";
    case Quirk::kMissingObjectComma:
      return "missing_object_comma";
    case Quirk::kLeadingListComma:
      return "leading_list_comma";
    case Quirk::kMissingCommaBeforeTemp0:
      return "missing_comma_before_temp0";
    case Quirk::kBareInfNan:
      return "bare_inf_nan";
    case Quirk::kRawNewline:
      return "raw_newline";
    case Quirk::kTruncated:
      return "truncated";
    case Quirk::kMissingNul:
      return "missing_nul";
  }
  return "unknown";
}

FaultPlan AlwaysQuirk(Quirk q) {
  FaultPlan plan;
  plan.quirk_probability(q) = 1;
  return plan;
}

FaultDraw DrawFaults(const FaultPlan& plan, std::uint64_t seed, std::uint64_t reply_serial) {
  // Every draw is taken whatever the probabilities, in a fixed order, so that
  // changing one probability never shifts the others' outcomes.
  SplitMix64 rng(MixSeed(seed, kFaultStream, reply_serial));
  FaultDraw d;
  d.hang = rng.NextUnit() < plan.hang;
  d.reset = rng.NextUnit() < plan.reset;
  d.slow = rng.NextUnit() < plan.slow;
  d.reboot = rng.NextUnit() < plan.reboot;
  for (int i = 0; i < kQuirkCount; ++i) d.quirk[i] = rng.NextUnit() < plan.quirk[i];
  d.detail = rng.Next();
  d.lost_reply = rng.NextUnit() < plan.lost_reply;
  return d;
}

std::string ApplyQuirk(std::string s, Quirk q, std::uint64_t detail, int chip_temp_c) {
  size_t i = std::string::npos;
  switch (q) {
    case Quirk::kTrailingComma:
      if ((i = FindOutsideStrings(s, "}")) != std::string::npos) s.insert(i, ",");
      break;
    case Quirk::kMissingObjectComma:
      if ((i = FindOutsideStrings(s, "},{")) != std::string::npos)
        s.erase(i + 1, 1);
      else if ((i = FindOutsideStrings(s, "}],\"")) != std::string::npos)
        s.erase(i + 2, 1);
      break;
    case Quirk::kLeadingListComma:
      if ((i = FindOutsideStrings(s, "[{")) != std::string::npos) s.insert(i + 1, ",");
      break;
    case Quirk::kMissingCommaBeforeTemp0:
      if ((i = EndOfStringValue(s, "\"Msg\":\"")) != std::string::npos)
        s.insert(i, "\"temp0\":" + std::to_string(chip_temp_c));
      break;
    case Quirk::kBareInfNan: {
      const auto [at, length] = FindNumberValue(s);
      if (at != std::string::npos) s.replace(at, length, detail % 2 ? "inf" : "nan");
      break;
    }
    case Quirk::kRawNewline:
      // Inside the Msg value, after its first character: "Sum\nmary" style.
      if ((i = FindOutsideStrings(s, "\"Msg\":\"")) != std::string::npos) {
        const size_t v = i + 7;
        s.insert(v < s.size() && s[v] != '"' ? v + 1 : v, "\n");
      }
      break;
    case Quirk::kTruncated:
      if (s.size() >= 2) {
        // Keep 30-80 % of the bytes: a proper prefix of an object never parses.
        const double keep = 0.3 + 0.5 * static_cast<double>(detail % 1000) / 1000;
        s.resize(std::clamp<size_t>(static_cast<size_t>(s.size() * keep), 1, s.size() - 1));
      }
      break;
    case Quirk::kMissingNul:
      break;
  }
  return s;
}

std::string ApplyQuirks(std::string body, const FaultDraw& draw, int chip_temp_c) {
  for (Quirk q : kAllQuirks) {
    if (draw.quirk[static_cast<int>(q)])
      body = ApplyQuirk(std::move(body), q, draw.detail, chip_temp_c);
  }
  // api.c send_result(): the reply goes out with strlen(buf) + 1 bytes.
  if (!draw.quirk[static_cast<int>(Quirk::kMissingNul)]) body.push_back('\0');
  return body;
}

}  // namespace mullet
