#include "planner/day_table.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <new>

namespace mullet {

// kChunk cells' states, then their values (fields floats each), in one
// allocation.
struct DayTable::Chunk {
  static Chunk* New(int fields) {
    void* mem = ::operator new(sizeof(Chunk) + sizeof(float) * static_cast<std::size_t>(kChunk) * fields);
    Chunk* c = new (mem) Chunk;
    for (auto& s : c->state) s.store(0, std::memory_order_relaxed);
    return c;
  }
  static void Delete(Chunk* c) {
    if (!c) return;
    c->~Chunk();
    ::operator delete(c);
  }
  float* values() { return reinterpret_cast<float*>(this + 1); }

  std::atomic<std::uint8_t> state[kChunk];  // 0 empty, 1 being built, 2 ready
};

namespace {

// A cell's fields; the leases' follow, three each (served, demanded, rent).
enum Field : int {
  kHours, kEnergy, kPowerCost, kSellBack, kMiningPowerCost,
  kThDays,  // TH/s-days hashed (after uptime and pool fee); in an accumulator, mining revenue
  kColoRent, kCloud, kBatch, kReimbursed, kMiningIt, kFirmDemand, kFirmServed,
  kMaxFacility,  // the most of either end, not interpolated
  kAlertMwh, kAlertHours, kPeakMwh, kPeakHours, kDrCredit,
  kFixedFields
};

// How many warm-up hours a cell runs before its day: the last of the same
// day, from every group running. Longer than any minimum on or off time of
// the examples (2 h); plan_run_test measures what is left.
constexpr int kWarmUpHours = 4;

}  // namespace

bool TabulatedOk(const SiteModel& model) {
  const Site& s = model.site();
  return !s.batch || s.batch->gpus <= 0;
}

std::vector<CalendarHour> CalendarClassOf(const SiteModel& model, const CalendarHour* day) {
  const Site& site = model.site();
  std::vector<CalendarHour> out(day, day + 24);
  const Cooling& c = site.cooling;
  for (CalendarHour& h : out) {
    if (!c.capacity || h.ambient_c <= c.design_ambient_c || c.CapacityAt(h.ambient_c) >= model.max_it()) {
      h.ambient_c = c.design_ambient_c;  // the cooling cannot bind: as the design's
    } else {
      h.ambient_c = c.design_ambient_c + std::round((h.ambient_c - c.design_ambient_c) / kAmbientQuantumC) * kAmbientQuantumC;
    }
    if (!site.contract.four_cp) {
      h.alert = false;
      h.peak_overlap_h = 0;
    }
  }
  return out;
}

DayTable::DayTable(const SiteModel& model, const UsdPerMegawattHour* prices, const double* logs, std::size_t days,
                   std::vector<CalendarHour> classes, double step)
    : model_(model),
      prices_(prices),
      logs_(logs),
      days_(days),
      classes_(std::move(classes)),
      class_count_(static_cast<int>(classes_.size() / 24)),
      leases_(static_cast<int>(model.site().leases.size())),
      logical_(kFixedFields + 3 * leases_),
      step_(step),
      j_lo_(static_cast<int>(std::floor(std::log(1e-6) / step))),
      j_hi_(static_cast<int>(std::ceil(std::log(100.0) / step))),
      chunks_per_row_((j_hi_ - j_lo_) / kChunk + 1),
      rows_(new std::atomic<std::atomic<Chunk*>*>[days * class_count_]) {
  for (std::size_t i = 0; i < days_ * class_count_; ++i) rows_[i].store(nullptr, std::memory_order_relaxed);
  // A cell keeps the fields the site can make other than zero: the
  // TH/s-days and the most power first, the clouds' revenue next (each
  // added its own way), then the rest.
  const Site& site = model.site();
  const bool firm = !site.leases.empty() || !site.clouds.empty();
  const bool triple_net =
      std::any_of(site.leases.begin(), site.leases.end(), [](const ColoLease& l) { return l.type == LeaseType::kTripleNet; });
  stored_ = {kThDays, kMaxFacility};
  if (!site.clouds.empty()) stored_.push_back(kCloud);
  plain_from_ = static_cast<int>(stored_.size());
  for (int f : {kHours, kEnergy, kPowerCost, kSellBack, kMiningPowerCost, kMiningIt}) stored_.push_back(f);
  if (!site.leases.empty()) stored_.push_back(kColoRent);
  if (site.batch) stored_.push_back(kBatch);
  if (triple_net) stored_.push_back(kReimbursed);
  if (firm) stored_.insert(stored_.end(), {kFirmDemand, kFirmServed});
  if (site.contract.four_cp) stored_.insert(stored_.end(), {kAlertMwh, kAlertHours, kPeakMwh, kPeakHours});
  if (std::any_of(classes_.begin(), classes_.end(), [](const CalendarHour& h) { return h.dr; })) {
    stored_.push_back(kDrCredit);
  }
  for (int f = kFixedFields; f < logical_; ++f) stored_.push_back(f);
  fields_ = static_cast<int>(stored_.size());
}

DayTable::~DayTable() {
  for (std::size_t i = 0; i < days_ * class_count_; ++i) {
    std::atomic<Chunk*>* row = rows_[i].load(std::memory_order_relaxed);
    if (!row) continue;
    for (int c = 0; c < chunks_per_row_; ++c) Chunk::Delete(row[c].load(std::memory_order_relaxed));
    delete[] row;
  }
}

SiteBooks DayTable::RunCell(std::uint32_t day, int cls, double hashprice) const {
  std::array<UsdPerTerahashDay, 24> hps;
  hps.fill(UsdPerTerahashDay(hashprice));
  std::array<double, 24> ones;
  ones.fill(1.0);
  const double* logs = logs_ + static_cast<std::size_t>(day) * 48;
  SiteDay sd{UtcTime{}, prices_ + static_cast<std::size_t>(day) * 24, hps.data(), ones.data(),
             &classes_[static_cast<std::size_t>(cls) * 24], logs, logs + 24};
  SiteModelState state = model_.InitialState(UtcTime{});
  SiteBooks warm, books;
  sd.first_hour = 24 - kWarmUpHours;
  model_.RunDay(sd, &state, &warm);
  sd.first_hour = 0;
  model_.RunDay(sd, &state, &books);
  return books;
}

void DayTable::Pack(const SiteBooks& b, float* out) const {
  const double fixed[kFixedFields] = {
      b.hours, b.energy_mwh, b.power_cost_usd, b.sell_back_usd, b.mining_power_cost_usd, b.btc_mined,
      b.colocation_rent_usd, b.gpu_cloud_revenue_usd, b.batch_revenue_usd, b.power_reimbursed_usd, b.mining_it_mwh,
      b.firm_demand_mwh, b.firm_served_mwh, b.max_facility_mw, b.alert_mwh, b.alert_hours, b.peak_mwh, b.peak_hours,
      b.dr_credit_usd};
  for (int k = 0; k < fields_; ++k) {
    const int f = stored_[k];
    if (f < kFixedFields) {
      out[k] = static_cast<float>(fixed[f]);
    } else {
      const int i = (f - kFixedFields) / 3;
      const std::vector<double>& v = (f - kFixedFields) % 3 == 0   ? b.lease_served_mwh
                                     : (f - kFixedFields) % 3 == 1 ? b.lease_demand_mwh
                                                                   : b.lease_rent_usd;
      out[k] = static_cast<float>(v[i]);
    }
  }
}

const float* DayTable::Cell(std::uint32_t day, int cls, int j, float* scratch) const {
  const int g = j - j_lo_;
  // The (day, class)'s row of chunk pointers, then the chunk: each made by
  // the first thread that needs it.
  std::atomic<std::atomic<Chunk*>*>& row_slot = rows_[static_cast<std::size_t>(day) * class_count_ + cls];
  std::atomic<Chunk*>* row = row_slot.load(std::memory_order_acquire);
  if (!row) {
    auto* fresh = new std::atomic<Chunk*>[static_cast<std::size_t>(chunks_per_row_)];
    for (int c = 0; c < chunks_per_row_; ++c) fresh[c].store(nullptr, std::memory_order_relaxed);
    if (row_slot.compare_exchange_strong(row, fresh, std::memory_order_acq_rel, std::memory_order_acquire)) {
      row = fresh;
    } else {
      delete[] fresh;
    }
  }
  std::atomic<Chunk*>& slot = row[g / kChunk];
  Chunk* chunk = slot.load(std::memory_order_acquire);
  if (!chunk) {
    Chunk* fresh = Chunk::New(fields_);
    if (slot.compare_exchange_strong(chunk, fresh, std::memory_order_acq_rel, std::memory_order_acquire)) {
      chunk = fresh;
    } else {
      Chunk::Delete(fresh);
    }
  }
  const int k = g % kChunk;
  float* values = chunk->values() + static_cast<std::size_t>(k) * fields_;
  std::uint8_t state = chunk->state[k].load(std::memory_order_acquire);
  if (state == 2) return values;
  // Not built: build it here, and publish it unless another thread is at it.
  const bool mine = state == 0 && chunk->state[k].compare_exchange_strong(state, 1, std::memory_order_acq_rel);
  if (!mine && state == 2) return values;  // finished between the two looks
  float* out = mine ? values : scratch;
  Pack(RunCell(day, cls, std::exp(j * step_)), out);
  if (mine) {
    chunk->state[k].store(2, std::memory_order_release);
    built_.fetch_add(1, std::memory_order_relaxed);
  }
  return out;
}

void DayTable::Find(std::uint32_t day, int cls, double hashprice, double log_hashprice, float* scratch,
                    const float** a, const float** b, double* w) const {
  const double x = hashprice > 0 ? log_hashprice / step_ : 0.0;
  const double fj = std::floor(x);
  if (!(hashprice > 0) || fj < j_lo_ || fj >= j_hi_) {  // off the grid: the day itself
    Pack(RunCell(day, cls, hashprice), scratch);
    *a = *b = scratch;
    *w = 0;
    return;
  }
  const int j = static_cast<int>(fj);
  *a = Cell(day, cls, j, scratch);
  *b = Cell(day, cls, j + 1, scratch + fields_);
  *w = x - fj;
}

void DayTable::Add(const float* a, const float* b, double w, double hashprice, double btc_per_th,
                   double cloud_factor, double* acc) const {
  auto at = [&](int k) { return a[k] + w * (b[k] - a[k]); };
  // Mining revenue and BTC from the TH/s-days, the most power of either
  // end rather than a mix, the clouds' rent factor; then the rest.
  const double th_days = at(0);
  acc[kThDays] += hashprice * th_days;
  acc[logical_] += btc_per_th * th_days;
  acc[kMaxFacility] = std::max({acc[kMaxFacility], static_cast<double>(a[1]), static_cast<double>(b[1])});
  if (plain_from_ == 3) acc[kCloud] += cloud_factor * at(2);
  for (int k = plain_from_; k < fields_; ++k) acc[stored_[k]] += at(k);
}

void DayTable::AddDay(std::uint32_t day, int cls, double hashprice, double btc_per_th, double cloud_factor,
                      double* acc) const {
  const Query q{day, cls, hashprice, hashprice > 0 ? std::log(hashprice) : 0.0, btc_per_th, cloud_factor, {acc}, 1};
  AddDays(&q, 1);
}

void DayTable::AddDays(const Query* queries, std::size_t n) const {
  // Scratch for cells another thread is building, or off the grid: two per query.
  struct Found {
    const float* a;
    const float* b;
    double w;
  };
  thread_local std::vector<float> scratch;
  thread_local std::vector<Found> found;
  if (scratch.size() < 2 * static_cast<std::size_t>(fields_) * n) scratch.resize(2 * static_cast<std::size_t>(fields_) * n);
  if (found.size() < n) found.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Query& q = queries[i];
    Find(q.day, q.cls, q.hashprice, q.log_hashprice, &scratch[2 * fields_ * i], &found[i].a, &found[i].b, &found[i].w);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const Query& q = queries[i];
    for (int k = 0; k < q.accs; ++k) Add(found[i].a, found[i].b, found[i].w, q.hashprice, q.btc_per_th, q.cloud_factor, q.acc[k]);
  }
}

