// A reader for the cells of an Office Open XML workbook (.xlsx), as ERCOT
// publishes its price reports (NP4-180-ER: one sheet a month). Only what a
// data import needs: every sheet's name and its cells as text, in order. The
// zip container is read by libzip and the XML by pugixml; shared strings,
// inline strings, numbers and booleans come back as the text Excel stores
// (a date cell is its serial number: ExcelSerialDate converts it).
//
// Thread safety: plain values; no shared state.

#ifndef MULLET_DATA_XLSX_H_
#define MULLET_DATA_XLSX_H_

#include <filesystem>
#include <string>
#include <vector>

#include "core/status/result.h"
#include "core/time/calendar.h"

namespace mullet {

struct XlsxCell {
  int row = 0;     // 1-based, as Excel numbers rows
  int column = 0;  // 1-based: A = 1
  std::string text;
};

struct XlsxSheet {
  std::string name;
  std::vector<XlsxCell> cells;  // in the order stored: by row, then column
};

// "E7" for row 7, column 5.
std::string CellName(int row, int column);

// Every sheet in workbook order. NotFound / IoError for the file, DataError
// naming the file and the part ("xl/worksheets/sheet2.xml") for a container
// or XML that is not a workbook.
Result<std::vector<XlsxSheet>> ReadXlsx(const std::filesystem::path& file);

// An Excel date serial (days since 1899-12-30, the 1900 date system) to a
// date; InvalidArgument outside 1900-03-01 .. 9999-12-31 or not a number.
Result<Date> ExcelSerialDate(std::string_view text);

}  // namespace mullet

#endif  // MULLET_DATA_XLSX_H_
