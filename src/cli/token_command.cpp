#include "cli/token_command.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/text/untrusted_text.h"
#include "storage/pg_store.h"

namespace mullet {
namespace {

UtcTime Now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

}  // namespace

CLI::App* AddTokenCommand(CLI::App& app, TokenFlags& f) {
  CLI::App* cmd = app.add_subcommand("token", "Create, list or revoke the API's bearer tokens");
  cmd->require_subcommand(1);
  CLI::App* create = cmd->add_subcommand("create", "Create a token and print it (shown once; only its hash is kept)");
  create->add_option("--role", f.role, "viewer (reads), operator (also events), admin (also tokens, audit)")
      ->required()
      ->check(CLI::IsMember({"viewer", "operator", "admin"}));
  create->add_option("--label", f.label, "Who or what holds it (shown in the audit log)");
  CLI::App* list = cmd->add_subcommand("list", "List the tokens (ids, roles, labels; never the tokens)");
  list->add_flag("--json", f.json, "Print JSON");
  CLI::App* revoke = cmd->add_subcommand("revoke", "Revoke a token by its id");
  revoke->add_option("id", f.id, "The token's id (mullet token list)")->required()->check(CLI::PositiveNumber);
  for (CLI::App* sub : {create, list, revoke}) {
    sub->add_option("--db", f.db, "The site's state, as the daemon's --db: a SQLite file or a postgresql:// URL")
        ->capture_default_str();
    sub->callback([&f, sub] { f.action = sub->get_name(); });
  }
  return cmd;
}

int RunToken(const TokenFlags& f, std::ostream& out, std::ostream& err) {
  Result<std::unique_ptr<Store>> store = OpenStore(f.db);
  if (!store.ok()) {
    err << "mullet token: error: " << store.status().message() << "\n";
    return 1;
  }
  const std::string who = "mullet token (command line)";
  if (f.action == "create") {
    const std::string label = f.label.empty() ? f.role + " token" : f.label;
    if (label.size() > 200 || Printable(label) != label) {
      err << "mullet token: error: --label: expected printable text of at most 200 bytes\n";
      return 2;
    }
    Result<std::string> token = (*store)->CreateToken(*ParseRole(f.role), label, who, Now());
    if (!token.ok()) {
      err << "mullet token: error: " << token.status().message() << "\n";
      return 1;
    }
    out << *token << "\n";
    fmt::print(err, "mullet token: {} token '{}' created in {}; it is shown only now\n", f.role, label, f.db);
    return 0;
  }
  if (f.action == "revoke") {
    if (Status s = (*store)->RevokeToken(f.id, who, Now()); !s.ok()) {
      err << "mullet token: error: " << s.message() << "\n";
      return s.code() == StatusCode::kNotFound ? 2 : 1;
    }
    fmt::print(err, "mullet token: token {} revoked\n", f.id);
    return 0;
  }
  Result<std::vector<TokenInfo>> tokens = (*store)->Tokens();
  if (!tokens.ok()) {
    err << "mullet token: error: " << tokens.status().message() << "\n";
    return 1;
  }
  if (f.json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const TokenInfo& t : *tokens) {
      list.push_back({{"id", t.id},
                      {"role", RoleName(t.role)},
                      {"label", t.label},
                      {"created", FormatUtc(t.created)},
                      {"revoked", t.revoked ? nlohmann::ordered_json(FormatUtc(*t.revoked)) : nullptr}});
    }
    out << list.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    return 0;
  }
  fmt::print(out, "{:>4}  {:<8}  {:<20}  {:<30}  {}\n", "id", "role", "created", "label", "revoked");
  for (const TokenInfo& t : *tokens) {
    fmt::print(out, "{:>4}  {:<8}  {:<20}  {:<30}  {}\n", t.id, RoleName(t.role), FormatUtc(t.created),
               Printable(t.label), t.revoked ? FormatUtc(*t.revoked) : "");
  }
  return 0;
}

}  // namespace mullet
