#include "data/market.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <future>
#include <string_view>
#include <utility>

#include "core/chain/difficulty.h"
#include "core/chain/subsidy.h"
#include "core/economics/hashprice.h"
#include "data/csv_reader.h"
#include "data/history.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;

constexpr std::string_view kPriceSuffix = "_usd_per_mwh";

// Shortest text that reads back as `v`, without an exponent for everyday
// magnitudes ("0.05", "100000").
std::string Num(double v) {
  char buf[400];
  const double a = std::abs(v);
  const auto format =
      a == 0 || (a >= 1e-4 && a < 1e15) ? std::chars_format::fixed : std::chars_format::general;
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, format);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

std::string FileName(const fs::path& file) { return file.filename().string(); }

// ---- The grid. ----

struct Grid {
  UtcTime from;
  seconds step{0};
  std::int64_t steps = 0;
  UtcTime StepStart(std::int64_t i) const { return from + step * i; }
  UtcTime end() const { return StepStart(steps); }
};

// A step is a whole number of hours or a whole number of seconds dividing the hour.
Result<seconds> StepOf(Hours step) {
  const double s = step.count() * 3600.0;
  const double rounded = std::round(s);
  if (!std::isfinite(s) || rounded < 1 || std::abs(s - rounded) > 1e-6) {
    return Status::InvalidArgument("the step must be a positive whole number of seconds, got " +
                                   Num(s) + " s");
  }
  const seconds out(static_cast<std::int64_t>(rounded));
  if (out >= hours(1) ? out % hours(1) != seconds(0) : hours(1) % out != seconds(0)) {
    return Status::InvalidArgument(
        "the step must be a whole number of hours or divide one hour "
        "(5, 10, 15, 20, 30 min...), got " +
        Num(s) + " s");
  }
  return out;
}

// The checks that need no file: the step, `from` on the hour, and an explicit
// span that is a whole, positive number of steps.
Status CheckSpan(const MarketOptions& o) {
  Result<seconds> step = StepOf(o.step);
  if (!step.ok()) return step.status();
  if (o.from.has_value() && std::chrono::floor<hours>(*o.from) != *o.from) {
    return Status::InvalidArgument("from (" + FormatUtc(*o.from) + ") must be on the hour");
  }
  if (o.from.has_value() && o.to.has_value()) {
    if (*o.to <= *o.from) {
      return Status::InvalidArgument("to (" + FormatUtc(*o.to) + ") must be after from (" +
                                     FormatUtc(*o.from) + ")");
    }
    if ((*o.to - *o.from) % *step != seconds(0)) {
      return Status::InvalidArgument("from " + FormatUtc(*o.from) + " to " + FormatUtc(*o.to) +
                                     " is not a whole number of " + Num(step->count()) +
                                     " s steps");
    }
  }
  if ((!o.from.has_value() || !o.to.has_value()) && o.fixed_power_price.has_value()) {
    return Status::InvalidArgument("from and to are required with a fixed power price");
  }
  return Status::Ok();
}

// REQUIRES: CheckSpan(o) is ok. Defaults: `from` = the power file's first
// hour; `to` = its end rounded down to a whole number of steps.
// A window that asks for less than a day beyond either end of the power file
// runs on the hours the file has, in whole steps, and says which hours were
// absent: ERCOT's files begin and end on its operating day (06:00Z), so
// `--from 2024-01-01` on a file of 2024 asks for six hours it cannot have.
// A larger mismatch stays an error (PowerOver names the hours).
void ClipToFile(Grid* g, UtcTime data_from, UtcTime data_end, const std::string& data_name,
                std::vector<std::string>* notes) {
  const UtcTime end = g->end();
  if (g->from < data_from && data_from - g->from < days(1) && end > data_from) {
    const std::int64_t skip = (data_from - g->from + g->step - seconds(1)) / g->step;
    if (skip < g->steps) {
      notes->push_back(data_name + " has no prices for " + FormatUtc(g->from) + " to " +
                       FormatUtc(data_from - hours(1)) + ": the run starts at " +
                       FormatUtc(g->StepStart(skip)));
      g->from = g->StepStart(skip);
      g->steps -= skip;
    }
  }
  if (end > data_end && end - data_end < days(1) && g->from < data_end) {
    const std::int64_t keep = (data_end - g->from) / g->step;
    if (keep > 0) {
      notes->push_back(data_name + " has no prices for " + FormatUtc(data_end) + " to " +
                       FormatUtc(end - hours(1)) + ": the run ends at " + FormatUtc(g->StepStart(keep)));
      g->steps = keep;
    }
  }
}

