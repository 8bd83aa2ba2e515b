#include "calibrate/calibrate.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "calibrate/model_inputs.h"
#include "data/history.h"
#include "plan/btc_regime_model.h"
#include "plan/calibration.h"
#include "plan/fee_model.h"
#include "plan/gpu_rent_model.h"
#include "plan/hashrate_model.h"
#include "plan/random.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;

// The simulations behind the fit rows: the seeds, streams and path counts of
// the models' tests (tests/plan/*_model_test.cpp), so the rows are the
// figures src/plan/README.md reports.
constexpr std::uint32_t kBtcStream = 1;
constexpr std::uint32_t kHashrateStream = 2;
constexpr std::uint32_t kFeeStream = 3;
constexpr std::uint32_t kGpuStream = 4;
// The luck of a day's hashrate estimate, added to a simulated path before it
// is fitted again (history's estimates carry it; the model's path does not).
constexpr std::uint32_t kHashrateEstimateStream = 5;

constexpr std::uint64_t kBtcSeed = 20260130;
constexpr int kBtcPaths = 100;  // each of history's length
constexpr std::uint64_t kFeeSeed = 20250202;
constexpr int kFeePaths = 200;
constexpr std::int64_t kFeeBurnIn = 1001;  // days dropped from each path's start
constexpr std::int64_t kFeeDays = 4400;    // kept: history's length
constexpr std::uint64_t kHashrateSeed = 20250202;
constexpr int kHashratePaths = 20;
constexpr std::uint64_t kGpuSeed = 20260313;
constexpr int kGpuPaths = 1001;

std::string Prefixed(const char* file, const Status& s) {
  return std::string(file) + ": " + s.message();
}

template <typename Days>
Calibration::Source SourceOf(const char* file, const Days& days) {
  return {file, FormatDate(days.front().date), FormatDate(days.back().date),
          static_cast<std::int64_t>(days.size())};
}

// ---- BTC: the regime model against history's returns. ----

struct BtcFigures {
  double stdev = 0, kurtosis = 0, abs_acf1 = 0, abs_acf10 = 0;
};

BtcFigures BtcFiguresOf(const std::vector<double>& r) {
  BtcFigures f;
  const Result<Moments> m = MomentsOf(r);
  const Result<std::vector<double>> a = AbsoluteAutocorrelation(r, 10);
  if (!m.ok() || !a.ok()) return f;
  return {m->stdev, m->excess_kurtosis, (*a)[0], (*a)[9]};
}

void AddBtcRows(const std::vector<double>& returns, const BtcRegimeParams& p, Calibration& c) {
  const BtcFigures h = BtcFiguresOf(returns);
  BtcFigures s;
  const double shift = BtcRegimeDailyShift(p);
  const auto days = static_cast<std::int64_t>(returns.size());
  for (int path = 0; path < kBtcPaths; ++path) {
    const BtcFigures f = BtcFiguresOf(
        SimulateBtcRegimeLogReturns(p, shift, days, RandomStream(kBtcSeed, path, kBtcStream)));
    s.stdev += f.stdev / kBtcPaths;
    s.kurtosis += f.kurtosis / kBtcPaths;
    s.abs_acf1 += f.abs_acf1 / kBtcPaths;
    s.abs_acf10 += f.abs_acf10 / kBtcPaths;
  }
  c.fit.push_back({"btc_regime", "stdev of r", h.stdev, s.stdev});
  c.fit.push_back({"btc_regime", "excess kurtosis of r", h.kurtosis, s.kurtosis});
  c.fit.push_back({"btc_regime", "acf of |r|, lag 1", h.abs_acf1, s.abs_acf1});
  c.fit.push_back({"btc_regime", "acf of |r|, lag 10", h.abs_acf10, s.abs_acf10});
}

// ---- Fees: paths from exp(mu) after a burn-in, each path's statistics averaged. ----

