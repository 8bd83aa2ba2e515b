// Bytes to JSON: ParseReply (reply.h) and its repairs.
//
// The repairs of protocols.md §1.3 (pyasic/rpc/base.py `_load_api_data`) are
// done on tokens instead of by search-and-replace on the whole text, so that a
// pool password holding ",}" or a Msg holding "}{" is never rewritten: each
// rule fires only outside strings and only in the context its firmware
// produces. Whatever the repairs leave broken, nlohmann's parser judges, and
// its verdict is mapped back to a byte offset of the reply as received.

#include "drivers/cgminer/reply_repair.h"
#include "core/text/untrusted_text.h"

#include <algorithm>
#include <cstddef>
#include <exception>
#include <optional>
#include <utility>

namespace mullet::cgminer::internal {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsDelimiter(char c) {
  return IsSpace(c) || c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':' ||
         c == '"';
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

// inf, -inf, infinity, nan, -nan: what printf("%f") writes for a double that is
// not finite (api.c API_DOUBLE, API_MHS...), seen from Avalon firmware.
bool IsInfOrNan(std::string_view word) {
  if (!word.empty() && (word.front() == '-' || word.front() == '+')) word.remove_prefix(1);
  return EqualsIgnoringCase(word, "inf") || EqualsIgnoringCase(word, "infinity") ||
         EqualsIgnoringCase(word, "nan");
}

// The previous significant token, which decides the repairs that apply next.
enum class Last { kNone, kOpen, kComma, kColon, kKey, kString, kValue, kCloseObject };

struct Frame {
  bool is_object = false;
  std::size_t open_at = 0;  // offset in the output of its '{' or '['
  bool converted = false;   // a '[' rewritten to '{' (kErrorCodeList)
};

class Repairer {
 public:
  explicit Repairer(std::string_view in) : in_(in) {
    out_.text.reserve(in.size() + 16);
    out_.origin.reserve(in.size() + 16);
  }

  RepairedText Run() && {
    if (BareStatusWord()) return std::move(out_);
    LeadingFragment();
    while (i_ < in_.size()) Step();
    return std::move(out_);
  }

 private:
  void Emit(char c, std::size_t from) {
    out_.text.push_back(c);
    out_.origin.push_back(static_cast<std::uint32_t>(from));
  }
  void Emit(std::string_view s, std::size_t from) {
    for (char c : s) Emit(c, from);
  }
  void Note(ReplyQuirk quirk) {
    if (std::find(out_.quirks.begin(), out_.quirks.end(), quirk) == out_.quirks.end()) {
      out_.quirks.push_back(quirk);
    }
  }
  std::size_t SkipSpace(std::size_t i) const {
    while (i < in_.size() && IsSpace(in_[i])) ++i;
    return i;
  }
  bool InObject() const { return !stack_.empty() && stack_.back().is_object; }
  bool InArray() const { return !stack_.empty() && !stack_.back().is_object; }
  bool AfterValue() const {
    return last_ == Last::kString || last_ == Last::kValue || last_ == Last::kCloseObject;
  }

  void Step() {
    const char c = in_[i_];
    switch (c) {
      case '"':
        return String();
      case '{':
      case '[':
        return Open(c);
      case '}':
      case ']':
        return Close(c);
      case ',':
        return Comma();
      case ':':
        return Colon();
      default:
        if (IsSpace(c)) return Emit(c, i_++);
        return Bare();
    }
  }

  // The whole reply is the word RESTART or BYE: cgminer's answer to `restart`
  // and `quit` when the request was not JSON (api.c), taken as a JSON string.
  bool BareStatusWord() {
    const std::size_t from = SkipSpace(0);
    std::size_t to = in_.size();
    while (to > from && IsSpace(in_[to - 1])) --to;
    const std::string_view word = in_.substr(from, to - from);
    if (word != "RESTART" && word != "BYE") return false;
    Emit('"', from);
    for (std::size_t k = from; k < to; ++k) Emit(in_[k], k);
    Emit('"', to - 1);
    Note(ReplyQuirk::kBareStatusWord);
    return true;
  }