Result<Grid> MakeGrid(const MarketOptions& o, std::optional<UtcTime> data_from,
                      std::optional<UtcTime> data_end, const std::string& data_name,
                      std::vector<std::string>* notes) {
  Grid g;
  g.step = *StepOf(o.step);
  g.from = o.from.has_value() ? *o.from : *data_from;
  if (std::chrono::floor<hours>(g.from) != g.from) {
    return Status::InvalidArgument("from (" + FormatUtc(g.from) + ") must be on the hour");
  }
  const UtcTime to = o.to.has_value() ? *o.to : *data_end;
  if (to <= g.from) {
    return o.to.has_value()
               ? Status::InvalidArgument("to (" + FormatUtc(to) + ") must be after from (" +
                                         FormatUtc(g.from) + ")")
               : Status::OutOfRange("from (" + FormatUtc(g.from) + ") is at or after the end of " +
                                    data_name + " (" + FormatUtc(to) + ")");
  }
  if (o.to.has_value() && (to - g.from) % g.step != seconds(0)) {
    return Status::InvalidArgument("from " + FormatUtc(g.from) + " to " + FormatUtc(to) +
                                   " is not a whole number of " + Num(g.step.count()) + " s steps");
  }
  g.steps = (to - g.from) / g.step;
  if (g.steps > kMaxMarketSteps) {
    return Status::InvalidArgument("from " + FormatUtc(g.from) + " to " + FormatUtc(to) + " is " +
                                   std::to_string(g.steps) + " steps; at most " + std::to_string(kMaxMarketSteps) +
                                   " (a longer step or a shorter window)");
  }
  if (g.steps == 0) {
    return Status::InvalidArgument("from " + FormatUtc(g.from) + " to the end of " + data_name +
                                   " is shorter than one step");
  }
  if (data_from && data_end) ClipToFile(&g, *data_from, *data_end, data_name, notes);
  return g;
}

// ---- Power. ----

// The power file's prices on [first, first + price.size() x interval), gaps
// filled: one per hour, or per shorter interval for a file kept at 15 minutes.
struct HourlyPower {
  UtcTime first;
  seconds interval{3600};
  std::vector<double> price;
  std::vector<char> filled;
};

// The file's intervals [first, end) at point `p`; a missing interval carries
// the last price forward.
Result<HourlyPower> PowerOver(const HourlyPrices& prices, std::size_t p, const std::string& file,
                              UtcTime first, UtcTime end) {
  const std::vector<UtcTime>& rows = prices.hours;
  const seconds iv = prices.interval;
  const std::string covers =
      " (it covers the hours " + FormatUtc(rows.front()) + " to " + FormatUtc(rows.back() + iv - hours(1)) + ")";
  const auto missing = [&](UtcTime from, UtcTime to) {
    return Status::OutOfRange(file + " has no price for the hours " + FormatUtc(from) + " to " +
                              FormatUtc(to) + covers);
  };
  if (first < rows.front()) return missing(first, std::min(end, rows.front()) - hours(1));
  if (end - iv > rows.back()) {
    return missing(std::max(first, rows.back() + iv), end - hours(1));
  }
  HourlyPower out;
  out.first = first;
  out.interval = iv;
  const std::size_t n = static_cast<std::size_t>((end - first) / iv);
  out.price.reserve(n);
  out.filled.reserve(n);
  std::size_t row =
      static_cast<std::size_t>(std::lower_bound(rows.begin(), rows.end(), first) - rows.begin());
  for (UtcTime h = first; h < end; h += iv) {
    while (row < rows.size() && rows[row] < h) ++row;
    if (row < rows.size() && rows[row] == h) {
      out.price.push_back(prices.prices[p][row].value());
      out.filled.push_back(0);
    } else {  // row > 0: h is after the first row
      out.price.push_back(prices.prices[p][row - 1].value());
      out.filled.push_back(1);
    }
  }
  return out;
}