Status AddFeeRows(const FeeFit& fit, Calibration& c) {
  double mean_log = 0, stdev_log = 0, acf30 = 0;
  for (int path = 0; path < kFeePaths; ++path) {
    const std::vector<Btc> f =
        SimulateFees(fit.params, Btc(std::exp(fit.params.mean_log_fees)), kFeeBurnIn + kFeeDays - 1,
                     RandomStream(kFeeSeed, path, kFeeStream));
    std::vector<FeeObservation> kept;
    for (std::size_t i = kFeeBurnIn; i < f.size(); ++i)
      kept.push_back({static_cast<std::int64_t>(i), f[i]});
    const Result<FeeStats> st = FeeStatsOf(kept, 30);
    if (!st.ok()) return st.status();
    mean_log += st->mean_log / kFeePaths;
    stdev_log += st->stdev_log / kFeePaths;
    acf30 += st->acf[29] / kFeePaths;
  }
  c.fit.push_back({"fees", "mean of log F", fit.history.mean_log, mean_log});
  c.fit.push_back({"fees", "stdev of log F", fit.history.stdev_log, stdev_log});
  c.fit.push_back({"fees", "acf of log F, lag 30", fit.history.acf[29], acf30});
  return Status::Ok();
}

// ---- Hashrate: paths driven by history's hashprice over the sample, with a
// day's estimate luck added, fitted again as history was. ----

Status AddHashrateRows(const HashpriceHistory& hist, std::int64_t start, const HashrateFit& fit,
                       double measurement_stdev, Calibration& c) {
  const auto n = static_cast<std::int64_t>(hist.dates.size());
  const HashrateModelParams at_start = ShiftedBy(fit.params, start - (n - 1));
  const std::span<const UsdPerTerahashDay> hashprice = std::span(hist.hashprice).subspan(start);
  double correlation = 0, lag = 0;
  for (int path = 0; path < kHashratePaths; ++path) {
    std::vector<TerahashPerSecond> h =
        SimulateHashrate(at_start, hist.hashrate[start], hist.hashprice, start, n - 1 - start,
                         RandomStream(kHashrateSeed, path, kHashrateStream));
    const RandomStream luck(kHashrateSeed, path, kHashrateEstimateStream);
    for (std::size_t t = 0; t < h.size(); ++t) {
      h[t] = TerahashPerSecond(h[t].value() * std::exp(measurement_stdev * luck.NormalAt(t)));
    }
    const Result<HashrateFit> refit = FitHashrateModel(h, hashprice);
    if (!refit.ok()) return refit.status();
    correlation += refit->correlation / kHashratePaths;
    lag += static_cast<double>(refit->params.lag_days) / kHashratePaths;
  }
  c.fit.push_back(
      {"hashrate", "partial correlation at the fitted lag", fit.correlation, correlation});
  c.fit.push_back({"hashrate", "fitted lag, days", static_cast<double>(fit.params.lag_days), lag});
  return Status::Ok();
}

// ---- GPU rent: a generation simulated over a span of years, cycle taken
// out, its median's fall against the cross-section's. ----

double MedianFall(const GpuRentParams& p, double years) {
  const auto days = static_cast<std::int64_t>(std::lround(years * 365));
  GpuRentParams trend = p;
  trend.cycle_amplitude = 0;
  const double cycle = GpuRentCurve(p, days) / GpuRentCurve(trend, days);
  std::vector<double> end;
  for (int path = 0; path < kGpuPaths; ++path) {
    end.push_back(SimulateGpuRent(p, days, RandomStream(kGpuSeed, path, kGpuStream)).back() /
                  cycle);
  }
  std::nth_element(end.begin(), end.begin() + kGpuPaths / 2, end.end());
  return std::log(p.start_usd_per_gpu_hour / end[kGpuPaths / 2]);
}

void AddGpuRows(const GpuRentFit& fit, const std::string& generation, Calibration& c) {
  c.fit.push_back({"gpu_rent", "generation step, log", fit.generation_step,
                   MedianFall(fit.params, fit.generation_interval_years)});
  // The fitted generation aged to its predecessor's age now: the ladder's claim.
  const auto it =
      std::find_if(fit.generations.begin(), fit.generations.end(),
                   [&](const GpuGenerationFit& g) { return g.gpu_model == generation; });
  if (it == fit.generations.begin() || it == fit.generations.end()) return;
  const GpuGenerationFit& older = *(it - 1);
  const double years = older.age_years - it->age_years;
  c.fit.push_back({"gpu_rent",
                   "annual decline, log, " + it->gpu_model + " to " + older.gpu_model + "'s age",
                   std::log(it->usd_per_gpu_hour / older.usd_per_gpu_hour) / years,
                   MedianFall(fit.params, years) / years});
}

}  // namespace

