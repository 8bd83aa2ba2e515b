// Internals of the site loader, shared by site_config*.cpp only. Not a public
// header: nothing outside src/site/site_config*.cpp includes it.
//
// The loader works in three steps:
//   1. Parse (site_config.cpp, site_config_sections.cpp): YAML shape only
//      — types, unknown and missing keys, numbers, times, enum words, model
//      names — into a Site, recording the line of every field it reads.
//   2. Check (site_config_validate.cpp): the value rules of docs/site.md, on
//      the Site in file order; an issue names a canonical field path, which
//      the loader maps back to a line through what step 1 recorded.
//   3. Normalize: order domains parents first, resolve indices, sort tiers.

#ifndef MULLET_SITE_SITE_CONFIG_INTERNAL_H_
#define MULLET_SITE_SITE_CONFIG_INTERNAL_H_

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/asic/catalog.h"
#include "site/site.h"

namespace mullet::site_config_internal {

// ---- Field paths and where fields were read. ----

// A field's path two ways: `canonical`, as ValidateSite names it (power keys
// in their canonical unit: "limit_mw" even where the file says "limit_kw";
// no scenario prefix), and `display`, as written in the file
// ("scenarios[2].power_domains[0].limit_kw").
struct FieldPath {
  std::string canonical;
  std::string display;

  FieldPath Key(std::string_view key) const { return Key(key, key); }
  FieldPath Key(std::string_view canonical_key, std::string_view written_key) const;
  FieldPath Index(std::size_t i) const;
};

struct FieldLoc {
  int line = 1;
  std::string display;
};

// Canonical path -> where it was read.
using Locations = std::map<std::string, FieldLoc>;

// Reading state: the file name for messages, the first error (later ones are
// dropped: each error is reported once, at the place it was found), and the
// locations recorded so far.
class Reader {
 public:
  Reader(std::string file, const AsicCatalog* catalog)
      : file_(std::move(file)), catalog_(catalog) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& file() const { return file_; }
  const AsicCatalog& catalog() const { return *catalog_; }

  // Records the first error as "<file>:<line>: <display path>: <what>".
  void Fail(int line, const FieldPath& path, std::string_view what);
  void Record(const FieldPath& path, int line) {
    locations_[path.canonical] = {line, path.display};
  }
  Locations TakeLocations() { return std::exchange(locations_, {}); }

 private:
  std::string file_;
  const AsicCatalog* catalog_;
  std::string error_;
  Locations locations_;
};

// 1-based line of a node (yaml-cpp marks are 0-based); `fallback` if unmarked.
int LineOf(const YAML::Node& node, int fallback);
// "a mapping", "a list", "nothing" or the quoted scalar, for "got ..." texts.
std::string KindOf(const YAML::Node& node);

// Scalar values read from a node (a list element, or a mapping's value):
// false, with the error reported at `line` and `path`, if it is not one.
bool ReadNumber(Reader* reader, const YAML::Node& node, int line, const FieldPath& path,
                double* out);
bool ReadTime(Reader* reader, const YAML::Node& node, int line, const FieldPath& path,
              UtcTime* out);

enum class Need { kOptional, kRequired };

// One YAML mapping being read: checks that it is a mapping, that every key is
// one of `keys` and appears once, and records the line of each key. A key
// `<stem>_kw` whose `<stem>_mw` is also allowed is recorded under the
// canonical `<stem>_mw`. Getters leave `*out` alone when the key is absent or
// null (null means "not given"), and report a missing required key at the
// mapping's line. All failures go to the Reader; check reader->ok().
class MapReader {
 public:
  MapReader(Reader* reader, const YAML::Node& node, int line, FieldPath path,
            std::vector<std::string_view> keys);

  bool ok() const { return ok_; }
  Reader* reader() const { return reader_; }
  int line() const { return line_; }
  const FieldPath& path() const { return path_; }
  // Whether `key` is given (null counts as given).
  bool Has(std::string_view key) const { return Find(key) != nullptr; }
  // The value of `key` if given and not null.
  const YAML::Node* Value(std::string_view key) const;
  int LineOf(std::string_view key) const;  // the key's line, or the mapping's
  FieldPath PathOf(std::string_view key) const;

  void Text(std::string_view key, std::string* out, Need need);
  void Number(std::string_view key, double* out, Need need);
  void Number(std::string_view key, std::optional<double>* out);
  void Integer(std::string_view key, int* out, Need need);
  void Bool(std::string_view key, bool* out);
  void Time(std::string_view key, UtcTime* out, Need need);
  void Cooling(std::string_view key, CoolingClass* out);
  // `<stem>_mw` or `<stem>_kw`, not both.
  void Power(std::string_view stem, Watts* out, Need need);
  void Power(std::string_view stem, std::optional<Watts>* out);
  // Any quantity type stored in the key's own unit (UsdPerMegawattHour for
  // "..._usd_per_mwh", Seconds for "..._s", Hours for "..._h").
  template <typename Q>
  void Quantity(std::string_view key, Q* out, Need need) {
    double v = 0;
    if (Read(key, &v, need)) *out = Q(v);
  }
  template <typename Q>
  void Quantity(std::string_view key, std::optional<Q>* out) {
    double v = 0;
    if (Read(key, &v, Need::kOptional)) *out = Q(v);
  }
  // Calls `each` for every element of the list `key` (absent or null: none),
  // after recording the element's path and line.
  void List(std::string_view key,
            const std::function<void(const YAML::Node&, int, const FieldPath&)>& each);
  // Reports `what` at `key`.
  void Fail(std::string_view key, std::string_view what) const;

 private:
  struct Entry {
    std::string key;
    YAML::Node value;
    int line;
  };
  const Entry* Find(std::string_view key) const;
  // The scalar number at `key`; false when absent, null or invalid.
  bool Read(std::string_view key, double* out, Need need);
  const Entry* Required(std::string_view key, Need need);

  Reader* reader_;
  int line_;
  FieldPath path_;
  std::vector<std::string_view> keys_;  // of string literals
  bool ok_ = false;
  std::vector<Entry> entries_;
};

// ---- Sections. ----

// Top-level keys that hold a part of the site and that a scenario may replace.
// The interconnect is one section written "interconnect_mw" or "_kw".
inline constexpr std::string_view kSections[] = {"interconnect", "power_domains", "contract",
                                                 "cooling",      "ambient",       "miner_groups",
                                                 "ai",           "batch",         "policy",
                                                 "costs"};

// The section a top-level key belongs to ("interconnect_kw" -> "interconnect"),
// or "" if it is not a section key.
std::string_view SectionOf(std::string_view key);

// Resets the fields of `site` that `section` fills to their defaults, then
// reads them from `top` (the site's top-level mapping or a scenario entry).
// A section that is absent or null stays at its defaults.
void ReadSection(std::string_view section, MapReader& top, Site* site);

// ---- Rules. ----

// A broken rule: the canonical field path and what is wrong.
struct SiteIssue {
  std::string path;
  std::string what;
};

// The first broken rule of docs/site.md, or none. With `normalized`, also
// requires what NormalizeSite establishes (domain order, resolved indices,
// sorted SLA tiers); without it, checks only what normalization needs
// (parents and domains exist, no cycles, tier thresholds distinct).
std::optional<SiteIssue> CheckSite(const Site& site, bool normalized);

// Orders domains parents first (stable), resolves indices from names, sorts
// SLA tiers. REQUIRES: !CheckSite(*site, false).
void Normalize(Site* site);

}  // namespace mullet::site_config_internal

#endif  // MULLET_SITE_SITE_CONFIG_INTERNAL_H_
