// ERCOT's day-ahead workbooks (NP4-180-ER) into the hourly CSV: the time
// conversion checked by hand, and whole imports of fake workbooks built here in
// the published layout (one sheet a month; shared and inline strings, numbers,
// a date as text or as an Excel serial), since no network is reachable.

#include "data/ercot_import.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "data/fake_workbook.h"
#include "data/xlsx.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;

UtcTime T(const char* text) { return *ParseUtcTimestamp(text); }
Date D(const char* text) { return *ParseDate(text); }

std::string Utc(Date day, int he, bool repeated = false) {
  Result<UtcTime> t = CentralHourEndingToUtc(day, he, repeated);
  return t.ok() ? FormatUtc(*t) : "error: " + t.status().message();
}

// CPT is UTC-6 (CST) or UTC-5 (CDT); an hour ending h starts at h - 1 local.
TEST(CentralTimeTest, HourEndingToUtcAcrossBothClockChanges) {
  EXPECT_EQ(Utc(D("2024-01-15"), 1), "2024-01-15T06:00:00Z");
  EXPECT_EQ(Utc(D("2024-07-01"), 1), "2024-07-01T05:00:00Z");
  EXPECT_EQ(Utc(D("2024-07-01"), 24), "2024-07-02T04:00:00Z");
  // 2024-03-10, second Sunday of March: 02:00 CST becomes 03:00 CDT.
  EXPECT_EQ(Utc(D("2024-03-10"), 1), "2024-03-10T06:00:00Z");
  EXPECT_EQ(Utc(D("2024-03-10"), 2), "2024-03-10T07:00:00Z");
  EXPECT_EQ(Utc(D("2024-03-10"), 3), "error: 2024-03-10 has no hour ending 03:00 (clocks go forward)");
  EXPECT_EQ(Utc(D("2024-03-10"), 4), "2024-03-10T08:00:00Z");
  // 2024-11-03, first Sunday of November: 01:00-02:00 twice.
  EXPECT_EQ(Utc(D("2024-11-03"), 1), "2024-11-03T05:00:00Z");
  EXPECT_EQ(Utc(D("2024-11-03"), 2), "2024-11-03T06:00:00Z");
  EXPECT_EQ(Utc(D("2024-11-03"), 2, true), "2024-11-03T07:00:00Z");
  EXPECT_EQ(Utc(D("2024-11-03"), 3), "2024-11-03T08:00:00Z");
  EXPECT_EQ(Utc(D("2024-11-03"), 24), "2024-11-04T05:00:00Z");
  EXPECT_EQ(Utc(D("2024-11-04"), 1), "2024-11-04T06:00:00Z");
  EXPECT_NE(Utc(D("2024-11-04"), 2, true).find("only hour ending 02:00 of 2024-11-03 repeats"), std::string::npos);
  // 2025: March 9 and November 2.
  EXPECT_EQ(Utc(D("2025-03-09"), 4), "2025-03-09T08:00:00Z");
  EXPECT_EQ(Utc(D("2025-11-02"), 2, true), "2025-11-02T07:00:00Z");
}

class ErcotImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mullet_ercot_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ErcotImportTest, TheAutumnDayIs25ConsecutiveUtcHours) {
  FakeWorkbook wb;
  wb.Sheet("Notes", {{"=i:Report NP4-180-ER"}});
  wb.Sheet("Nov", AutumnDay(false));
  wb.Write(dir_ / "DAMLZHBSPP_2024.xlsx");
  Result<HourlyPrices> r = ReadErcotWorkbooks({dir_ / "DAMLZHBSPP_2024.xlsx"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->points, (std::vector<std::string>{"hb_west", "lz_west"}));
  ASSERT_EQ(r->hours.size(), 25u);
  for (std::size_t i = 0; i < r->hours.size(); ++i) {
    EXPECT_EQ(r->hours[i], T("2024-11-03T05:00:00Z") + std::chrono::hours(i)) << i;
    EXPECT_EQ(r->prices[0][i].value(), 10.0 + static_cast<double>(i)) << i;
    EXPECT_EQ(r->prices[1][i].value(), 100.0 + static_cast<double>(i)) << i;
  }
  // Dates stored as Excel serials read the same.
  FakeWorkbook serial;
  serial.Sheet("Nov", AutumnDay(true));
  serial.Write(dir_ / "serial.xlsx");
  Result<HourlyPrices> s = ReadErcotWorkbooks({dir_ / "serial.xlsx"});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->hours, r->hours);
}