void DayTable::AddTo(const double* acc, SiteBooks* books) const {
  books->hours += acc[kHours];
  books->energy_mwh += acc[kEnergy];
  books->power_cost_usd += acc[kPowerCost];
  books->sell_back_usd += acc[kSellBack];
  books->mining_power_cost_usd += acc[kMiningPowerCost];
  books->mining_revenue_usd += acc[kThDays];
  books->btc_mined += acc[logical_];
  books->colocation_rent_usd += acc[kColoRent];
  books->gpu_cloud_revenue_usd += acc[kCloud];
  books->batch_revenue_usd += acc[kBatch];
  books->power_reimbursed_usd += acc[kReimbursed];
  books->mining_it_mwh += acc[kMiningIt];
  books->firm_demand_mwh += acc[kFirmDemand];
  books->firm_served_mwh += acc[kFirmServed];
  books->max_facility_mw = std::max(books->max_facility_mw, acc[kMaxFacility]);
  books->alert_mwh += acc[kAlertMwh];
  books->alert_hours += acc[kAlertHours];
  books->peak_mwh += acc[kPeakMwh];
  books->peak_hours += acc[kPeakHours];
  books->dr_credit_usd += acc[kDrCredit];
  books->lease_served_mwh.resize(leases_, 0);
  books->lease_demand_mwh.resize(leases_, 0);
  books->lease_rent_usd.resize(leases_, 0);
  for (int i = 0; i < leases_; ++i) {
    books->lease_served_mwh[i] += acc[kFixedFields + 3 * i];
    books->lease_demand_mwh[i] += acc[kFixedFields + 3 * i + 1];
    books->lease_rent_usd[i] += acc[kFixedFields + 3 * i + 2];
  }
}

}  // namespace mullet
