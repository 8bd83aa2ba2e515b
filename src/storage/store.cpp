#include "storage/store.h"

#include <nlohmann/json.hpp>

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

std::string TokenAuditDetail(std::int64_t id, Role role, std::string_view label) {
  const nlohmann::ordered_json j{{"id", id}, {"role", RoleName(role)}, {"label", label}};
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string EventAuditDetail(const EventRow& e) {
  nlohmann::ordered_json j{{"id", e.id},         {"source", e.source}, {"source_id", e.source_id},
                           {"type", e.spec.type}, {"kw", e.spec.kw},    {"ramp_s", e.spec.ramp_s}};
  j["start"] = e.spec.start ? nlohmann::ordered_json(FormatUtc(*e.spec.start)) : nlohmann::ordered_json(nullptr);
  j["end"] = e.spec.end ? nlohmann::ordered_json(FormatUtc(*e.spec.end)) : nlohmann::ordered_json(nullptr);
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace mullet
