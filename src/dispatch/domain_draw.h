// Each power domain's expected draw: the facility power (IT x PUE) the
// allocation of a tick puts under it, its own loads and its children's, as
// the headroom counts a domain's limit (headroom.h). Pure.
//
// What the meters read above the model (Allocation::unexplained_facility) is
// not in it: the loop meters the interconnect alone, so that excess belongs to
// no domain it can name.

#ifndef MULLET_DISPATCH_DOMAIN_DRAW_H_
#define MULLET_DISPATCH_DOMAIN_DRAW_H_

#include <vector>

#include "dispatch/policy.h"
#include "site/site.h"

namespace mullet {

// Expected facility draw under each domain, site.domains order: firm tenants
// at what they are served, the batch pool at its GPUs, each miner group at its
// expected IT (hashing, ramping down and silent units), each times its PUE.
// REQUIRES: `a` is an allocation of `site` (its vectors in site order).
std::vector<Watts> DomainDraw(const Site& site, const Allocation& a);

}  // namespace mullet

#endif  // MULLET_DISPATCH_DOMAIN_DRAW_H_
