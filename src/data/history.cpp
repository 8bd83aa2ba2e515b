#include "data/history.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>
#include <tuple>
#include <unordered_set>

#include "core/chain/difficulty.h"
#include "core/text/untrusted_text.h"
#include "data/csv_reader.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;

constexpr std::string_view kPriceSuffix = "_usd_per_mwh";


// Shortest text that reads back as `v` (for messages).
std::string Num(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

Result<CsvReader> OpenWithHeader(const fs::path& file, std::span<const std::string_view> columns) {
  Result<CsvReader> reader = CsvReader::Open(file);
  if (!reader.ok()) return reader;
  Status s = reader->ExpectHeader(columns);
  if (!s.ok()) return s;
  return reader;
}

// Checks that a series moves strictly forward in time, row by row, and
// records the runs of missing steps (days or hours) between its rows.
class SeriesClock {
 public:
  explicit SeriesClock(seconds step) : step_(step) {}
  // Before the second row, for a series that learns its step from its first two.
  void set_step(seconds step) { step_ = step; }

  // `t` is the time in field `column` of the reader's current row.
  Status Add(const CsvReader& row, std::size_t column, UtcTime t) {
    if (has_previous_) {
      if (t <= previous_) {
        return row.FieldError(column, Quoted(row.Field(column)) +
                                          " is not after the previous row (" + previous_text_ +
                                          (t == previous_ ? ", a duplicate)" : ")"));
      }
      const std::int64_t missing = (t - previous_) / step_ - 1;
      if (missing > 0) gaps_.push_back(Gap{previous_ + step_, t - step_, missing});
    }
    has_previous_ = true;
    previous_ = t;
    previous_text_ = row.Field(column);
    return Status::Ok();
  }

  std::vector<Gap> TakeGaps() { return std::move(gaps_); }

 private:
  seconds step_;
  bool has_previous_ = false;
  UtcTime previous_;
  std::string previous_text_;
  std::vector<Gap> gaps_;
};

// Reads a daily series whose first column is `date`: `parse` turns the
// current row into a T (its date is set here), `rows` receives them.
template <typename T, typename Parse>
Status ReadDaily(CsvReader& reader, Parse parse, std::vector<T>* rows, std::vector<Gap>* gaps) {
  SeriesClock clock(days(1));
  Status s = reader.ForEachRow([&](const CsvReader& row) -> Status {
    Result<Date> date = row.Day(0);
    if (!date.ok()) return date.status();
    Status order = clock.Add(row, 0, UtcTime(*date));
    if (!order.ok()) return order;
    Result<T> value = parse(row);
    if (!value.ok()) return value.status();
    rows->push_back(std::move(value).value());
    rows->back().date = *date;
    return Status::Ok();
  });
  *gaps = clock.TakeGaps();
  return s;
}

// ---- btc_difficulty_epochs.csv ----

// Column indices of btc_difficulty_epochs.csv.
constexpr std::size_t kHeight = 0;
constexpr std::size_t kStart = 1;
constexpr std::size_t kEnd = 2;
constexpr std::size_t kDuration = 3;
constexpr std::size_t kBits = 4;
constexpr std::size_t kDifficulty = 5;
constexpr std::size_t kImplied = 6;
constexpr std::size_t kSubsidy = 7;

// Checks the derived columns against the ones they come from (data README:
// difficulty from nBits, duration = end - start, implied hashrate =
// 2016 * D * 2^32 / duration, subsidy = 50 BTC >> halvings).
Status CheckEpochConsistency(const CsvReader& row, const DifficultyEpoch& e,
                             std::int64_t duration_s, double implied_h_s, double subsidy_btc) {
  if (duration_s != (e.end - e.start).count()) {
    return row.FieldError(kDuration, Quoted(row.Field(kDuration)) +
                                         " is not epoch_end_utc - epoch_start_utc = " +
                                         std::to_string((e.end - e.start).count()));
  }
  Result<double> from_bits = DifficultyFromBits(e.bits);
  if (!from_bits.ok()) return row.FieldError(kBits, from_bits.status().message());
  // The file prints difficulty with 6 decimals: allow that rounding.
  if (std::fabs(e.difficulty - *from_bits) > 1e-6 + 1e-9 * *from_bits) {
    return row.FieldError(
        kDifficulty, Quoted(row.Field(kDifficulty)) + " disagrees with bits_hex " +
                         std::string(row.Field(kBits)) + " (difficulty " + Num(*from_bits) + ")");
  }
  // Printed with 7 significant digits.
  const double implied = kBlocksPerEpoch * e.difficulty * 4294967296.0 / duration_s;
  if (std::fabs(implied_h_s - implied) > 1e-5 * implied) {
    return row.FieldError(kImplied, Quoted(row.Field(kImplied)) +
                                        " disagrees with 2016 * difficulty * 2^32 / "
                                        "epoch_duration_s = " +
                                        Num(implied));
  }
  const double subsidy = ToBtc(BlockSubsidy(e.start_height)).value();
  if (subsidy_btc != subsidy) {
    return row.FieldError(kSubsidy, Quoted(row.Field(kSubsidy)) + " is not the subsidy at height " +
                                        std::to_string(e.start_height) + " (" + Num(subsidy) +
                                        " BTC)");
  }
  return Status::Ok();
}

Result<DifficultyEpoch> ParseEpoch(const CsvReader& row) {
  DifficultyEpoch e;
  Result<std::int64_t> height = row.IntegerIn(kHeight, 0, std::numeric_limits<std::int32_t>::max());
  if (!height.ok()) return height.status();
  if (*height % kBlocksPerEpoch != 0) {
    return row.FieldError(kHeight, "must be a multiple of 2016, got " + Quoted(row.Field(kHeight)));
  }
  e.start_height = *height;
  Result<UtcTime> start = row.Timestamp(kStart);
  if (!start.ok()) return start.status();
  Result<UtcTime> end = row.Timestamp(kEnd);
  if (!end.ok()) return end.status();
  if (*end <= *start) {
    return row.FieldError(kEnd, Quoted(row.Field(kEnd)) + " is not after epoch_start_utc " +
                                    Quoted(row.Field(kStart)));
  }
  e.start = *start;
  e.end = *end;
  Result<std::int64_t> duration = row.Integer(kDuration);
  if (!duration.ok()) return duration.status();
  Result<std::uint32_t> bits = row.Hex32(kBits);
  if (!bits.ok()) return bits.status();
  e.bits = *bits;
  Result<double> difficulty = row.Positive(kDifficulty);
  if (!difficulty.ok()) return difficulty.status();
  e.difficulty = *difficulty;
  Result<double> implied = row.NonNegative(kImplied);
  if (!implied.ok()) return implied.status();
  e.implied_hashrate = HashesPerSecond(*implied);
  Result<double> subsidy = row.NonNegative(kSubsidy);
  if (!subsidy.ok()) return subsidy.status();
  e.subsidy_at_start = Btc(*subsidy);
  Status s = CheckEpochConsistency(row, e, *duration, *implied, *subsidy);
  if (!s.ok()) return s;
  return e;
}

// Epochs move forward in height and time; consecutive ones meet exactly.
Status CheckEpochOrder(const CsvReader& row, const DifficultyEpoch& previous,
                       const DifficultyEpoch& e, std::vector<Gap>* gaps) {
  if (e.start_height <= previous.start_height) {
    return row.FieldError(kHeight, Quoted(row.Field(kHeight)) + " is not after the previous row (" +
                                       std::to_string(previous.start_height) + ")");
  }
  if (e.start <= previous.start) {
    return row.FieldError(kStart, Quoted(row.Field(kStart)) + " is not after the previous row (" +
                                      FormatUtc(previous.start) + ")");
  }
  const std::int64_t missing = (e.start_height - previous.start_height) / kBlocksPerEpoch - 1;
  if (missing == 0 && e.start != previous.end) {
    return row.FieldError(kStart, Quoted(row.Field(kStart)) + " is not the previous epoch's end (" +
                                      FormatUtc(previous.end) + ")");
  }
  if (e.start < previous.end) {
    return row.FieldError(kStart, Quoted(row.Field(kStart)) +
                                      " overlaps the previous epoch (ends " +
                                      FormatUtc(previous.end) + ")");
  }
  if (missing > 0) gaps->push_back(Gap{previous.end, e.start, missing});
  return Status::Ok();
}

}  // namespace

