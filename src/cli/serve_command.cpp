#include "cli/serve_command.h"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <CLI/CLI.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/text/untrusted_text.h"
#include "data/asic_specs.h"
#include "daemon/api.h"
#include "site/site_config.h"
#include "storage/pg_store.h"

namespace mullet {
namespace {

namespace asio = boost::asio;

UtcTime Now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

// "127.0.0.1:8080", "0.0.0.0:80", "[::1]:8080"; port 0 picks a free one.
Result<asio::ip::tcp::endpoint> ParseListen(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("--listen: expected ADDRESS:PORT, got " + Quoted(text));
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = text.substr(colon + 1);
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("--listen: " + Quoted(host) + " is not an IP address");
  unsigned p = 0;
  const auto [end, perr] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (port.empty() || perr != std::errc() || end != port.data() + port.size() || p > 65535) {
    return Status::InvalidArgument("--listen: port must be 0-65535, got " + Quoted(port));
  }
  return asio::ip::tcp::endpoint(address, static_cast<unsigned short>(p));
}

}  // namespace

CLI::App* AddServeCommand(CLI::App& app, ServeFlags& f) {
  CLI::App* cmd = app.add_subcommand("serve", "Run the site's daemon: its store and REST API");
  cmd->add_option("site", f.site_file, "Site YAML (examples/hybrid_west_texas.yaml)")->required();
  cmd->add_option("--db", f.db,
                  "The site's state: a SQLite file (created when absent) or a postgresql:// URL")
      ->capture_default_str();
  cmd->add_option("--listen", f.listen, "Address and port of the API; port 0 picks a free one")->capture_default_str();
  cmd->add_option("--models-yaml", f.models_yaml, "Extra ASIC models (see examples/asic_models.yaml)");
  cmd->footer(
      "Serves /api/v1 (OpenAPI at /api/v1/openapi.json), /metrics and /healthz, and prints\n"
      "'mullet serve: API on http://ADDRESS:PORT' when ready. Writes need a bearer token:\n"
      "  mullet token create --role operator --db mullet.db\n"
      "  curl -H 'Authorization: Bearer mlt_...' -d '{\"type\":\"reduce-to\",\"kw\":2500}' \\\n"
      "       http://127.0.0.1:8080/api/v1/events\n"
      "Events are stored, audited and served; the control loop that acts on them is not\n"
      "part of this build yet. Stops on SIGINT or SIGTERM; everything stored survives a kill.");
  return cmd;
}

int RunServe(const ServeFlags& f, std::ostream& out, std::ostream& err) {
  Result<asio::ip::tcp::endpoint> listen = ParseListen(f.listen);
  if (!listen.ok()) {
    err << "mullet serve: error: " << listen.status().message() << "\n";
    return 2;
  }
  AsicCatalog catalog = AsicCatalog::BuiltIn();
  if (!f.models_yaml.empty()) {
    Result<std::vector<AsicModel>> models = LoadAsicModelsYaml(f.models_yaml);
    if (!models.ok()) {
      err << "mullet serve: error: --models-yaml: " << models.status().message() << "\n";
      return 2;
    }
    for (AsicModel& m : models.value()) catalog.Upsert(std::move(m));
  }
  Result<std::vector<Scenario>> scenarios = LoadSiteFile(f.site_file, catalog);
  if (!scenarios.ok()) {
    err << "mullet serve: error: " << scenarios.status().message() << "\n";
    return 2;
  }
  const Site& site = scenarios->front().site;
  if (scenarios->size() > 1) {
    fmt::print(err, "mullet serve: {} scenarios in {}: serving the first, {}\n", scenarios->size(), f.site_file,
               Printable(scenarios->front().name));
  }
  Result<std::unique_ptr<Store>> store = OpenStore(f.db);
  if (!store.ok()) {
    err << "mullet serve: error: " << store.status().message() << "\n";
    return 1;
  }
  SiteView view;
  view.name = site.name;
  view.site_file = f.site_file;
  view.interconnect_w = site.interconnect.value();
  for (const PowerDomain& d : site.domains) view.domain_limits_w.emplace_back(d.name, d.limit.value());
  view.started = Now();

  asio::io_context io;
  ApiHandler handler(**store, view, Now);
  ApiOptions options;
  options.listen = *listen;
  ApiServer server(io, handler, options);
  if (Status s = server.Start(); !s.ok()) {
    err << "mullet serve: error: " << s.message() << "\n";
    return 1;
  }
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    fmt::print(err, "mullet serve: {} received: stopping\n", signal == SIGINT ? "SIGINT" : "SIGTERM");
    server.Stop();
    io.stop();
  });
  fmt::print(err, "mullet serve: site {} ({:.1f} MW interconnect, {} domains) from {}; state in {}\n",
             Printable(site.name), site.interconnect.value() / 1e6, site.domains.size(), f.site_file,
             f.db.starts_with("postgres") ? std::string("PostgreSQL") : f.db);
  fmt::print(err,
             "mullet serve: events are stored, audited and served; the control loop that acts on them is not "
             "part of this build yet\n");
  const asio::ip::tcp::endpoint at = server.endpoint();
  const std::string host = at.address().is_v6() ? "[" + at.address().to_string() + "]" : at.address().to_string();
  fmt::print(out, "mullet serve: API on http://{}:{}\n", host, at.port());
  out.flush();
  io.run();
  return 0;
}

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
