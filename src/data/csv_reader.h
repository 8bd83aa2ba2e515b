// A strict reader for the CSV dialect of ../shared/data (README.md there):
// comma separated, exactly one header row, no quoting, `.` as the decimal
// point, LF or CRLF line ends (the shared files use CRLF), an optional UTF-8
// byte order mark (files saved by Excel). Anything else is a
// DataError that names the file, the line and, where there is one, the column:
// "btc_fees_daily.csv:17: fees_btc: expected a number, got 'abc'".
//
// The file name in messages is the last component of the path, as the data
// README names the files; NotFound and IoError messages give the full path.
//
// Thread safety: a CsvReader is a plain value; use one per thread.

#ifndef MULLET_DATA_CSV_READER_H_
#define MULLET_DATA_CSV_READER_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status/result.h"
#include "core/time/calendar.h"

namespace mullet {

// What a CSV file may hold (docs/security.md): beyond these, an error names
// the file and the limit before anything else is read.
inline constexpr std::uint64_t kMaxCsvBytes = std::uint64_t{1} << 30;  // 1 GiB
inline constexpr std::size_t kMaxCsvHeaderBytes = 64 * 1024;
inline constexpr std::size_t kMaxCsvColumns = 1000;

// Text to number, the whole text or nothing (std::from_chars, no spaces, no
// '+'). Fail with InvalidArgument "expected a number, got 'abc'"; NaN and
// infinities are refused ("expected a finite number, got 'inf'").
Result<double> ParseNumber(std::string_view text);
Result<std::int64_t> ParseInteger(std::string_view text);

class CsvReader {
 public:
  // Reads `file` whole and splits its header. NotFound if there is no such
  // file, IoError if it cannot be read, DataError if it is empty or its header
  // is malformed (an empty column name, a quote). A UTF-8 byte order mark
  // (Excel's "CSV UTF-8") is skipped; CRLF line ends are accepted.
  // A regular file is mapped read-only rather than copied: on a virtual
  // machine each fresh page of a copy costs a fault, and the copy cost more
  // than the parse. mullet replaces the files it writes by a rename, never in
  // place; a file truncated by another program while it is being read ends
  // the process (SIGBUS), as it would for any reader that maps files.
  static Result<CsvReader> Open(const std::filesystem::path& file);
  // The same over `text`; `name` stands for the file name in messages.
  static Result<CsvReader> FromText(std::string name, std::string text);

  const std::string& name() const { return name_; }
  const std::vector<std::string>& header() const { return header_; }

  // Ok if the header is exactly `columns`, in that order. Otherwise a
  // DataError at line 1 naming the first missing, unexpected or misplaced
  // column and the expected header.
  Status ExpectHeader(std::span<const std::string_view> columns) const;
  // DataError "<name>:1: <what>", for callers that check the header themselves.
  Status HeaderError(std::string_view what) const;

  // Calls `fn` on each data row in file order, the reader positioned on that
  // row; stops at and returns the first failure, of `fn` or of the row's shape
  // (an empty line, a quote, a stray carriage return, a field count that
  // differs from the header's). A file without data rows is a DataError
  // ("no data rows").
  Status ForEachRow(const std::function<Status(const CsvReader&)>& fn);
  // Whether anything follows the header: for a file whose header alone
  // means "none" (ForEachRow refuses it).
  bool HasRows() const { return body_ < text_.size(); }
  // About the number of data rows, from the file's size and its first row's
  // length, with a quarter more for shorter rows: a capacity to reserve once
  // (reserved and untouched memory costs nothing), not a count.
  std::size_t RowsHint() const;

  // ---- The current row (valid inside ForEachRow's callback). ----
  // 1-based line number in the file (the header is line 1).
  int line() const { return line_; }
  // The raw text of a field. REQUIRES: column < header().size().
  std::string_view Field(std::size_t column) const;

  // Typed fields. Each fails with DataError "<name>:<line>: <column name>: ..."
  // quoting the field's text.
  Result<double> Number(std::size_t column) const;       // finite
  Result<double> Positive(std::size_t column) const;     // finite, > 0
  Result<double> NonNegative(std::size_t column) const;  // finite, >= 0
  Result<std::int64_t> Integer(std::size_t column) const;
  Result<std::int64_t> IntegerIn(std::size_t column, std::int64_t min, std::int64_t max) const;
  Result<Date> Day(std::size_t column) const;             // YYYY-MM-DD
  Result<UtcTime> Timestamp(std::size_t column) const;    // YYYY-MM-DDTHH:MM:SSZ
  Result<std::uint32_t> Hex32(std::size_t column) const;  // "0x" and 8 hex digits
  Result<std::string> Text(std::size_t column) const;     // non-empty

  // DataError "<name>:<line>: <column name>: <what>" on the current row.
  Status FieldError(std::size_t column, std::string_view what) const;
  // DataError "<name>:<line>: <what>" on the current row.
  Status RowError(std::string_view what) const;

 private:
  struct Storage;  // the bytes: a read-only mapping of the file, or a string
  CsvReader(std::string name, std::shared_ptr<const Storage> storage);

  Status ReadHeader();
  // Splits the line starting at `begin` into fields_ and checks its shape;
  // sets *end past its last field (before any CR LF) and *next to the next
  // line's start.
  Status SplitRow(std::size_t begin, std::size_t* end, std::size_t* next);

  std::string name_;
  std::shared_ptr<const Storage> storage_;
  std::string_view text_;  // the whole file, in storage_
  std::vector<std::string> header_;
  std::size_t body_ = 0;  // offset of the first data line in text_
  int line_ = 1;
  // Fields of the current row as (offset, length) in text_: offsets, not
  // string_views, so that moving the reader cannot leave them dangling.
  std::vector<std::pair<std::size_t, std::size_t>> fields_;
};

}  // namespace mullet

#endif  // MULLET_DATA_CSV_READER_H_