// ---- BTC price and fees, one value per UTC day. ----

struct DailyValues {
  Date first;
  std::vector<double> value;
  std::vector<char> filled;
};

// For each day d in [first, last]: the close of d - 1 (the last one known at
// d's start); a missing day carries the close before it.
Result<DailyValues> PreviousCloses(const PriceDaily& prices, Date first, Date last) {
  const std::string file = data_files::kPriceDaily;
  const std::vector<PriceDay>& rows = prices.days;
  if (rows.empty()) return Status::OutOfRange(file + " holds no prices");
  const std::string covers =
      " (it covers " + FormatDate(rows.front().date) + " to " + FormatDate(rows.back().date) + ")";
  // Before the first close there is nothing to hold; past the last one, the
  // last close holds (filled), the rule for every series past the history.
  if (first - days(1) < rows.front().date) {
    return Status::OutOfRange("no BTC close for " + FormatDate(first - days(1)) + " in " + file + covers);
  }
  DailyValues out;
  out.first = first;
  std::size_t row = 0;
  for (Date d = first; d <= last; d += days(1)) {
    const Date want = d - days(1);
    while (row + 1 < rows.size() && rows[row + 1].date <= want) ++row;
    out.value.push_back(rows[row].close.value());
    out.filled.push_back(rows[row].date != want);
  }
  return out;
}

// For each day d in [first, last]: fees per block over the `window` days
// before d (sum of fees / sum of blocks on days present in both files). A day
// whose window has no data is interpolated linearly between the nearest days
// with data on each side (held from the nearest when only one side has any).
Result<DailyValues> FeesPerBlock(const FeesDaily& fees, const NetworkDaily& network, Date first,
                                 Date last, int window) {
  if (fees.days.empty()) {
    return Status::OutOfRange(std::string(data_files::kFeesDaily) + " holds no fees");
  }
  // Days whose windows may hold data, and the run's days.
  const Date lo = std::min(first, fees.days.front().date + days(1));
  const Date hi = std::max(last, fees.days.back().date + days(window));
  const Date base = lo - days(window);
  const auto index = [base](Date d) { return static_cast<std::size_t>((d - base).count()); };
  const std::size_t span = index(hi) + 1;
  std::vector<double> fee(span, 0);
  std::vector<char> has_fee(span, 0);
  std::vector<std::int64_t> blocks(span, 0);
  std::vector<char> has_blocks(span, 0);
  for (const FeeDay& f : fees.days) {
    if (f.date < base || f.date > hi) continue;
    fee[index(f.date)] = f.fees.value();
    has_fee[index(f.date)] = 1;
  }
  for (const NetworkDay& n : network.days) {
    if (n.date < base || n.date > hi) continue;
    blocks[index(n.date)] = n.block_count;
    has_blocks[index(n.date)] = 1;
  }
  // Prefix sums over days present in both: sum_x[k] covers indexes < k.
  std::vector<double> sum_fee(span + 1, 0);
  std::vector<std::int64_t> sum_blocks(span + 1, 0);
  for (std::size_t k = 0; k < span; ++k) {
    const bool both = has_fee[k] && has_blocks[k];
    sum_fee[k + 1] = sum_fee[k] + (both ? fee[k] : 0);
    sum_blocks[k + 1] = sum_blocks[k] + (both ? blocks[k] : 0);
  }
  // Window values for days lo..hi (index(d) - window .. index(d) - 1).
  const std::size_t n = static_cast<std::size_t>((hi - lo).count()) + 1;
  std::vector<double> value(n, 0);
  std::vector<char> valid(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t end = i + static_cast<std::size_t>(window);  // index(lo + i)
    const std::int64_t b = sum_blocks[end] - sum_blocks[end - window];
    if (b > 0) {
      value[i] = (sum_fee[end] - sum_fee[end - window]) / static_cast<double>(b);
      valid[i] = 1;
    }
  }
  constexpr std::int64_t kNone = -1;
  std::vector<std::int64_t> prev(n, kNone), next(n, kNone);
  for (std::size_t i = 0; i < n; ++i) {
    prev[i] = valid[i] ? static_cast<std::int64_t>(i) : (i > 0 ? prev[i - 1] : kNone);
  }
  for (std::size_t i = n; i-- > 0;) {
    next[i] = valid[i] ? static_cast<std::int64_t>(i) : (i + 1 < n ? next[i + 1] : kNone);
  }
  DailyValues out;
  out.first = first;
  for (Date d = first; d <= last; d += days(1)) {
    const std::size_t i = static_cast<std::size_t>((d - lo).count());
    if (valid[i]) {
      out.value.push_back(value[i]);
      out.filled.push_back(0);
      continue;
    }
    const std::int64_t a = prev[i], b = next[i];
    if (a == kNone && b == kNone) {
      return Status::OutOfRange("no fee data in " + std::string(data_files::kFeesDaily) + " and " +
                                data_files::kNetworkDaily + " for any " + std::to_string(window) +
                                "-day window");
    }
    double v;
    if (a == kNone || b == kNone) {
      v = value[static_cast<std::size_t>(a == kNone ? b : a)];
    } else {
      const double w =
          static_cast<double>(static_cast<std::int64_t>(i) - a) / static_cast<double>(b - a);
      v = value[static_cast<std::size_t>(a)] * (1 - w) + value[static_cast<std::size_t>(b)] * w;
    }
    out.value.push_back(v);
    out.filled.push_back(1);
  }
  return out;
}

