#include "data/xlsx.h"

#include <zip.h>

#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <pugixml.hpp>

namespace mullet {
namespace {

using ZipPtr = std::unique_ptr<zip_t, decltype(&zip_discard)>;

// The bytes of one part of the container; NotFound (as a DataError of the
// workbook) when it is absent and `required`.
Result<std::string> ReadPart(zip_t* z, const std::string& file, const std::string& part, bool required,
                             bool* found) {
  *found = false;
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(z, part.c_str(), 0, &st) != 0) {
    if (!required) return std::string();
    return Status::DataError(file + ": not a workbook: no " + part);
  }
  std::unique_ptr<zip_file_t, decltype(&zip_fclose)> f(zip_fopen_index(z, st.index, 0), &zip_fclose);
  if (!f) return Status::DataError(file + ": cannot read " + part);
  // A part larger than 256 MiB is not a price report: refuse it rather than
  // allocate what a hostile file claims.
  if (st.size > (std::uint64_t{256} << 20)) return Status::DataError(file + ": " + part + " is too large");
  std::string bytes(static_cast<std::size_t>(st.size), '\0');
  const zip_int64_t got = zip_fread(f.get(), bytes.data(), bytes.size());
  if (got < 0 || static_cast<std::uint64_t>(got) != st.size) return Status::DataError(file + ": cannot read " + part);
  *found = true;
  return bytes;
}

Result<pugi::xml_document> ParseXml(const std::string& file, const std::string& part, const std::string& bytes) {
  pugi::xml_document doc;
  const pugi::xml_parse_result r = doc.load_buffer(bytes.data(), bytes.size());
  if (!r) {
    return Status::DataError(file + ": " + part + ": not XML (" + r.description() + " at byte " +
                             std::to_string(r.offset) + ")");
  }
  return doc;
}

// "E7" -> (7, 5); false if malformed.
bool ParseCellRef(std::string_view ref, int* row, int* column) {
  std::size_t i = 0;
  int c = 0;
  while (i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z') {
    c = c * 26 + (ref[i] - 'A' + 1);
    if (c > 16384) return false;
    ++i;
  }
  if (i == 0 || i == ref.size()) return false;
  int r = 0;
  const auto [ptr, ec] = std::from_chars(ref.data() + i, ref.data() + ref.size(), r);
  if (ec != std::errc() || ptr != ref.data() + ref.size() || r < 1) return false;
  *row = r;
  *column = c;
  return true;
}

// Text of an inline string or shared string item: its <t> runs joined.
std::string ItemText(const pugi::xml_node& si) {
  std::string out;
  for (const pugi::xpath_node& t : si.select_nodes(".//*[local-name()='t']")) out += t.node().text().get();
  return out;
}

}  // namespace

std::string CellName(int row, int column) {
  std::string letters;
  for (int c = column; c > 0; c = (c - 1) / 26) letters.insert(letters.begin(), static_cast<char>('A' + (c - 1) % 26));
  return letters + std::to_string(row);
}

