// ScanSummary (summary_scan.h): one pass over the bytes that checks them as
// strict JSON (RFC 8259) and keeps, as views into the bytes, the few values
// ReadSummary reads. What it takes is a subset of what nlohmann's parser
// takes, so that whatever it accepts the full path parses without a repair:
// strings of printable ASCII with the short escapes (no \u, whose surrogate
// rules nlohmann enforces, and no byte above 0x7f, whose UTF-8 it checks),
// numbers by the JSON grammar, nesting no deeper than kMaxReplyDepth. Each
// value is then read by the full path's rules (reply_numbers.h).

#include "drivers/cgminer/summary_scan.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <utility>

#include "drivers/cgminer/reply_numbers.h"

namespace mullet::cgminer::internal {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A value the reading needs, as found in the bytes.
struct Field {
  enum class Kind { kAbsent, kNumber, kString, kOther };
  Kind kind = Kind::kAbsent;
  std::string_view text;  // a number's token, or a string's bytes between its quotes
  bool integer = false;   // a number token without fraction or exponent
};

class Scanner {
 public:
  explicit Scanner(std::string_view text) : at_(text.data()), end_(text.data() + text.size()) {}

  // The next byte that is not white space, or '\0' at the end.
  char Next() {
    while (at_ != end_ && IsSpace(*at_)) ++at_;
    return at_ == end_ ? '\0' : *at_;
  }
  bool AtEnd() { return Next() == '\0' && at_ == end_; }

  // Any value, checked and skipped.
  bool Value(int depth) {
    switch (Next()) {
      case '{':
        return Object(depth, [this](std::string_view, bool, int d) { return Value(d); });
      case '[':
        return Array(depth, [this](std::size_t, int d) { return Value(d); });
      case '"': {
        std::string_view raw;
        bool escaped = false;
        return String(&raw, &escaped);
      }
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default: {
        std::string_view token;
        bool integer = false;
        return Number(&token, &integer);
      }
    }
  }

  // A value into `f`: numbers and unescaped strings kept, anything else
  // checked and marked kOther (which no reading accepts).
  bool Capture(int depth, Field* f) {
    const char c = Next();
    if (c == '"') {
      bool escaped = false;
      if (!String(&f->text, &escaped)) return false;
      f->kind = escaped ? Field::Kind::kOther : Field::Kind::kString;
      return true;
    }
    if (c == '-' || IsDigit(c)) {
      f->kind = Field::Kind::kNumber;
      return Number(&f->text, &f->integer);
    }
    f->kind = Field::Kind::kOther;
    return Value(depth);
  }

  // An object at nesting `depth`; `on_member(key, key_escaped, depth + 1)`
  // must take each member's value.
  template <class OnMember>
  bool Object(int depth, OnMember on_member) {
    if (depth > kMaxReplyDepth || Next() != '{') return false;
    ++at_;
    if (Next() == '}') return ++at_, true;
    while (true) {
      std::string_view key;
      bool escaped = false;
      if (Next() != '"' || !String(&key, &escaped) || Next() != ':') return false;
      ++at_;
      if (!on_member(key, escaped, depth + 1)) return false;
      const char c = Next();
      if (c != '}' && c != ',') return false;
      ++at_;
      if (c == '}') return true;
    }
  }

  // An array at nesting `depth`; `on_element(index, depth + 1)` must take each element.
  template <class OnElement>
  bool Array(int depth, OnElement on_element) {
    if (depth > kMaxReplyDepth || Next() != '[') return false;
    ++at_;
    if (Next() == ']') return ++at_, true;
    for (std::size_t i = 0;; ++i) {
      if (!on_element(i, depth + 1)) return false;
      const char c = Next();
      if (c != ']' && c != ',') return false;
      ++at_;
      if (c == ']') return true;
    }
  }

  // A list whose first element is an object (the shape of STATUS and of
  // SUMMARY): `on_member` takes that object's members; the rest is skipped.
  template <class OnMember>
  bool FirstObjectOf(int depth, OnMember on_member) {
    bool first = false;
    return Array(depth,
                 [&](std::size_t i, int d) {
                   if (i > 0) return Value(d);
                   first = true;
                   return Next() == '{' && Object(d, on_member);
                 }) &&
           first;
  }

