// `mullet calibrate`'s work: every market model of plan/ fitted to a data
// directory in the schema of ../shared/data (docs/data.md), with the windows
// and options that src/plan/README.md documents and the models' tests check:
//
//   hashrate     btc_network_daily, btc_price_daily, btc_fees_daily: from
//                kHashrateSampleStart (2016-01-01: the ASIC market matured)
//                to the fee file's last day; FitHashrateModel's defaults.
//   fees         btc_fees_daily, the whole file across its gap; FitFeeModel's defaults.
//   btc_regime   btc_price_daily, every daily log return; FitBtcRegimeModel.
//   gpu_rent     gpu_rental_index_ccir_*.csv (data_files::kGpuRentalIndex):
//                on-demand asks, H100 (FitGpuRentModel's defaults), with
//                DatacenterGpuGenerations()'s launch dates.
//
// The fit rows compare history's statistics with the fitted model's
// simulated paths, each with a fixed seed and path count (calibrate.cpp), so
// the same data give the same file, byte for byte.
//
// Thread safety: reads files; safe for concurrent use (no shared state).

#ifndef MULLET_CALIBRATE_CALIBRATE_H_
#define MULLET_CALIBRATE_CALIBRATE_H_

#include <chrono>
#include <filesystem>

#include "core/status/result.h"
#include "plan/calibration_file.h"

namespace mullet {

inline constexpr std::chrono::year_month_day kHashrateSampleStart{
    std::chrono::year(2016), std::chrono::month(1), std::chrono::day(1)};

// Loads dir's files with data/history.h's loaders and fits every model.
// Errors name the file: NotFound if dir or a file is missing, the loaders'
// DataError for a malformed one, a fit's error prefixed with its file.
Result<Calibration> CalibrateFromData(const std::filesystem::path& dir);

}  // namespace mullet

#endif  // MULLET_CALIBRATE_CALIBRATE_H_
