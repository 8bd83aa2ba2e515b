// `mullet serve SITE.yaml`: the daemon. Today it keeps the site's store
// (tokens, events, the audit log) and serves the REST API over it; the
// control loop that acts on events lands next (docs/serve.md).
// `mullet token create|list|revoke`: the API's bearer tokens, in the same
// database.

#ifndef MULLET_CLI_SERVE_COMMAND_H_
#define MULLET_CLI_SERVE_COMMAND_H_

#include <cstdint>
#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace mullet {

struct ServeFlags {
  std::string site_file;
  std::string db = "mullet.db";
  std::string listen = "127.0.0.1:8080";
  std::string models_yaml;
};

CLI::App* AddServeCommand(CLI::App& app, ServeFlags& flags);
// Serves until SIGINT or SIGTERM; exit 0 then. 2 for bad input (the site
// file, --listen), 1 when the database or the address cannot be opened.
int RunServe(const ServeFlags& flags, std::ostream& out, std::ostream& err);

struct TokenFlags {
  std::string action;  // "create", "list" or "revoke"
  std::string db = "mullet.db";
  std::string role;
  std::string label;
  std::int64_t id = 0;
  bool json = false;
};

CLI::App* AddTokenCommand(CLI::App& app, TokenFlags& flags);
int RunToken(const TokenFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace mullet

#endif  // MULLET_CLI_SERVE_COMMAND_H_
