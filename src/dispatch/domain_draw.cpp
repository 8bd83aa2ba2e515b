#include "dispatch/domain_draw.h"

namespace mullet {

std::vector<Watts> DomainDraw(const Site& site, const Allocation& a) {
  std::vector<Watts> draw(site.domains.size(), Watts(0));
  // A load counts against its own domain and every domain above it, as the
  // headroom takes it (Headroom::Take).
  const auto add = [&](int domain, Watts facility) {
    for (int d = domain; d >= 0; d = site.domains[d].parent_index) draw[d] += facility;
  };
  for (std::size_t i = 0; i < site.leases.size() && i < a.leases.size(); ++i) {
    add(site.leases[i].domain_index,
        a.leases[i].served_it * site.cooling.Pue(site.leases[i].cooling));
  }
  for (std::size_t i = 0; i < site.clouds.size() && i < a.clouds.size(); ++i) {
    add(site.clouds[i].domain_index,
        a.clouds[i].served_it * site.cooling.Pue(site.clouds[i].cooling));
  }
  if (site.batch) add(site.batch->domain_index, a.batch.it * site.cooling.Pue(site.batch->cooling));
  for (std::size_t i = 0; i < site.miners.size() && i < a.miners.size(); ++i) {
    add(site.miners[i].domain_index,
        a.miners[i].expected_it * site.cooling.Pue(site.miners[i].cooling));
  }
  return draw;
}

}  // namespace mullet
