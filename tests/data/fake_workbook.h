// Fake ERCOT workbooks for tests: the published layout (NP4-180-ER), written
// with libzip, so the importer is tested without a network.

#ifndef MULLET_TESTS_DATA_FAKE_WORKBOOK_H_
#define MULLET_TESTS_DATA_FAKE_WORKBOOK_H_

#include <gtest/gtest.h>
#include <zip.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "data/xlsx.h"

namespace mullet {

// A workbook in ERCOT's layout. Each sheet: name and rows of cells; a cell
// "=n:1.5" is written as a number, "=i:..." as an inline string, anything
// else as a shared string.
class FakeWorkbook {
 public:
  void Sheet(std::string name, std::vector<std::vector<std::string>> rows) {
    sheets_.push_back({std::move(name), std::move(rows)});
  }

  void Write(const std::filesystem::path& path) {
    std::vector<std::string> shared;
    std::map<std::string, int> index;
    std::vector<std::pair<std::string, std::string>> parts;
    std::string wb = R"(<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>)";
    std::string rels = R"(<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)";
    for (std::size_t s = 0; s < sheets_.size(); ++s) {
      const std::string id = "rId" + std::to_string(s + 1);
      wb += "<sheet name=\"" + sheets_[s].first + "\" sheetId=\"" + std::to_string(s + 1) + "\" r:id=\"" + id + "\"/>";
      rels += "<Relationship Id=\"" + id + "\" Target=\"worksheets/sheet" + std::to_string(s + 1) + ".xml\" Type=\"x\"/>";
      std::string xml = R"(<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)";
      for (std::size_t r = 0; r < sheets_[s].second.size(); ++r) {
        xml += "<row r=\"" + std::to_string(r + 1) + "\">";
        const auto& row = sheets_[s].second[r];
        for (std::size_t c = 0; c < row.size(); ++c) {
          const std::string ref = CellName(static_cast<int>(r + 1), static_cast<int>(c + 1));
          const std::string& v = row[c];
          if (v.rfind("=n:", 0) == 0) {
            xml += "<c r=\"" + ref + "\"><v>" + v.substr(3) + "</v></c>";
          } else if (v.rfind("=i:", 0) == 0) {
            xml += "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t>" + v.substr(3) + "</t></is></c>";
          } else {
            auto [it, added] = index.emplace(v, static_cast<int>(shared.size()));
            if (added) shared.push_back(v);
            xml += "<c r=\"" + ref + "\" t=\"s\"><v>" + std::to_string(it->second) + "</v></c>";
          }
        }
        xml += "</row>";
      }
      xml += "</sheetData></worksheet>";
      parts.emplace_back("xl/worksheets/sheet" + std::to_string(s + 1) + ".xml", xml);
    }
    wb += "</sheets></workbook>";
    rels += "</Relationships>";
    std::string sst = R"(<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)";
    for (const std::string& t : shared) sst += "<si><t>" + t + "</t></si>";
    sst += "</sst>";
    parts.emplace_back("xl/workbook.xml", wb);
    parts.emplace_back("xl/_rels/workbook.xml.rels", rels);
    parts.emplace_back("xl/sharedStrings.xml", sst);
    int err = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    ASSERT_NE(z, nullptr);
    for (const auto& [name, bytes] : parts) {
      zip_source_t* src = zip_source_buffer(z, bytes.data(), bytes.size(), 0);
      ASSERT_GE(zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE), 0);
    }
    ASSERT_EQ(zip_close(z), 0);  // reads the buffers: `parts` is still alive
  }

 private:
  std::vector<std::pair<std::string, std::vector<std::vector<std::string>>>> sheets_;
};

inline std::vector<std::string> Header() {
  return {"Delivery Date", "Hour Ending", "Repeated Hour Flag", "Settlement Point", "Settlement Point Price"};
}

// The autumn day: 25 rows a point; HB_WEST at 10 + the row, LZ_WEST at 100 +.
inline std::vector<std::vector<std::string>> AutumnDay(bool serial_dates) {
  std::vector<std::vector<std::string>> rows{{"=i:Day-ahead settlement point prices"}, Header()};
  int k = 0;
  for (int he = 1; he <= 24; ++he) {
    for (int rep = 0; rep < (he == 2 ? 2 : 1); ++rep, ++k) {
      const std::string date = serial_dates ? "=n:45599" : "11/03/2024";
      const std::string hour = (he < 10 ? "0" : "") + std::to_string(he) + ":00";
      rows.push_back({date, hour, rep ? "Y" : "N", "HB_WEST", "=n:" + std::to_string(10 + k)});
      rows.push_back({date, hour, rep ? "Y" : "N", "LZ_WEST", "=n:" + std::to_string(100 + k)});
    }
  }
  return rows;
}

}  // namespace mullet

#endif  // MULLET_TESTS_DATA_FAKE_WORKBOOK_H_
