#include "data/csv_reader.h"
#include "data/history.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace mullet {
namespace {

// EXPECT_TRUE(Contains(text, part)) prints both on failure.
::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

CsvReader Reader(std::string text, std::string name = "t.csv") {
  Result<CsvReader> r = CsvReader::FromText(std::move(name), std::move(text));
  EXPECT_TRUE(r.ok()) << r.status().message();
  return std::move(r).value();
}

Status NoOp(const CsvReader&) { return Status::Ok(); }

TEST(ParseNumberTest, AcceptsPlainAndScientificNumbers) {
  EXPECT_EQ(*ParseNumber("1.5"), 1.5);
  EXPECT_EQ(*ParseNumber("-38.53"), -38.53);
  EXPECT_EQ(*ParseNumber("6.173029e+06"), 6.173029e+06);
  EXPECT_EQ(*ParseNumber("3056.645"), 3056.645);
  EXPECT_EQ(*ParseNumber("0"), 0.0);
}

TEST(ParseNumberTest, RejectsAnythingButAWholeFiniteNumber) {
  for (const char* bad : {"", "abc", "1.5x", " 1", "1 ", "1,5", "nan", "inf", "-inf", "1e999"}) {
    const Result<double> v = ParseNumber(bad);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(Contains(v.status().message(), "'" + std::string(bad) + "'"));
  }
  EXPECT_EQ(ParseNumber("abc").status().message(), "expected a number, got 'abc'");
  EXPECT_EQ(ParseNumber("inf").status().message(), "expected a finite number, got 'inf'");
}

TEST(ParseIntegerTest, AcceptsIntegersOnly) {
  EXPECT_EQ(*ParseInteger("876960"), 876960);
  EXPECT_EQ(*ParseInteger("-3"), -3);
  EXPECT_FALSE(ParseInteger("1.5").ok());
  EXPECT_FALSE(ParseInteger("").ok());
  EXPECT_FALSE(ParseInteger("99999999999999999999").ok());
}

TEST(CsvReaderTest, ReadsHeaderAndRowsWithLfOrCrlf) {
  for (const char* text : {"a,b\n1,x\n2,y\n", "a,b\r\n1,x\r\n2,y\r\n", "a,b\n1,x\n2,y"}) {
    CsvReader r = Reader(text);
    EXPECT_EQ(r.header(), (std::vector<std::string>{"a", "b"}));
    std::vector<std::string> seen;
    ASSERT_TRUE(r.ForEachRow([&](const CsvReader& row) {
                   seen.push_back(std::to_string(row.line()) + ":" + std::string(row.Field(0)) +
                                  std::string(row.Field(1)));
                   return Status::Ok();
                 }).ok());
    EXPECT_EQ(seen, (std::vector<std::string>{"2:1x", "3:2y"})) << text;
  }
}

TEST(CsvReaderTest, ExpectHeaderNamesTheMissingOrUnexpectedColumn) {
  const std::vector<std::string_view> want = {"date", "fees_btc", "source"};
  EXPECT_TRUE(Reader("date,fees_btc,source\n").ExpectHeader(want).ok());

  const Status renamed = Reader("date,fee_btc,source\n", "f.csv").ExpectHeader(want);
  EXPECT_EQ(renamed.code(), StatusCode::kDataError);
  EXPECT_TRUE(Contains(renamed.message(), "f.csv:1: missing column 'fees_btc'"));
  EXPECT_TRUE(Contains(renamed.message(), "'fee_btc'"));

  const Status shorter = Reader("date,fees_btc\n", "f.csv").ExpectHeader(want);
  EXPECT_TRUE(Contains(shorter.message(), "f.csv:1: missing column 'source'"));

  const Status longer = Reader("date,fees_btc,source,extra\n", "f.csv").ExpectHeader(want);
  EXPECT_TRUE(Contains(longer.message(), "f.csv:1: unexpected column 'extra' in column 4"));

  const Status swapped = Reader("date,source,fees_btc\n", "f.csv").ExpectHeader(want);
  EXPECT_TRUE(
      Contains(swapped.message(), "f.csv:1: column 2 is 'source' but should be 'fees_btc'"));
}

TEST(CsvReaderTest, RejectsEmptyFileAndMalformedHeader) {
  for (const char* text : {"", "\n", "a,,b\n", "a,\"b\"\n", "\xEF\xBB\xBF", "\xEF\xBB\xBF\r\n"}) {
    const Result<CsvReader> r = CsvReader::FromText("h.csv", text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kDataError);
    EXPECT_TRUE(Contains(r.status().message(), "h.csv:1: "));
  }
}

// What Excel's "CSV UTF-8" writes: a byte order mark, CRLF line ends. The
// mark is not part of the first column's name.
TEST(CsvReaderTest, AcceptsAFileSavedByExcel) {
  CsvReader r = Reader("\xEF\xBB\xBF" "date,value\r\n2024-01-01,1.5\r\n2024-01-02,2.5\r\n", "x.csv");
  EXPECT_EQ(r.header(), (std::vector<std::string>{"date", "value"}));
  double sum = 0;
  ASSERT_TRUE(r.ForEachRow([&](const CsvReader& row) {
                 sum += *row.Number(1);
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(sum, 4.0);
}

TEST(CsvReaderTest, HeaderOnlyHasNoDataRows) {
  for (const char* text : {"a,b\n", "a,b"}) {
    CsvReader r = Reader(text, "h.csv");
    const Status s = r.ForEachRow(NoOp);
    EXPECT_EQ(s.code(), StatusCode::kDataError);
    EXPECT_EQ(s.message(), "h.csv:2: no data rows (the file has only a header)");
  }
}

TEST(CsvReaderTest, RowShapeErrorsNameTheLine) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"a,b,c\n1,2,3\n1,2\n", "r.csv:3: c: missing field (the row has 2 fields, the header 3)"},
      {"a,b\n1,2\n1,2,3\n", "r.csv:3: too many fields (the row has 3 fields, the header 2)"},
      {"a,b\n1,2\n\n3,4\n", "r.csv:3: empty line"},
      {"a,b\n1,2\n3,4\n\n", "r.csv:4: empty line"},
      {"a,b\n1,\"2\"\n", "r.csv:2: b: quoted fields are not supported, got '\"2\"'"},
      {"a,b\n1,2\r3,4\n", "r.csv:2: stray carriage return inside the line"},
  };
  for (const Case& c : cases) {
    CsvReader r = Reader(c.text, "r.csv");
    const Status s = r.ForEachRow(NoOp);
    EXPECT_EQ(s.code(), StatusCode::kDataError) << c.text;
    EXPECT_EQ(s.message(), c.message);
  }
}

TEST(CsvReaderTest, CallbackFailureStopsTheScan) {
  CsvReader r = Reader("a\n1\n2\n3\n", "r.csv");
  int calls = 0;
  const Status s = r.ForEachRow([&](const CsvReader& row) {
    ++calls;
    return row.line() == 3 ? row.FieldError(0, "bad") : Status::Ok();
  });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(s.message(), "r.csv:3: a: bad");
}

// Parses the single data row of `text` with `parse` and returns its status.
template <typename Parse>
Status ParseOne(const std::string& text, Parse parse) {
  CsvReader r = Reader(text, "v.csv");
  return r.ForEachRow([&](const CsvReader& row) {
    auto v = parse(row);
    return v.ok() ? Status::Ok() : v.status();
  });
}

TEST(CsvReaderTest, TypedFieldsReturnValues) {
  CsvReader r = Reader("n,i,d,t,h,s\n-1.25,42,2024-04-20,2024-04-20T00:09:27Z,0x1702905c,x\n");
  ASSERT_TRUE(r.ForEachRow([](const CsvReader& row) {
                 EXPECT_EQ(*row.Number(0), -1.25);
                 EXPECT_EQ(*row.Integer(1), 42);
                 EXPECT_EQ(*row.IntegerIn(1, 0, 100), 42);
                 EXPECT_EQ(FormatDate(*row.Day(2)), "2024-04-20");
                 EXPECT_EQ(FormatUtc(*row.Timestamp(3)), "2024-04-20T00:09:27Z");
                 EXPECT_EQ(*row.Hex32(4), 0x1702905cu);
                 EXPECT_EQ(*row.Text(5), "x");
                 EXPECT_EQ(*row.Positive(1), 42.0);
                 EXPECT_EQ(*row.NonNegative(1), 42.0);
                 return Status::Ok();
               }).ok());
}

TEST(CsvReaderTest, TypedFieldErrorsNameFileLineAndColumn) {
  EXPECT_EQ(ParseOne("a,price\n1,abc\n", [](const CsvReader& r) { return r.Number(1); }).message(),
            "v.csv:2: price: expected a number, got 'abc'");
  EXPECT_EQ(ParseOne("p\n0\n", [](const CsvReader& r) { return r.Positive(0); }).message(),
            "v.csv:2: p: must be > 0, got '0'");
  EXPECT_EQ(ParseOne("p\n-0.5\n", [](const CsvReader& r) { return r.NonNegative(0); }).message(),
            "v.csv:2: p: must be >= 0, got '-0.5'");
  EXPECT_EQ(ParseOne("m\n13\n", [](const CsvReader& r) { return r.IntegerIn(0, 1, 12); }).message(),
            "v.csv:2: m: must be between 1 and 12, got '13'");
  EXPECT_EQ(ParseOne("n\n1.5\n", [](const CsvReader& r) { return r.Integer(0); }).message(),
            "v.csv:2: n: expected an integer, got '1.5'");
  EXPECT_EQ(ParseOne("date\n2023-02-29\n", [](const CsvReader& r) { return r.Day(0); }).message(),
            "v.csv:2: date: expected a date YYYY-MM-DD, got '2023-02-29'");
  EXPECT_TRUE(Contains(
      ParseOne("t\n2024-04-20 00:00:00\n", [](const CsvReader& r) { return r.Timestamp(0); })
          .message(),
      "v.csv:2: t: expected a UTC time"));
  EXPECT_EQ(ParseOne("s\n\n", [](const CsvReader& r) { return r.Text(0); }).message(),
            "v.csv:2: empty line");
  EXPECT_EQ(ParseOne("s,x\n,1\n", [](const CsvReader& r) { return r.Text(0); }).message(),
            "v.csv:2: s: must not be empty");
  for (const char* bits : {"1d00ffff", "0x1d00fff", "0x1d00ffff0", "0x1d00fffg", "0X1d00ffff"}) {
    EXPECT_EQ(ParseOne(std::string("bits_hex\n") + bits + "\n",
                       [](const CsvReader& r) { return r.Hex32(0); })
                  .message(),
              std::string("v.csv:2: bits_hex: expected 0x and 8 hex digits, got '") + bits + "'");
  }
}

TEST(CsvReaderTest, OpenMissingFileIsNotFoundWithThePath) {
  const std::string path = std::string(MULLET_TESTDATA) + "/broken/no_such_file.csv";
  const Result<CsvReader> r = CsvReader::Open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(r.status().message(), path));
}

