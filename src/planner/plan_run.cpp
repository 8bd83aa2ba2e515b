#include "planner/plan_run.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/chain/difficulty.h"
#include "core/chain/subsidy.h"
#include "plan/daily_chain.h"
#include "plan/random.h"

namespace mullet {
namespace {

constexpr std::uint32_t kBtcStream = 1, kPowerStream = 2, kHashrateStream = 3, kFeeStream = 4, kGpuRentStream = 5,
                        kDrStream = 6;
constexpr std::chrono::hours kDayStartUtc = kPlanDayStartUtc;

int MonthsBetween(Date a, Date b) {
  const std::chrono::year_month_day x(a), y(b);
  return (static_cast<int>(y.year()) - static_cast<int>(x.year())) * 12 +
         (static_cast<int>(static_cast<unsigned>(y.month())) - static_cast<int>(static_cast<unsigned>(x.month())));
}

// A demand-response program's terms, as text (programs with the same terms are one).
std::string ProgramKey(const DemandResponseProgram& p) {
  std::ostringstream k;
  k.precision(17);
  k << p.events_per_year << "/" << p.weekdays_only << "/" << p.start_hour << "/" << p.hours << "/"
    << p.utc_offset_hours << "/" << p.reduce_to_mw << "/" << p.reduce_by_mw << "/" << p.credit_usd_per_mwh << "/m";
  for (int m : p.months) k << m << ",";
  return k.str();
}

// What sets a decision's site in a month: its conversions begun, and whether built.
std::string SiteKey(const Decision& d, int month, bool with_program = true) {
  std::ostringstream k;
  k.precision(17);
  for (const Conversion& c : d.conversions) {
    const ConversionPhase phase = PhaseIn(c, month);
    if (phase == ConversionPhase::kNotStarted) continue;
    const bool built = phase != ConversionPhase::kWorks;
    k << c.facility_mw << "/" << (built ? -1.0 : c.offline_mw) << "/" << static_cast<int>(phase);
    if (built) k << "/" << c.lease.usd_per_kw_month << "/" << c.lease.load_factor << "/" << static_cast<int>(c.lease.type);
    k << ";";
  }
  for (const FleetChange& c : d.fleet) {
    if (month >= c.month) k << "fleet:" << c.group << "/" << c.count << ";";
  }
  if (with_program && d.demand_response) k << "dr:" << ProgramKey(*d.demand_response);
  return k.str();
}

// Whether the plan's `date` may have an event of `p`.
bool Eligible(const DemandResponseProgram& p, Date date) {
  const std::chrono::year_month_day ymd(date);
  const int month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  if (std::find(p.months.begin(), p.months.end(), month) == p.months.end()) return false;
  const unsigned weekday = std::chrono::weekday(std::chrono::sys_days(date)).c_encoding();  // 0 Sunday
  return !p.weekdays_only || (weekday >= 1 && weekday <= 5);
}

// Draws of a Poisson count with mean `mean` from a uniform (inverse CDF),
// at most `cap`.
int PoissonCount(double mean, double u, int cap) {
  double p = std::exp(-mean), cdf = p;
  int k = 0;
  while (u > cdf && k < cap) {
    ++k;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

}  // namespace

void PlanResults::Resize(std::uint64_t first, std::uint64_t n, int months_, int decisions_) {
  first_path = first;
  count = n;
  months = months_;
  decisions = decisions_;
  market.assign(n * kMarketSeries * months, 0.0f);
  cash.assign(n * decisions * months, 0.0f);
  outcomes.assign(n * decisions, DecisionOutcome{});
}

Result<std::unique_ptr<PlanRunner>> PlanRunner::Create(const PlanSpec& plan, const Site& base, PlanMarkets markets) {
  std::unique_ptr<PlanRunner> r(new PlanRunner(plan, std::move(markets)));
  const std::chrono::year_month_day s(plan.start);
  const Date end = std::chrono::sys_days(s + std::chrono::years(plan.years));
  r->days_ = static_cast<int>((end - plan.start).count());
  r->day_month_.resize(r->days_);
  r->month_days_.assign(plan.months(), 0);
  for (int d = 0; d < r->days_; ++d) {
    r->day_month_[d] = std::min(plan.months() - 1, MonthsBetween(plan.start, plan.start + std::chrono::days(d)));
    ++r->month_days_[r->day_month_[d]];
  }
  r->calendar_ = std::make_unique<SiteCalendar>(base, UtcTime(plan.start) + kDayStartUtc, r->days_);
  std::map<std::string, int> ids;
  std::vector<std::string> site_keys;  // per model: its site's key, without a program
  r->site_of_.assign(plan.decisions.size(), std::vector<int>(plan.months(), 0));
  for (std::size_t d = 0; d < plan.decisions.size(); ++d) {
    for (int m = 0; m < plan.months(); ++m) {
      const std::string key = SiteKey(plan.decisions[d], m);
      auto it = ids.find(key);
      if (it == ids.end()) {
        site_keys.push_back(SiteKey(plan.decisions[d], m, false));
        Result<Site> site = SiteInMonth(base, plan.decisions[d], m);
        if (!site.ok()) return site.status();
        it = ids.emplace(key, static_cast<int>(r->models_.size())).first;
        r->models_.push_back(std::make_unique<SiteModel>(std::move(*site)));
      }
      r->site_of_[d][m] = it->second;
    }
  }
  for (const auto& model : r->models_) r->clouds_ = r->clouds_ || !model->site().clouds.empty();
  // Demand-response programs: each model's is its decisions' (the site key
  // holds it), and their eligible days by plan year.
  r->program_of_model_.assign(r->models_.size(), -1);
  std::map<std::string, int> program_ids;
  for (std::size_t d = 0; d < plan.decisions.size(); ++d) {
    const std::optional<DemandResponseProgram>& dr = plan.decisions[d].demand_response;
    if (!dr) continue;
    auto [it, added] = program_ids.emplace(ProgramKey(*dr), static_cast<int>(r->programs_.size()));
    if (added) r->programs_.push_back(*dr);
    for (int m = 0; m < plan.months(); ++m) r->program_of_model_[r->site_of_[d][m]] = it->second;
  }
  r->eligible_.assign(r->programs_.size(), std::vector<std::vector<int>>((plan.months() + 11) / 12));
  for (std::size_t p = 0; p < r->programs_.size(); ++p) {
    for (int d = 0; d < r->days_; ++d) {
      const Date local = plan.start + std::chrono::days(d + EventDateShift(r->programs_[p]));
      if (Eligible(r->programs_[p], local)) r->eligible_[p][r->day_month_[d] / 12].push_back(d);
    }
  }
  if (const PathMarkets* rp = r->markets_.replay.get()) {
    const std::size_t n = static_cast<std::size_t>(r->days_);
    if (rp->price.size() != n || rp->hashprice.size() != n || rp->btc_per_th.size() != n ||
        rp->hashrate.size() != n || rp->power_day.size() != n || !rp->gpu_rent_factor.empty()) {
      return Status::InvalidArgument("replay: " + std::to_string(n) +
                                     " days of BTC price, hashprice, BTC per TH and hashrate, and no GPU rents, wanted");
    }
    for (const std::uint32_t i : rp->power_day) {
      if (i >= r->markets_.power->history().size()) {
        return Status::InvalidArgument("replay: power day " + std::to_string(i) + " is not in the history");
      }
    }
    if (!rp->log_hashprice.empty() && rp->log_hashprice.size() != n) {
      return Status::InvalidArgument("replay: log_hashprice: " + std::to_string(n) + " days or none wanted");
    }
    if (!rp->dr_event.empty()) {  // none: a replay without events
      if (rp->dr_event.size() != r->programs_.size()) {
        return Status::InvalidArgument("replay: dr_event: one list per demand-response program (" +
                                       std::to_string(r->programs_.size()) + ") wanted");
      }
      for (std::size_t k = 0; k < rp->dr_event.size(); ++k) {
        if (rp->dr_event[k].size() != n) {
          return Status::InvalidArgument("replay: dr_event[" + std::to_string(k) + "]: " + std::to_string(n) +
                                         " days wanted");
        }
        std::vector<std::uint8_t> eligible(n, 0);
        for (const auto& year : r->eligible_[k]) {
          for (const int d : year) eligible[d] = 1;
        }
        for (std::size_t d = 0; d < n; ++d) {
          if (rp->dr_event[k][d] && !eligible[d]) {
            return Status::InvalidArgument("replay: dr_event[" + std::to_string(k) + "]: day " + std::to_string(d) +
                                           " is not one the program's events may fall on");
          }
        }
      }
    }
  }
  // Each historical power day's prices as the model gives them (level, cap)
  // and their logs, once: every path that draws the day reads them. The
  // logs depend on the contract's adder only, so models that share it share
  // them.
  const std::vector<PowerDay>& history = r->markets_.power->history();
  r->day_prices_.resize(history.size() * 24);
  for (std::size_t i = 0; i < history.size(); ++i) r->markets_.power->Prices(history[i], &r->day_prices_[i * 24]);
  std::map<double, int> by_adder;
  for (const auto& model : r->models_) {
    const double adder = model->site().contract.adder.value();
    auto [it, added] = by_adder.emplace(adder, static_cast<int>(r->day_logs_.size()));
    if (added) {
      std::vector<double>& logs = r->day_logs_.emplace_back(history.size() * 48);
      for (std::size_t i = 0; i < history.size(); ++i) {
        model->PriceLogs(&r->day_prices_[i * 24], &logs[i * 48], &logs[i * 48 + 24]);
      }
    }
    r->logs_of_model_.push_back(it->second);
  }
  // Tables, for the models that may have them: each plan day's calendar
  // reduced to what the site reads, one class per distinct reduction, and
  // the days of a program's event. Models of one site (that differ by a
  // program alone) share a table: their days without an event are the same.
  r->tables_.resize(r->models_.size());
  r->class_of_.resize(r->models_.size());
  r->event_class_of_.resize(r->models_.size());
  std::map<std::string, std::vector<int>> by_site;
  for (std::size_t k = 0; k < r->models_.size(); ++k) by_site[site_keys[k]].push_back(static_cast<int>(k));
  for (const auto& [key, group] : by_site) {
    const SiteModel& model = *r->models_[group.front()];
    if (plan.dispatch != "table" || !TabulatedOk(model)) continue;
    std::map<std::vector<double>, int> class_ids;
    std::vector<CalendarHour> classes;
    auto class_of = [&](const CalendarHour* day) {
      const std::vector<CalendarHour> c = CalendarClassOf(model, day);
      std::vector<double> id;
      for (const CalendarHour& h : c) {
        id.insert(id.end(), {h.ambient_c, h.alert ? 1.0 : 0.0, h.peak_overlap_h, h.dr ? 1.0 : 0.0, h.dr_reduce_to_w,
                             h.dr_reduce_by_w, h.dr_credit_usd_per_mwh});
      }
      auto [it, added] = class_ids.emplace(std::move(id), static_cast<int>(class_ids.size()));
      if (added) classes.insert(classes.end(), c.begin(), c.end());
      return it->second;
    };
    std::vector<int> day_class(r->days_);
    for (int d = 0; d < r->days_; ++d) day_class[d] = class_of(r->calendar_->Day(d));
    for (const int k : group) {
      r->class_of_[k] = day_class;
      if (const int p = r->program_of_model_[k]; p >= 0) {
        r->event_class_of_[k].assign(r->days_, -1);
        for (const std::vector<int>& year : r->eligible_[p]) {
          for (const int d : year) r->event_class_of_[k][d] = class_of(r->EventDay(p, d).data());
        }
      }
    }
    auto table = std::make_shared<DayTable>(model, r->day_prices_.data(), r->day_logs_[r->logs_of_model_[group.front()]].data(),
                                            history.size(), std::move(classes), plan.dispatch_step);
    for (const int k : group) r->tables_[k] = table;
  }
  return r;
}

std::array<CalendarHour, 24> PlanRunner::EventDay(int p, int d) const {
  const DemandResponseProgram& dr = programs_[p];
  std::array<CalendarHour, 24> day;
  std::copy(calendar_->Day(d), calendar_->Day(d) + 24, day.begin());
  // The hours that begin inside the window (the plan file keeps it inside
  // the day, after its first hour).
  const double first = EventStartInPlanDay(dr);
  for (int h = 0; h < 24; ++h) {
    if (h < first - 1e-9 || h >= first + dr.hours - 1e-9) continue;
    day[h].dr = true;
    day[h].dr_reduce_to_w = dr.reduce_to_mw >= 0 ? dr.reduce_to_mw * 1e6 : -1;
    day[h].dr_reduce_by_w = dr.reduce_by_mw >= 0 ? dr.reduce_by_mw * 1e6 : 0;
    day[h].dr_credit_usd_per_mwh = dr.credit_usd_per_mwh;
  }
  return day;
}

// The path's markets, day by day: BTC, the power day drawn, the chain's
// blocks and difficulty, hashprice, and tomorrow's hashrate from it.
PathMarkets PlanRunner::DrawMarkets(std::uint64_t seed, std::uint64_t path) const {
  if (markets_.replay) return *markets_.replay;
  const PlanSpec& p = plan_;
  const int n = days_;
  const RandomStream btc_stream(seed, path, kBtcStream), power_stream(seed, path, kPowerStream),
      hash_stream(seed, path, kHashrateStream);
  const std::vector<double> x =
      markets_.btc ? markets_.btc->SimulateLogReturns(n, btc_stream)
                   : SimulateBtcRegimeLogReturns(markets_.btc_regime, markets_.btc_regime_shift, n, btc_stream);
  PathMarkets pm;
  pm.price.resize(n);
  pm.hashprice.resize(n);
  pm.btc_per_th.resize(n);
  pm.hashrate.resize(n);
  pm.power_day.resize(n);
  auto& price = pm.price;
  auto& hashprice = pm.hashprice;
  auto& btc_per_th = pm.btc_per_th;
  auto& hashrate = pm.hashrate;
  auto& power_day = pm.power_day;
  const HashrateModelParams& hp = markets_.hashrate;
  double h_ths = p.market.network_hashrate_eh_s * 1e6;  // TH/s
  const double difficulty = p.market.difficulty > 0 ? p.market.difficulty
                                                    : DifficultyForHashrate(TerahashPerSecond(h_ths));
  DailyChain chain(p.market.block_height, difficulty);
  double fees = p.market.fees_btc_per_block;
  // Fees per day as the model has them (144 blocks a day), per block.
  std::vector<Btc> fee_path;
  if (markets_.fees) {
    fee_path = SimulateFees(*markets_.fees, Btc(fees * 144), n, RandomStream(seed, path, kFeeStream));
  }
  double s = p.market.btc_price_usd;
  // Hashprice before the start: the start's own, held (a day at the start's
  // difficulty, on a copy of the chain).
  const DailyChain::Span start_day = DailyChain(chain).Advance(TerahashPerSecond(h_ths));
  const double log_hp0 = std::log((start_day.subsidy_btc + fees * start_day.blocks) * s / h_ths);
  HashrateStepper stepper(hp, TerahashPerSecond(h_ths));
  std::vector<double> log_hp(n);
  for (int d = 0; d < n; ++d) {
    const Date date = p.start + std::chrono::days(d);
    power_day[d] = markets_.power->DrawDay(date, d, power_stream);
    if (!fee_path.empty()) fees = fee_path[d].value() / 144;
    price[d] = s;
    hashrate[d] = h_ths;
    const DailyChain::Span day = chain.Advance(TerahashPerSecond(h_ths));
    const double btc = day.subsidy_btc + fees * day.blocks;
    hashprice[d] = btc * s / h_ths;
    btc_per_th[d] = btc / h_ths;
    log_hp[d] = std::log(hashprice[d]);
    // Tomorrow's hashrate answers this path's hashprice, L days back.
    double xbar = 0;
    for (int k = 0; k < hp.hashprice_window_days; ++k) {
      const int i = d - hp.lag_days - k;
      xbar += i >= 0 ? log_hp[i] : log_hp0;
    }
    xbar /= hp.hashprice_window_days;
    h_ths = stepper.Step(xbar, hash_stream.NormalAt(static_cast<std::uint64_t>(d))).value();
    s *= std::exp(x[d]);
  }
  if (markets_.gpu_rent && clouds_) {  // drawn only where a GPU cloud earns by it
    const std::int64_t first = std::max<std::int64_t>(0, markets_.gpu_rent_day0);
    const std::vector<double> rent =
        SimulateGpuRent(*markets_.gpu_rent, first + n, RandomStream(seed, path, kGpuRentStream));
    pm.gpu_rent_factor.resize(n);
    for (int d = 0; d < n; ++d) pm.gpu_rent_factor[d] = rent[first + d] / rent[first];
  }
  pm.log_hashprice = std::move(log_hp);
  // Demand-response events: a Poisson count each plan year, on days drawn
  // from those eligible (two draws of one day make one event). Every
  // program reads the same uniforms: decisions compare on common events.
  const RandomStream dr_stream(seed, path, kDrStream);
  pm.dr_event.assign(programs_.size(), std::vector<std::uint8_t>(static_cast<std::size_t>(n), 0));
  for (std::size_t k = 0; k < programs_.size(); ++k) {
    for (std::size_t y = 0; y < eligible_[k].size(); ++y) {
      const std::vector<int>& days = eligible_[k][y];
      if (days.empty()) continue;
      const std::uint64_t base = y * 1024;
      const int count = PoissonCount(programs_[k].events_per_year, dr_stream.UniformAt(base), 1000);
      for (int i = 0; i < count; ++i) {
        const double u = dr_stream.UniformAt(base + 1 + static_cast<std::uint64_t>(i));
        pm.dr_event[k][days[std::min(days.size() - 1, static_cast<std::size_t>(u * days.size()))]] = 1;
      }
    }
  }
  return pm;
}

// The month's BTC close, mean hashprice, hashrate and power price.
void PlanRunner::RecordFans(const PathMarkets& pm, std::uint64_t index, PlanResults* out) const {
  const int n = days_;
  const int months = plan_.months();
  std::vector<double> sums(static_cast<std::size_t>(months) * kMarketSeries, 0.0);
  for (int d = 0; d < n; ++d) {
    const int m = day_month_[d];
    double mean = 0;
    for (int h = 0; h < 24; ++h) mean += day_prices_[pm.power_day[d] * 24 + h].value();
    sums[m * kMarketSeries + 0] = pm.price[d];  // the last day's
    sums[m * kMarketSeries + 1] += pm.hashprice[d] * 1000;
    sums[m * kMarketSeries + 2] += pm.hashrate[d] / 1e6;
    sums[m * kMarketSeries + 3] += mean / 24;
  }
  for (int m = 0; m < months; ++m) {
    const double days = std::max(1, month_days_[m]);
    out->MarketOf(index, 0)[m] = static_cast<float>(sums[m * kMarketSeries + 0]);
    for (int k = 1; k < kMarketSeries; ++k) out->MarketOf(index, k)[m] = static_cast<float>(sums[m * kMarketSeries + k] / days);
  }
}

// Each distinct site over the months some decision uses it: per path of
// `pms`, books by model and month. Tabulated models run day by day across
// the paths, so that the cells of one month's historical days stay in cache.
std::vector<std::vector<std::vector<SiteBooks>>> PlanRunner::RunSites(const std::vector<PathMarkets>& pms) const {
  const PlanSpec& p = plan_;
  const int n = days_;
  const int months = p.months();
  const std::size_t nm = models_.size();
  const std::size_t np = pms.size();
  std::vector<std::vector<std::vector<SiteBooks>>> books(
      np, std::vector<std::vector<SiteBooks>>(nm, std::vector<SiteBooks>(months)));
  std::vector<std::vector<bool>> used(nm, std::vector<bool>(months, false));
  for (const auto& row : site_of_) {
    for (int m = 0; m < months; ++m) used[row[m]][m] = true;
  }
  std::array<UsdPerTerahashDay, 24> hps{};
  std::array<double, 24> bpt{};
  // Tabulated models, a table's models together: on a day where two of them
  // read the same class (a program's model without an event and its site's
  // own), one read serves both.
  for (std::size_t k0 = 0; k0 < nm; ++k0) {
    const DayTable* table = tables_[k0].get();
    if (!table || std::find(tables_.begin(), tables_.begin() + static_cast<std::ptrdiff_t>(k0), tables_[k0]) !=
                      tables_.begin() + static_cast<std::ptrdiff_t>(k0)) {
      continue;  // hourly, or a table already run
    }
    std::vector<std::size_t> group;
    for (std::size_t k = k0; k < nm; ++k) {
      if (tables_[k] == tables_[k0]) group.push_back(k);
    }
    const std::size_t size = table->accumulator_size();
    std::vector<double> acc(group.size() * np * size, 0.0);  // [model in group][path]
    std::vector<DayTable::Query> queries;
    queries.reserve(np * group.size());
    int month = -1;
    for (int d = 0; d <= n; ++d) {
      const int m = d < n ? day_month_[d] : -1;
      if (m != month && month >= 0) {
        for (std::size_t g = 0; g < group.size(); ++g) {
          for (std::size_t i = 0; i < np; ++i) table->AddTo(&acc[(g * np + i) * size], &books[i][group[g]][month]);
        }
        std::fill(acc.begin(), acc.end(), 0.0);
      }
      month = m;
      if (d == n) continue;
      queries.clear();
      if (group.size() == 1) {  // most tables: one model, a read a path
        const std::size_t k = group.front();
        if (!used[k][m]) continue;
        const int program = program_of_model_[k];
        queries.resize(np);
        for (std::size_t i = 0; i < np; ++i) {
          const PathMarkets& pm = pms[i];
          const bool event = program >= 0 && !pm.dr_event.empty() && pm.dr_event[program][d];
          DayTable::Query& q = queries[i];
          q.day = pm.power_day[d];
          q.cls = event ? event_class_of_[k][d] : class_of_[k][d];
          q.hashprice = pm.hashprice[d];
          q.log_hashprice = pm.log_hashprice[d];
          q.btc_per_th = pm.btc_per_th[d];
          q.cloud_factor = pm.gpu_rent_factor.empty() ? 1.0 : pm.gpu_rent_factor[d];
          q.acc[0] = &acc[i * size];
          q.accs = 1;
        }
        table->AddDays(queries.data(), queries.size());
        continue;
      }
      for (std::size_t i = 0; i < np; ++i) {
        const PathMarkets& pm = pms[i];
        const std::size_t first = queries.size();
        for (std::size_t g = 0; g < group.size(); ++g) {
          const std::size_t k = group[g];
          if (!used[k][m]) continue;
          const int program = program_of_model_[k];
          const bool event = program >= 0 && !pm.dr_event.empty() && pm.dr_event[program][d];
          const int cls = event ? event_class_of_[k][d] : class_of_[k][d];
          double* to = &acc[(g * np + i) * size];
          if (queries.size() > first) {  // another model of the table already reads this path's day
            auto same = std::find_if(queries.begin() + static_cast<std::ptrdiff_t>(first), queries.end(),
                                     [&](const DayTable::Query& q) { return q.cls == cls && q.accs < DayTable::kAccs; });
            if (same != queries.end()) {
              same->acc[same->accs++] = to;
              continue;
            }
          }
          DayTable::Query q{pm.power_day[d], cls, pm.hashprice[d], pm.log_hashprice[d], pm.btc_per_th[d],
                            pm.gpu_rent_factor.empty() ? 1.0 : pm.gpu_rent_factor[d], {to}, 1};
          queries.push_back(q);
        }
      }
      table->AddDays(queries.data(), queries.size());
    }
  }
  for (std::size_t k = 0; k < nm; ++k) {
    const int program = program_of_model_[k];
    if (tables_[k]) continue;
    const SiteModel& model = *models_[k];
    for (std::size_t i = 0; i < np; ++i) {
      const PathMarkets& pm = pms[i];
      std::optional<SiteModelState> st;
      int last_month = -2;
      for (int d = 0; d < n; ++d) {
        const int m = day_month_[d];
        if (!used[k][m]) continue;
        const UtcTime start = UtcTime(p.start + std::chrono::days(d)) + kDayStartUtc;
        if (m != last_month && m != last_month + 1) st.reset();
        if (m != last_month) last_month = m;
        if (!st) st.emplace(model.InitialState(start));
        const std::size_t drawn = pm.power_day[d];
        const double* logs = &day_logs_[logs_of_model_[k]][drawn * 48];
        hps.fill(UsdPerTerahashDay(pm.hashprice[d]));
        bpt.fill(pm.btc_per_th[d]);
        SiteBooks& month = books[i][k][m];
        const double cloud_before = month.gpu_cloud_revenue_usd;
        std::array<CalendarHour, 24> event_day;
        const CalendarHour* cal = calendar_->Day(d);
        if (program >= 0 && !pm.dr_event.empty() && pm.dr_event[program][d]) {
          event_day = EventDay(program, d);
          cal = event_day.data();
        }
        model.RunDay(SiteDay{start, &day_prices_[drawn * 24], hps.data(), bpt.data(), cal, logs, logs + 24}, &*st,
                     &month);
        if (!pm.gpu_rent_factor.empty()) {
          month.gpu_cloud_revenue_usd = cloud_before + (month.gpu_cloud_revenue_usd - cloud_before) * pm.gpu_rent_factor[d];
        }
      }
    }
  }
  return books;
}

// Paths [path, path + count), stored from `index` on.
void PlanRunner::RunPaths(std::uint64_t seed, std::uint64_t path, std::uint64_t count, std::uint64_t index,
                          PlanResults* out) const {
  std::vector<PathMarkets> pms;
  pms.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    pms.push_back(DrawMarkets(seed, path + i));
    RecordFans(pms.back(), index + i, out);
    // The sites need neither (the finance reads the month's BTC price from the fans).
    PathMarkets& pm = pms.back();
    pm.price = {};
    pm.hashrate = {};
    if (pm.log_hashprice.empty()) {
      for (const double hp : pm.hashprice) pm.log_hashprice.push_back(hp > 0 ? std::log(hp) : 0.0);
    }
  }
  const auto books = RunSites(pms);
  // Finance per decision; the first's flows are the base of the others' IRR.
  for (std::uint64_t i = 0; i < count; ++i) {
    std::vector<Usd> base_flows;
    for (int di = 0; di < static_cast<int>(plan_.decisions.size()); ++di) {
      RunFinance(di, books[i], index + i, &base_flows, out);
    }
  }
}

std::size_t PlanRunner::table_cells() const {
  std::size_t n = 0;
  for (std::size_t k = 0; k < tables_.size(); ++k) {
    const bool first = std::find(tables_.begin(), tables_.begin() + static_cast<std::ptrdiff_t>(k), tables_[k]) ==
                       tables_.begin() + static_cast<std::ptrdiff_t>(k);
    if (tables_[k] && first) n += tables_[k]->cells_built();
  }
  return n;
}

PlanResults PlanRunner::Run(std::uint64_t seed, std::uint64_t first, std::uint64_t count, int threads,
                            const std::function<void(std::uint64_t)>& progress, std::uint64_t block) const {
  PlanResults out;
  out.seed = seed;
  out.Resize(first, count, plan_.months(), static_cast<int>(plan_.decisions.size()));
  // Paths go to threads in blocks: a block runs its tabulated days across
  // its paths (RunSites), so a table's cells of a month are read many times
  // while in cache (kBlock 256: 10,000 paths of examples/plan.yaml in 10.0 s
  // on 2 cores, against 13.1 s in blocks of 64 and 10.3 s of 1,024).
  // Fewer paths than a block per thread: split them evenly instead.
  const std::uint64_t workers = static_cast<std::uint64_t>(std::max(1, threads));
  const std::uint64_t per_block = std::max<std::uint64_t>(1, std::min(block, (count + workers - 1) / workers));
  std::atomic<std::uint64_t> next{0}, done{0};
  std::mutex progress_mu;
  auto work = [&] {
    for (;;) {
      const std::uint64_t i = next.fetch_add(per_block);
      if (i >= count) return;
      const std::uint64_t n = std::min(per_block, count - i);
      RunPaths(seed, first + i, n, i, &out);
      const std::uint64_t finished = done.fetch_add(n) + n;
      if (progress) {
        std::unique_lock lock(progress_mu, std::try_to_lock);
        if (lock.owns_lock()) progress(finished);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, threads); ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (progress) progress(count);
  return out;
}

}  // namespace mullet
