#include "data/csv_reader.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/text/untrusted_text.h"

namespace mullet {
namespace {


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

struct CsvReader::Storage {
  std::string owned;
  void* map = nullptr;
  std::size_t map_size = 0;

  Storage() = default;
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage() {
    if (map != nullptr) munmap(map, map_size);
  }
  std::string_view Text() const {
    if (map != nullptr) return {static_cast<const char*>(map), map_size};
    return owned;
  }
};

CsvReader::CsvReader(std::string name, std::shared_ptr<const Storage> storage)
    : name_(std::move(name)), storage_(std::move(storage)), text_(storage_->Text()) {}

namespace {

// Closes a file descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string Errno() { return std::strerror(errno); }

}  // namespace

Result<CsvReader> CsvReader::Open(const std::filesystem::path& file) {
  Fd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return Status::NotFound("cannot open " + file.string() + ": no such file");
    return Status::IoError("cannot open " + file.string() + " for reading: " + Errno());
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return Status::IoError("cannot read " + file.string() + ": " + Errno());
  if (S_ISDIR(st.st_mode)) {
    return Status::IoError("cannot read " + file.string() + ": it is a directory");
  }
  if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > kMaxCsvBytes) {
    return Status::InvalidArgument(file.string() + ": the file is " + std::to_string(st.st_size) +
                                   " bytes; a CSV file may have at most " + std::to_string(kMaxCsvBytes >> 20) +
                                   " MiB");
  }
  auto storage = std::make_shared<Storage>();
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    const auto size = static_cast<std::size_t>(st.st_size);
    void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd.get(), 0);
    if (map == MAP_FAILED) return Status::IoError("cannot read " + file.string() + ": " + Errno());
    storage->map = map;
    storage->map_size = size;
  } else {
    // A pipe, a device, or an empty file: read to the end.
    char block[1 << 16];
    while (true) {
      const ssize_t got = read(fd.get(), block, sizeof block);
      if (got == 0) break;
      if (got < 0) {
        if (errno == EINTR) continue;
        return Status::IoError("error while reading " + file.string() + ": " + Errno());
      }
      storage->owned.append(block, static_cast<std::size_t>(got));
      if (storage->owned.size() > kMaxCsvBytes) {
        return Status::InvalidArgument(file.string() + ": more than " + std::to_string(kMaxCsvBytes >> 20) +
                                       " MiB; a CSV file may have at most that");
      }
    }
  }
  CsvReader reader(file.filename().string(), std::move(storage));
  Status s = reader.ReadHeader();
  if (!s.ok()) return s;
  return reader;
}

Result<CsvReader> CsvReader::FromText(std::string name, std::string text) {
  auto storage = std::make_shared<Storage>();
  storage->owned = std::move(text);
  CsvReader reader(std::move(name), std::move(storage));
  Status s = reader.ReadHeader();
  if (!s.ok()) return s;
  return reader;
}

Status CsvReader::ReadHeader() {
  if (text_.empty()) return HeaderError("empty file (expected a header row)");
  // Excel's "CSV UTF-8" starts with a byte order mark: skip it.
  if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);
  if (text_.empty()) return HeaderError("empty file (expected a header row)");
  std::size_t end = text_.find('\n');
  body_ = end == std::string::npos ? text_.size() : end + 1;
  if (end == std::string::npos) end = text_.size();
  if (end > 0 && text_[end - 1] == '\r') --end;
  const std::string_view line = text_.substr(0, end);
  if (line.empty()) return HeaderError("empty header row");
  if (line.size() > kMaxCsvHeaderBytes) {
    return HeaderError("the header row is " + std::to_string(line.size()) + " bytes long; at most " +
                       std::to_string(kMaxCsvHeaderBytes) + " (is this the header of a CSV file?)");
  }
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
    if (header_.size() == kMaxCsvColumns) {
      return HeaderError("more than " + std::to_string(kMaxCsvColumns) + " columns; at most that");
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
    std::size_t end = 0, next = 0;
    Status s = SplitRow(pos, &end, &next);
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

std::size_t CsvReader::RowsHint() const {
  if (body_ >= text_.size()) return 0;
  // The rows of a data file are of nearly one length: the bytes over the
  // first row's, with room for shorter rows later. Counting the lines would
  // be a whole pass over the file before the parse.
  const std::size_t newline = text_.find('\n', body_);
  const std::size_t first = (newline == std::string_view::npos ? text_.size() : newline + 1) - body_;
  const std::size_t bytes = text_.size() - body_;
  return bytes / first + bytes / first / 4 + 16;
}

Status CsvReader::SplitRow(std::size_t begin, std::size_t* end, std::size_t* next) {
  // One pass over the line's bytes finds its end, its commas, and whether it
  // holds a quote or a carriage return: a memchr for each was most of the
  // cost of reading a file.
  fields_.clear();
  const char* const text = text_.data();
  const std::size_t size = text_.size();
  std::size_t start = begin;
  std::size_t i = begin;
  bool quote = false;
  std::size_t carriage_returns = 0;
  for (; i < size; ++i) {
    const char c = text[i];
    if (c == ',') {
      fields_.emplace_back(start, i - start);
      start = i + 1;
    } else if (c == '\n') {
      break;
    } else if (c == '"') {
      quote = true;
    } else if (c == '\r') {
      ++carriage_returns;
    }
  }
  *next = i < size ? i + 1 : size;
  std::size_t line_end = i;
  // A CRLF line end: the carriage return is not part of the line.
  if (line_end > begin && text[line_end - 1] == '\r') {
    --line_end;
    --carriage_returns;
  }
  *end = line_end;
  if (line_end == begin) return RowError("empty line");
  fields_.emplace_back(start, line_end - start);
  if (carriage_returns > 0) return RowError("stray carriage return inside the line");
  if (fields_.size() != header_.size()) {
    const std::string counts = "the row has " + std::to_string(fields_.size()) + " fields, the header " +
                               std::to_string(header_.size());
    if (fields_.size() < header_.size()) return FieldError(fields_.size(), "missing field (" + counts + ")");
    return RowError("too many fields (" + counts + ")");
  }
  if (quote) {
    for (std::size_t f = 0; f < fields_.size(); ++f) {
      if (Field(f).find('"') != std::string_view::npos) {
        return FieldError(f, "quoted fields are not supported, got " + Quoted(Field(f)));
      }
    }
  }
  return Status::Ok();
}

std::string_view CsvReader::Field(std::size_t column) const {
  assert(column < fields_.size());
  return text_.substr(fields_[column].first, fields_[column].second);
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