// ---- Hashprice sources. ----

// What the market is at one instant.
struct Sample {
  double btc_per_th_day = 0;
  double btc_price = 0;
  double hashprice = 0;
  bool filled = false;
};

// The Bitcoin history files a hashprice from history reads, whole.
struct BitcoinFiles {
  Result<DifficultyEpochs> epochs = DifficultyEpochs{};
  std::optional<Result<PriceDaily>> prices;     // unless the BTC price is a constant
  std::optional<Result<FeesDaily>> fees;        // with a fee window
  std::optional<Result<NetworkDaily>> network;  // with a fee window
};

BitcoinFiles LoadBitcoinFiles(const fs::path& dir, int window, bool need_prices) {
  BitcoinFiles f;
  f.epochs = LoadDifficultyEpochs(dir / data_files::kDifficultyEpochs);
  if (!f.epochs.ok()) return f;
  if (need_prices) {
    f.prices = LoadPriceDaily(dir / data_files::kPriceDaily);
    if (!f.prices->ok()) return f;
  }
  if (window > 0) {
    f.fees = LoadFeesDaily(dir / data_files::kFeesDaily);
    if (!f.fees->ok()) return f;
    f.network = LoadNetworkDaily(dir / data_files::kNetworkDaily);
  }
  return f;
}

// A hashprice from history; At() is called with non-decreasing instants.
class HistorySampler {
 public:
  // From the files, over the days [first, last]; the first file error, in
  // the order they are read, is the result.
  static Result<HistorySampler> Build(BitcoinFiles files, Date first, Date last, int window,
                                      std::optional<UsdPerBtc> btc_price) {
    HistorySampler h;
    h.first_ = first;
    if (!files.epochs.ok()) return files.epochs.status();
    h.epochs_ = std::move(files.epochs).value().epochs;
    if (h.epochs_.empty()) {
      return Status::OutOfRange(std::string(data_files::kDifficultyEpochs) + " holds no epochs");
    }
    // The last day with real data in every series read (an epoch's last day
    // is the day before its end; the close of day d serves day d + 1).
    h.real_until_ = std::chrono::floor<days>(h.epochs_.back().end - seconds(1));
    if (!btc_price.has_value() && files.prices->ok() && !(*files.prices)->days.empty()) {
      h.real_until_ = std::min(h.real_until_, (*files.prices)->days.back().date + days(1));
    }
    if (window > 0 && files.fees->ok() && files.network->ok() && !(*files.fees)->days.empty() &&
        !(*files.network)->days.empty()) {
      h.real_until_ = std::min({h.real_until_, (*files.fees)->days.back().date, (*files.network)->days.back().date});
    }
    h.price_ = btc_price;
    if (!btc_price.has_value()) {
      const Result<PriceDaily>& prices = *files.prices;
      if (!prices.ok()) return prices.status();
      Result<DailyValues> closes = PreviousCloses(*prices, first, last);
      if (!closes.ok()) return closes.status();
      h.closes_ = std::move(closes).value();
    }
    if (window > 0) {
      const Result<FeesDaily>& fees = *files.fees;
      if (!fees.ok()) return fees.status();
      const Result<NetworkDaily>& network = *files.network;
      if (!network.ok()) return network.status();
      Result<DailyValues> per_block = FeesPerBlock(*fees, *network, first, last, window);
      if (!per_block.ok()) return per_block.status();
      h.fees_ = std::move(per_block).value();
    }
    return h;
  }

