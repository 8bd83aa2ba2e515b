#include "daemon/preview.h"

#include <algorithm>

#include "dispatch/reason.h"

namespace mullet {

EventPreview Preview(const Site& site, const PreviewBasis& b, Watts cap, PolicyKind policy) {
  EventPreview p;
  p.cap = cap;
  p.expected_now = b.now.facility();
  DispatchState memory = b.memory;
  TickSignals s = b.signals;
  s.dr_limit = cap;
  Allocation after;
  Dispatch(site, s, b.observed, policy, PolicyOptions{}, &memory, &after);
  p.expected_after = after.facility();
  p.shortfall = std::max(Watts(0), p.expected_after - cap);
  for (std::size_t g = 0; g < site.miners.size() && g < after.miners.size() && g < b.now.miners.size(); ++g) {
    const MinerGroup& group = site.miners[g];
    PreviewGroup out;
    out.name = group.name;
    out.running_now = b.now.miners[g].running;
    out.running_after = after.miners[g].running;
    const double pue = site.cooling.Pue(group.cooling);
    out.curtailed = std::max(Watts(0), (b.now.miners[g].expected_it - after.miners[g].expected_it) * pue);
    out.reason = std::string(ReasonName(after.miners[g].reason));
    p.groups.push_back(std::move(out));
    if (g < b.observed.miners.size()) {
      const GroupObservation& o = b.observed.miners[g];
      if (o.unanswering > 0) {
        p.skipped.push_back({group.name + ": " + std::to_string(o.unanswering) + " miners not answering",
                             o.unanswering_it * pue,
                             "counted at their last known power; cannot be commanded until they answer"});
      }
      if (o.ramping_down > 0) {
        p.skipped.push_back({group.name + ": " + std::to_string(o.ramping_down) + " miners ramping down",
                             o.ramping_down_it * pue, "already going to sleep"});
      }
    }
  }
  const auto firm_cut = [&](const std::string& what, const FirmSetpoint& f, double pue) {
    const Watts cut = f.demand_it - f.served_it;
    if (cut.value() > 1e-6) {
      p.sla.push_back({what, cut * pue, "firm load alone breaks the cap: cut, an SLA event (" +
                                            std::string(ReasonName(f.reason)) + ")"});
    }
  };
  for (std::size_t i = 0; i < site.leases.size() && i < after.leases.size(); ++i) {
    firm_cut("AI lease " + site.leases[i].name, after.leases[i], site.cooling.Pue(site.leases[i].cooling));
    p.skipped.push_back({"AI lease " + site.leases[i].name,
                         after.leases[i].served_it * site.cooling.Pue(site.leases[i].cooling),
                         "firm load: never curtailed for an event unless firm load alone breaks a limit (an SLA "
                         "event)"});
  }
  for (std::size_t i = 0; i < site.clouds.size() && i < after.clouds.size(); ++i) {
    firm_cut("GPU cloud " + site.clouds[i].name, after.clouds[i], site.cooling.Pue(site.clouds[i].cooling));
    p.skipped.push_back({"GPU cloud " + site.clouds[i].name,
                         after.clouds[i].served_it * site.cooling.Pue(site.clouds[i].cooling),
                         "firm load: never curtailed for an event unless firm load alone breaks a limit"});
  }
  if (after.unexplained_facility.value() > 0) {
    p.skipped.push_back({"load the model does not explain", after.unexplained_facility,
                         "metered above the modelled plant (auxiliaries, sleeping miners' draw): taken as given"});
  }
  p.batch_gpus_now = b.now.batch.gpus;
  p.batch_gpus_after = after.batch.gpus;
  return p;
}

}  // namespace mullet
