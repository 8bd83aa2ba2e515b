// A dry run of a demand-response event: what the policy would do if the
// event began now, from what the loop measured at its last tick (the
// observation, the policy's memory and the signals, kept as a PreviewBasis),
// without touching the plant or the store. For POST /api/v1/events/preview.
//
// It reports, per miner group, the units that would be put to sleep and the
// kW that frees; what cannot be curtailed and why (firm AI, silent miners
// counted at their last power, units already ramping down); and any
// shortfall: the kW by which the site would still exceed the cap.

#ifndef MULLET_DAEMON_PREVIEW_H_
#define MULLET_DAEMON_PREVIEW_H_

#include <string>
#include <vector>

#include "dispatch/policy.h"
#include "site/site.h"

namespace mullet {

struct PreviewBasis {
  TickSignals signals;      // the last tick's, without its event cap
  Observation observed;     // as the last tick measured it
  DispatchState memory;     // the policy's memory before the last tick
  Allocation now;           // what the last tick allocated
  std::optional<Watts> site_meter;
};

struct PreviewGroup {
  std::string name;
  int running_now = 0, running_after = 0;
  Watts curtailed{0};  // facility
  std::string reason;  // the policy's reason code after
};

struct PreviewSkip {
  std::string what;
  Watts draw{0};  // facility
  std::string why;
};

struct EventPreview {
  Watts cap{0};
  Watts expected_now{0}, expected_after{0};  // facility
  Watts shortfall{0};                         // expected_after above the cap
  std::vector<PreviewGroup> groups;
  std::vector<PreviewSkip> skipped;
  // Firm loads the event would cut (firm load alone breaks the cap): SLA
  // events, with the kW cut.
  std::vector<PreviewSkip> sla;
  int batch_gpus_now = 0, batch_gpus_after = 0;
};

// Pure: runs the policy on copies.
EventPreview Preview(const Site& site, const PreviewBasis& basis, Watts cap, PolicyKind policy);

}  // namespace mullet

#endif  // MULLET_DAEMON_PREVIEW_H_
