#include "drivers/gpu/fake_gpu_node.h"

#include <algorithm>
#include <cassert>
#include <cstdio>

namespace mullet {
namespace {

constexpr double kJoulesPerMegawattHour = 3.6e9;

}  // namespace

FakeGpuNode::FakeGpuNode(FakeGpuOptions options, Seconds start)
    : options_(std::move(options)), now_(start) {
  assert(options_.gpus >= 0 && options_.min_limit <= options_.max_limit);
  gpus_.resize(static_cast<std::size_t>(options_.gpus));
  for (Gpu& g : gpus_) {
    g.demand = options_.idle_draw;
    g.requested = options_.default_limit;
    g.enforced = options_.default_limit;
    g.ramp_start = start;
    g.ramp_from = g.ramp_to = std::min(g.demand, g.enforced);
  }
}

Watts FakeGpuNode::DrawAt(const Gpu& g, Seconds t) const {
  const Seconds into = t - g.ramp_start;
  if (options_.settle_time <= Seconds(0) || into >= options_.settle_time) return g.ramp_to;
  if (into <= Seconds(0)) return g.ramp_from;
  return g.ramp_from + (g.ramp_to - g.ramp_from) * (into / options_.settle_time);
}

double FakeGpuNode::EnergyJoules(const Gpu& g, Seconds t0, Seconds t1) const {
  if (t1 <= t0) return 0;
  // Split at the ramp's end: linear before (trapezoid is exact), flat after.
  const Seconds ramp_end = g.ramp_start + std::max(options_.settle_time, Seconds(0));
  double joules = 0;
  if (t0 < ramp_end) {
    const Seconds b = std::min(t1, ramp_end);
    joules += (DrawAt(g, t0) + DrawAt(g, b)).value() / 2 * (b - t0).count();
  }
  const Seconds flat_from = std::max(t0, ramp_end);
  if (t1 > flat_from) joules += g.ramp_to.value() * (t1 - flat_from).count();
  return joules;
}

void FakeGpuNode::Retarget(Gpu& g, Seconds t) const {
  g.ramp_from = DrawAt(g, t);
  g.ramp_start = t;
  g.ramp_to = std::min(g.demand, g.enforced);
}

void FakeGpuNode::AdvanceTo(Seconds now) {
  assert(now >= now_ && "the fake's clock only moves forward");
  for (Gpu& g : gpus_) {
    Seconds from = now_;
    if (g.pending && g.pending_at <= now) {
      g.energy_j += EnergyJoules(g, from, g.pending_at);
      g.enforced = *g.pending;
      g.pending.reset();
      Retarget(g, g.pending_at);
      from = g.pending_at;
    }
    g.energy_j += EnergyJoules(g, from, now);
  }
  now_ = now;
}

void FakeGpuNode::SetLoadDemand(int index, Watts demand) {
  assert(index >= 0 && index < options_.gpus);
  Gpu& g = gpus_[static_cast<std::size_t>(index)];
  g.demand = demand;
  Retarget(g, now_);
}

Result<std::vector<GpuReading>> FakeGpuNode::Read() {
  if (fail_next_) {
    Status s = std::move(*fail_next_);
    fail_next_.reset();
    return s;
  }
  std::vector<GpuReading> readings;
  for (int i = 0; i < options_.gpus; ++i) {
    const Gpu& g = gpus_[static_cast<std::size_t>(i)];
    GpuReading r;
    r.index = i;
    char uuid[64];
    std::snprintf(uuid, sizeof uuid, "GPU-fa4e0000-0000-0000-0000-%012d", i);
    r.uuid = uuid;
    r.name = options_.name;
    r.power_draw = DrawAt(g, now_);
    r.power_limit = g.requested;
    r.enforced_limit = g.enforced;
    r.default_limit = options_.default_limit;
    r.min_limit = options_.min_limit;
    r.max_limit = options_.max_limit;
    r.energy = MegawattHours(g.energy_j / kJoulesPerMegawattHour);
    readings.push_back(std::move(r));
  }
  return readings;
}

Status FakeGpuNode::SetPowerLimit(int index, Watts cap) {
  if (fail_next_) {
    Status s = std::move(*fail_next_);
    fail_next_.reset();
    return s;
  }
  if (index < 0 || index >= options_.gpus) {
    return Status::NotFound("no GPU with index " + std::to_string(index) + " on this node (" +
                            std::to_string(options_.gpus) + " GPUs)");
  }
  GpuReading range;
  range.index = index;
  range.min_limit = options_.min_limit;
  range.max_limit = options_.max_limit;
  if (Status s = CheckCapInRange(range, cap); !s.ok()) return s;
  ++set_calls_;
  Gpu& g = gpus_[static_cast<std::size_t>(index)];
  g.requested = cap;
  if (options_.effect_delay <= Seconds(0)) {
    g.enforced = cap;
    g.pending.reset();
    Retarget(g, now_);
  } else {
    // A second cap before the first is taken replaces it, as the limiter
    // only ever sees the latest request.
    g.pending = cap;
    g.pending_at = now_ + options_.effect_delay;
  }
  return Status::Ok();
}

}  // namespace mullet
