#include "data/csv_reader.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <system_error>

namespace mullet {
namespace {

std::string Quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string Joined(std::span<const std::string_view> columns) {
  std::string out;
  for (std::string_view c : columns) {
    if (!out.empty()) out += ',';
    out += c;
  }
  return out;
}

bool Contains(std::span<const std::string_view> columns, std::string_view c) {
  return std::find(columns.begin(), columns.end(), c) != columns.end();
}

bool Contains(const std::vector<std::string>& columns, std::string_view c) {
  return std::find(columns.begin(), columns.end(), c) != columns.end();
}

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

Result<double> ParseNumber(std::string_view text) {
  double v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v, std::chars_format::general);
  if (ec == std::errc::result_out_of_range) {
    return Status::InvalidArgument("number out of range, got " + Quoted(text));
  }
  if (text.empty() || ec != std::errc() || ptr != end) {
    return Status::InvalidArgument("expected a number, got " + Quoted(text));
  }
  if (!std::isfinite(v)) {
    return Status::InvalidArgument("expected a finite number, got " + Quoted(text));
  }
  return v;
}

Result<std::int64_t> ParseInteger(std::string_view text) {
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec == std::errc::result_out_of_range) {
    return Status::InvalidArgument("integer out of range, got " + Quoted(text));
  }
  if (text.empty() || ec != std::errc() || ptr != end) {
    return Status::InvalidArgument("expected an integer, got " + Quoted(text));
  }
  return v;
}

Result<CsvReader> CsvReader::Open(const std::filesystem::path& file) {
  std::error_code ec;
  const std::filesystem::file_status st = std::filesystem::status(file, ec);
  if (!std::filesystem::exists(st)) {
    return Status::NotFound("cannot open " + file.string() + ": no such file");
  }
  if (std::filesystem::is_directory(st)) {
    return Status::IoError("cannot read " + file.string() + ": it is a directory");
  }
  // One read into a string of the file's size: no stream buffer copied.
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IoError("cannot open " + file.string() + " for reading");
  std::string text(static_cast<std::size_t>(std::filesystem::file_size(file, ec)), '\0');
  if (ec) return Status::IoError("cannot read " + file.string() + ": " + ec.message());
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) return Status::IoError("error while reading " + file.string());
  return FromText(file.filename().string(), std::move(text));
}

Result<CsvReader> CsvReader::FromText(std::string name, std::string text) {
  CsvReader reader(std::move(name), std::move(text));
  Status s = reader.ReadHeader();
  if (!s.ok()) return s;
  return reader;
}

Status CsvReader::ReadHeader() {
  if (text_.empty()) return HeaderError("empty file (expected a header row)");
  if (text_.starts_with("\xEF\xBB\xBF")) {
    return HeaderError("the file starts with a UTF-8 byte order mark; save it without one");
  }
  std::size_t end = text_.find('\n');
  body_ = end == std::string::npos ? text_.size() : end + 1;
  if (end == std::string::npos) end = text_.size();
  if (end > 0 && text_[end - 1] == '\r') --end;
  const std::string_view line = std::string_view(text_).substr(0, end);
  if (line.empty()) return HeaderError("empty header row");
  std::size_t begin = 0;
  while (true) {
    const std::size_t comma = std::min(line.find(',', begin), line.size());
    const std::string_view column = line.substr(begin, comma - begin);
    if (column.empty()) {
      return HeaderError("column " + std::to_string(header_.size() + 1) + " has an empty name");
    }
    if (column.find_first_of("\"\r") != std::string_view::npos) {
      return HeaderError("column " + std::to_string(header_.size() + 1) + " " + Quoted(column) +
                         ": quotes and carriage returns are not allowed");
    }
    header_.emplace_back(column);
    if (comma == line.size()) break;
    begin = comma + 1;
  }
  return Status::Ok();
}

Status CsvReader::ExpectHeader(std::span<const std::string_view> columns) const {
  const std::string expected = " (expected header: " + Joined(columns) + ")";
  const std::size_t common = std::min(columns.size(), header_.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (header_[i] == columns[i]) continue;
    const std::string position = "column " + std::to_string(i + 1);
    if (!Contains(header_, columns[i])) {
      return HeaderError("missing column " + Quoted(columns[i]) + " (" + position + " is " +
                         Quoted(header_[i]) + ")" + expected);
    }
    if (!Contains(columns, header_[i])) {
      return HeaderError("unexpected column " + Quoted(header_[i]) + " in " + position + expected);
    }
    return HeaderError(position + " is " + Quoted(header_[i]) + " but should be " +
                       Quoted(columns[i]) + expected);
  }
  if (header_.size() < columns.size()) {
    return HeaderError("missing column " + Quoted(columns[header_.size()]) + expected);
  }
  if (header_.size() > columns.size()) {
    return HeaderError("unexpected column " + Quoted(header_[columns.size()]) + " in column " +
                       std::to_string(columns.size() + 1) + expected);
  }
  return Status::Ok();
}

Status CsvReader::HeaderError(std::string_view what) const {
  return Status::DataError(name_ + ":1: " + std::string(what));
}

