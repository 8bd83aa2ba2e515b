#include "daemon/loop_runner.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <optional>

#include "dispatch/reason.h"

namespace mullet {
namespace {

// The loop's options with the runner's clock, so that commands are timed
// from when they left.
LoopOptions WithClock(LoopOptions o, const LoopRunner::Clock& clock) {
  if (!o.clock) o.clock = clock;
  return o;
}

}  // namespace
namespace {

std::vector<std::string> NamesOf(const FleetIo& fleet) {
  std::vector<std::string> names(fleet.size());
  for (std::size_t i = 0; i < names.size(); ++i) names[i] = fleet.name(i);
  return names;
}

}  // namespace

LoopRunner::LoopRunner(const Site& site, std::unique_ptr<Store> store, std::unique_ptr<FleetIo> fleet,
                       std::vector<std::size_t> groups, LoopRunnerOptions options, LiveBoard& board,
                       std::ostream& log, Clock clock)
    : site_(site),
      store_(std::move(store)),
      fleet_(std::move(fleet)),
      options_(std::move(options)),
      loop_(site, *store_, *fleet_, std::move(groups), WithClock(options_.loop, clock)),
      board_(board),
      log_(log),
      clock_(std::move(clock)),
      devices_(NamesOf(*fleet_)) {
  state_.loop = true;
  state_.site = &site_;
  state_.policy = options_.loop.policy;
  state_.miners = fleet_->size();
  state_.price_usd_per_mwh = options_.signals.price.value();
  state_.hashprice_usd_per_th_day = options_.signals.hashprice.value();
  state_.sources = options_.sources;
  if (options_.scheduler) loop_.SetBatchScheduler(options_.scheduler.get(), options_.partition);
  if (!options_.gpu_nodes.empty()) loop_.SetFirmGpuNodes(options_.gpu_nodes);
}

void LoopRunner::PollVen(UtcTime now) {
  if (!options_.ven) return;
  const bool was_failing = !state_.sources["openadr"].error.empty();
  const std::optional<Watts> meter = state_.last ? state_.last->site_meter : std::nullopt;
  const Status s = options_.ven->Poll(now, *store_, meter);
  state_.sources["openadr"] = options_.ven->Health(now);
  if (!s.ok() && !was_failing) {
    fmt::print(log_, "mullet serve: level=warn msg=\"OpenADR VTN poll failed\" time={} error=\"{}\"\n",
               FormatUtc(now), s.message());
  } else if (s.ok() && was_failing) {
    fmt::print(log_, "mullet serve: level=info msg=\"OpenADR VTN answers again\" time={}\n", FormatUtc(now));
  }
  log_.flush();
}

void LoopRunner::PollAlerts(UtcTime now, LoopSignals* signals) {
  if (!options_.four_cp_alerts) return;
  FourCpAlertFile& alerts = *options_.four_cp_alerts;
  const bool was_failing = !state_.sources["four_cp_alerts"].error.empty();
  alerts.Poll(now);
  const SourceHealth health = alerts.Health();
  state_.sources["four_cp_alerts"] = health;
  signals->four_cp_alert = alerts.InForce(now);
  if (!health.error.empty() && !was_failing) {
    fmt::print(log_,
               "mullet serve: level=warn msg=\"4CP ALERT FILE UNREADABLE: acting on its last good alerts\" time={} "
               "error=\"{}\"\n",
               FormatUtc(now), health.error);
  } else if (health.error.empty() && was_failing) {
    fmt::print(log_, "mullet serve: level=info msg=\"4CP alert file read again\" time={}\n", FormatUtc(now));
  }
  log_.flush();
}

std::string_view SafeActionName(SafeAction a) { return a == SafeAction::kCurtail ? "curtail" : "hold"; }

LoopRunner::~LoopRunner() { Stop(); }

LoopSignals LoopRunner::Signals(UtcTime now) {
  LoopSignals s = options_.signals;
  price_stale_.clear();
  if (!options_.price_feed) return s;
  LivePrice& feed = *options_.price_feed;
  feed.Poll(now);
  const SourceHealth health = feed.Health(now);
  if (!health.stale) {
    s.price = feed.At(now)->price;
    options_.signals.price = s.price;  // the last good price, for hold
  } else {
    price_stale_ = "the price feed is stale (" + health.error + ")";
  }
  state_.sources["price"] = health;
  return s;
}

void LoopRunner::ApplySafeAction(UtcTime now, LoopSignals* signals) {
  std::string why, stale;  // in words, with each source's error; the sources alone
  const auto add = [&](std::string_view name, const std::string& text) {
    why += (why.empty() ? "" : "; ") + text;
    stale += (stale.empty() ? "" : ",") + std::string(name);
  };
  if (!price_stale_.empty() && options_.safe_action_on.contains("price")) add("price", price_stale_);
  for (const auto& [name, words] : {std::pair<const char*, const char*>{"meter", "the meter"},
                                    std::pair<const char*, const char*>{"openadr", "the OpenADR VTN"}}) {
    if (!options_.safe_action_on.contains(name)) continue;
    const auto it = state_.sources.find(name);
    if (it != state_.sources.end() && it->second.stale) add(name, std::string(words) + " is stale (" + it->second.error + ")");
  }
  const std::string_view action = SafeActionName(options_.safe_action);
  if (!why.empty() && options_.safe_action == SafeAction::kCurtail) {
    signals->price = UsdPerMegawattHour(kStalePriceUsdPerMwh);
  }
  state_.safe_action = why.empty() ? "" : std::string(action) + ": " + why;
  state_.price_usd_per_mwh = signals->price.value();
  // Logged when the set of stale sources changes, not each time a source's
  // error reads differently.
  if (stale == safe_sources_) return;
  safe_sources_ = stale;
  if (why.empty()) {
    fmt::print(log_, "mullet serve: level=info msg=\"sources fresh again: the safe action ends\" time={} price={}\n",
               FormatUtc(now), signals->price.value());
  } else {
    fmt::print(log_, "mullet serve: level=warn msg=\"SAFE ACTION {}: {}\" time={} acting_on_usd_per_mwh={}\n", action,
               why, FormatUtc(now), signals->price.value());
  }
  log_.flush();
}

Status LoopRunner::Start() {
  if (Status s = loop_.Resume(); !s.ok()) return s;
  board_.Publish(state_);
  board_.OnNudge([this] {
    {
      std::lock_guard<std::mutex> lock(mu_);
      nudged_ = true;
    }
    wake_.notify_all();
  });
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void LoopRunner::Stop() {
  board_.OnNudge(nullptr);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LoopRunner::ConfirmInFlight() {
  const Result<ControlLoop::ConfirmReport> c = loop_.Confirm(clock_());
  if (!c.ok()) {
    fmt::print(log_, "mullet serve: level=error msg=\"confirm read failed\" time={} error=\"{}\"\n",
               FormatUtc(clock_()), c.status().message());
    log_.flush();
    return;
  }
  if (c->read == 0) return;
  state_.targets = c->targets;
  state_.devices = devices_.Take(site_, loop_.records(), clock_());
  if (c->site_meter && state_.last) state_.last->site_meter = c->site_meter;
  board_.Publish(state_);
  if (c->in_flight == 0 && c->confirmed > 0) {
    fmt::print(log_, "mullet serve: level=info msg=\"every command confirmed\" time={} confirmed={}\n",
               FormatUtc(clock_()), c->targets.contains("confirmed") ? c->targets.at("confirmed") : 0);
    log_.flush();
  }
}

void LoopRunner::Run() {
  using Steady = std::chrono::steady_clock;
  const auto seconds = [](Seconds s) {
    return std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(s.count()));
  };
  const auto period = seconds(options_.loop.tick);
  const auto confirm_every = seconds(options_.confirm);
  Steady::time_point next = Steady::now();
  std::optional<Steady::time_point> swept_at;  // the end of the last full tick
  for (;;) {
    // Between ticks, while commands are in flight, a confirm read every
    // `confirm`; a write through the API ticks at once.
    // The first read after a tick's commands comes when their first ramp
    // ends, not a whole `confirm` later: at a fleet's size the commands
    // themselves can outlast the ramp.
    const bool confirming = confirm_every.count() > 0 && loop_.InFlight() > 0;
    Steady::time_point wake_at = next;
    if (confirming) {
      Steady::time_point read_at = Steady::now() + confirm_every;
      if (!read_since_tick_) {
        if (const std::optional<UtcTime> end = loop_.FirstRampEnd()) {
          read_at = std::min(read_at, Steady::now() + std::max(Steady::duration::zero(),
                                                               std::chrono::duration_cast<Steady::duration>(*end - clock_())));
        }
      }
      wake_at = std::min(next, read_at);
    }
    bool nudged = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (wake_.wait_until(lock, wake_at, [this] { return stopping_ || nudged_; }) && stopping_) return;
      nudged = nudged_;
      nudged_ = false;
    }
    if (!nudged && Steady::now() < next) {
      ConfirmInFlight();
      read_since_tick_ = true;
      continue;
    }
    read_since_tick_ = false;
    // A nudged tick within a period of the end of the last full tick acts on
    // its sweep (ControlLoop::Tick) and leaves the schedule of full ticks as
    // it was. From the end, not the start: on a fleet whose sweep fills the
    // period, full ticks run back to back, and a write would otherwise always
    // wait for a fresh sweep.
    const bool reuse = nudged && swept_at && Steady::now() - *swept_at < period;
    if (nudged && !reuse) next = Steady::now();
    const Steady::time_point began = Steady::now();
    const UtcTime now = clock_();
    LoopSignals signals = Signals(now);
    PollAlerts(now, &signals);
    PollVen(now);
    ApplySafeAction(now, &signals);
    const Result<TickReport> tick = loop_.Tick(now, signals, !reuse);
    Publish(tick, std::chrono::duration<double>(Steady::now() - began).count());
    if (reuse) continue;
    swept_at = Steady::now();
    next += period;
    if (next < Steady::now()) next = Steady::now();  // a tick longer than the period: no burst to catch up
  }
}

void LoopRunner::Publish(const Result<TickReport>& tick, double seconds) {
  ++state_.ticks;
  state_.last_tick_s = seconds;
  const UtcTime now = clock_();
  if (!tick.ok()) {
    ++state_.tick_errors;
    state_.last_error = tick.status().message();
    fmt::print(log_, "mullet serve: level=error msg=\"tick failed\" time={} error=\"{}\"\n", FormatUtc(now),
               tick.status().message());
    log_.flush();
    board_.Publish(state_);
    return;
  }
  const TickReport& r = *tick;
  state_.last = r;
  state_.basis = loop_.basis();
  state_.last_error.clear();
  state_.targets = r.targets;
  state_.devices = devices_.Take(site_, loop_.records(), now);
  // The fleet and the meter have no safe action of their own: a silent
  // miner counts at its last known power and the policy plans on its model
  // without a meter, both on the safe side. They are stale, loudly, when
  // half the fleet is silent or the meter has not read for three ticks.
  SourceHealth& fleet = state_.sources["fleet"];
  fleet.source = std::to_string(fleet_->size()) + " miners";
  fleet.error = r.silent > 0 ? std::to_string(r.silent) + " of " + std::to_string(fleet_->size()) + " did not answer"
                             : "";
  if (r.swept && r.answered > 0) fleet.read_at = now;  // a tick on the last sweep read nothing
  const bool fleet_was_stale = fleet.stale;
  fleet.stale = fleet_->size() > 0 && 2 * r.silent >= fleet_->size();
  if (fleet.stale != fleet_was_stale) {
    fmt::print(log_, "mullet serve: level={} msg=\"{}\" time={} silent={} of={}\n", fleet.stale ? "warn" : "info",
               fleet.stale ? "FLEET SILENT: half or more of the miners do not answer; counted at their last power"
                           : "the fleet answers again",
               FormatUtc(now), r.silent, fleet_->size());
  }
  if (state_.sources.contains("meter")) {
    SourceHealth& meter = state_.sources["meter"];
    const bool meter_was_stale = meter.stale;
    if (r.site_meter) {
      meter.read_at = now;
      meter.error.clear();
      meter.stale = false;
      missed_meter_ = 0;
    } else {
      meter.error = "no reading this tick";
      meter.stale = ++missed_meter_ >= 3;
    }
    if (meter.stale != meter_was_stale) {
      fmt::print(log_, "mullet serve: level={} msg=\"{}\" time={}\n", meter.stale ? "warn" : "info",
                 meter.stale ? "METER SILENT for three ticks: planning on the model of the plant alone"
                             : "the meter reads again",
                 FormatUtc(now));
    }
  }
  board_.Publish(state_);

  if (state_.sources.contains("slurm")) {
    SourceHealth& slurm = state_.sources["slurm"];
    if (r.batch_error.empty()) {
      slurm.read_at = now;
      slurm.error.clear();
    } else {
      slurm.error = r.batch_error;
    }
    board_.Publish(state_);
  }
  if (r.jobs_suspended + r.jobs_resumed > 0 || !r.batch_error.empty()) {
    fmt::print(log_,
               "mullet serve: level={} msg=batch time={} gpus={} reason={} jobs_suspended={} jobs_resumed={} "
               "error=\"{}\"\n",
               r.batch_error.empty() ? "info" : "warn", FormatUtc(r.time), r.batch_gpus, r.batch_reason,
               r.jobs_suspended, r.jobs_resumed, r.batch_error);
  }
  // An SLA event is logged every tick it lasts (it costs every tick), and
  // when it ends.
  for (const SlaEvent& e : r.sla_events) {
    fmt::print(log_,
               "mullet serve: level=warn msg=\"FIRM SLA BREACH\" time={} tenant={} reason={} demand_kw={:.1f} "
               "served_kw={:.1f} gpus_capped={} cap_w={} floor_short_kw={:.1f} cost_usd={:.2f}\n",
               FormatUtc(r.time), e.tenant, ReasonName(Reason::kFirmSlaBreach), e.demand_it.kilowatts(),
               e.served_it.kilowatts(), e.gpus_capped, e.cap ? fmt::format("{:.0f}", e.cap->value()) : "none",
               e.floor_short.kilowatts(), e.cost_usd);
  }
  if (r.sla_events.empty() && had_sla_) {
    fmt::print(log_, "mullet serve: level=info msg=\"firm SLA breach over\" time={}\n", FormatUtc(r.time));
  }
  had_sla_ = !r.sla_events.empty();
  if (r.gpus_restored > 0 || !r.gpu_error.empty()) {
    fmt::print(log_, "mullet serve: level={} msg=gpus time={} capped={} restored={} error=\"{}\"\n",
               r.gpu_error.empty() ? "info" : "warn", FormatUtc(r.time), r.gpus_capped, r.gpus_restored,
               r.gpu_error);
  }
  if (r.four_cp_alert != last_alert_) {
    fmt::print(log_, "mullet serve: level=info msg=\"{}\" time={} by={}\n",
               r.four_cp_alert.empty() ? "4CP alert over" : "4CP ALERT in force", FormatUtc(r.time),
               r.four_cp_alert.empty() ? last_alert_ : r.four_cp_alert);
  }
  const bool acted = r.slept + r.woken + r.refused > 0 || r.dr_limit != last_cap_ || r.four_cp_alert != last_alert_;
  last_cap_ = r.dr_limit;
  last_alert_ = r.four_cp_alert;
  if (!acted && state_.ticks % 6 != 1) return;
  std::string reasons;
  for (std::size_t g = 0; g < r.reasons.size() && g < site_.miners.size(); ++g) {
    if (!reasons.empty()) reasons += ",";
    reasons += site_.miners[g].name + ":" + r.reasons[g] + "/" + std::to_string(r.running[g]);
  }
  const auto mw = [](const std::optional<Watts>& w) {
    return w ? fmt::format("{:.3f}", w->value() / 1e6) : std::string("none");
  };
  fmt::print(log_,
             "mullet serve: level=info msg=tick time={} meter_mw={} cap_mw={:.3f} event_cap_mw={} expected_mw={:.3f} "
             "answered={} silent={} slept={} woken={} refused={} pending={} reasons=\"{}\" took_s={:.3f}{}\n",
             FormatUtc(r.time), mw(r.site_meter), r.site_cap.value() / 1e6, mw(r.dr_limit),
             r.expected_facility.value() / 1e6, r.answered, r.silent, r.slept, r.woken, r.refused, r.pending, reasons,
             seconds, r.swept ? "" : " swept=no");
  log_.flush();
}

}  // namespace mullet