Result<DifficultyEpochs> LoadDifficultyEpochs(const fs::path& file) {
  static constexpr std::string_view kColumns[] = {"epoch_start_height",
                                                  "epoch_start_utc",
                                                  "epoch_end_utc",
                                                  "epoch_duration_s",
                                                  "bits_hex",
                                                  "difficulty",
                                                  "implied_hashrate_h_per_s",
                                                  "block_subsidy_btc_at_start"};
  Result<CsvReader> reader = OpenWithHeader(file, kColumns);
  if (!reader.ok()) return reader.status();
  DifficultyEpochs out;
  Status s = reader.value().ForEachRow([&](const CsvReader& row) -> Status {
    Result<DifficultyEpoch> e = ParseEpoch(row);
    if (!e.ok()) return e.status();
    if (!out.epochs.empty()) {
      Status order = CheckEpochOrder(row, out.epochs.back(), *e, &out.gaps);
      if (!order.ok()) return order;
    }
    out.epochs.push_back(*e);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<NetworkDaily> LoadNetworkDaily(const fs::path& file) {
  static constexpr std::string_view kColumns[] = {"date", "block_count", "subsidy_btc",
                                                  "hashrate_h_per_s"};
  Result<CsvReader> reader = OpenWithHeader(file, kColumns);
  if (!reader.ok()) return reader.status();
  NetworkDaily out;
  Status s = ReadDaily(
      reader.value(),
      [](const CsvReader& row) -> Result<NetworkDay> {
        NetworkDay day;
        Result<std::int64_t> blocks = row.IntegerIn(1, 0, std::numeric_limits<int>::max());
        if (!blocks.ok()) return blocks.status();
        day.block_count = static_cast<int>(*blocks);
        Result<double> subsidy = row.NonNegative(2);
        if (!subsidy.ok()) return subsidy.status();
        day.subsidy = Btc(*subsidy);
        Result<double> hashrate = row.NonNegative(3);
        if (!hashrate.ok()) return hashrate.status();
        day.hashrate = HashesPerSecond(*hashrate);
        return day;
      },
      &out.days, &out.gaps);
  if (!s.ok()) return s;
  return out;
}

Result<FeesDaily> LoadFeesDaily(const fs::path& file) {
  static constexpr std::string_view kColumns[] = {"date", "fees_btc", "source"};
  Result<CsvReader> reader = OpenWithHeader(file, kColumns);
  if (!reader.ok()) return reader.status();
  FeesDaily out;
  Status s = ReadDaily(
      reader.value(),
      [](const CsvReader& row) -> Result<FeeDay> {
        FeeDay day;
        Result<double> fees = row.NonNegative(1);
        if (!fees.ok()) return fees.status();
        day.fees = Btc(*fees);
        Result<std::string> source = row.Text(2);
        if (!source.ok()) return source.status();
        day.source = *source;
        return day;
      },
      &out.days, &out.gaps);
  if (!s.ok()) return s;
  return out;
}

Result<PriceDaily> LoadPriceDaily(const fs::path& file) {
  static constexpr std::string_view kColumns[] = {"date", "close_usd", "source"};
  Result<CsvReader> reader = OpenWithHeader(file, kColumns);
  if (!reader.ok()) return reader.status();
  PriceDaily out;
  Status s = ReadDaily(
      reader.value(),
      [](const CsvReader& row) -> Result<PriceDay> {
        PriceDay day;
        Result<double> close = row.Positive(1);
        if (!close.ok()) return close.status();
        day.close = UsdPerBtc(*close);
        Result<std::string> source = row.Text(2);
        if (!source.ok()) return source.status();
        day.source = *source;
        return day;
      },
      &out.days, &out.gaps);
  if (!s.ok()) return s;
  return out;
}

Result<OhlcvDaily> LoadOhlcvDaily(const fs::path& file) {
  static constexpr std::string_view kColumns[] = {"date",    "open_usd",  "high_usd",
                                                  "low_usd", "close_usd", "volume_btc"};
  Result<CsvReader> reader = OpenWithHeader(file, kColumns);
  if (!reader.ok()) return reader.status();
  OhlcvDaily out;
  Status s = ReadDaily(
      reader.value(),
      [](const CsvReader& row) -> Result<OhlcvDay> {
        double v[4];  // open, high, low, close
        for (std::size_t i = 0; i < 4; ++i) {
          Result<double> price = row.Positive(i + 1);
          if (!price.ok()) return price.status();
          v[i] = price.value();
        }
        if (v[1] < v[2]) return row.FieldError(2, "is below low_usd " + Quoted(row.Field(3)));
        for (std::size_t i : {std::size_t{0}, std::size_t{3}}) {  // open, close
          if (v[i] < v[2] || v[i] > v[1]) {
            return row.FieldError(i + 1,
                                  Quoted(row.Field(i + 1)) + " is outside low_usd..high_usd");
          }
        }
        Result<double> volume = row.NonNegative(5);
        if (!volume.ok()) return volume.status();
        OhlcvDay day;
        day.open = UsdPerBtc(v[0]);
        day.high = UsdPerBtc(v[1]);
        day.low = UsdPerBtc(v[2]);
        day.close = UsdPerBtc(v[3]);
        day.volume = Btc(*volume);
        return day;
      },
      &out.days, &out.gaps);
  if (!s.ok()) return s;
  return out;
}

// The three CBECI columns are not checked for lower <= estimated <= upper:
// the real file breaks that order on 21 days of March 2011.
Result<EfficiencyDaily> LoadEfficiencyDaily(const fs::path& file) {
  static constexpr std::string_view kColumns[] = {"date", "efficiency_lower_j_per_th",
                                                  "efficiency_estimated_j_per_th",
                                                  "efficiency_upper_j_per_th"};
  Result<CsvReader> reader = OpenWithHeader(file, kColumns);
  if (!reader.ok()) return reader.status();
  EfficiencyDaily out;
  Status s = ReadDaily(
      reader.value(),
      [](const CsvReader& row) -> Result<EfficiencyDay> {
        JoulesPerTerahash v[3];
        for (std::size_t i = 0; i < 3; ++i) {
          Result<double> eff = row.Positive(i + 1);
          if (!eff.ok()) return eff.status();
          v[i] = JoulesPerTerahash(*eff);
        }
        EfficiencyDay day;
        day.lower = v[0];
        day.estimated = v[1];
        day.upper = v[2];
        return day;
      },
      &out.days, &out.gaps);
  if (!s.ok()) return s;
  return out;
}

namespace {

// Every LoadHourlyPrices and ParseHourlyPrices: `only`, if set, picks the
// one point to read.
Result<HourlyPrices> ReadHourlyPrices(Result<CsvReader> opened, std::optional<std::string_view> only) {
  if (!opened.ok()) return opened.status();
  CsvReader& reader = opened.value();
  const std::vector<std::string>& header = reader.header();
  const std::string expected = " (expected header: timestamp_utc,<point>_usd_per_mwh,...)";
  if (header[0] != "timestamp_utc") {
    return reader.HeaderError("missing column 'timestamp_utc' (column 1 is " + Quoted(header[0]) +
                              ")" + expected);
  }
  if (header.size() < 2)
    return reader.HeaderError("missing a <point>_usd_per_mwh column" + expected);
  std::vector<std::string> points;
  std::unordered_set<std::string> seen;
  for (std::size_t i = 1; i < header.size(); ++i) {
    const std::string& column = header[i];
    if (column.size() <= kPriceSuffix.size() || !column.ends_with(kPriceSuffix)) {
      return reader.HeaderError("unexpected column " + Quoted(column) + " in column " +
                                std::to_string(i + 1) + expected);
    }
    std::string point = column.substr(0, column.size() - kPriceSuffix.size());
    if (!seen.insert(point).second) {  // a set: the check stays linear in the columns
      return reader.HeaderError("duplicate column " + Quoted(column) + " in column " +
                                std::to_string(i + 1));
    }
    points.push_back(std::move(point));
  }
  // The file columns read, and their points.
  std::vector<std::size_t> columns;
  HourlyPrices out;
  if (only.has_value()) {
    std::string_view wanted = *only;
    if (wanted.ends_with(kPriceSuffix)) wanted.remove_suffix(kPriceSuffix.size());
    const auto found = std::find(points.begin(), points.end(), wanted);
    if (found == points.end()) {
      std::string available;
      for (const std::string& name : points) available += (available.empty() ? "" : ", ") + name;
      return Status::InvalidArgument(reader.name() + " has no price column '" + std::string(*only) +
                                     "'; available: " + available);
    }
    columns.push_back(static_cast<std::size_t>(found - points.begin()) + 1);
    out.points.push_back(*found);
  } else {
    for (std::size_t p = 0; p < points.size(); ++p) columns.push_back(p + 1);
    out.points = std::move(points);
  }
  out.prices.resize(out.points.size());
  const std::size_t rows = reader.RowsHint();
  out.hours.reserve(rows);
  for (std::vector<UsdPerMegawattHour>& column : out.prices) column.reserve(rows);
  // The interval: an hour, or the first two rows' distance when it is a
  // whole number of minutes dividing the hour. Every row is on its grid (the
  // first is checked once the second has told the interval).
  SeriesClock clock(hours(1));
  int first_line = 0;
  std::string first_text;
  const auto off_grid = [&](UtcTime t) { return t.time_since_epoch() % out.interval != seconds(0); };
  const auto grid_error = [&](int line, std::string_view text) {
    const std::string minutes = std::to_string(out.interval.count() / 60);
    return Status::DataError(reader.name() + ":" + std::to_string(line) + ": timestamp_utc: " + Quoted(text) +
                             (out.interval == hours(1) ? " is not on the hour"
                                                       : " is not on the file's " + minutes +
                                                             "-minute grid (its first two rows are " + minutes +
                                                             " minutes apart)"));
  };
  Status s = reader.ForEachRow([&](const CsvReader& row) -> Status {
    Result<UtcTime> t = row.Timestamp(0);
    if (!t.ok()) return t.status();
    if (out.hours.empty()) {
      first_line = row.line();
      first_text = row.Field(0);
    } else {
      if (out.hours.size() == 1) {
        const seconds apart = *t - out.hours.front();
        if (apart > seconds(0) && apart < hours(1) && apart % std::chrono::minutes(1) == seconds(0) &&
            hours(1) % apart == seconds(0)) {
          out.interval = apart;
          clock.set_step(apart);
        }
        if (off_grid(out.hours.front())) return grid_error(first_line, first_text);
      }
      if (off_grid(*t)) return grid_error(row.line(), row.Field(0));
    }
    Status order = clock.Add(row, 0, *t);
    if (!order.ok()) return order;
    for (std::size_t p = 0; p < columns.size(); ++p) {
      Result<double> price = row.Number(columns[p]);  // ERCOT prices may be negative
      if (!price.ok()) return price.status();
      out.prices[p].push_back(UsdPerMegawattHour(*price));
    }
    out.hours.push_back(*t);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (out.hours.size() == 1 && off_grid(out.hours.front())) return grid_error(first_line, first_text);
  out.gaps = clock.TakeGaps();
  return out;
}

}  // namespace

Result<HourlyPrices> LoadHourlyPrices(const fs::path& file) {
  return ReadHourlyPrices(CsvReader::Open(file), std::nullopt);
}

Result<HourlyPrices> LoadHourlyPrices(const fs::path& file, std::string_view point) {
  return ReadHourlyPrices(CsvReader::Open(file), point);
}

Result<HourlyPrices> ParseHourlyPrices(std::string name, std::string text, std::string_view point) {
  return ReadHourlyPrices(CsvReader::FromText(std::move(name), std::move(text)), point);
}

Result<std::vector<GpuRentalRow>> LoadGpuRentalIndex(const fs::path& file) {
  static constexpr std::string_view kColumns[] = {"date",
                                                  "gpu_model",
                                                  "price_type",
                                                  "index_usd_per_gpu_hour",
                                                  "p25_usd_per_gpu_hour",
                                                  "p75_usd_per_gpu_hour",
                                                  "n_observations",
                                                  "confidence"};
  Result<CsvReader> reader = OpenWithHeader(file, kColumns);
  if (!reader.ok()) return reader.status();
  std::vector<GpuRentalRow> out;
  Status s = reader.value().ForEachRow([&](const CsvReader& row) -> Status {
    GpuRentalRow r;
    Result<Date> date = row.Day(0);
    if (!date.ok()) return date.status();
    r.date = *date;
    Result<std::string> text[3] = {row.Text(1), row.Text(2), row.Text(7)};
    for (const Result<std::string>& t : text) {
      if (!t.ok()) return t.status();
    }
    r.gpu_model = *text[0];
    r.price_type = *text[1];
    r.confidence = *text[2];
    double* prices[3] = {&r.index_usd_per_gpu_hour, &r.p25_usd_per_gpu_hour,
                         &r.p75_usd_per_gpu_hour};
    for (std::size_t i = 0; i < 3; ++i) {
      Result<double> price = row.Positive(3 + i);
      if (!price.ok()) return price.status();
      *prices[i] = *price;
    }
    if (r.index_usd_per_gpu_hour < r.p25_usd_per_gpu_hour ||
        r.index_usd_per_gpu_hour > r.p75_usd_per_gpu_hour) {
      return row.FieldError(3, Quoted(row.Field(3)) + " is outside p25..p75");
    }
    Result<std::int64_t> n = row.IntegerIn(6, 0, std::numeric_limits<int>::max());
    if (!n.ok()) return n.status();
    r.n_observations = static_cast<int>(*n);
    if (!out.empty() && std::tie(out.back().date, out.back().gpu_model, out.back().price_type) >=
                            std::tie(r.date, r.gpu_model, r.price_type)) {
      return row.FieldError(0,
                            "the row is not after the previous row (rows are sorted by date, "
                            "gpu_model, price_type)");
    }
    out.push_back(std::move(r));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace mullet
