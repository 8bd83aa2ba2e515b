#include "daemon/control_loop.h"

#include <algorithm>
#include <cassert>

#include "dispatch/memory_json.h"

namespace mullet {

ControlLoop::ControlLoop(const Site& site, Store& store, FleetIo& fleet, std::vector<std::size_t> groups,
                         LoopOptions options)
    : site_(site), store_(store), fleet_(fleet), options_(options), state_(InitialState(site)) {
  assert(groups.size() == fleet.size());
  records_.resize(groups.size());
  for (std::size_t i = 0; i < groups.size(); ++i) {
    assert(groups[i] < site.miners.size());
    records_[i].group = groups[i];
  }
}

Status ControlLoop::Resume() {
  Result<std::optional<std::string>> saved = store_.LoadMemory();
  if (!saved.ok()) return saved.status();
  if (!*saved) return Status::Ok();
  Result<DispatchState> state = LoadMemoryJson(site_, **saved);
  if (!state.ok()) return Status::DataError("the saved policy memory: " + state.status().message());
  state_ = std::move(state).value();
  return Status::Ok();
}

Result<std::optional<Watts>> ControlLoop::EventCap(UtcTime now, std::optional<Watts> draw) {
  Result<std::vector<EventRow>> events = store_.Events(1000);
  if (!events.ok()) return events.status();
  std::optional<Watts> cap;
  for (const EventRow& e : *events) {
    if (!e.ActiveAt(now)) {
      reduce_by_baseline_.erase(e.id);
      continue;
    }
    Watts limit{e.spec.kw * 1000.0};
    if (e.spec.type == "reduce-by") {
      // The draw when the loop first saw the event; the interconnect when
      // nothing was measured or expected yet.
      const Watts base = reduce_by_baseline_.try_emplace(e.id, draw.value_or(site_.interconnect)).first->second;
      limit = std::max(Watts(0), base - limit);
    }
    if (!cap || limit < *cap) cap = limit;
  }
  return cap;
}

Result<TickReport> ControlLoop::Tick(UtcTime now, const LoopSignals& signals) {
  TickReport report;
  report.time = now;
  const std::vector<FleetReading> readings = fleet_.Sweep();
  for (std::size_t i = 0; i < records_.size() && i < readings.size(); ++i) {
    RecordReading(site_, readings[i].answered, readings[i].power, readings[i].hashrate, &records_[i]);
    (readings[i].answered ? report.answered : report.silent) += 1;
  }
  Observation observed = Observe(site_, records_, now);
  observed.site_meter = fleet_.SiteMeter();
  report.site_meter = observed.site_meter;

  // The draw a reduce-by event reduces from: the meter, else what the
  // policy expected last tick.
  std::optional<Watts> draw = observed.site_meter;
  if (!draw && !alloc_.miners.empty()) draw = alloc_.facility();
  Result<std::optional<Watts>> cap = EventCap(now, draw);
  if (!cap.ok()) return cap.status();

  TickSignals s;
  s.time = now;
  s.step = Hours(options_.tick.count() / 3600.0);
  s.price = signals.price;
  s.hashprice = signals.hashprice;
  s.ambient_c = signals.ambient_c;
  s.dr_limit = *cap;
  report.dr_limit = *cap;
  Dispatch(site_, s, observed, options_.policy, PolicyOptions{}, &state_, &alloc_);
  report.expected_facility = alloc_.facility();
  report.site_cap = alloc_.site_cap;

  const CommandPlan plan = PlanCommands(site_, alloc_, records_, options_.max_commands);
  report.deferred = plan.deferred;
  for (const bool sleep : {true, false}) {
    const std::vector<std::size_t>& who = sleep ? plan.sleep : plan.wake;
    if (who.empty()) continue;
    const std::vector<bool> accepted = fleet_.Command(who, sleep);
    for (std::size_t k = 0; k < who.size(); ++k) {
      if (k < accepted.size() && accepted[k]) {
        MinerRecord& r = records_[who[k]];
        r.command = sleep ? MinerRecord::Command::kSleep : MinerRecord::Command::kHash;
        r.commanded_at = now;
        (sleep ? report.slept : report.woken) += 1;
      } else {
        ++report.refused;
      }
    }
  }
  if (Status saved = store_.SaveMemory(SaveMemoryJson(site_, state_), now); !saved.ok()) return saved;
  return report;
}

}  // namespace mullet