TEST_F(ErcotImportTest, AppendsWithoutDuplicatesAndKeepsTheFilesColumns) {
  FakeWorkbook wb;
  wb.Sheet("Nov", AutumnDay(false));
  wb.Write(dir_ / "DAM.xlsx");
  const HourlyPrices imported = *ReadErcotWorkbooks({dir_ / "DAM.xlsx"});

  // An existing file with hb_west only, ending at the day's third hour.
  const fs::path csv = dir_ / "prices.csv";
  std::ofstream(csv) << "timestamp_utc,hb_west_usd_per_mwh\n"
                        "2024-11-03T04:00:00Z,9.5\n2024-11-03T05:00:00Z,10\n2024-11-03T06:00:00Z,11\n"
                        "2024-11-03T07:00:00Z,99\n";
  Result<MergeResult> m = MergeHourlyPrices(csv, imported);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->added, 22);
  EXPECT_EQ(m->already, 3);
  EXPECT_EQ(m->differing, 1);  // 07:00Z: 99 in the file, 12 in the workbook; the file's is kept
  EXPECT_EQ(m->ignored_points, std::vector<std::string>{"lz_west"});
  EXPECT_EQ(FormatUtc(*m->first_added), "2024-11-03T08:00:00Z");
  EXPECT_EQ(FormatUtc(*m->last_added), "2024-11-04T05:00:00Z");
  const HourlyPrices after = *LoadHourlyPrices(csv);
  ASSERT_EQ(after.hours.size(), 26u);
  EXPECT_EQ(after.prices[0][0].value(), 9.5);
  EXPECT_EQ(after.prices[0][3].value(), 99);
  EXPECT_EQ(after.prices[0][4].value(), 13);

  // Again: nothing added, the file untouched.
  const auto before = fs::last_write_time(csv);
  Result<MergeResult> again = MergeHourlyPrices(csv, imported);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->added, 0);
  EXPECT_EQ(again->already, 25);
  EXPECT_EQ(fs::last_write_time(csv), before);

  // A new file takes every point.
  Result<MergeResult> fresh = MergeHourlyPrices(dir_ / "new.csv", imported);
  ASSERT_TRUE(fresh.ok()) << fresh.status().message();
  EXPECT_EQ(fresh->added, 25);
  const HourlyPrices both = *LoadHourlyPrices(dir_ / "new.csv");
  EXPECT_EQ(both.points, (std::vector<std::string>{"hb_west", "lz_west"}));
  EXPECT_EQ(both.prices[1][24].value(), 124);
}

TEST_F(ErcotImportTest, AFileWithAColumnTheImportLacksIsLeftAlone) {
  FakeWorkbook wb;
  wb.Sheet("Nov", AutumnDay(false));
  wb.Write(dir_ / "DAM.xlsx");
  const fs::path csv = dir_ / "prices.csv";
  const std::string text = "timestamp_utc,hb_north_usd_per_mwh\n2024-11-01T00:00:00Z,20\n";
  std::ofstream(csv) << text;
  Result<MergeResult> m = MergeHourlyPrices(csv, *ReadErcotWorkbooks({dir_ / "DAM.xlsx"}));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("no hb_north prices"), std::string::npos) << m.status().message();
  std::ifstream in(csv);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), text);
  EXPECT_FALSE(fs::exists(dir_ / "prices.csv.tmp"));
}

