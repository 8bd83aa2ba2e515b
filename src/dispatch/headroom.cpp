#include "dispatch/headroom.h"

#include <algorithm>

namespace mullet {

Headroom::Headroom(const Site& site, double ambient_c, std::optional<Watts> dr_limit,
                   std::vector<Watts>* domain_room)
    : site_(site), site_cap_(site.interconnect), domain_room_(*domain_room) {
  if (dr_limit && *dr_limit < site_cap_) {
    site_cap_ = std::max(Watts(0), *dr_limit);
    site_kind_ = LimitKind::kDemandResponse;
  }
  site_room_ = site_cap_;
  domain_room_.clear();
  for (const PowerDomain& d : site.domains) domain_room_.push_back(d.limit);
  if (site.cooling.capacity) cooling_room_ = site.cooling.CapacityAt(ambient_c);
}

Headroom::Room Headroom::Available(int domain_index, double pue, Watts site_reserve) const {
  Room r;
  r.it = (site_room_ - site_reserve) / pue;
  r.binding = site_kind_;
  for (int d = domain_index; d >= 0; d = site_.domains[d].parent_index) {
    const Watts it = domain_room_[d] / pue;
    if (it < r.it) {
      r.it = it;
      r.binding = LimitKind::kDomain;
    }
  }
  if (cooling_room_ && *cooling_room_ < r.it) {
    r.it = *cooling_room_;
    r.binding = LimitKind::kCooling;
  }
  r.it = std::max(Watts(0), r.it);
  return r;
}

void Headroom::Take(int domain_index, double pue, Watts it) {
  const Watts facility = it * pue;
  site_room_ -= facility;
  for (int d = domain_index; d >= 0; d = site_.domains[d].parent_index) {
    domain_room_[d] -= facility;
  }
  if (cooling_room_) *cooling_room_ -= it;
}

void Headroom::TakeFacility(int domain_index, Watts facility) {
  site_room_ -= facility;
  for (int d = domain_index; d >= 0; d = site_.domains[d].parent_index) {
    domain_room_[d] -= facility;
  }
}

}  // namespace mullet
