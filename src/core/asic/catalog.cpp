#include "core/asic/catalog.h"

#include <algorithm>
#include <cctype>

namespace mullet {
namespace {

// Release dates are left unknown (0): the sources in economics.md do not give them.
AsicModel Builtin(const char* brand, const char* name, double th_s, double w) {
  return AsicModel{brand, name, TerahashPerSecond(th_s), Watts(w), 0, 0, "built-in"};
}

// Edit distance, for "did you mean" suggestions.
size_t Distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

const std::vector<AsicModel>& BuiltInAsicModels() {
  // Stock nameplates, economics.md §2.3 (vendor spec sheets and retailer
  // guides cited there). The M60S power is the middle of its 3422-3441 W band.
  static const std::vector<AsicModel> kModels = {
      Builtin("Bitmain", "Antminer S19j Pro", 100, 3050),
      Builtin("Bitmain", "Antminer S19 XP", 140, 3010),
      Builtin("Bitmain", "Antminer S21", 200, 3500),
      Builtin("Bitmain", "Antminer S21 XP", 270, 3645),
      Builtin("MicroBT", "Whatsminer M30S++", 112, 3472),
      Builtin("MicroBT", "Whatsminer M50S", 126, 3276),
      Builtin("MicroBT", "Whatsminer M60S", 186, 3441),
  };
  return kModels;
}

std::string AsicKey(std::string_view name) {
  std::string key;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (c == '+') {
      key += '+';  // M30S+ and M30S++ are different machines
    }
  }
  for (std::string_view line : {"antminer", "whatsminer", "avalon", "avalonminer"}) {
    if (key.size() > line.size() && key.compare(0, line.size(), line) == 0) {
      return key.substr(line.size());
    }
  }
  return key;
}

Status ValidateAsicModel(const AsicModel& m) {
  if (AsicKey(m.name).empty()) return Status::InvalidArgument("name: must not be empty");
  if (!(m.hashrate.value() > 0)) return Status::InvalidArgument("hashrate_th_s: must be > 0");
  if (!(m.power.value() > 0)) return Status::InvalidArgument("power_w: must be > 0");
  const double eff = m.efficiency().value();
  if (!(eff >= 1 && eff <= 100000)) {
    return Status::InvalidArgument("power_w / hashrate_th_s: efficiency " + std::to_string(eff) +
                                   " J/TH is outside 1-100000 J/TH");
  }
  return Status::Ok();
}

AsicCatalog AsicCatalog::BuiltIn() {
  AsicCatalog c;
  for (const AsicModel& m : BuiltInAsicModels()) c.models_.push_back(m);
  return c;
}

Status AsicCatalog::Add(AsicModel model) {
  const std::string key = AsicKey(model.name);
  for (const AsicModel& m : models_) {
    if (AsicKey(m.name) == key) {
      return Status::InvalidArgument("model '" + model.name + "' is already in the catalog (from " +
                                     m.source + ")");
    }
  }
  models_.push_back(std::move(model));
  return Status::Ok();
}

bool AsicCatalog::Upsert(AsicModel model) {
  const std::string key = AsicKey(model.name);
  for (AsicModel& m : models_) {
    if (AsicKey(m.name) == key) {
      m = std::move(model);
      return true;
    }
  }
  models_.push_back(std::move(model));
  return false;
}

Result<AsicModel> AsicCatalog::Find(std::string_view name) const {
  const std::string key = AsicKey(name);
  for (const AsicModel& m : models_) {
    if (AsicKey(m.name) == key) return m;
  }
  std::vector<std::pair<size_t, std::string>> near;
  for (const AsicModel& m : models_) near.emplace_back(Distance(key, AsicKey(m.name)), m.name);
  std::sort(near.begin(), near.end());
  std::string msg = "unknown model '" + std::string(name) + "'";
  if (!near.empty()) {
    msg += "; closest: ";
    for (size_t i = 0; i < near.size() && i < 3; ++i) msg += (i ? ", " : "") + near[i].second;
  }
  return Status::NotFound(msg);
}

}  // namespace mullet