Result<std::vector<XlsxSheet>> ReadXlsx(const std::filesystem::path& path) {
  const std::string file = path.filename().string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::NotFound("cannot open " + path.string() + ": no such file");
  int err = 0;
  ZipPtr z(zip_open(path.c_str(), ZIP_RDONLY, &err), &zip_discard);
  if (!z) {
    zip_error_t e;
    zip_error_init_with_code(&e, err);
    const std::string why = zip_error_strerror(&e);
    zip_error_fini(&e);
    return Status::DataError(file + ": not an .xlsx workbook (" + why + ")");
  }
  bool found = false;
  Result<std::string> wb = ReadPart(z.get(), file, "xl/workbook.xml", true, &found);
  if (!wb.ok()) return wb.status();
  Result<std::string> rels = ReadPart(z.get(), file, "xl/_rels/workbook.xml.rels", true, &found);
  if (!rels.ok()) return rels.status();
  Result<std::string> shared_bytes = ReadPart(z.get(), file, "xl/sharedStrings.xml", false, &found);
  if (!shared_bytes.ok()) return shared_bytes.status();

  std::vector<std::string> shared;
  if (found) {
    Result<pugi::xml_document> doc = ParseXml(file, "xl/sharedStrings.xml", *shared_bytes);
    if (!doc.ok()) return doc.status();
    for (const pugi::xml_node& si : doc->first_child().children()) {
      if (std::string_view(si.name()).ends_with("si")) shared.push_back(ItemText(si));
    }
  }
  Result<pugi::xml_document> rels_doc = ParseXml(file, "xl/_rels/workbook.xml.rels", *rels);
  if (!rels_doc.ok()) return rels_doc.status();
  std::map<std::string, std::string> target;  // relationship id -> part
  for (const pugi::xml_node& r : rels_doc->first_child().children()) {
    std::string t = r.attribute("Target").value();
    if (t.starts_with("/")) {
      t = t.substr(1);
    } else {
      t = "xl/" + t;
    }
    target[r.attribute("Id").value()] = t;
  }
  Result<pugi::xml_document> wb_doc = ParseXml(file, "xl/workbook.xml", *wb);
  if (!wb_doc.ok()) return wb_doc.status();

  std::vector<XlsxSheet> sheets;
  for (const pugi::xpath_node& s : wb_doc->select_nodes("//*[local-name()='sheet']")) {
    XlsxSheet sheet;
    sheet.name = s.node().attribute("name").value();
    std::string rid;
    for (const pugi::xml_attribute& a : s.node().attributes()) {
      if (std::string_view(a.name()).ends_with(":id")) rid = a.value();
    }
    const auto part = target.find(rid);
    if (part == target.end()) return Status::DataError(file + ": sheet '" + sheet.name + "' has no part");
    Result<std::string> bytes = ReadPart(z.get(), file, part->second, true, &found);
    if (!bytes.ok()) return bytes.status();
    Result<pugi::xml_document> doc = ParseXml(file, part->second, *bytes);
    if (!doc.ok()) return doc.status();
    for (const pugi::xpath_node& cn : doc->select_nodes("//*[local-name()='sheetData']/*[local-name()='row']/*[local-name()='c']")) {
      const pugi::xml_node c = cn.node();
      XlsxCell cell;
      if (!ParseCellRef(c.attribute("r").value(), &cell.row, &cell.column)) {
        return Status::DataError(file + ": sheet '" + sheet.name + "': a cell without a valid reference ('" +
                                 std::string(c.attribute("r").value()) + "')");
      }
      const std::string_view type = c.attribute("t").value();
      const pugi::xml_node v = c.child("v");
      if (type == "s") {
        const long k = std::strtol(v.text().get(), nullptr, 10);
        if (k < 0 || static_cast<std::size_t>(k) >= shared.size()) {
          return Status::DataError(file + ": sheet '" + sheet.name + "': " + CellName(cell.row, cell.column) +
                                   ": shared string " + v.text().get() + " does not exist");
        }
        cell.text = shared[static_cast<std::size_t>(k)];
      } else if (type == "inlineStr") {
        cell.text = ItemText(c.child("is"));
      } else {
        cell.text = v.text().get();
      }
      sheet.cells.push_back(std::move(cell));
    }
    sheets.push_back(std::move(sheet));
  }
  if (sheets.empty()) return Status::DataError(file + ": the workbook has no sheets");
  return sheets;
}

Result<Date> ExcelSerialDate(std::string_view text) {
  double v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) {
    return Status::InvalidArgument("expected a date, got '" + std::string(text) + "'");
  }
  // Serial 61 is 1900-03-01 (serial 60 is Excel's 1900-02-29, which never was).
  if (v < 61 || v >= 2958466) {
    return Status::InvalidArgument("date serial '" + std::string(text) + "' is outside 1900-03-01 to 9999-12-31");
  }
  const auto day = static_cast<int>(std::floor(v));
  return Date(std::chrono::sys_days(std::chrono::year{1899} / 12 / 30) + std::chrono::days(day));
}

}  // namespace mullet
