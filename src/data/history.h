// Loaders for the real public history in ../shared/data (schema: docs/data.md).
//
// Every loader checks the file against its documented schema: the exact
// header, a value of the right kind and range in every field, rows strictly
// increasing in time. A broken file fails with one message naming the file,
// the line and the field ("btc_fees_daily.csv:17: fees_btc: expected a number,
// got 'abc'"). Gaps in time are not filled: they are reported in `gaps`.

#ifndef MULLET_DATA_HISTORY_H_
#define MULLET_DATA_HISTORY_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/chain/subsidy.h"
#include "core/status/result.h"
#include "core/time/calendar.h"
#include "core/units/units.h"

namespace mullet {

// A run of missing rows in a series: `missing` rows from `first` to `last`
// inclusive (days for daily series, hours for hourly ones).
struct Gap {
  UtcTime first;
  UtcTime last;
  std::int64_t missing = 0;
};

// btc_difficulty_epochs.csv: one row per 2016-block epoch.
struct DifficultyEpoch {
  BlockHeight start_height = 0;
  UtcTime start;           // timestamp of the epoch's first block
  UtcTime end;             // timestamp of the next epoch's first block
  std::uint32_t bits = 0;  // compact target
  double difficulty = 0;
  TerahashPerSecond implied_hashrate{0};
  Btc subsidy_at_start{0};
};
struct DifficultyEpochs {
  std::vector<DifficultyEpoch> epochs;
  std::vector<Gap> gaps;  // epochs whose start height is not the previous + 2016
  // For an epoch gap, `first` is the end of the epoch before it (the start of
  // the first missing epoch), `last` the start of the epoch after it, and
  // `missing` the number of missing epochs.
};
Result<DifficultyEpochs> LoadDifficultyEpochs(const std::filesystem::path& file);

// btc_network_daily.csv
struct NetworkDay {
  Date date;
  int block_count = 0;
  Btc subsidy{0};
  TerahashPerSecond hashrate{0};
};
struct NetworkDaily {
  std::vector<NetworkDay> days;
  std::vector<Gap> gaps;
};
Result<NetworkDaily> LoadNetworkDaily(const std::filesystem::path& file);

// btc_fees_daily.csv (has a one-year gap, 2022-04-30 -> 2023-04-29)
struct FeeDay {
  Date date;
  Btc fees{0};
  std::string source;
};
struct FeesDaily {
  std::vector<FeeDay> days;
  std::vector<Gap> gaps;
};
Result<FeesDaily> LoadFeesDaily(const std::filesystem::path& file);

// btc_price_daily.csv
struct PriceDay {
  Date date;
  UsdPerBtc close{0};
  std::string source;
};
struct PriceDaily {
  std::vector<PriceDay> days;
  std::vector<Gap> gaps;
};
Result<PriceDaily> LoadPriceDaily(const std::filesystem::path& file);

// btc_ohlcv_daily_bitstamp.csv
struct OhlcvDay {
  Date date;
  UsdPerBtc open{0}, high{0}, low{0}, close{0};
  Btc volume{0};
};
struct OhlcvDaily {
  std::vector<OhlcvDay> days;
  std::vector<Gap> gaps;
};
Result<OhlcvDaily> LoadOhlcvDaily(const std::filesystem::path& file);

// btc_network_efficiency_cbeci_daily.csv
struct EfficiencyDay {
  Date date;
  JoulesPerTerahash lower{0}, estimated{0}, upper{0};
};
struct EfficiencyDaily {
  std::vector<EfficiencyDay> days;
  std::vector<Gap> gaps;
};
Result<EfficiencyDaily> LoadEfficiencyDaily(const std::filesystem::path& file);

// ercot_dam_spp_hourly_2021_2024.csv, ercot_rtm_spp_hourly_2024.csv, or any
// CSV in their schema: `timestamp_utc` then one or more `<point>_usd_per_mwh`
// columns. Prices may be negative (they are, in ERCOT). Each row is the
// price of the interval it starts. The interval is an hour, or what the
// first two rows are apart when that divides the hour (a real-time file
// kept at 15 minutes: 06:00, 06:15...); every row is on its grid, and
// missing intervals are gaps.
struct HourlyPrices {
  std::vector<std::string> points;  // column names without "_usd_per_mwh": "hb_west"
  std::chrono::seconds interval{3600};
  std::vector<UtcTime> hours;  // each row's start (of an hour, or of a shorter interval)
  // prices[p][i]: point p at hours[i].
  std::vector<std::vector<UsdPerMegawattHour>> prices;
  std::vector<Gap> gaps;
};
Result<HourlyPrices> LoadHourlyPrices(const std::filesystem::path& file);
// The same for one point only ("hb_west" or "hb_west_usd_per_mwh"): `points`
// and `prices` hold that column alone. The other columns' fields are not
// parsed (each row's shape and time still are): a run reads what it uses, at a
// sixth of the cost for the 7-point ERCOT file. InvalidArgument naming the
// available points if the file has no such column.
Result<HourlyPrices> LoadHourlyPrices(const std::filesystem::path& file, std::string_view point);
// The same over CSV text read from elsewhere (an HTTP reply's body); `name`
// stands for the file in messages ("https://host/prices.csv:3: ...").
Result<HourlyPrices> ParseHourlyPrices(std::string name, std::string text, std::string_view point);

// gpu_rental_index_ccir_2026-03.csv: a table sorted by date, then model.
struct GpuRentalRow {
  Date date;
  std::string gpu_model;
  std::string price_type;
  double index_usd_per_gpu_hour = 0;
  double p25_usd_per_gpu_hour = 0;
  double p75_usd_per_gpu_hour = 0;
  int n_observations = 0;
  std::string confidence;
};
Result<std::vector<GpuRentalRow>> LoadGpuRentalIndex(const std::filesystem::path& file);

// The file names of the standard data directory.
namespace data_files {
inline constexpr const char* kDifficultyEpochs = "btc_difficulty_epochs.csv";
inline constexpr const char* kNetworkDaily = "btc_network_daily.csv";
inline constexpr const char* kFeesDaily = "btc_fees_daily.csv";
inline constexpr const char* kPriceDaily = "btc_price_daily.csv";
inline constexpr const char* kOhlcvDaily = "btc_ohlcv_daily_bitstamp.csv";
inline constexpr const char* kEfficiencyDaily = "btc_network_efficiency_cbeci_daily.csv";
inline constexpr const char* kErcotDam = "ercot_dam_spp_hourly_2021_2024.csv";
inline constexpr const char* kErcotRtm = "ercot_rtm_spp_hourly_2024.csv";
inline constexpr const char* kAsicSpecs = "asic_miner_specs_f2pool_2020.csv";
inline constexpr const char* kGpuRentalIndex = "gpu_rental_index_ccir_2026-03.csv";
}  // namespace data_files

}  // namespace mullet

#endif  // MULLET_DATA_HISTORY_H_
