#include "data/asic_specs.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

#include "core/text/untrusted_text.h"
#include "data/csv_reader.h"
#include "data/file_text.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;

// Release years a miner can have: Bitcoin exists from 2009.
constexpr std::int64_t kFirstYear = 2009;
constexpr std::int64_t kLastYear = 2100;


std::string Num(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 6);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

// ---- YAML ----

constexpr std::string_view kFields[] = {"name",    "brand",        "hashrate_th_s",
                                        "power_w", "release_year", "release_month"};
constexpr std::string_view kRequired[] = {"name", "hashrate_th_s", "power_w"};

// 1-based line of a node (yaml-cpp marks are 0-based), 1 if it has no mark.
int LineOf(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 1 : mark.line + 1;
}

Status YamlError(const std::string& file, int line, std::string_view field, std::string_view what) {
  return Status::DataError(file + ":" + std::to_string(line) + ": " + std::string(field) + ": " +
                           std::string(what));
}

std::string KindOf(const YAML::Node& node) {
  if (node.IsNull()) return "nothing";
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  return Quoted(node.Scalar());
}

// The text of a scalar value; plain messages, the caller adds file:line: field.
Result<std::string> TextValue(const YAML::Node& value) {
  if (!value.IsScalar() || value.Scalar().empty()) {
    return Status::InvalidArgument("expected a non-empty text, got " + KindOf(value));
  }
  const std::string& text = value.Scalar();
  if (!IsValidUtf8(text)) return Status::InvalidArgument("is not UTF-8 text: " + Printable(text, 60));
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7F) return Status::InvalidArgument("holds a control character: " + Printable(text, 60));
  }
  if (text.size() > 200) return Status::InvalidArgument("is " + std::to_string(text.size()) + " bytes long; at most 200");
  return text;
}

Result<double> PositiveValue(const YAML::Node& value) {
  if (!value.IsScalar()) return Status::InvalidArgument("expected a number, got " + KindOf(value));
  Result<double> v = ParseNumber(value.Scalar());
  if (v.ok() && !(*v > 0)) return Status::InvalidArgument("must be > 0, got " + KindOf(value));
  return v;
}

Result<int> IntegerValue(const YAML::Node& value, std::int64_t min, std::int64_t max) {
  if (!value.IsScalar()) {
    return Status::InvalidArgument("expected an integer, got " + KindOf(value));
  }
  Result<std::int64_t> v = ParseInteger(value.Scalar());
  if (!v.ok()) return v.status();
  if (*v < min || *v > max) {
    return Status::InvalidArgument("must be between " + std::to_string(min) + " and " +
                                   std::to_string(max) + ", got " + KindOf(value));
  }
  return static_cast<int>(*v);
}

// Sets the field `key` of `m` from `value`.
Status SetField(std::string_view key, const YAML::Node& value, AsicModel* m) {
  if (key == "name" || key == "brand") {
    Result<std::string> text = TextValue(value);
    if (!text.ok()) return text.status();
    (key == "name" ? m->name : m->brand) = *text;
  } else if (key == "hashrate_th_s" || key == "power_w") {
    Result<double> v = PositiveValue(value);
    if (!v.ok()) return v.status();
    if (key == "power_w") {
      m->power = Watts(*v);
    } else {
      m->hashrate = TerahashPerSecond(*v);
    }
  } else {
    const bool year = key == "release_year";
    Result<int> v = year ? IntegerValue(value, kFirstYear, kLastYear) : IntegerValue(value, 1, 12);
    if (!v.ok()) return v.status();
    (year ? m->release_year : m->release_month) = *v;
  }
  return Status::Ok();
}

std::string ExpectedFields() {
  std::string out = " (expected one of: ";
  for (std::string_view f : kFields) {
    if (f != kFields[0]) out += ", ";
    out += f;
  }
  return out + ")";
}

Result<AsicModel> ParseEntry(const std::string& file, const YAML::Node& entry, std::size_t index) {
  const std::string path = "models[" + std::to_string(index) + "]";
  const int entry_line = LineOf(entry);
  if (!entry.IsMap()) {
    return YamlError(
        file, entry_line, path,
        "expected a mapping with name, hashrate_th_s and power_w, got " + KindOf(entry));
  }
  AsicModel m;
  m.source = file;
  std::vector<std::string> seen;
  for (const auto& kv : entry) {
    const int line = LineOf(kv.first);
    if (!kv.first.IsScalar()) return YamlError(file, line, path, "a field name must be plain text");
    const std::string& key = kv.first.Scalar();
    const std::string field = path + "." + key;
    if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields)) {
      return YamlError(file, line, field, "unknown field" + ExpectedFields());
    }
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      return YamlError(file, line, field, "duplicate field");
    }
    seen.push_back(key);
    Status s = SetField(key, kv.second, &m);
    if (!s.ok()) return YamlError(file, line, field, s.message());
  }
  for (std::string_view required : kRequired) {
    if (std::find(seen.begin(), seen.end(), required) == seen.end()) {
      return YamlError(file, entry_line, path + "." + std::string(required),
                       "missing required field");
    }
  }
  Status valid = ValidateAsicModel(m);  // its message starts with the field
  if (!valid.ok()) {
    return Status::DataError(file + ":" + std::to_string(entry_line) + ": " + path + "." +
                             valid.message());
  }
  return m;
}

