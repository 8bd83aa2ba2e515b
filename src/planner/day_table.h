// The planner's site-day by table: what SiteModel::RunDay books for one
// historical power day, tabulated on a grid of hashprice and read by
// interpolation, so that ten thousand paths drawing the same day do not each
// run its 24 hours under the policy.
//
// Why a day is a function of (historical day, calendar, hashprice) alone:
// - the planner holds a day's hashprice and BTC per TH for its 24 hours,
//   and the site's mining revenue is hashprice x C and its BTC is
//   (BTC per TH) x C, with C = the TH/s-days hashed (after uptime and pool
//   fee), so BTC per TH needs no axis of its own;
// - every other input of the hour (firm loads, the contract, limits) is the
//   historical day's prices or the plan day's calendar;
// - what a day inherits from the one before (a group's hysteresis, minimum
//   on and off times) lasts one or two hours; a cell starts from the state
//   at the end of the same day run once at the cell's hashprice (a warm-up),
//   not from the path's yesterday. A batch queue's jobs carry work for days,
//   so a site with one is not tabulated (TabulatedOk()).
// The grid: hashprice exp(j x step), USD per TH/s-day, every integer j in
// range. Between two grid points each book is interpolated linearly in
// log hashprice (C included; revenue is then the path's hashprice x C). At a
// grid point a cell is RunDay's own books. Where a group turns on or off
// between two grid points the interpolation mixes the two days' decisions:
// the margin forgone is second order, since the group is near its breakeven
// there. plan_run_test measures the tabulated plan against the hourly one.
//
// A cell is built when a path first needs it and kept; threads share them
// (built once each, published with an atomic; two threads that build the
// same cell build the same numbers, and one copy is kept). So a path's
// result is a function of its own markets alone, whatever the threads,
// ranks or shards.
//
// The calendar: a plan day's 24 CalendarHours, reduced to what the model's
// site reads (4CP alert hours and peak overlaps; the ambient only where the
// cooling plant has a capacity, and then only above its design ambient,
// rounded to kAmbientQuantumC, and only where the derated capacity falls
// below the site's most IT), is one of a few classes; cells are per
// (historical day, class).

#ifndef MULLET_PLANNER_DAY_TABLE_H_
#define MULLET_PLANNER_DAY_TABLE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "planner/site_model.h"

namespace mullet {

inline constexpr double kAmbientQuantumC = 0.25;

// Whether `model`'s days may be tabulated: no batch queue.
bool TabulatedOk(const SiteModel& model);

// The calendar of a plan day as `model`'s site reads it (see above).
std::vector<CalendarHour> CalendarClassOf(const SiteModel& model, const CalendarHour* day);

class DayTable {
 public:
  // `prices`: 24 per historical day; `logs`: 48 per historical day
  // (SiteModel::PriceLogs of the prices: 24 log prices, 24 log bought);
  // `classes`: 24 CalendarHours per calendar class. All outlive the table.
  // REQUIRES: TabulatedOk(model); step > 0.
  DayTable(const SiteModel& model, const UsdPerMegawattHour* prices, const double* logs, std::size_t days,
           std::vector<CalendarHour> classes, double step);
  ~DayTable();
  DayTable(const DayTable&) = delete;
  DayTable& operator=(const DayTable&) = delete;

  // What a run of days adds up in: accumulator_size() doubles, zeroed.
  std::size_t accumulator_size() const { return static_cast<std::size_t>(logical_) + 1; }

  // Adds historical day `day` in calendar class `cls` at `hashprice` (USD
  // per TH/s-day, before pool fee) and `btc_per_th` (BTC per TH/s-day) to
  // `acc`, the GPU clouds' revenue scaled by `cloud_factor`.
  void AddDay(std::uint32_t day, int cls, double hashprice, double btc_per_th, double cloud_factor, double* acc) const;
  // The same for many days at once (of many paths): their cells are found
  // first, then added, so that the memory reads overlap.
  // Up to kAccs accumulators take the same day (models of one site that read
  // the same class).
  static constexpr int kAccs = 4;
  struct Query {
    std::uint32_t day;
    int cls;
    double hashprice;
    double log_hashprice;  // log(hashprice), read when hashprice > 0
    double btc_per_th, cloud_factor;
    double* acc[kAccs];
    int accs = 1;
  };
  void AddDays(const Query* queries, std::size_t n) const;
  // Adds what `acc` holds to `books`.
  void AddTo(const double* acc, SiteBooks* books) const;

  // The books of one day at exactly `hashprice`, started from the warm-up:
  // what a cell holds (with BTC per TH 1, so btc_mined is C).
  SiteBooks RunCell(std::uint32_t day, int cls, double hashprice) const;

  double step() const { return step_; }
  // Cells built so far (all threads).
  std::size_t cells_built() const { return built_.load(std::memory_order_relaxed); }

 private:
  struct Chunk;  // kChunk grid points of one (day, class)
  static constexpr int kChunk = 8;
  // A cell's fields, as floats (fields_ of them), into `out`.
  void Pack(const SiteBooks& b, float* out) const;
  // The two cells around `hashprice` and the weight of the second; off the
  // grid both are the day itself at `hashprice`, in `scratch` (2 x fields_).
  void Find(std::uint32_t day, int cls, double hashprice, double log_hashprice, float* scratch, const float** a,
            const float** b, double* w) const;
  void Add(const float* a, const float* b, double w, double hashprice, double btc_per_th, double cloud_factor,
           double* acc) const;
  // The cell of grid point j: its fields, published or (when another
  // thread is building it) in `scratch`.
  const float* Cell(std::uint32_t day, int cls, int j, float* scratch) const;

  const SiteModel& model_;
  const UsdPerMegawattHour* prices_;
  const double* logs_;
  std::size_t days_;
  std::vector<CalendarHour> classes_;
  int class_count_;
  int leases_;
  int logical_;  // SiteBooks' fields, the leases' included (an accumulator's layout)
  // What a cell stores: fields_ of the logical fields, those the site can
  // make other than zero (the constructor says in which order).
  std::vector<int> stored_;
  int fields_ = 0;
  int plain_from_ = 0;
  double step_;
  int j_lo_, j_hi_;  // grid points exp(j step), j in [j_lo_, j_hi_]
  int chunks_per_row_;
  // [day * classes + class]: that row's chunk pointers (chunks_per_row_), or
  // null until a path first reads the row.
  mutable std::unique_ptr<std::atomic<std::atomic<Chunk*>*>[]> rows_;
  mutable std::atomic<std::size_t> built_{0};
};

}  // namespace mullet

#endif  // MULLET_PLANNER_DAY_TABLE_H_