  // Offset just after a `,"id":<digits>}` fragment starting at `i`, or npos.
  std::size_t IdFragmentEnd(std::size_t i) const {
    constexpr std::string_view kId = "\"id\"";
    i = SkipSpace(i + 1);
    if (in_.substr(i, kId.size()) != kId) return std::string_view::npos;
    i = SkipSpace(i + kId.size());
    if (i >= in_.size() || in_[i] != ':') return std::string_view::npos;
    i = SkipSpace(i + 1);
    const std::size_t digits = i;
    while (i < in_.size() && in_[i] >= '0' && in_[i] <= '9') ++i;
    if (i == digits) return std::string_view::npos;
    i = SkipSpace(i);
    if (i >= in_.size() || in_[i] != '}') return std::string_view::npos;
    return i + 1;
  }

  // Avalon: the reply starts with `,"id":1}`. Either the tail of an earlier
  // reply precedes a whole one (drop it) or the reply lost its opening brace
  // (read the comma as '{', as pyasic does).
  void LeadingFragment() {
    const std::size_t j = SkipSpace(0);
    if (j >= in_.size() || in_[j] != ',') return;
    Note(ReplyQuirk::kLeadingIdFragment);
    const std::size_t end = IdFragmentEnd(j);
    if (end != std::string_view::npos) {
      const std::size_t next = SkipSpace(end);
      if (next < in_.size() && in_[next] == '{') {
        i_ = next;
        return;
      }
    }
    stack_.push_back({true, out_.text.size()});
    Emit('{', j);
    last_ = Last::kOpen;
    i_ = j + 1;
  }

  // sgminer answers `quit` with {"BYE","id":1} (sgminer-dev/sgminer#197): a
  // status word where a key belongs, read as "STATUS":"BYE".
  bool StatusWordAsKey() const {
    if (!InObject() || last_ != Last::kOpen) return false;
    for (std::string_view word : {"\"RESTART\"", "\"BYE\""}) {
      if (in_.substr(i_, word.size()) != word) continue;
      const std::size_t next = SkipSpace(i_ + word.size());
      return next < in_.size() && (in_[next] == ',' || in_[next] == '}');
    }
    return false;
  }

  void EmitControl(char c, std::size_t from) {
    static constexpr char kHex[] = "0123456789abcdef";
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') return Emit("\\n", from);
    if (c == '\r') return Emit("\\r", from);
    if (c == '\t') return Emit("\\t", from);
    Emit("\\u00", from);
    Emit(kHex[u >> 4], from);
    Emit(kHex[u & 0xf], from);
  }

  void String() {
    if (InObject() && AfterValue()) {  // btminer 2023-01-06: "Normal""temp0"
      Emit(',', i_);
      Note(ReplyQuirk::kMissingCommaBeforeKey);
      last_ = Last::kComma;
    }
    if (StatusWordAsKey()) {
      Emit("\"STATUS\":", i_);
      Note(ReplyQuirk::kBareStatusWord);
      last_ = Last::kColon;
    }
    const bool key = InObject() && (last_ == Last::kOpen || last_ == Last::kComma);
    Emit('"', i_++);
    while (i_ < in_.size()) {
      const char c = in_[i_];
      if (c == '"') {
        Emit(c, i_++);
        break;
      }
      if (c == '\\') {  // copy the escape whole; a bad one is the parser's to report
        Emit(c, i_++);
        if (i_ < in_.size()) {
          Emit(in_[i_], i_);
          ++i_;
        }
      } else if (static_cast<unsigned char>(c) < 0x20) {  // JSON wants these escaped
        EmitControl(c, i_++);
        Note(ReplyQuirk::kEmbeddedNewline);
      } else {
        Emit(c, i_++);
      }
    }
    last_ = key ? Last::kKey : Last::kString;
  }

  void Open(char c) {
    if (c == '{' && InArray() && last_ == Last::kCloseObject) {  // bmminer "}{"
      Emit(',', i_);
      Note(ReplyQuirk::kMissingCommaBetweenObjects);
    }
    stack_.push_back({c == '{', out_.text.size()});
    Emit(c, i_++);
    last_ = Last::kOpen;
  }

  void Close(char c) {
    char emitted = c;
    if (!stack_.empty()) {
      if (stack_.back().converted && c == ']') emitted = '}';
      stack_.pop_back();
    }
    Emit(emitted, i_++);
    last_ = emitted == '}' ? Last::kCloseObject : Last::kValue;
  }