TEST_F(ErcotImportTest, ErrorsNameTheFileSheetCellAndColumn) {
  auto rows = AutumnDay(false);
  rows[6][4] = "x";  // row 7 of the sheet, column E
  FakeWorkbook bad;
  bad.Sheet("Nov", rows);
  bad.Write(dir_ / "bad.xlsx");
  Result<HourlyPrices> r = ReadErcotWorkbooks({dir_ / "bad.xlsx"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "bad.xlsx: sheet 'Nov': E7: settlement point price: expected a number, got 'x'");

  rows = AutumnDay(false);
  rows[2][1] = "03:00";  // two hours ending 03:00 on the autumn day for HB_WEST
  FakeWorkbook twice;
  twice.Sheet("Nov", rows);
  twice.Write(dir_ / "twice.xlsx");
  r = ReadErcotWorkbooks({dir_ / "twice.xlsx"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("HB_WEST is given twice for the hour starting 2024-11-03T08:00:00Z"),
            std::string::npos)
      << r.status().message();

  std::ofstream(dir_ / "not.xlsx") << "timestamp_utc,hb_west_usd_per_mwh\n";
  r = ReadErcotWorkbooks({dir_ / "not.xlsx"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not.xlsx: not an .xlsx workbook"), std::string::npos) << r.status().message();

  FakeWorkbook notes;
  notes.Sheet("Notes", {{"=i:nothing here"}});
  notes.Write(dir_ / "notes.xlsx");
  r = ReadErcotWorkbooks({dir_ / "notes.xlsx"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no sheet has the columns"), std::string::npos);
  EXPECT_EQ(ReadErcotWorkbooks({dir_ / "missing.xlsx"}).status().code(), StatusCode::kNotFound);
}

// The real-time workbook: four 15-minute prices an hour, averaged. On the
// spring day (23 hours) HB_WEST's interval k of hour ending h is h + k / 10:
// the hour's mean is h + 0.25.
TEST_F(ErcotImportTest, RealTimeIntervalsAverageToTheHour) {
  std::vector<std::vector<std::string>> rows{{"Delivery Date", "Delivery Hour", "Delivery Interval",
                                              "Repeated Hour Flag", "Settlement Point Name", "Settlement Point Type",
                                              "Settlement Point Price"}};
  for (int he = 1; he <= 24; ++he) {
    if (he == 3) continue;  // clocks go forward
    for (int k = 1; k <= 4; ++k) {
      rows.push_back({"03/10/2024", "=n:" + std::to_string(he), "=n:" + std::to_string(k), "N", "HB_WEST", "HU",
                      "=n:" + std::to_string(he) + "." + std::to_string(k)});
    }
  }
  FakeWorkbook wb;
  wb.Sheet("Mar", rows);
  wb.Write(dir_ / "RTMLZHBSPP_2024.xlsx");
  Result<HourlyPrices> r = ReadErcotWorkbooks({dir_ / "RTMLZHBSPP_2024.xlsx"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->hours.size(), 23u);
  EXPECT_EQ(FormatUtc(r->hours.front()), "2024-03-10T06:00:00Z");
  EXPECT_EQ(FormatUtc(r->hours.back()), "2024-03-11T04:00:00Z");
  for (std::size_t i = 1; i < r->hours.size(); ++i) EXPECT_EQ(r->hours[i] - r->hours[i - 1], std::chrono::hours(1));
  EXPECT_NEAR(r->prices[0][0].value(), 1.25, 1e-12);
  EXPECT_NEAR(r->prices[0][2].value(), 4.25, 1e-12);  // hour ending 04:00 follows 02:00

  rows.pop_back();  // the last hour loses an interval
  FakeWorkbook short_hour;
  short_hour.Sheet("Mar", rows);
  short_hour.Write(dir_ / "short.xlsx");
  r = ReadErcotWorkbooks({dir_ / "short.xlsx"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "the workbooks give hb_west 3 of the 4 real-time intervals of the hour starting 2024-03-11T04:00:00Z");
}

TEST_F(ErcotImportTest, RealTimeIntervalsKeptAt15MinutesAreRowsOfTheirOwn) {
  // 2024-11-03, the autumn day: hour ending 02:00 twice (the second flagged Y).
  std::vector<std::vector<std::string>> rows{{"Delivery Date", "Delivery Hour", "Delivery Interval",
                                              "Repeated Hour Flag", "Settlement Point Name", "Settlement Point Type",
                                              "Settlement Point Price"}};
  for (int he = 1; he <= 3; ++he) {
    for (const char* flag : {"N", "Y"}) {
      if (flag[0] == 'Y' && he != 2) continue;
      for (int k = 1; k <= 4; ++k) {
        for (const char* point : {"HB_WEST", "LZ_WEST"}) {
          const double price = 10 * he + k + (flag[0] == 'Y' ? 100 : 0) + (point[0] == 'L' ? 0.5 : 0);
          rows.push_back({"11/03/2024", "=n:" + std::to_string(he), "=n:" + std::to_string(k), flag, point, "HU",
                          "=n:" + std::to_string(price)});
        }
      }
    }
  }
  FakeWorkbook wb;
  wb.Sheet("Nov", rows);
  wb.Write(dir_ / "RTMLZHBSPP_2024.xlsx");
  Result<HourlyPrices> r = ReadErcotWorkbooks({dir_ / "RTMLZHBSPP_2024.xlsx"}, /*keep_intervals=*/true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->interval, std::chrono::minutes(15));
  ASSERT_EQ(r->hours.size(), 16u);  // four hours (02:00 twice) of four intervals
  // Hour ending 01:00 CDT starts 05:00Z; its intervals at :00, :15, :30, :45.
  EXPECT_EQ(FormatUtc(r->hours[0]), "2024-11-03T05:00:00Z");
  EXPECT_EQ(FormatUtc(r->hours[1]), "2024-11-03T05:15:00Z");
  EXPECT_EQ(FormatUtc(r->hours[7]), "2024-11-03T06:45:00Z");
  EXPECT_EQ(FormatUtc(r->hours[8]), "2024-11-03T07:00:00Z");  // the repeated hour, in CST
  EXPECT_EQ(FormatUtc(r->hours[15]), "2024-11-03T08:45:00Z");
  ASSERT_EQ(r->points, (std::vector<std::string>{"hb_west", "lz_west"}));
  EXPECT_DOUBLE_EQ(r->prices[0][1].value(), 12);     // HE 01, interval 2
  EXPECT_DOUBLE_EQ(r->prices[1][1].value(), 12.5);   // the same at LZ_WEST
  EXPECT_DOUBLE_EQ(r->prices[0][9].value(), 122);    // HE 02 repeated, interval 2
  EXPECT_DOUBLE_EQ(r->prices[0][15].value(), 34);    // HE 03, interval 4

  // Into a new file: it loads as a 15-minute file, and an hourly-averaged
  // import of the same workbook gives each hour the mean of its four rows.
  Result<MergeResult> m = MergeHourlyPrices(dir_ / "rtm15.csv", *r);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->added, 16);
  Result<HourlyPrices> loaded = LoadHourlyPrices(dir_ / "rtm15.csv");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->interval, std::chrono::minutes(15));
  EXPECT_EQ(loaded->hours, r->hours);
  Result<HourlyPrices> hourly = ReadErcotWorkbooks({dir_ / "RTMLZHBSPP_2024.xlsx"});
  ASSERT_TRUE(hourly.ok());
  ASSERT_EQ(hourly->hours.size(), 4u);
  for (std::size_t h = 0; h < 4; ++h) {
    double sum = 0;
    for (std::size_t k = 0; k < 4; ++k) sum += loaded->prices[0][4 * h + k].value();
    EXPECT_NEAR(hourly->prices[0][h].value(), sum / 4, 1e-12) << h;
  }
  // 15-minute rows do not go into an hourly file, nor hours into a 15-minute one.
  ASSERT_TRUE(MergeHourlyPrices(dir_ / "hourly.csv", *hourly).ok());
  const std::string before = [&] {
    std::ifstream in(dir_ / "hourly.csv");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  Result<MergeResult> mixed = MergeHourlyPrices(dir_ / "hourly.csv", *r);
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.status().message(),
            "hourly.csv holds a price every hour, the workbooks every 15 minutes: import into a file of their own");
  std::ifstream in(dir_ / "hourly.csv");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), before);
  EXPECT_FALSE(MergeHourlyPrices(dir_ / "rtm15.csv", *hourly).ok());
}

TEST_F(ErcotImportTest, ADayAheadWorkbookHasNo15MinuteIntervalsToKeep) {
  FakeWorkbook wb;
  wb.Sheet("Jan", {{"Delivery Date", "Hour Ending", "Repeated Hour Flag", "Settlement Point", "Settlement Point Price"},
                   {"01/15/2024", "01:00", "N", "HB_WEST", "=n:20"}});
  wb.Write(dir_ / "DAMLZHBSPP_2024.xlsx");
  Result<HourlyPrices> r = ReadErcotWorkbooks({dir_ / "DAMLZHBSPP_2024.xlsx"}, /*keep_intervals=*/true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("a day-ahead workbook has hourly prices only"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace mullet