Result<std::vector<AsicModel>> ParseModels(const std::string& file, const YAML::Node& root) {
  if (root.IsNull()) {
    return YamlError(file, 1, "models", "missing required field (the file is empty)");
  }
  if (!root.IsMap()) {
    return Status::DataError(file + ":" + std::to_string(LineOf(root)) +
                             ": expected a mapping with a 'models' list, got " + KindOf(root));
  }
  for (const auto& kv : root) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    if (key != "models") {
      return YamlError(file, LineOf(kv.first), key, "unknown field (expected: models)");
    }
  }
  const YAML::Node models = root["models"];
  if (!models.IsDefined()) {
    return YamlError(file, LineOf(root), "models", "missing required field");
  }
  if (models.IsNull()) return std::vector<AsicModel>{};
  if (!models.IsSequence()) {
    return YamlError(file, LineOf(models), "models",
                     "expected a list of models, got " + KindOf(models));
  }
  std::vector<AsicModel> out;
  std::map<std::string, std::pair<std::size_t, int>> names;  // key -> index, line
  for (std::size_t i = 0; i < models.size(); ++i) {
    const YAML::Node entry = models[i];
    Result<AsicModel> m = ParseEntry(file, entry, i);
    if (!m.ok()) return m.status();
    const auto [it, fresh] = names.emplace(AsicKey(m->name), std::make_pair(i, LineOf(entry)));
    if (!fresh) {
      return YamlError(file, LineOf(entry), "models[" + std::to_string(i) + "].name",
                       "duplicate model " + Quoted(m->name) + " (same as models[" +
                           std::to_string(it->second.first) + "] at line " +
                           std::to_string(it->second.second) + ")");
    }
    out.push_back(std::move(m).value());
  }
  return out;
}


}  // namespace

Result<std::vector<AsicModel>> LoadAsicSpecsCsv(const fs::path& file) {
  static constexpr std::string_view kColumns[] = {
      "brand",        "model",        "hashrate_th_s", "power_w", "efficiency_j_per_th",
      "release_year", "release_month"};
  Result<CsvReader> reader = CsvReader::Open(file);
  if (!reader.ok()) return reader.status();
  Status header = reader->ExpectHeader(kColumns);
  if (!header.ok()) return header;
  std::vector<AsicModel> out;
  Status s = reader.value().ForEachRow([&](const CsvReader& row) -> Status {
    AsicModel m;
    m.source = row.name();
    Result<std::string> brand = row.Text(0);
    if (!brand.ok()) return brand.status();
    m.brand = *brand;
    Result<std::string> name = row.Text(1);
    if (!name.ok()) return name.status();
    m.name = *name;
    Result<double> hashrate = row.Positive(2);
    if (!hashrate.ok()) return hashrate.status();
    m.hashrate = TerahashPerSecond(*hashrate);
    Result<double> power = row.Positive(3);
    if (!power.ok()) return power.status();
    m.power = Watts(*power);
    Result<double> efficiency = row.Positive(4);
    if (!efficiency.ok()) return efficiency.status();
    const double computed = *power / *hashrate;
    if (std::fabs(*efficiency - computed) > 0.01 * computed) {
      return row.FieldError(4, Quoted(row.Field(4)) + " disagrees with power_w / hashrate_th_s = " +
                                   Num(computed) + " by more than 1%");
    }
    Result<std::int64_t> year = row.IntegerIn(5, kFirstYear, kLastYear);
    if (!year.ok()) return year.status();
    m.release_year = static_cast<int>(*year);
    Result<std::int64_t> month = row.IntegerIn(6, 1, 12);
    if (!month.ok()) return month.status();
    m.release_month = static_cast<int>(*month);
    Status valid = ValidateAsicModel(m);
    if (!valid.ok()) return row.RowError(valid.message());
    out.push_back(std::move(m));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<AsicModel>> LoadAsicModelsYaml(const fs::path& file) {
  Result<std::string> text = ReadFileText(file);
  if (!text.ok()) return text.status();
  const std::string name = file.filename().string();
  try {
    return ParseModels(name, YAML::Load(*text));
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports malformed YAML (and any misuse) by exception; it must
    // not cross this API (style.md, "Errors").
    const int line = e.mark.is_null() ? 1 : e.mark.line + 1;
    return Status::DataError(name + ":" + std::to_string(line) + ": invalid YAML: " + e.msg);
  }
}

}  // namespace mullet