  Result<Sample> At(UtcTime t) {
    while (epoch_ + 1 < epochs_.size() && epochs_[epoch_ + 1].start <= t) ++epoch_;
    const DifficultyEpoch& e = epochs_[epoch_];
    const bool last_epoch = epoch_ + 1 == epochs_.size();
    Sample s;
    BlockHeight height = 0;
    if (t < e.start || (t >= e.end && !last_epoch)) {
      return Status::OutOfRange("no difficulty epoch in " +
                                std::string(data_files::kDifficultyEpochs) + " holds " +
                                FormatUtc(t) + " (it covers " + FormatUtc(epochs_.front().start) +
                                " to " + FormatUtc(epochs_.back().end) +
                                (t >= e.end ? ", with a gap from " + FormatUtc(e.end) + ")" : ")"));
    }
    if (t < e.end) {
      // Linear in time within the epoch, as NetworkHistory::At.
      height = e.start_height + kBlocksPerEpoch * (t - e.start).count() / (e.end - e.start).count();
    } else {  // past the last epoch: its difficulty holds, one block per 600 s
      height = e.start_height + kBlocksPerEpoch +
               (t - e.end) / std::chrono::duration_cast<seconds>(kTargetBlockInterval);
      s.filled = true;
    }
    const auto day = static_cast<std::size_t>((std::chrono::floor<days>(t) - first_).count());
    NetworkConditions net;
    net.difficulty = e.difficulty;
    net.subsidy = BlockSubsidy(height);
    if (!fees_.value.empty()) {
      net.fees_per_block = Btc(fees_.value[day]);
      s.filled = s.filled || fees_.filled[day];
    }
    if (price_.has_value()) {
      net.price = *price_;
    } else {
      net.price = UsdPerBtc(closes_.value[day]);
      s.filled = s.filled || closes_.filled[day];
    }
    s.btc_per_th_day = ExpectedBtcPerTerahashDay(net).value();
    s.btc_price = net.price.value();
    s.hashprice = s.btc_per_th_day * s.btc_price;
    return s;
  }

  // The last day every series read has real data for.
  Date real_until() const { return real_until_; }

 private:
  Date first_;  // the first day of closes_ and fees_
  Date real_until_;
  std::vector<DifficultyEpoch> epochs_;
  std::size_t epoch_ = 0;  // the epoch of the last instant asked for
  std::optional<UsdPerBtc> price_;
  DailyValues closes_;  // empty with price_
  DailyValues fees_;    // empty with a fee window of 0
};

struct HashpriceRow {
  UtcTime start;
  double usd_per_th_day = 0;
};

