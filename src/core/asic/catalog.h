// ASIC models and the catalog that names them.
//
// The built-in table holds current models at stock firmware (economics.md
// §2.3, ±3-5 %). Older models load from a specs CSV and user models from YAML
// (src/data/); they all end up in one AsicCatalog.

#ifndef MULLET_CORE_ASIC_CATALOG_H_
#define MULLET_CORE_ASIC_CATALOG_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status/result.h"
#include "core/units/units.h"

namespace mullet {

struct AsicModel {
  std::string brand;              // "Bitmain"
  std::string name;               // "Antminer S21", unique in a catalog
  TerahashPerSecond hashrate{0};  // nameplate, stock firmware
  Watts power{0};                 // nameplate, at the wall of the unit
  int release_year = 0;           // 0 when unknown
  int release_month = 0;          // 1-12, 0 when unknown
  std::string source;             // where the figures came from: "built-in", a file

  JoulesPerTerahash efficiency() const { return EfficiencyOf(power, hashrate); }
};

// Current models built into mullet (at least S19j Pro, S19 XP, S21, S21 XP,
// M30S++, M50S, M60S).
const std::vector<AsicModel>& BuiltInAsicModels();

// A set of models with unique names, looked up forgivingly: case, spaces,
// dashes and a leading brand line name ("Antminer", "Whatsminer") are ignored,
// so "s21-xp", "S21 XP" and "Antminer S21 XP" all find the same model.
class AsicCatalog {
 public:
  // A catalog of the built-in models.
  static AsicCatalog BuiltIn();

  // Adds a model; fails if a model with the same key is already there.
  Status Add(AsicModel model);
  // Adds a model, replacing one with the same key (a user's own figures win).
  // Returns true if it replaced one.
  bool Upsert(AsicModel model);

  // The model named `name`, or NotFound with the closest names in the message.
  Result<AsicModel> Find(std::string_view name) const;

  const std::vector<AsicModel>& models() const { return models_; }

 private:
  std::vector<AsicModel> models_;
};

// The lookup key of a model name (see AsicCatalog).
std::string AsicKey(std::string_view name);

// Checks a model's figures: a name, hashrate > 0, power > 0, efficiency in a
// plausible band (1-100000 J/TH). The message names the failing field.
Status ValidateAsicModel(const AsicModel& m);

}  // namespace mullet

#endif  // MULLET_CORE_ASIC_CATALOG_H_