  void Comma() {
    if (InArray() && last_ == Last::kOpen) {  // bmminer "[,{"
      Note(ReplyQuirk::kLeadingCommaInArray);
      ++i_;
      return;
    }
    const std::size_t next = SkipSpace(i_ + 1);
    if (AfterValue() && next < in_.size() && (in_[next] == '}' || in_[next] == ']')) {
      Note(ReplyQuirk::kTrailingCommaBeforeBrace);  // btminer ",}"
      ++i_;
      return;
    }
    Emit(',', i_++);
    last_ = Last::kComma;
  }

  void Colon() {
    if (InArray() && last_ == Last::kString) {  // whatsminer 2.0.4 ["329":"..."]
      Frame& frame = stack_.back();
      out_.text[frame.open_at] = '{';
      frame.is_object = true;
      frame.converted = true;
      Note(ReplyQuirk::kErrorCodeList);
    }
    Emit(':', i_++);
    last_ = Last::kColon;
  }

  // A number, a literal, or garbage: copied as is unless it is inf/nan.
  void Bare() {
    const std::size_t start = i_;
    while (i_ < in_.size() && !IsDelimiter(in_[i_])) ++i_;
    if (IsInfOrNan(in_.substr(start, i_ - start))) {
      Emit("null", start);
      Note(ReplyQuirk::kBareInfNan);
    } else {
      for (std::size_t k = start; k < i_; ++k) Emit(in_[k], k);
    }
    last_ = Last::kValue;
  }

  std::string_view in_;
  std::size_t i_ = 0;
  RepairedText out_;
  std::vector<Frame> stack_;
  Last last_ = Last::kNone;
};

}  // namespace

RepairedText RepairReply(std::string_view bytes) { return Repairer(bytes).Run(); }

}  // namespace mullet::cgminer::internal

namespace mullet::cgminer {
namespace {

using nlohmann::json;

std::string Hex(unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  return {'\\', 'x', kHex[c >> 4], kHex[c & 0xf]};
}

// Printable ASCII as is, any other byte as \xNN: messages stay valid UTF-8
// whatever the peer sent.
std::string Printable(std::string_view bytes) {
  std::string out;
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out += c >= 0x20 && c < 0x7f ? std::string(1, ch) : Hex(c);
  }
  return out;
}

// Up to 16 bytes either side of `offset`.
std::string Excerpt(std::string_view bytes, std::size_t offset) {
  constexpr std::size_t kSide = 16;
  const std::size_t from = offset > kSide ? offset - kSide : 0;
  const std::size_t to = std::min(bytes.size(), offset + kSide);
  return (from > 0 ? "..." : "") + Printable(bytes.substr(from, to - from)) +
         (to < bytes.size() ? "..." : "");
}

// The text without the NULs (and spaces around them) that api.c send_result()
// puts after every reply; notes kTrailingNul when there were any.
std::string_view StripTrailingNul(std::string_view bytes, std::vector<ReplyQuirk>& quirks) {
  std::size_t end = bytes.size();
  bool nul = false;
  while (end > 0 && (bytes[end - 1] == '\0' || bytes[end - 1] == ' ' || bytes[end - 1] == '\n' ||
                     bytes[end - 1] == '\r' || bytes[end - 1] == '\t')) {
    nul = nul || bytes[end - 1] == '\0';
    --end;
  }
  if (!nul) return bytes;
  quirks.push_back(ReplyQuirk::kTrailingNul);
  return bytes.substr(0, end);
}

// Refuses nesting deeper than kMaxReplyDepth before any parser recurses into it.
Status CheckDepth(std::string_view text) {
  Status s = CheckJsonDepth(text, kMaxReplyDepth);
  return s.ok() ? s : Status::DataError("reply " + s.message());
}

std::optional<json> TryParse(std::string_view text) {
  try {
    json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (!j.is_discarded()) return j;
  } catch (const std::exception&) {  // allocation failure; parse errors do not throw here
  }
  return std::nullopt;
}

// Where and why nlohmann's parser stops, through its SAX interface, which hands
// over the position of every error (json::parse with exceptions gives it only
// for some).
class ErrorLocator : public json::json_sax_t {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t chars_read, const std::string&,
                   const nlohmann::detail::exception& e) override {
    failed = true;
    position = chars_read;
    reason = e.what();
    return false;
  }