 private:
  // At a '"': the bytes up to the closing quote into `raw`.
  bool String(std::string_view* raw, bool* escaped) {
    const char* start = ++at_;
    while (at_ != end_) {
      const auto c = static_cast<unsigned char>(*at_);
      if (c == '"') {
        *raw = std::string_view(start, static_cast<std::size_t>(at_ - start));
        ++at_;
        return true;
      }
      if (c == '\\') {
        if (++at_ == end_) return false;
        // \u (surrogate rules: the full path's) or no escape at all is declined
        if (std::string_view("\"\\/bfnrt").find(*at_) == std::string_view::npos) return false;
        *escaped = true;
      } else if (c < 0x20 || c > 0x7e) {
        return false;
      }
      ++at_;
    }
    return false;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool Number(std::string_view* token, bool* integer) {
    const char* start = at_;
    const auto digits = [this] {
      const char* from = at_;
      while (at_ != end_ && IsDigit(*at_)) ++at_;
      return at_ != from;
    };
    if (at_ != end_ && *at_ == '-') ++at_;
    if (at_ != end_ && *at_ == '0') {
      ++at_;
    } else if (at_ == end_ || *at_ < '1' || *at_ > '9' || !digits()) {
      return false;
    }
    *integer = true;
    if (at_ != end_ && *at_ == '.') {
      ++at_;
      if (!digits()) return false;
      *integer = false;
    }
    bool exponent = false;
    if (at_ != end_ && (*at_ == 'e' || *at_ == 'E')) {
      ++at_;
      if (at_ != end_ && (*at_ == '+' || *at_ == '-')) ++at_;
      if (!digits()) return false;
      *integer = false;
      exponent = true;
    }
    *token = std::string_view(start, static_cast<std::size_t>(at_ - start));
    // nlohmann refuses a number beyond a double's range, wherever it stands
    // ("number overflow", parse error 406): only an exponent or some 300
    // digits can get there. Declined, as an underflow is, to stay on the safe side.
    if (token->size() > 300) return false;
    if (exponent) {
      double x = 0;
      const auto [p, ec] = std::from_chars(token->data(), token->data() + token->size(), x);
      if (ec != std::errc() || p != token->data() + token->size() || !std::isfinite(x))
        return false;
    }
    return true;
  }

  bool Literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - at_) < word.size() ||
        std::string_view(at_, word.size()) != word) {
      return false;
    }
    at_ += word.size();
    return true;
  }

  const char* at_;
  const char* end_;
};

// The members of SUMMARY[0] the reading needs.
struct SummaryFields {
  std::array<Field, 4> rate_5s, rate_av;  // "<p>HS 5s" and "<p>HS av", p by kRatePrefixes
  Field interval;                         // the first "<p>HS <n>s" in key order
  std::string_view interval_key;
  Field elapsed, accepted, rejected, hardware_errors;
};

int PrefixIndex(char c) {
  for (int i = 0; i < 4; ++i) {
    if (kRatePrefixes[i] == c) return i;
  }
  return -1;
}

// A number as the full path reads it (NumberOf in reply.cpp): nlohmann keeps
// an integer token as an integer and converts it to double; anything else
// through strtod, which, as from_chars, rounds correctly.
std::optional<double> NumberIn(const Field& f) {
  if (f.kind == Field::Kind::kString) return ParseDouble(f.text);
  if (f.kind != Field::Kind::kNumber) return std::nullopt;
  const char* end = f.text.data() + f.text.size();
  if (f.integer) {
    std::int64_t n = 0;
    if (f.text.size() > 18) return std::nullopt;  // beyond int64 perhaps: unsure
    const auto [p, ec] = std::from_chars(f.text.data(), end, n);
    if (ec != std::errc() || p != end) return std::nullopt;
    return static_cast<double>(n);
  }
  double x = 0;
  const auto [p, ec] = std::from_chars(f.text.data(), end, x);
  if (ec != std::errc() || p != end || !std::isfinite(x)) return std::nullopt;
  return x;
}

// A count as the full path reads it (FieldReader::Count): an integer, not below zero.
std::optional<std::int64_t> CountIn(const Field& f) {
  std::optional<std::int64_t> n;
  if (f.kind == Field::Kind::kNumber && f.integer) {
    std::int64_t v = 0;
    const char* end = f.text.data() + f.text.size();
    const auto [p, ec] = std::from_chars(f.text.data(), end, v);
    if (f.text.size() <= 18 && ec == std::errc() && p == end) n = v;
  } else if (const std::optional<double> x = NumberIn(f)) {
    n = WholeNumber(*x);
  }
  if (!n || *n < 0) return std::nullopt;
  return n;
}

// A hashrate in TH/s, within what one miner can do.
std::optional<TerahashPerSecond> RateIn(const Field& f, double th_per_unit) {
  const std::optional<double> x = NumberIn(f);
  if (!x) return std::nullopt;
  const double th = *x * th_per_unit;
  if (!(th >= 0 && th <= kMaxMinerTerahash)) return std::nullopt;
  return TerahashPerSecond(th);
}

