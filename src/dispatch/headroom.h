// Headroom of one tick: what every limit on a load's path still allows
// (product.md §4 step 1). Limits: the site cap (the interconnect, or a lower
// demand-response target), every power domain from the load's own up to the
// root, and the cooling plant's capacity at the tick's ambient temperature.
// Power limits bind facility power (IT x PUE); cooling binds IT power.

#ifndef MULLET_DISPATCH_HEADROOM_H_
#define MULLET_DISPATCH_HEADROOM_H_

#include <optional>
#include <vector>

#include "site/site.h"

namespace mullet {

enum class LimitKind { kNone, kInterconnect, kDemandResponse, kDomain, kCooling };

class Headroom {
 public:
  // `dr_limit`: a demand-response cap on site facility power this tick.
  // `domain_room`: storage for the domains' room, reused from tick to tick
  // so that a tick allocates nothing once it has grown.
  Headroom(const Site& site, double ambient_c, std::optional<Watts> dr_limit, std::vector<Watts>* domain_room);

  struct Room {
    Watts it{0};                          // IT power a load may still take
    LimitKind binding = LimitKind::kNone;  // the limit that sets `it`
  };
  // Room for a load in `domain_index` (-1: under the interconnect) whose
  // cooling overhead is `pue`, keeping `site_reserve` of facility power free
  // under the site cap (a share of the site limit, not of a domain's).
  Room Available(int domain_index, double pue, Watts site_reserve = Watts(0)) const;
  // Whether `it` IT watts fit whole: a check by multiplication, for a caller
  // that asks Available only when they do not (Available's room is then at
  // least `it`, whatever its rounding).
  bool Fits(int domain_index, double pue, Watts site_reserve, Watts it) const {
    const Watts facility = it * pue;
    if (facility > site_room_ - site_reserve) return false;
    for (int d = domain_index; d >= 0; d = site_.domains[d].parent_index) {
      if (facility > domain_room_[d]) return false;
    }
    return !cooling_room_ || it <= *cooling_room_;
  }

  // Takes `it` IT watts (it x pue of facility power) from every limit on the
  // path. Takes what is asked even past a limit (firm load is not cut here);
  // the caller checks Available first.
  void Take(int domain_index, double pue, Watts it);
  // Takes `facility` watts from the power limits on the path only: metered
  // power the model cannot attribute to IT load (the cooling plant's room
  // is IT power, and this may not be).
  void TakeFacility(int domain_index, Watts facility);

  Watts site_cap() const { return site_cap_; }
  LimitKind site_kind() const { return site_kind_; }

 private:
  const Site& site_;
  Watts site_cap_{0};
  LimitKind site_kind_ = LimitKind::kInterconnect;
  Watts site_room_{0};
  std::vector<Watts>& domain_room_;
  std::optional<Watts> cooling_room_;
};

}  // namespace mullet

#endif  // MULLET_DISPATCH_HEADROOM_H_
