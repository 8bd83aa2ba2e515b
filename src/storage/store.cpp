#include "storage/store.h"

namespace mullet {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
  }
  return "viewer";
}

std::optional<Role> ParseRole(std::string_view text) {
  for (Role r : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
    if (text == RoleName(r)) return r;
  }
  return std::nullopt;
}

bool EventRow::ActiveAt(UtcTime t) const {
  if (cancelled && *cancelled <= t) return false;
  if (spec.start && t < *spec.start) return false;
  if (spec.end && t >= *spec.end) return false;
  const UtcTime begun = spec.start.value_or(created);
  return t >= begun;
}

}  // namespace mullet