// The first of "GHS <w>", "MHS <w>", "THS <w>", "KHS <w>" present (FindRateKey).
std::optional<TerahashPerSecond> FirstRate(const std::array<Field, 4>& by_prefix) {
  for (int i = 0; i < 4; ++i) {
    if (by_prefix[i].kind != Field::Kind::kAbsent)
      return RateIn(by_prefix[i], *ThPerUnit(kRatePrefixes[i]));
  }
  return std::nullopt;
}

}  // namespace

std::optional<SummaryReading> ScanSummary(std::string_view bytes) {
  if (bytes.size() > kMaxReplyBytes) return std::nullopt;
  // cgminer's framing (ParseReply's StripTrailingNul); white space is JSON's own.
  while (!bytes.empty() && (bytes.back() == '\0' || IsSpace(bytes.back()))) bytes.remove_suffix(1);
  Scanner s(bytes);
  // A key written with an escape is declined, though no escape can spell one
  // the reading needs: the DOM would hold the key unescaped, and a
  // duplicate is the DOM's to resolve.
  const auto take = [&s](Field* f, int depth) {
    return f->kind == Field::Kind::kAbsent && s.Capture(depth, f);
  };
  Field letter;
  bool status_seen = false, summary_seen = false;
  SummaryFields sf;
  const auto status_member = [&](std::string_view key, bool escaped, int depth) {
    if (escaped) return false;
    return key == "STATUS" ? take(&letter, depth) : s.Value(depth);
  };
  const auto summary_member = [&](std::string_view key, bool escaped, int depth) {
    if (escaped) return false;
    if (key == "Elapsed") return take(&sf.elapsed, depth);
    if (key == "Accepted") return take(&sf.accepted, depth);
    if (key == "Rejected") return take(&sf.rejected, depth);
    if (key == "Hardware Errors") return take(&sf.hardware_errors, depth);
    const int p = key.size() >= 4 && key.substr(1, 3) == "HS " ? PrefixIndex(key[0]) : -1;
    if (p < 0) return s.Value(depth);
    const std::string_view window = key.substr(4);
    if (window == "5s") return take(&sf.rate_5s[p], depth);
    if (window == "av") return take(&sf.rate_av[p], depth);
    if (!LogIntervalRateUnit(key)) return s.Value(depth);
    const bool first = sf.interval.kind == Field::Kind::kAbsent;
    if (!first && key == sf.interval_key) return false;  // the same key twice
    if (!first && key > sf.interval_key) return s.Value(depth);
    sf.interval = Field();
    sf.interval_key = key;
    return s.Capture(depth, &sf.interval);
  };
  const bool parsed = s.Object(1, [&](std::string_view key, bool escaped, int depth) {
    if (escaped) return false;
    if (key == "STATUS")
      return !std::exchange(status_seen, true) && s.FirstObjectOf(depth, status_member);
    if (key == "SUMMARY")
      return !std::exchange(summary_seen, true) && s.FirstObjectOf(depth, summary_member);
    return s.Value(depth);
  });
  if (!parsed || !s.AtEnd() || !status_seen || !summary_seen) return std::nullopt;
  // CheckStatus: S and I are plain successes; W, E, F and the rest are the full path's to word.
  if (letter.kind != Field::Kind::kString ||
      !(letter.text == "S" || letter.text == "s" || letter.text == "I" || letter.text == "i")) {
    return std::nullopt;
  }
  std::optional<TerahashPerSecond> rate_5s = FirstRate(sf.rate_5s);
  if (!rate_5s &&
      std::all_of(sf.rate_5s.begin(), sf.rate_5s.end(),
                  [](const Field& f) { return f.kind == Field::Kind::kAbsent; }) &&
      sf.interval.kind != Field::Kind::kAbsent) {
    rate_5s = RateIn(sf.interval, *LogIntervalRateUnit(sf.interval_key));
  }
  const std::optional<TerahashPerSecond> rate_av = FirstRate(sf.rate_av);
  const std::optional<double> elapsed = NumberIn(sf.elapsed);
  const std::optional<std::int64_t> accepted = CountIn(sf.accepted),
                                    rejected = CountIn(sf.rejected),
                                    hardware_errors = CountIn(sf.hardware_errors);
  if (!rate_5s || !rate_av || !elapsed || *elapsed < 0 || !accepted || !rejected ||
      !hardware_errors) {
    return std::nullopt;
  }
  SummaryReading r;
  r.hashrate_5s = *rate_5s;
  r.hashrate_avg = *rate_av;
  r.elapsed_s = *elapsed;
  r.accepted = *accepted;
  r.rejected = *rejected;
  r.hardware_errors = *hardware_errors;
  return r;
}

}  // namespace mullet::cgminer::internal