TEST(CsvReaderTest, OpenNamesTheFileByItsLastComponent) {
  Result<CsvReader> r = CsvReader::Open(std::string(MULLET_TESTDATA) + "/broken/fees_negative.csv");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->name(), "fees_negative.csv");
}

TEST(CsvReaderTest, OpenReadsTheRealCrlfFiles) {
  Result<CsvReader> r =
      CsvReader::Open(std::string(MULLET_SHARED_DATA) + "/gpu_rental_index_ccir_2026-03.csv");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->header().back(), "confidence");  // no '\r' left on the last column
  int rows = 0;
  ASSERT_TRUE(r.value()
                  .ForEachRow([&](const CsvReader& row) {
                    EXPECT_EQ(row.Field(7).find('\r'), std::string_view::npos);
                    ++rows;
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(rows, 30);
}

// Open maps a regular file and reads anything else (a pipe) to its end: the
// same rows either way.
TEST(CsvReaderTest, OpensAPipeAsWellAsAFile) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("mullet_csv_pipe_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path fifo = dir / "rows.csv";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string text = "a,b\r\n";
  for (int i = 0; i < 20000; ++i) text += std::to_string(i) + ",x\r\n";  // more than a pipe holds
  std::thread writer([&] { std::ofstream(fifo, std::ios::binary) << text; });
  Result<CsvReader> r = CsvReader::Open(fifo);
  writer.join();
  ASSERT_TRUE(r.ok()) << r.status().message();
  CsvReader reader = std::move(r).value();
  int rows = 0;
  long sum = 0;
  ASSERT_TRUE(reader.ForEachRow([&](const CsvReader& row) {
                 ++rows;
                 sum += *row.Integer(0);
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(rows, 20000);
  EXPECT_EQ(sum, 19999L * 20000 / 2);
  std::filesystem::remove_all(dir);
}

TEST(CsvReaderTest, OpenNamesAMissingFileAndADirectory) {
  const Result<CsvReader> missing = CsvReader::Open("/nonexistent/dir/x.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "cannot open /nonexistent/dir/x.csv: no such file");
  const Result<CsvReader> dir = CsvReader::Open(std::filesystem::temp_directory_path());
  ASSERT_FALSE(dir.ok());
  EXPECT_TRUE(Contains(dir.status().message(), "it is a directory"));
}

}  // namespace
}  // namespace mullet

namespace mullet {
namespace {

// Finding 5 of the hostile-input probe: a 60,000-column header took seconds
// and aborted (a quadratic duplicate check), and a 200 MB one-line file gave
// a 200 MB error message. Both are refused at a stated limit now, in a short
// message.
TEST(CsvLimitsTest, TooManyColumnsOrAHugeHeaderIsAShortErrorAtTheLimit) {
  std::string wide = "timestamp_utc";
  for (int i = 0; i < 60000; ++i) wide += ",p" + std::to_string(i) + "_usd_per_mwh";
  Result<CsvReader> r = CsvReader::FromText("wide.csv", wide + "\n");
  ASSERT_FALSE(r.ok());
  EXPECT_LT(r.status().message().size(), 200u) << r.status().message().substr(0, 300);
  EXPECT_NE(r.status().message().find("at most 65536"), std::string::npos) << r.status().message();

  std::string many = "a";
  for (int i = 0; i < 1000; ++i) many += ",c" + std::to_string(i);
  r = CsvReader::FromText("many.csv", many + "\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("more than 1000 columns"), std::string::npos) << r.status().message();

  // A price file of 999 distinct points is read (and its duplicate check is a set).
  std::string prices = "timestamp_utc";
  std::string row = "2024-01-01T00:00:00Z";
  for (int i = 0; i < 999; ++i) {
    prices += ",p" + std::to_string(i) + "_usd_per_mwh";
    row += ",1";
  }
  const std::filesystem::path file = std::filesystem::path(::testing::TempDir()) / "wide_prices.csv";
  std::ofstream(file) << prices << "\n" << row << "\n";
  Result<HourlyPrices> p = LoadHourlyPrices(file);
  ASSERT_TRUE(p.ok()) << p.status().message().substr(0, 200);
  EXPECT_EQ(p->points.size(), 999u);
  std::filesystem::remove(file);
}

TEST(CsvLimitsTest, AFieldEchoedInAnErrorIsCutAndEscaped) {
  Result<CsvReader> r =
      CsvReader::FromText("f.csv", "date,value\n2024-01-01," + std::string(100000, '9') + "x\x1b[2J\n");
  ASSERT_TRUE(r.ok());
  Status s = r.value().ForEachRow([](const CsvReader& row) -> Status { return row.Number(1).status(); });
  ASSERT_FALSE(s.ok());
  EXPECT_LT(s.message().size(), 300u) << s.message().substr(0, 400);
  EXPECT_NE(s.message().find("more bytes)"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace mullet