// `timestamp_utc` or `date`, then `hashprice_usd_per_th_day` or `..._per_ph_day`.
Result<std::vector<HashpriceRow>> LoadHashpriceCsv(const fs::path& file) {
  Result<CsvReader> opened = CsvReader::Open(file);
  if (!opened.ok()) return opened.status();
  CsvReader& reader = opened.value();
  const std::vector<std::string>& header = reader.header();
  const std::string expected =
      " (expected header: timestamp_utc or date, then hashprice_usd_per_th_day or "
      "hashprice_usd_per_ph_day)";
  if (header.size() != 2) {
    return reader.HeaderError(std::to_string(header.size()) + " columns" + expected);
  }
  const bool daily = header[0] == "date";
  if (!daily && header[0] != "timestamp_utc") {
    return reader.HeaderError("unexpected column '" + header[0] + "' in column 1" + expected);
  }
  double scale = 1;
  if (header[1] == "hashprice_usd_per_ph_day") {
    scale = 1e-3;
  } else if (header[1] != "hashprice_usd_per_th_day") {
    return reader.HeaderError("unexpected column '" + header[1] + "' in column 2" + expected);
  }
  std::vector<HashpriceRow> rows;
  Status s = reader.ForEachRow([&](const CsvReader& row) -> Status {
    UtcTime t;
    if (daily) {
      Result<Date> d = row.Day(0);
      if (!d.ok()) return d.status();
      t = UtcTime(*d);
    } else {
      Result<UtcTime> ts = row.Timestamp(0);
      if (!ts.ok()) return ts.status();
      t = *ts;
    }
    if (!rows.empty() && t <= rows.back().start) {
      return row.FieldError(0, "'" + std::string(row.Field(0)) +
                                   "' is not after the previous row (" +
                                   FormatUtc(rows.back().start) + ")");
    }
    Result<double> v = row.NonNegative(1);
    if (!v.ok()) return v.status();
    rows.push_back({t, *v * scale});
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return rows;
}

// A user hashprice (constant or file); At() is called with non-decreasing instants.
class UserSampler {
 public:
  static Result<UserSampler> Build(const MarketOptions& o, Date first, Date last, UtcTime from) {
    UserSampler u;
    if (o.hashprice_constant.has_value()) {
      u.rows_.push_back({from, o.hashprice_constant->value()});
    } else {
      Result<std::vector<HashpriceRow>> rows = LoadHashpriceCsv(*o.hashprice_csv);
      if (!rows.ok()) return rows.status();
      u.rows_ = std::move(rows).value();
      if (from < u.rows_.front().start) {
        return Status::OutOfRange(FileName(*o.hashprice_csv) + " has no hashprice for " +
                                  FormatUtc(from) + " (its first row is " +
                                  FormatUtc(u.rows_.front().start) + ")");
      }
    }
    if (o.btc_price_constant.has_value()) {
      u.price_ = *o.btc_price_constant;
    } else if (o.data_dir.has_value()) {
      Result<PriceDaily> prices = LoadPriceDaily(*o.data_dir / data_files::kPriceDaily);
      if (!prices.ok()) return prices.status();
      Result<DailyValues> closes = PreviousCloses(*prices, first, last);
      if (!closes.ok()) return closes.status();
      u.closes_ = std::move(closes).value();
    } else {
      u.price_ = kAssumedBtcPrice;
    }
    return u;
  }

  Sample At(UtcTime t) {
    while (row_ + 1 < rows_.size() && rows_[row_ + 1].start <= t) ++row_;
    Sample s;
    s.hashprice = rows_[row_].usd_per_th_day;
    if (price_.has_value()) {
      s.btc_price = price_->value();
    } else {
      const std::size_t day =
          static_cast<std::size_t>((std::chrono::floor<days>(t) - closes_.first).count());
      s.btc_price = closes_.value[day];
    }
    s.btc_per_th_day = s.hashprice / s.btc_price;
    return s;
  }

 private:
  std::vector<HashpriceRow> rows_;
  std::size_t row_ = 0;
  std::optional<UsdPerBtc> price_;
  DailyValues closes_;
};

Status CheckOptions(const MarketOptions& o) {
  if (o.fixed_power_price.has_value() && o.power_csv.has_value()) {
    return Status::InvalidArgument("give fixed_power_price or power_csv, not both");
  }
  if (o.fixed_power_price.has_value() && !std::isfinite(o.fixed_power_price->value())) {
    return Status::InvalidArgument("the fixed power price must be finite");
  }
  if (!o.fixed_power_price.has_value() && !o.power_csv.has_value() && !o.data_dir.has_value()) {
    return Status::InvalidArgument("no power price: give data_dir, power_csv or fixed_power_price");
  }
  if (o.hashprice_constant.has_value() && o.hashprice_csv.has_value()) {
    return Status::InvalidArgument("give hashprice_constant or hashprice_csv, not both");
  }
  if (o.hashprice_constant.has_value() &&
      !(std::isfinite(o.hashprice_constant->value()) && o.hashprice_constant->value() >= 0)) {
    return Status::InvalidArgument("the hashprice constant must be finite and >= 0, got " +
                                   Num(o.hashprice_constant->value()));
  }
  if (o.btc_price_constant.has_value() &&
      !(std::isfinite(o.btc_price_constant->value()) && o.btc_price_constant->value() > 0)) {
    return Status::InvalidArgument("the BTC price constant must be finite and > 0, got " +
                                   Num(o.btc_price_constant->value()));
  }
  const bool history = !o.hashprice_constant.has_value() && !o.hashprice_csv.has_value();
  if (history && !o.data_dir.has_value()) {
    return Status::InvalidArgument(
        "a hashprice from history needs data_dir; or give hashprice_constant or hashprice_csv");
  }
  if (o.fee_window_days < 0) {
    return Status::InvalidArgument("the fee window must be at least 0 days, got " +
                                   std::to_string(o.fee_window_days));
  }
  return CheckSpan(o);
}

struct PowerFile {
  std::string name;  // the file name, for messages and the source
  HourlyPrices prices;
  std::size_t point = 0;  // the chosen column
};

Result<PowerFile> LoadPower(const MarketOptions& o) {
  const fs::path path =
      o.power_csv.has_value() ? *o.power_csv : *o.data_dir / data_files::kErcotDam;
  PowerFile f;
  f.name = FileName(path);
  Result<HourlyPrices> loaded = LoadHourlyPrices(path, o.power_column);
  if (!loaded.ok()) return loaded.status();
  f.prices = std::move(loaded).value();
  f.point = 0;  // the one column read
  return f;
}

// A flat price or the hourly series over the run.
struct PowerInput {
  std::optional<double> fixed;
  HourlyPower hourly;
};

// The hashprice from history or from the user, one of the two.
struct HashpriceInput {
  std::optional<HistorySampler> history;
  std::optional<UserSampler> user;

  Result<Sample> At(UtcTime t) {
    if (user.has_value()) return user->At(t);
    return history->At(t);
  }
};

// Builds the hashprice source for the run and names it (and the BTC price's)
// in `m`; `files` holds the Bitcoin history when the hashprice comes from it.
Result<HashpriceInput> MakeHashprice(const MarketOptions& o, const Grid& g,
                                     std::future<BitcoinFiles>* files, MarketSeries* m) {
  const Date first_day = std::chrono::floor<days>(g.from);
  const Date last_day = std::chrono::floor<days>(g.end() - seconds(1));
  HashpriceInput in;
  if (o.hashprice_constant.has_value() || o.hashprice_csv.has_value()) {
    Result<UserSampler> user = UserSampler::Build(o, first_day, last_day, g.from);
    if (!user.ok()) return user.status();
    in.user = std::move(user).value();
    m->hashprice_source = o.hashprice_constant.has_value()
                              ? "constant " + Num(o.hashprice_constant->value()) + " USD/TH/day"
                              : FileName(*o.hashprice_csv);
  } else {
    Result<HistorySampler> history = HistorySampler::Build(files->get(), first_day, last_day,
                                                           o.fee_window_days, o.btc_price_constant);
    if (!history.ok()) return history.status();
    in.history = std::move(history).value();
    m->hashprice_source = "history";
    if (last_day > in.history->real_until()) m->history_ends = in.history->real_until();
  }
  if (o.btc_price_constant.has_value()) {
    m->btc_price_source = "constant " + Num(o.btc_price_constant->value()) + " USD/BTC";
  } else if (o.data_dir.has_value()) {
    m->btc_price_source = std::string(data_files::kPriceDaily) + " (previous day's close)";
  } else {
    m->btc_price_source = "assumed " + Num(kAssumedBtcPrice.value()) + " USD/BTC";
  }
  return in;
}

// Fills m's series step by step. A step of an hour or more averages its
// hours; a shorter one takes the value at its start. The power price is
// sampled on its file's own intervals: the mean of those in the step, or
// the one holding the step's start when the step is shorter.
Status FillSteps(const Grid& g, const PowerInput& power, HashpriceInput* hashprice,
                 MarketSeries* m) {
  const auto n = static_cast<std::size_t>(g.steps);
  m->step = std::chrono::duration_cast<Hours>(g.step);
  m->times.reserve(n);
  m->power_price.reserve(n);
  m->hashprice.reserve(n);
  m->btc_price.reserve(n);
  m->btc_per_th_day.reserve(n);
  const bool long_step = g.step >= hours(1);
  const seconds sample_every = long_step ? seconds(hours(1)) : g.step;
  const std::int64_t samples = long_step ? g.step / hours(1) : 1;
  const double count = static_cast<double>(samples);
  const seconds power_every = power.hourly.interval;
  const std::int64_t power_samples = g.step >= power_every ? g.step / power_every : 1;
  for (std::int64_t i = 0; i < g.steps; ++i) {
    const UtcTime t = g.StepStart(i);
    double power_sum = 0, usd_sum = 0, btc_sum = 0, price_sum = 0;
    bool power_filled = false, hashprice_filled = false;
    if (power.fixed.has_value()) {
      power_sum = *power.fixed * static_cast<double>(power_samples);
    } else {
      auto at = static_cast<std::size_t>((t - power.hourly.first) / power_every);
      for (std::int64_t k = 0; k < power_samples; ++k, ++at) {
        power_sum += power.hourly.price[at];
        power_filled = power_filled || power.hourly.filled[at];
      }
    }
    for (std::int64_t k = 0; k < samples; ++k) {
      const UtcTime at = t + sample_every * k;
      Result<Sample> s = hashprice->At(at);
      if (!s.ok()) return s.status();
      usd_sum += s->hashprice;
      btc_sum += s->btc_per_th_day;
      price_sum += s->btc_price;
      hashprice_filled = hashprice_filled || s->filled;
    }
    m->times.push_back(t);
    m->power_price.push_back(UsdPerMegawattHour(power_sum / static_cast<double>(power_samples)));
    m->hashprice.push_back(UsdPerTerahashDay(usd_sum / count));
    m->btc_per_th_day.push_back(BtcPerTerahashDay(btc_sum / count));
    // Over several hours: the price at which the step's bitcoin was earned
    // (USD earned / BTC earned), so that hashprice = btc_per_th_day x btc_price.
    const bool weighted = samples > 1 && btc_sum > 0;
    m->btc_price.push_back(UsdPerBtc(weighted ? usd_sum / btc_sum : price_sum / count));
    m->power_filled_steps += power_filled;
    m->hashprice_filled_steps += hashprice_filled;
  }
  return Status::Ok();
}

}  // namespace

Result<MarketSeries> BuildMarket(const MarketOptions& options) {
  if (Status s = CheckOptions(options); !s.ok()) return s;
  MarketSeries m;

  // The Bitcoin history loads on a second thread while this one reads the
  // power file: the two are independent, and each takes a third of the time
  // of a run like bench/one_group.yaml. (Its errors still come after the
  // power file's and the span's, as they did when read in turn.)
  std::future<BitcoinFiles> bitcoin_files;
  if (!options.hashprice_constant.has_value() && !options.hashprice_csv.has_value()) {
    bitcoin_files = std::async(std::launch::async, LoadBitcoinFiles, *options.data_dir,
                               options.fee_window_days, !options.btc_price_constant.has_value());
  }

  // The power file, when there is one, decides the default span.
  std::optional<PowerFile> file;
  std::optional<UtcTime> data_from, data_end;
  if (options.fixed_power_price.has_value()) {
    m.power_source = "constant " + Num(options.fixed_power_price->value()) + " USD/MWh";
  } else {
    Result<PowerFile> loaded = LoadPower(options);
    if (!loaded.ok()) return loaded.status();
    file = std::move(loaded).value();
    m.power_source = file->name + ":" + file->prices.points[file->point];
    data_from = file->prices.hours.front();
    data_end = file->prices.hours.back() + file->prices.interval;
  }
  Result<Grid> grid = MakeGrid(options, data_from, data_end, file ? file->name : "", &m.notes);
  if (!grid.ok()) return grid.status();

  PowerInput power;
  if (file.has_value()) {
    // Every interval the run touches: its end rounded up to the file's grid.
    const seconds iv = file->prices.interval;
    const UtcTime end = UtcTime(((grid->end().time_since_epoch() + iv - seconds(1)) / iv) * iv);
    Result<HourlyPower> hourly = PowerOver(file->prices, file->point, file->name, grid->from, end);
    if (!hourly.ok()) return hourly.status();
    power.hourly = std::move(hourly).value();
  } else {
    power.fixed = options.fixed_power_price->value();
  }

  Result<HashpriceInput> hashprice = MakeHashprice(options, *grid, &bitcoin_files, &m);
  if (!hashprice.ok()) return hashprice.status();
  if (Status s = FillSteps(*grid, power, &hashprice.value(), &m); !s.ok()) return s;
  return m;
}

}  // namespace mullet
