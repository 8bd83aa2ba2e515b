// The OpenAPI 3.0 document of the daemon's API, served at
// /api/v1/openapi.json. Kept beside the handler it describes; a test checks
// that every route the handler serves is in it and no other.

#ifndef MULLET_DAEMON_OPENAPI_H_
#define MULLET_DAEMON_OPENAPI_H_

#include <string_view>

namespace mullet {

std::string_view OpenApiDocument();

}  // namespace mullet

#endif  // MULLET_DAEMON_OPENAPI_H_
