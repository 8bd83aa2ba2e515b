// Text that came from outside (a miner's reply, a peer's error, a file's
// field) on its way to a parser, a terminal, an error message or a CSV file.
// Pure functions: no I/O.

#ifndef MULLET_CORE_TEXT_UNTRUSTED_TEXT_H_
#define MULLET_CORE_TEXT_UNTRUSTED_TEXT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/status/result.h"

namespace mullet {

// The deepest JSON nesting a peer's reply may have. Parsers, copies and
// dumps of JSON recurse once per level; 64 is far above any real reply
// (cgminer's deepest is 3) and far below a stack.
inline constexpr int kMaxJsonDepth = 64;

// DataError "nests deeper than N at byte B" when `text`, read as JSON (strings
// skipped), opens more than `max_depth` arrays or objects at once. Linear,
// no allocation: run it before any parser sees the bytes.
Status CheckJsonDepth(std::string_view text, int max_depth = kMaxJsonDepth);

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// `text` safe to print on a terminal or in one line of an error message:
// control characters (C0, DEL, C1: ESC sequences, CR, LF, backspace) as \n,
// \r, \t or \xNN; bytes that are not UTF-8 as \xNN; at most `max_bytes` of
// input, then "... (N more bytes)". Printable UTF-8 passes unchanged.
std::string Printable(std::string_view text, std::size_t max_bytes = 200);

// `text` for an error message about a field: Printable, between single
// quotes, at most `max_bytes` of it ("'x'", "'\x1b[2J'", "'aaaa... (9 more bytes)'").
std::string Quoted(std::string_view text, std::size_t max_bytes = 80);

// `text` as one RFC 4180 CSV field: quoted when it holds a comma, a quote, CR
// or LF (quotes doubled), and, when it begins with = + - @ TAB or CR (a
// spreadsheet would run it as a formula), prefixed with a single quote.
std::string CsvField(std::string_view text);

// `text` with each %XX decoded, and a '+' as a space where `plus_is_space`
// (a query's values; a path keeps its '+'). None when a '%' is not followed
// by two hex digits.
std::optional<std::string> PercentDecoded(std::string_view text, bool plus_is_space);

// `text` as one segment of a URL's path: every byte but A-Z a-z 0-9 - . _ ~
// as %XX.
std::string PercentEncoded(std::string_view text);

}  // namespace mullet

#endif  // MULLET_CORE_TEXT_UNTRUSTED_TEXT_H_
