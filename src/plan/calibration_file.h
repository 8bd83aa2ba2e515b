// The planner's calibration file: every market model's parameters, fitted to
// history by `mullet calibrate --data DIR` (calibrate/calibrate.h), with what
// they were fitted on and how the fitted models compare with history. A
// default is committed (default_calibration.json, embedded in the binary) so
// that `plan` runs without a data directory; a test refits it from
// ../shared/data and requires the same bytes (README.md, "Calibration file").
//
// The document: JSON, keys in a fixed order, doubles written in the shortest
// form that reads back to the same double (so a round trip is exact), dates
// as "YYYY-MM-DD", the unit in a key's name where a field has one
// ("reference_hashprice_usd_per_th_day").
//
// Thread safety: pure functions; DefaultCalibration() parses once (a
// function-local static) and is safe for concurrent use.

#ifndef MULLET_PLAN_CALIBRATION_FILE_H_
#define MULLET_PLAN_CALIBRATION_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status/result.h"
#include "core/time/calendar.h"
#include "plan/btc_regime_model.h"
#include "plan/fee_model.h"
#include "plan/gpu_rent_model.h"
#include "plan/hashrate_model.h"

namespace mullet {

struct Calibration {
  int version = 1;           // of the document; only 1 is read
  std::string generated_by;  // "mullet calibrate"
  // A file the models were fitted on: its name (no directory), its first and
  // last day, its rows.
  struct Source {
    std::string file;
    std::string first, last;
    std::int64_t rows = 0;
  };
  std::vector<Source> sources;
  // The day the hashrate parameters (hp_ref, hp_be) are referenced to: the
  // hashrate sample's last day (ShiftedBy moves them to another).
  Date reference_date;
  HashrateModelParams hashrate;
  double hashrate_fit_correlation = 0;  // partial correlation at the fitted lag; in [-1, 1]
  FeeModelParams fees;
  double fees_last_btc_per_day = 0;  // history's last day's fees: a start for SimulateFees; > 0
  Date fees_last_date;
  BtcRegimeParams btc_regime;
  GpuRentParams gpu_rent;
  Date gpu_rent_as_of;  // the rent's day 0: the quotes' last day
  // For the report: a statistic of history and of the fitted model's
  // simulated paths (fixed seeds and path counts: calibrate.h).
  struct FitRow {
    std::string model, statistic;
    double history = 0, simulated = 0;
  };
  std::vector<FitRow> fit;
};

// The document, ending in a newline.
std::string CalibrationToJson(const Calibration& calibration);

// Reads a document. InvalidArgument "name: field: what" (field as a path,
// "hashrate.lag_days"): not JSON, a field missing, of the wrong type,
// unknown, or out of range (each model's Validate*Params), or version not 1.
Result<Calibration> CalibrationFromJson(std::string_view name, std::string_view text);

// The committed default (src/plan/default_calibration.json), embedded in the
// binary at build time.
const Calibration& DefaultCalibration();

}  // namespace mullet

#endif  // MULLET_PLAN_CALIBRATION_FILE_H_
