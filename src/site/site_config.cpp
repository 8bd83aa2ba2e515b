// The site loader: YAML reading helpers, the top level and scenarios, and the
// mapping of rule violations back to file lines. Section parsers are in
// site_config_sections.cpp, the rules in site_config_validate.cpp.

#include "site/site_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <system_error>

#include "core/text/untrusted_text.h"
#include "data/file_text.h"
#include "site/site_config_internal.h"

namespace mullet {
namespace site_config_internal {
namespace {


std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// "unknown field, did you mean 'utilisation'? (expected one of: ...)": the
// suggestion only when one allowed key is a likely typo of `key`.
std::string UnknownKey(std::string_view key, const std::vector<std::string_view>& keys) {
  std::string_view best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  std::string list;
  for (std::string_view k : keys) {
    list += (list.empty() ? "" : ", ") + std::string(k);
    const std::size_t d = EditDistance(key, k);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  std::string out = "unknown field";
  if (best_distance <= 2 && 2 * best_distance < key.size())
    out += ", did you mean " + Quoted(best) + "?";
  return out + " (expected one of: " + list + ")";
}

bool ParseDouble(std::string_view s, double* out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty() && std::isfinite(*out);
}

bool ParseInt(std::string_view s, int* out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

}  // namespace

// ---- Paths, lines, scalars. ----

FieldPath FieldPath::Key(std::string_view canonical_key, std::string_view written_key) const {
  return {Join(canonical, canonical_key), Join(display, written_key)};
}

FieldPath FieldPath::Index(std::size_t i) const {
  const std::string index = "[" + std::to_string(i) + "]";
  return {canonical + index, display + index};
}

void Reader::Fail(int line, const FieldPath& path, std::string_view what) {
  if (!error_.empty()) return;
  error_ = file_ + ":" + std::to_string(line) + ": " +
           (path.display.empty() ? std::string() : path.display + ": ") + std::string(what);
}

int LineOf(const YAML::Node& node, int fallback) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? fallback : mark.line + 1;
}

std::string KindOf(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  std::string text = node.Scalar();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return Quoted(text);
}

bool ReadNumber(Reader* reader, const YAML::Node& node, int line, const FieldPath& path,
                double* out) {
  if (!node.IsScalar() || !ParseDouble(node.Scalar(), out)) {
    reader->Fail(line, path, "expected a number, got " + KindOf(node));
    return false;
  }
  return true;
}

bool ReadTime(Reader* reader, const YAML::Node& node, int line, const FieldPath& path,
              UtcTime* out) {
  if (!node.IsScalar()) {
    reader->Fail(line, path, "expected a UTC time YYYY-MM-DDTHH:MM:SSZ, got " + KindOf(node));
    return false;
  }
  Result<UtcTime> t = ParseUtcTimestamp(node.Scalar());
  if (!t.ok()) {
    reader->Fail(line, path, t.status().message());
    return false;
  }
  *out = *t;
  return true;
}

// ---- MapReader. ----

MapReader::MapReader(Reader* reader, const YAML::Node& node, int line, FieldPath path,
                     std::vector<std::string_view> keys)
    : reader_(reader), line_(line), path_(std::move(path)), keys_(std::move(keys)) {
  if (!node.IsMap()) {
    reader_->Fail(line_, path_, "expected a mapping, got " + KindOf(node));
    return;
  }
  for (const auto& kv : node) {
    const int key_line = site_config_internal::LineOf(kv.first, line_);
    if (!kv.first.IsScalar()) {
      reader_->Fail(key_line, path_, "a field name must be plain text, got " + KindOf(kv.first));
      return;
    }
    const std::string& key = kv.first.Scalar();
    if (std::find(keys_.begin(), keys_.end(), key) == keys_.end()) {
      reader_->Fail(key_line, path_.Key(key), UnknownKey(key, keys_));
      return;
    }
    if (Find(key) != nullptr) {
      reader_->Fail(key_line, path_.Key(key), "duplicate field");
      return;
    }
    entries_.push_back({key, kv.second, key_line});
    reader_->Record(PathOf(key), key_line);
  }
  ok_ = true;
}

const MapReader::Entry* MapReader::Find(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

const YAML::Node* MapReader::Value(std::string_view key) const {
  const Entry* e = Find(key);
  return e != nullptr && !e->value.IsNull() ? &e->value : nullptr;
}

int MapReader::LineOf(std::string_view key) const {
  const Entry* e = Find(key);
  return e != nullptr ? e->line : line_;
}

FieldPath MapReader::PathOf(std::string_view key) const {
  constexpr std::string_view kKw = "_kw";
  if (key.size() > kKw.size() && key.substr(key.size() - kKw.size()) == kKw) {
    const std::string mw = std::string(key.substr(0, key.size() - kKw.size())) + "_mw";
    if (std::find(keys_.begin(), keys_.end(), mw) != keys_.end()) return path_.Key(mw, key);
  }
  return path_.Key(key);
}

void MapReader::Fail(std::string_view key, std::string_view what) const {
  reader_->Fail(LineOf(key), PathOf(key), what);
}

const MapReader::Entry* MapReader::Required(std::string_view key, Need need) {
  const Entry* e = Find(key);
  if (e == nullptr) {
    if (need == Need::kRequired) reader_->Fail(line_, PathOf(key), "missing required field");
    return nullptr;
  }
  if (e->value.IsNull()) {
    if (need == Need::kRequired) Fail(key, "required, got nothing");
    return nullptr;
  }
  return e;
}

bool MapReader::Read(std::string_view key, double* out, Need need) {
  const Entry* e = Required(key, need);
  return e != nullptr && ReadNumber(reader_, e->value, e->line, PathOf(key), out);
}

void MapReader::Text(std::string_view key, std::string* out, Need need) {
  const Entry* e = Required(key, need);
  if (e == nullptr) return;
  if (!e->value.IsScalar() || e->value.Scalar().empty()) {
    Fail(key, "expected a text, got " + KindOf(e->value));
    return;
  }
  // Names reach the terminal, JSON, CSV and HTML: UTF-8 text on one line, of
  // a length a table can show.
  const std::string& text = e->value.Scalar();
  if (!IsValidUtf8(text)) {
    Fail(key, "is not UTF-8 text: " + Printable(text, 60));
    return;
  }
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7F) {
      Fail(key, "holds a control character: " + Printable(text, 60));
      return;
    }
  }
  if (text.size() > 200) {
    Fail(key, "is " + std::to_string(text.size()) + " bytes long; at most 200");
    return;
  }
  *out = text;
}

void MapReader::Number(std::string_view key, double* out, Need need) { Read(key, out, need); }

void MapReader::Number(std::string_view key, std::optional<double>* out) {
  double v = 0;
  if (Read(key, &v, Need::kOptional)) *out = v;
}

void MapReader::Integer(std::string_view key, int* out, Need need) {
  const Entry* e = Required(key, need);
  if (e == nullptr) return;
  if (!e->value.IsScalar() || !ParseInt(e->value.Scalar(), out)) {
    Fail(key, "expected an integer, got " + KindOf(e->value));
  }
}

void MapReader::Bool(std::string_view key, bool* out) {
  const Entry* e = Required(key, Need::kOptional);
  if (e == nullptr) return;
  const std::string text = e->value.IsScalar() ? e->value.Scalar() : "";
  if (text == "true" || text == "True" || text == "TRUE") {
    *out = true;
  } else if (text == "false" || text == "False" || text == "FALSE") {
    *out = false;
  } else {
    Fail(key, "expected true or false, got " + KindOf(e->value));
  }
}

void MapReader::Time(std::string_view key, UtcTime* out, Need need) {
  const Entry* e = Required(key, need);
  if (e != nullptr) ReadTime(reader_, e->value, e->line, PathOf(key), out);
}

void MapReader::Cooling(std::string_view key, CoolingClass* out) {
  const Entry* e = Required(key, Need::kOptional);
  if (e == nullptr) return;
  const std::string text = e->value.IsScalar() ? e->value.Scalar() : "";
  if (text == "air") {
    *out = CoolingClass::kAir;
  } else if (text == "immersion") {
    *out = CoolingClass::kImmersion;
  } else if (text == "liquid") {
    *out = CoolingClass::kLiquid;
  } else {
    Fail(key, "expected air, immersion or liquid, got " + KindOf(e->value));
  }
}

void MapReader::Power(std::string_view stem, Watts* out, Need need) {
  const std::string mw = std::string(stem) + "_mw";
  const std::string kw = std::string(stem) + "_kw";
  if (Has(mw) && Has(kw)) {
    Fail(kw, "give " + mw + " or " + kw + ", not both");
    return;
  }
  const bool in_kw = Has(kw);
  if (!in_kw && need == Need::kRequired && !Has(mw)) {
    reader_->Fail(line_, PathOf(mw), "missing required field (or " + kw + ")");
    return;
  }
  double v = 0;
  if (Read(in_kw ? kw : mw, &v, need)) *out = in_kw ? Kilowatts(v) : Megawatts(v);
}

void MapReader::Power(std::string_view stem, std::optional<Watts>* out) {
  const bool given =
      Value(std::string(stem) + "_mw") != nullptr || Value(std::string(stem) + "_kw") != nullptr;
  Watts w{0};
  Power(stem, &w, Need::kOptional);  // also refuses both keys when they are null
  if (given && reader_->ok()) *out = w;
}

void MapReader::List(std::string_view key,
                     const std::function<void(const YAML::Node&, int, const FieldPath&)>& each) {
  const Entry* e = Required(key, Need::kOptional);
  if (e == nullptr) return;
  if (!e->value.IsSequence()) {
    Fail(key, "expected a list, got " + KindOf(e->value));
    return;
  }
  // Stated limits (docs/security.md): a site is read whole before it runs,
  // and a list of aliases can multiply a small file into a huge one.
  const std::size_t most = key == "scenarios" ? kMaxScenarios : kMaxListEntries;
  if (e->value.size() > most) {
    Fail(key, "lists " + std::to_string(e->value.size()) + " entries; at most " + std::to_string(most));
    return;
  }
  for (std::size_t i = 0; i < e->value.size() && reader_->ok(); ++i) {
    const YAML::Node element = e->value[i];
    const FieldPath path = PathOf(key).Index(i);
    const int line = site_config_internal::LineOf(element, e->line);
    reader_->Record(path, line);
    each(element, line, path);
  }
}

// ---- Sections of the top level. ----

std::string_view SectionOf(std::string_view key) {
  if (key == "interconnect_mw" || key == "interconnect_kw") return "interconnect";
  for (std::string_view s : kSections) {
    if (s == key && s != "interconnect") return s;
  }
  return "";
}

namespace {

namespace fs = std::filesystem;

// Whether `entry` gives any key of `section`.
bool Gives(const MapReader& entry, std::string_view section) {
  if (section == "interconnect")
    return entry.Has("interconnect_mw") || entry.Has("interconnect_kw");
  return entry.Has(section);
}

// Where one scenario's site came from: the base, with the sections the entry
// gives read from the entry.
struct Source {
  std::string name;
  int line = 1;                                 // of the scenario entry; 1 for the base
  std::string display;                          // "scenarios[2]"; "" for the base
  std::set<std::string, std::less<>> sections;  // given by the entry
  Locations locations;                          // of what the entry gives
  Site site;
};

std::string ParentPath(const std::string& path) {
  const std::size_t cut = path.find_last_of(".[");
  return cut == std::string::npos ? std::string() : path.substr(0, cut);
}

// The error for a broken rule, at the line of the field it names (or of the
// nearest enclosing field that the file gives).
Status Locate(const std::string& file, const SiteIssue& issue, const Source& source,
              const Locations& base, bool has_scenarios) {
  const std::string first = issue.path.substr(0, issue.path.find_first_of(".["));
  const Locations& where = source.sections.count(SectionOf(first)) ? source.locations : base;
  int line = source.line;
  std::string display = issue.path;
  for (std::string p = issue.path; !p.empty(); p = ParentPath(p)) {
    const auto it = where.find(p);
    if (it != where.end()) {
      line = it->second.line;
      display = it->second.display + issue.path.substr(p.size());
      break;
    }
  }
  std::string message = file + ":" + std::to_string(line) + ": " + display + ": " + issue.what;
  // Name the scenario unless the path already does ("scenarios[2]....").
  if (has_scenarios && (source.display.empty() || display.rfind(source.display, 0) != 0)) {
    message += " (scenario " + Quoted(source.name) + ")";
  }
  return Status::InvalidArgument(std::move(message));
}

// The keys of the top level and of a scenario entry: `first`, then the
// section keys, then `last`.
std::vector<std::string_view> SiteKeys(std::string_view first, std::string_view last = {}) {
  std::vector<std::string_view> keys = {first,           "interconnect_mw", "interconnect_kw",
                                        "power_domains", "contract",        "cooling",
                                        "ambient",       "miner_groups",    "ai",
                                        "batch",         "policy",          "costs"};
  if (!last.empty()) keys.push_back(last);
  return keys;
}

// Reads the scenario entries into `sources`; the base is `base`.
void ReadScenarios(Reader* reader, MapReader& top, const Site& base, std::vector<Source>* sources) {
  const YAML::Node* list = top.Value("scenarios");
  if (list == nullptr) {
    top.Fail("scenarios", "expected a list of scenarios, got nothing");
    return;
  }
  if (list->IsSequence() && list->size() == 0) {
    top.Fail("scenarios", "must list at least one scenario (or leave `scenarios` out)");
    return;
  }
  top.List("scenarios", [&](const YAML::Node& node, int line, const FieldPath& path) {
    reader->TakeLocations();  // the base's were taken; drop the element's own record
    MapReader entry(reader, node, line, FieldPath{"", path.display}, SiteKeys("name"));
    if (!entry.ok()) return;
    Source s;
    s.line = line;
    s.display = path.display;
    s.site = base;
    entry.Text("name", &s.name, Need::kRequired);
    for (const Source& other : *sources) {
      if (reader->ok() && other.name == s.name) {
        entry.Fail("name", "duplicate scenario name " + Quoted(s.name) + " (also " + other.display +
                               ", line " + std::to_string(other.line) + ")");
      }
    }
    for (std::string_view section : kSections) {
      if (!Gives(entry, section)) continue;
      s.sections.emplace(section);
      ReadSection(section, entry, &s.site);
    }
    s.locations = reader->TakeLocations();
    sources->push_back(std::move(s));
  });
}

Result<std::vector<Scenario>> ParseRoot(const std::string& file, const YAML::Node& root,
                                        const AsicCatalog& catalog, const fs::path* base_dir) {
  Reader reader(file, &catalog);
  if (!root.IsDefined() || root.IsNull()) {
    return Status::InvalidArgument(file + ":1: name: missing required field (the file is empty)");
  }
  MapReader top(&reader, root, LineOf(root, 1), FieldPath{}, SiteKeys("name", "scenarios"));
  Site base;
  if (top.ok()) {
    top.Text("name", &base.name, Need::kRequired);
    for (std::string_view section : kSections) ReadSection(section, top, &base);
    if (!top.Has("interconnect_mw") && !top.Has("interconnect_kw")) {
      reader.Fail(top.line(), FieldPath{"interconnect_mw", "interconnect_mw"},
                  "missing required field (or interconnect_kw)");
    }
    if (!top.Has("contract")) {
      reader.Fail(top.line(), FieldPath{"contract", "contract"}, "missing required field");
    }
  }
  const Locations base_locations = reader.TakeLocations();
  std::vector<Source> sources;
  const bool has_scenarios = top.ok() && top.Has("scenarios");
  if (reader.ok() && has_scenarios) ReadScenarios(&reader, top, base, &sources);
  if (!reader.ok()) return Status::InvalidArgument(reader.error());
  if (!has_scenarios) {
    sources.emplace_back();
    sources.back().name = base.name;
    sources.back().site = base;
  }

  std::vector<Scenario> out;
  for (Source& s : sources) {
    if (const std::optional<SiteIssue> issue = CheckSite(s.site, /*normalized=*/false)) {
      return Locate(file, *issue, s, base_locations, has_scenarios);
    }
    Normalize(&s.site);
    assert(!CheckSite(s.site, /*normalized=*/true) && "Normalize broke a rule");
    std::string& csv = s.site.contract.index.csv;
    if (base_dir != nullptr && !csv.empty() && fs::path(csv).is_relative()) {
      csv = (*base_dir / csv).lexically_normal().string();
    }
    out.push_back(Scenario{std::move(s.name), std::move(s.site)});
  }
  return out;
}

Result<std::vector<Scenario>> Parse(const std::string& file, std::string_view text,
                                    const AsicCatalog& catalog, const fs::path* base_dir) {
  try {
    return ParseRoot(file, YAML::Load(std::string(text)), catalog, base_dir);
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports malformed YAML by exception; it must not cross this
    // API (style.md, "Errors").
    const int line = e.mark.is_null() ? 1 : e.mark.line + 1;
    return Status::InvalidArgument(file + ":" + std::to_string(line) + ": invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(file + ": cannot read the site: " + e.what());
  }
}


}  // namespace
}  // namespace site_config_internal

Result<std::vector<Scenario>> LoadSiteFile(const std::filesystem::path& file,
                                           const AsicCatalog& catalog) {
  Result<std::string> text = ReadFileText(file);
  if (!text.ok()) return text.status();
  const std::filesystem::path dir = file.parent_path();
  return site_config_internal::Parse(file.string(), *text, catalog, &dir);
}

Result<std::vector<Scenario>> ParseSiteYaml(std::string_view name, std::string_view text,
                                            const AsicCatalog& catalog) {
  return site_config_internal::Parse(std::string(name), text, catalog, nullptr);
}

}  // namespace mullet