Status CsvReader::ForEachRow(const std::function<Status(const CsvReader&)>& fn) {
  std::size_t pos = body_;
  line_ = 1;
  int rows = 0;
  while (pos < text_.size()) {
    ++line_;
    const std::size_t newline = text_.find('\n', pos);
    std::size_t end = newline == std::string::npos ? text_.size() : newline;
    const std::size_t next = newline == std::string::npos ? text_.size() : newline + 1;
    if (end > pos && text_[end - 1] == '\r') --end;
    if (end == pos) return RowError("empty line");
    Status s = SplitRow(pos, end);
    if (!s.ok()) return s;
    s = fn(*this);
    if (!s.ok()) return s;
    ++rows;
    pos = next;
  }
  if (rows == 0) {
    line_ = 2;
    return RowError("no data rows (the file has only a header)");
  }
  return Status::Ok();
}

std::size_t CsvReader::LinesAfterHeader() const {
  if (body_ >= text_.size()) return 0;
  const std::size_t newlines =
      static_cast<std::size_t>(std::count(text_.begin() + static_cast<std::ptrdiff_t>(body_), text_.end(), '\n'));
  return newlines + (text_.back() == '\n' ? 0 : 1);
}

Status CsvReader::SplitRow(std::size_t begin, std::size_t end) {
  fields_.clear();
  const std::string_view line = std::string_view(text_).substr(begin, end - begin);
  if (line.find('\r') != std::string_view::npos) {
    return RowError("stray carriage return inside the line");
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = std::min(line.find(',', start), line.size());
    fields_.emplace_back(begin + start, comma - start);
    if (comma == line.size()) break;
    start = comma + 1;
  }
  if (fields_.size() != header_.size()) {
    const std::string counts = "the row has " + std::to_string(fields_.size()) + " fields, the header " +
                               std::to_string(header_.size());
    if (fields_.size() < header_.size()) return FieldError(fields_.size(), "missing field (" + counts + ")");
    return RowError("too many fields (" + counts + ")");
  }
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (Field(i).find('"') != std::string_view::npos) {
      return FieldError(i, "quoted fields are not supported, got " + Quoted(Field(i)));
    }
  }
  return Status::Ok();
}

std::string_view CsvReader::Field(std::size_t column) const {
  assert(column < fields_.size());
  return std::string_view(text_).substr(fields_[column].first, fields_[column].second);
}

Status CsvReader::FieldError(std::size_t column, std::string_view what) const {
  assert(column < header_.size());
  return Status::DataError(name_ + ":" + std::to_string(line_) + ": " + header_[column] + ": " +
                           std::string(what));
}

Status CsvReader::RowError(std::string_view what) const {
  return Status::DataError(name_ + ":" + std::to_string(line_) + ": " + std::string(what));
}

Result<double> CsvReader::Number(std::size_t column) const {
  Result<double> v = ParseNumber(Field(column));
  if (!v.ok()) return FieldError(column, v.status().message());
  return v;
}

Result<double> CsvReader::Positive(std::size_t column) const {
  Result<double> v = Number(column);
  if (v.ok() && !(*v > 0)) return FieldError(column, "must be > 0, got " + Quoted(Field(column)));
  return v;
}

Result<double> CsvReader::NonNegative(std::size_t column) const {
  Result<double> v = Number(column);
  if (v.ok() && !(*v >= 0)) {
    return FieldError(column, "must be >= 0, got " + Quoted(Field(column)));
  }
  return v;
}

Result<std::int64_t> CsvReader::Integer(std::size_t column) const {
  Result<std::int64_t> v = ParseInteger(Field(column));
  if (!v.ok()) return FieldError(column, v.status().message());
  return v;
}

Result<std::int64_t> CsvReader::IntegerIn(std::size_t column, std::int64_t min,
                                          std::int64_t max) const {
  Result<std::int64_t> v = Integer(column);
  if (v.ok() && (*v < min || *v > max)) {
    return FieldError(column, "must be between " + std::to_string(min) + " and " +
                                  std::to_string(max) + ", got " + Quoted(Field(column)));
  }
  return v;
}

Result<Date> CsvReader::Day(std::size_t column) const {
  Result<Date> v = ParseDate(Field(column));
  if (!v.ok()) return FieldError(column, v.status().message());
  return v;
}

Result<UtcTime> CsvReader::Timestamp(std::size_t column) const {
  Result<UtcTime> v = ParseUtcTimestamp(Field(column));
  if (!v.ok()) return FieldError(column, v.status().message());
  return v;
}

Result<std::uint32_t> CsvReader::Hex32(std::size_t column) const {
  const std::string_view text = Field(column);
  const bool shape = text.size() == 10 && text.starts_with("0x") &&
                     std::all_of(text.begin() + 2, text.end(), IsHexDigit);
  std::uint32_t v = 0;
  if (!shape ||
      std::from_chars(text.data() + 2, text.data() + text.size(), v, 16).ec != std::errc()) {
    return FieldError(column, "expected 0x and 8 hex digits, got " + Quoted(text));
  }
  return v;
}

Result<std::string> CsvReader::Text(std::size_t column) const {
  if (Field(column).empty()) return FieldError(column, "must not be empty");
  return std::string(Field(column));
}

}  // namespace mullet
