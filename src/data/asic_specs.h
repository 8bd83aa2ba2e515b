// ASIC models from files: the specs CSV (asic_miner_specs_f2pool_2020.csv
// schema) and a user's YAML.
//
// YAML schema (examples/asic_models.yaml):
//   models:
//     - name: Antminer S21 Hydro      # required, unique
//       brand: Bitmain                # optional
//       hashrate_th_s: 335            # required, > 0
//       power_w: 5360                 # required, > 0
//       release_year: 2024            # optional
//       release_month: 2              # optional, 1-12
// Unknown keys are errors (a typo must not pass silently). Every error names
// the file, the line and the field.

#ifndef MULLET_DATA_ASIC_SPECS_H_
#define MULLET_DATA_ASIC_SPECS_H_

#include <filesystem>
#include <vector>

#include "core/asic/catalog.h"
#include "core/status/result.h"

namespace mullet {

// Every row of the specs CSV, in file order, with source = the file name.
// Names may repeat: the F2Pool file lists "Antminer S9" and "Hummer Miner H7
// Pro (48T)" twice with different figures; AsicCatalog::Add refuses the second.
Result<std::vector<AsicModel>> LoadAsicSpecsCsv(const std::filesystem::path& file);
Result<std::vector<AsicModel>> LoadAsicModelsYaml(const std::filesystem::path& file);

}  // namespace mullet

#endif  // MULLET_DATA_ASIC_SPECS_H_