  bool failed = false;
  std::size_t position = 0;  // characters read when it failed: one past the culprit
  std::string reason;
};

// "[json.exception.parse_error.101] parse error at line 1, column 7: syntax
// error ..." -> "syntax error ..." (line and column count the repaired text).
std::string Reason(std::string what) {
  if (const std::size_t p = what.find("] "); p != std::string::npos) what.erase(0, p + 2);
  if (what.rfind("parse error at", 0) == 0) {
    if (const std::size_t p = what.find(": "); p != std::string::npos) what.erase(0, p + 2);
  }
  return Printable(what);
}

Status ParseFailure(std::string_view bytes, const internal::RepairedText& repaired) {
  const std::string_view text = repaired.text;
  // nlohmann reads a NUL as the end of the input; the only raw NULs left
  // after the repairs are outside strings.
  const std::size_t nul = text.find('\0');
  const std::string_view parsed = text.substr(0, nul);
  ErrorLocator locator;
  try {
    json::sax_parse(parsed.begin(), parsed.end(), &locator);
  } catch (const std::exception& e) {  // allocation failure
    return Status::DataError(std::string("reply could not be parsed: ") + e.what());
  }
  std::size_t at = 0;
  std::string reason;
  if (locator.failed && locator.position >= 1 && locator.position <= parsed.size()) {
    at = repaired.origin[locator.position - 1];
    reason = Reason(locator.reason);
  } else if (nul != std::string_view::npos) {
    at = repaired.origin[nul];
    reason = "a NUL byte inside the reply";
  } else if (text.empty()) {
    return Status::DataError("truncated reply: no JSON in its " + std::to_string(bytes.size()) +
                             " bytes");
  } else {
    return Status::DataError("truncated reply: the JSON is unfinished at byte " +
                             std::to_string(bytes.size()) + " (ends '" +
                             Excerpt(bytes, bytes.size()) + "')");
  }
  return Status::DataError("invalid JSON at byte " + std::to_string(at) + " near '" +
                           Excerpt(bytes, at) + "': " + reason);
}

}  // namespace

std::string_view QuirkName(ReplyQuirk quirk) {
  switch (quirk) {
    case ReplyQuirk::kTrailingNul:
      return "trailing_nul";
    case ReplyQuirk::kTrailingCommaBeforeBrace:
      return "trailing_comma_before_brace";
    case ReplyQuirk::kEmbeddedNewline:
      return "embedded_newline";
    case ReplyQuirk::kMissingCommaBetweenObjects:
      return "missing_comma_between_objects";
    case ReplyQuirk::kLeadingCommaInArray:
      return "leading_comma_in_array";
    case ReplyQuirk::kMissingCommaBeforeKey:
      return "missing_comma_before_key";
    case ReplyQuirk::kBareInfNan:
      return "bare_inf_nan";
    case ReplyQuirk::kLeadingIdFragment:
      return "leading_id_fragment";
    case ReplyQuirk::kErrorCodeList:
      return "error_code_list";
    case ReplyQuirk::kBareStatusWord:
      return "bare_status_word";
  }
  return "unknown";
}

Result<ParsedReply> ParseReply(std::string_view bytes) {
  if (bytes.size() > kMaxReplyBytes) {
    return Status::DataError("reply of " + std::to_string(bytes.size()) +
                             " bytes is over the limit of " + std::to_string(kMaxReplyBytes));
  }
  ParsedReply parsed;
  const std::string_view body = StripTrailingNul(bytes, parsed.quirks);
  if (Status depth = CheckDepth(body); !depth.ok()) return depth;
  if (body.find('\0') == std::string_view::npos) {
    if (std::optional<json> strict = TryParse(body)) {
      parsed.json = std::move(*strict);
      return parsed;
    }
  }
  internal::RepairedText repaired = internal::RepairReply(body);
  if (repaired.text.find('\0') == std::string::npos) {
    if (std::optional<json> fixed = TryParse(repaired.text)) {
      parsed.json = std::move(*fixed);
      parsed.quirks.insert(parsed.quirks.end(), repaired.quirks.begin(), repaired.quirks.end());
      return parsed;
    }
  }
  return ParseFailure(bytes, repaired);
}

}  // namespace mullet::cgminer