Result<Calibration> CalibrateFromData(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Status::NotFound(dir.string() + ": no such data directory");
  const Result<NetworkDaily> network = LoadNetworkDaily(dir / data_files::kNetworkDaily);
  if (!network.ok()) return network.status();
  const Result<PriceDaily> prices = LoadPriceDaily(dir / data_files::kPriceDaily);
  if (!prices.ok()) return prices.status();
  const Result<FeesDaily> fees = LoadFeesDaily(dir / data_files::kFeesDaily);
  if (!fees.ok()) return fees.status();
  const Result<std::vector<GpuRentalRow>> gpu =
      LoadGpuRentalIndex(dir / data_files::kGpuRentalIndex);
  if (!gpu.ok()) return gpu.status();
  for (const auto& [file, empty] : {std::pair{data_files::kNetworkDaily, network->days.empty()},
                                    {data_files::kPriceDaily, prices->days.empty()},
                                    {data_files::kFeesDaily, fees->days.empty()},
                                    {data_files::kGpuRentalIndex, gpu->empty()}}) {
    if (empty) return Status::DataError(std::string(file) + ": no rows");
  }

  Calibration c;
  c.generated_by = "mullet calibrate";
  c.sources = {SourceOf(data_files::kNetworkDaily, network->days),
               SourceOf(data_files::kPriceDaily, prices->days),
               SourceOf(data_files::kFeesDaily, fees->days),
               SourceOf(data_files::kGpuRentalIndex, *gpu)};

  // Hashrate, from kHashrateSampleStart to the fee file's last day.
  const Result<HashpriceHistory> hist = HashpriceHistoryOf(*network, *prices, *fees);
  if (!hist.ok()) return hist.status();
  const std::int64_t start = hist->IndexOf(Date(kHashrateSampleStart));
  const std::string hashrate_files = std::string(data_files::kNetworkDaily) + ", " +
                                     data_files::kPriceDaily + ", " + data_files::kFeesDaily;
  if (start >= static_cast<std::int64_t>(hist->dates.size())) {
    return Status::DataError(hashrate_files + ": no common day since " +
                             FormatDate(Date(kHashrateSampleStart)));
  }
  const Result<HashrateFit> hashrate = FitHashrateModel(std::span(hist->hashrate).subspan(start),
                                                        std::span(hist->hashprice).subspan(start));
  if (!hashrate.ok()) return Status::DataError(hashrate_files + ": " + hashrate.status().message());
  c.reference_date = hist->dates.back();
  c.hashrate = hashrate->params;
  c.hashrate_fit_correlation = hashrate->correlation;

  // Fees, the whole file.
  const Result<FeeFit> fee_fit = FitFeeModel(FeeObservationsOf(*fees));
  if (!fee_fit.ok()) return Status::DataError(Prefixed(data_files::kFeesDaily, fee_fit.status()));
  c.fees = fee_fit->params;
  c.fees_last_btc_per_day = fees->days.back().fees.value();
  c.fees_last_date = fees->days.back().date;

  // BTC, every daily return.
  const Result<std::vector<double>> returns = BtcLogReturnsOf(*prices);
  if (!returns.ok()) return returns.status();
  const Result<BtcRegimeFit> btc = FitBtcRegimeModel(*returns);
  if (!btc.ok()) return Status::DataError(Prefixed(data_files::kPriceDaily, btc.status()));
  c.btc_regime = btc->params;

  // GPU rent, the cross-section.
  const GpuRentFitOptions gpu_options;
  const Result<GpuRentFit> rent =
      FitGpuRentModel(GpuRentQuotesOf(*gpu), DatacenterGpuGenerations(), gpu_options);
  if (!rent.ok()) return Status::DataError(Prefixed(data_files::kGpuRentalIndex, rent.status()));
  c.gpu_rent = rent->params;
  c.gpu_rent_as_of = rent->as_of;

  AddBtcRows(*returns, c.btc_regime, c);
  if (Status s = AddFeeRows(*fee_fit, c); !s.ok())
    return Status::DataError(Prefixed(data_files::kFeesDaily, s));
  if (Status s = AddHashrateRows(*hist, start, *hashrate, hashrate->measurement_stdev, c);
      !s.ok()) {
    return Status::DataError(hashrate_files + ": " + s.message());
  }
  AddGpuRows(*rent, gpu_options.generation, c);
  return c;
}

}  // namespace mullet
