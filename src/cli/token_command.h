// `mullet token create|list|revoke`: the API's bearer tokens, in the
// daemon's database (`mullet serve --db`): a token is shown once, and only
// its hash is kept.

#ifndef MULLET_CLI_TOKEN_COMMAND_H_
#define MULLET_CLI_TOKEN_COMMAND_H_

#include <cstdint>
#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace mullet {

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

#endif  // MULLET_CLI_TOKEN_COMMAND_H_
