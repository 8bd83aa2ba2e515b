#include "cli/serve_command.h"
#include "cli/serve_plant.h"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <CLI/CLI.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <algorithm>
#include <charconv>
#include <map>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/chain/subsidy.h"
#include "core/economics/hashprice.h"
#include "core/text/untrusted_text.h"
#include "daemon/api.h"
#include "daemon/driver_fleet.h"
#include "daemon/ercot_feed.h"
#include "daemon/emulated_site.h"
#include "daemon/four_cp_alerts.h"
#include "daemon/loop_runner.h"
#include "daemon/price_feed.h"
#include "daemon/web_assets.h"
#include "data/asic_specs.h"
#include "data/builtin_network.h"
#include "drivers/gpu/nvidia_smi.h"
#include "drivers/slurm/slurm_scheduler.h"
#include "drivers/transport/address_range.h"
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

// The hashprice of the built-in network snapshot (data/builtin_network.h).
UsdPerTerahashDay BuiltInHashprice() {
  NetworkConditions net;
  net.difficulty = builtin_network::kDifficulty;
  net.subsidy = BlockSubsidy(builtin_network::kHeight);
  net.fees_per_block = Btc(builtin_network::kFeesBtcPerBlock);
  net.price = UsdPerBtc(builtin_network::kPriceUsd);
  return Hashprice(net);
}

// ERCOT's feed from the flags: the credentials file holds `username=`,
// `password=` and `subscription_key=` lines (`#` starts a comment).
Result<ErcotFeedOptions> ErcotOptions(const ServeFlags& f) {
  ErcotFeedOptions eo;
  std::ifstream in(f.ercot_credentials);
  if (!in) return Status::InvalidArgument("--ercot-credentials: cannot read " + f.ercot_credentials);
  for (std::string line; std::getline(in, line);) {
    const std::size_t eq = line.find('=');
    if (eq == std::string::npos || line.starts_with("#")) continue;
    const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "username") eo.username = value;
    if (key == "password") eo.password = value;
    if (key == "subscription_key") eo.subscription_key = value;
  }
  eo.point = f.ercot_point;
  eo.api_url = f.ercot_api;
  eo.token_url = f.ercot_token_url;
  eo.poll = Seconds(f.ercot_poll_s);
  eo.max_age = Seconds(f.price_max_age_s);
  eo.seed = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  return eo;
}

// One --gpu-node: a firm tenant's node and its nvidia-smi.
struct GpuNodeFlag {
  std::string tenant;
  std::string path;
};

// Each TENANT=PATH, checked against the site's leases and clouds: a tenant
// not in the site file is refused with the list of those it has.
Result<std::vector<GpuNodeFlag>> ParseGpuNodes(const std::vector<std::string>& flags, const Site& site,
                                               const std::string& site_file) {
  std::vector<std::string> tenants;
  for (const ColoLease& l : site.leases) tenants.push_back(l.name);
  for (const GpuCloud& c : site.clouds) tenants.push_back(c.name);
  std::vector<GpuNodeFlag> out;
  for (const std::string& flag : flags) {
    const std::size_t eq = flag.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == flag.size()) {
      return Status::InvalidArgument("--gpu-node: expected TENANT=PATH (a lease or cloud of the site, and the "
                                     "node's nvidia-smi), got " + Quoted(flag));
    }
    GpuNodeFlag node{flag.substr(0, eq), flag.substr(eq + 1)};
    if (std::find(tenants.begin(), tenants.end(), node.tenant) == tenants.end()) {
      std::string names;
      for (const std::string& t : tenants) names += (names.empty() ? "" : ", ") + Printable(t);
      return Status::InvalidArgument("--gpu-node: " + site_file + " has no lease or cloud named " +
                                     Quoted(node.tenant) +
                                     (names.empty() ? " (it has no AI tenant)" : " (its tenants: " + names + ")"));
    }
    for (const GpuNodeFlag& n : out) {
      if (n.path == node.path) {
        return Status::InvalidArgument("--gpu-node: " + Quoted(node.path) + " is given twice (each node once)");
      }
    }
    out.push_back(std::move(node));
  }
  return out;
}

}  // namespace

CLI::App* AddServeCommand(CLI::App& app, ServeFlags& f) {
  CLI::App* cmd = app.add_subcommand("serve", "Run the site's daemon: its store and REST API");
  cmd->add_option("site", f.site_file, "Site YAML (examples/hybrid_west_texas.yaml)")->required();
  cmd->add_option("--reports", f.reports,
                  "A folder of reports to browse from the dashboard: each subfolder holding a report.html "
                  "(mullet backtest --out DIR, mullet plan --out DIR), read again on each request")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--db", f.db,
                  "The site's state: a SQLite file (created when absent) or a postgresql:// URL")
      ->capture_default_str();
  cmd->add_option("--listen", f.listen, "Address and port of the API; port 0 picks a free one")->capture_default_str();
  cmd->add_option("--models-yaml", f.models_yaml, "Extra ASIC models (see examples/asic_models.yaml)");
  cmd->add_option("--emulate", f.emulate,
                  "Run an emulated plant: N LuxOS miners shaped like the site's groups, the AI tenants' GPU nodes "
                  "(fake H100s, capped like real ones) and the site meter")
      ->check(CLI::Range(1, 200000));
  cmd->add_option("--emulate-from", f.emulate_from, "The emulated miners' first loopback address")
      ->capture_default_str();
  cmd->add_option("--tick-s", f.tick_s, "Seconds between ticks of the control loop")
      ->check(CLI::Range(0.2, 3600.0))
      ->capture_default_str();
  cmd->add_option("--meter", f.meter.target,
                  "The interconnect's Modbus TCP power meter, HOST[:PORT] (port 502 by default); read every "
                  "tick and confirm read. Its register: --meter-unit, --meter-register, --meter-function, "
                  "--meter-type, --meter-word-order, --meter-scale, --meter-offset, as `mullet meter read` "
                  "takes them (try that first)");
  AddMeterRegisterOptions(cmd, f.meter, "--meter-");
  cmd->add_option("--api-rate", f.api_rate,
                  "API requests a second per client address (twice as many in a burst); past it 429")
      ->check(CLI::Range(1.0, 1e7))
      ->capture_default_str();
  cmd->add_option("--confirm-s", f.confirm_s,
                  "Between ticks, read only the miners whose command is in flight this often, so they are "
                  "confirmed as soon as measured (0: at ticks only)")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  cmd->add_option("--deadline-s", f.deadline_s, "Deadline of each miner request")
      ->check(CLI::Range(0.05, 60.0))
      ->capture_default_str();
  cmd->add_option("--max-commands", f.max_commands, "Sleep and wake commands per tick at most (pacing)")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--price-usd-mwh", f.price, "Power price to act on (default: the site file's fixed price)");
  cmd->add_option("--price-csv", f.price_csv,
                  "A price feed: a CSV of timestamp_utc and <point>_usd_per_mwh columns, read again every "
                  "--price-poll-s (default: the site's contract.index csv, if it names one)");
  cmd->add_option("--price-url", f.price_url,
                  "A price feed over HTTP(S): GET the URL every --price-poll-s; its body is CSV as for "
                  "--price-csv (at most 8 MiB; a failed read keeps the last good prices)");
  cmd->add_option("--price-column", f.price_column, "The feed's point, e.g. hb_west (default: the site's)");
  cmd->add_option("--price-poll-s", f.price_poll_s, "Seconds between reads of the price feed")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  cmd->add_option("--price-max-age-s", f.price_max_age_s,
                  "The feed is stale this long after its last interval ends")
      ->check(CLI::Range(0.0, 864000.0))
      ->capture_default_str();
  cmd->add_option("--safe-action", f.safe_action,
                  "While a source of --safe-action-on is stale: hold (act on the last good price and the "
                  "plant's model) or curtail (mining asleep; AI kept; events still bind)")
      ->check(CLI::IsMember({"hold", "curtail"}))
      ->capture_default_str();
  cmd->add_option("--safe-action-on", f.safe_action_on,
                  "The sources whose staleness calls for the safe action, comma-separated: price (the feed), "
                  "meter (no reading for three ticks), openadr (the VTN unread past its max age)")
      ->delimiter(',')
      ->check(CLI::IsMember({"price", "meter", "openadr"}))
      ->capture_default_str();
  cmd->add_option("--ercot-credentials", f.ercot_credentials,
                  "Take the price from ERCOT's public API (real-time SPP, NP6-905-CD): a file of username=, "
                  "password= and subscription_key= lines (developer.ercot.com)");
  cmd->add_option("--ercot-point", f.ercot_point, "The settlement point (HB_WEST, LZ_WEST, a node)")
      ->capture_default_str();
  cmd->add_option("--ercot-api", f.ercot_api, "The API's base URL")->capture_default_str();
  cmd->add_option("--ercot-token-url", f.ercot_token_url, "ERCOT's token endpoint (Azure B2C)");
  cmd->add_option("--ercot-poll-s", f.ercot_poll_s, "Seconds between polls (ERCOT allows one per 5 minutes)")
      ->check(CLI::Range(1.0, 86400.0))
      ->capture_default_str();
  cmd->add_option("--openadr-vtn", f.openadr_vtn,
                  "An OpenADR 3 VTN's base URL: its events' IMPORT_CAPACITY_LIMIT intervals become reduce-to events");
  cmd->add_option("--openadr-program", f.openadr_program, "The VTN program to follow (its programName)");
  cmd->add_option("--openadr-client-id", f.openadr_client_id, "OAuth2 client id at the VTN");
  cmd->add_option("--openadr-secret-file", f.openadr_secret_file, "A file holding the OAuth2 client secret");
  cmd->add_option("--openadr-poll-s", f.openadr_poll_s, "Seconds between polls of the VTN")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  cmd->add_option("--slurm-partition", f.slurm_partition,
                  "Suspend this Slurm partition's running jobs while the policy defers batch work, and resume "
                  "them (only those) after; needs the site's batch queue");
  cmd->add_option("--slurm-conf", f.slurm_conf, "SLURM_CONF for scontrol and squeue (default: theirs)");
  cmd->add_option("--gpu-node", f.gpu_nodes,
                  "TENANT=PATH, repeatable: a GPU node of the site's lease or cloud TENANT, driven through "
                  "the nvidia-smi binary at PATH (or a wrapper that runs it on the node, e.g. over ssh). "
                  "When firm load alone breaks a limit (firm-sla-breach), the tenant's GPUs are capped "
                  "(-pl) to fit what the policy serves, and restored when the breach ends")
      ->type_name("TENANT=PATH");
  cmd->add_option("--gpu-deadline-s", f.gpu_deadline_s, "Deadline of each nvidia-smi call of a --gpu-node")
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();
  cmd->add_option("--four-cp-alert-file", f.four_cp_alert_file,
                  "An operator's 4CP alerts: a CSV of start_utc,end_utc intervals, read again every tick; "
                  "in one, the site's 4CP charge is weighed as in an alert hour of the site file (needs "
                  "contract.four_cp)");
  cmd->add_option("--hashprice", f.hashprice,
                  "Hashprice in USD/TH/day before pool fees (default: the built-in network snapshot's)");
  cmd->add_option("--retention-days", f.retention_days, "Days of tick records kept in the store")
      ->check(CLI::Range(0.01, 36500.0))
      ->capture_default_str();
  cmd->footer(
      "Sweeps the miners of every group (their `addresses` in the site file, or an emulated\n"
      "plant: --emulate N), meters the site, and every tick applies the dispatch policy to\n"
      "the events in force, the price and the hashprice; sleep and wake are paced, written\n"
      "to the store before they leave, and confirmed by measurement. Serves /api/v1 (OpenAPI\n"
      "at /api/v1/openapi.json), /metrics and /healthz, and prints\n"
      "'mullet serve: API on http://ADDRESS:PORT' when ready. Writes need a bearer token:\n"
      "  mullet serve --emulate 1000 examples/demo_site.yaml &\n"
      "  mullet token create --role operator --db mullet.db\n"
      "  curl -H 'Authorization: Bearer mlt_...' -d '{\"type\":\"reduce-to\",\"kw\":2500}' \\\n"
      "       http://127.0.0.1:8080/api/v1/events\n"
      "  curl -s http://127.0.0.1:8080/metrics | grep mullet_site_power_watts\n"
      "Firm AI is capped only when firm load alone breaks a limit, an SLA event logged and\n"
      "costed; give each tenant's GPU nodes and the loop caps them (needs root on the node):\n"
      "  mullet serve site.yaml --gpu-node ai-lease=/usr/bin/nvidia-smi \\\n"
      "       --gpu-node ai-lease=/etc/mullet/gpu07-smi   # a wrapper: exec ssh gpu07 nvidia-smi \"$@\"\n"
      "Logs one line per tick that acted (logfmt, with each group's reason code) on stderr.\n"
      "Stops on SIGINT or SIGTERM; everything stored survives a kill, and a restart resumes\n"
      "the events in force and the miners it put to sleep.");
  return cmd;
}

int RunServe(const ServeFlags& f, std::ostream& out, std::ostream& err) {
  if (int feeds = !f.price_csv.empty() + !f.price_url.empty() + !f.ercot_credentials.empty(); feeds > 1) {
    err << "mullet serve: error: --price-csv, --price-url and --ercot-credentials are each a price feed; "
           "give one\n";
    return 2;
  }
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
  Site site = scenarios->front().site;
  if (scenarios->size() > 1) {
    fmt::print(err, "mullet serve: {} scenarios in {}: serving the first, {}\n", scenarios->size(), f.site_file,
               Printable(scenarios->front().name));
  }
  Result<std::vector<GpuNodeFlag>> gpu_nodes = ParseGpuNodes(f.gpu_nodes, site, f.site_file);
  if (!gpu_nodes.ok()) {
    err << "mullet serve: error: " << gpu_nodes.status().message() << "\n";
    return 2;
  }
  Result<std::unique_ptr<Store>> store = OpenStore(f.db);
  if (!store.ok()) {
    err << "mullet serve: error: " << store.status().message() << "\n";
    return 1;
  }

  // The plant: an emulated one, or the site's own miners.
  Result<ServePlant> plant = StartPlant(f, &site, err);
  if (!plant.ok()) {
    err << "mullet serve: error: " << plant.status().message() << "\n";
    return plant.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::unique_ptr<EmulatedSite>& emulated = plant.value().emulated;
  const auto& fleet = plant->fleet;
  const std::optional<modbus::PowerMeter>& meter = plant->meter;
  std::map<std::string, SourceHealth> sources = plant->sources;

  // The signals: a fixed price, a price feed, or ERCOT's API; the hashprice.
  LoopRunnerOptions ro;
  ro.loop.tick = Seconds(f.tick_s);
  ro.confirm = Seconds(f.confirm_s);
  ro.loop.max_commands = f.max_commands;
  ro.loop.retention = Hours(f.retention_days * 24);
  const std::string feed_csv = !f.price_csv.empty() ? f.price_csv : site.contract.index.csv;
  ro.safe_action = f.safe_action == "curtail" ? SafeAction::kCurtail : SafeAction::kHold;
  ro.safe_action_on = std::set<std::string>(f.safe_action_on.begin(), f.safe_action_on.end());
  if (f.price >= 0) {
    ro.signals.price = UsdPerMegawattHour(f.price);
    sources["price"].source = fmt::format("--price-usd-mwh {}", f.price);
  } else if (!f.ercot_credentials.empty()) {
    Result<ErcotFeedOptions> eo = ErcotOptions(f);
    if (!eo.ok()) {
      err << "mullet serve: error: " << eo.status().message() << "\n";
      return 2;
    }
    Result<std::unique_ptr<ErcotFeed>> feed = ErcotFeed::Create(*eo);
    if (!feed.ok()) {
      err << "mullet serve: error: " << feed.status().message() << "\n";
      return 2;
    }
    ro.price_feed = std::shared_ptr<LivePrice>(std::move(feed).value());
  } else if (!f.price_url.empty() || !feed_csv.empty()) {
    PriceFeedOptions po;
    if (!f.price_url.empty()) {
      po.url = f.price_url;
    } else {
      po.csv = feed_csv;
    }
    po.point = !f.price_column.empty() ? f.price_column
               : !site.contract.index.column.empty() ? site.contract.index.column
                                                      : "hb_west";
    po.poll = Seconds(f.price_poll_s);
    po.max_age = Seconds(f.price_max_age_s);
    Result<std::unique_ptr<PriceFeed>> feed = PriceFeed::Create(po);
    if (!feed.ok()) {
      err << "mullet serve: error: " << feed.status().message() << "\n";
      return 2;
    }
    ro.price_feed = std::shared_ptr<LivePrice>(std::move(feed).value());
  } else if (site.contract.index.fixed) {
    ro.signals.price = *site.contract.index.fixed;
    sources["price"].source = fmt::format("site file: fixed {} USD/MWh", site.contract.index.fixed->value());
  } else if (fleet) {
    err << "mullet serve: error: " << f.site_file
        << ": the power price is a history series (contract.index); give the price to act on with "
           "--price-usd-mwh, or a fixed_usd_per_mwh index\n";
    return 2;
  }
  if (ro.price_feed) {
    // The loop polls the feed before its first tick (start-up does not wait
    // on it); until a good read, and while it is stale under `hold`, the
    // site file's fixed price stands, if it has one.
    ro.signals.price = site.contract.index.fixed.value_or(UsdPerMegawattHour(0));
    sources["price"] = ro.price_feed->Health(Now());
  }
  ro.signals.hashprice = f.hashprice >= 0 ? UsdPerTerahashDay(f.hashprice) : BuiltInHashprice();
  sources["hashprice"].source = f.hashprice >= 0 ? fmt::format("--hashprice {}", f.hashprice)
                                                 : fmt::format("built-in network snapshot of {} ({:.4f} USD/TH/day)",
                                                               builtin_network::kDate, ro.signals.hashprice.value());
  const UtcTime started_at = Now();
  for (auto& [name, h] : sources) {
    if ((name == "price" && !ro.price_feed) || name == "hashprice") h.read_at = started_at;
  }

  if (!f.openadr_vtn.empty()) {
    VenOptions vo;
    vo.vtn_url = f.openadr_vtn;
    vo.program = f.openadr_program;
    vo.client_id = f.openadr_client_id;
    vo.poll = Seconds(f.openadr_poll_s);
    vo.max_age = Seconds(std::max(300.0, 4 * f.openadr_poll_s));
    if (!f.openadr_secret_file.empty()) {
      std::ifstream in(f.openadr_secret_file);
      if (!in) {
        err << "mullet serve: error: --openadr-secret-file: cannot read " << f.openadr_secret_file << "\n";
        return 2;
      }
      std::getline(in, vo.client_secret);
    }
    Result<OpenAdrVen> ven = OpenAdrVen::Create(vo);
    if (!ven.ok()) {
      err << "mullet serve: error: " << ven.status().message() << "\n";
      return 2;
    }
    ro.ven = std::make_shared<OpenAdrVen>(std::move(ven).value());
    sources["openadr"] = ro.ven->Health(Now());
    fmt::print(err, "mullet serve: OpenADR 3 VEN: program {} at {}, polled every {} s\n", Printable(vo.program),
               Printable(vo.vtn_url), f.openadr_poll_s);
  }

  // A source named for the safe action must exist, or the safe action an
  // operator counts on could never come.
  for (const std::string& s : f.safe_action_on) {
    if (s == "meter" && !meter) {
      err << "mullet serve: error: --safe-action-on meter: there is no meter to go stale (give --meter, or --emulate)\n";
      return 2;
    }
    if (s == "openadr" && !ro.ven) {
      err << "mullet serve: error: --safe-action-on openadr: there is no VTN to go stale (give --openadr-vtn)\n";
      return 2;
    }
  }

  if (!f.four_cp_alert_file.empty()) {
    // Read once now, so a wrong path or a broken file is said at start-up.
    if (!site.contract.four_cp) {
      err << "mullet serve: error: --four-cp-alert-file: " << f.site_file
          << " has no 4CP charge (contract.four_cp) to weigh an alert by\n";
      return 2;
    }
    if (Result<std::vector<AlertInterval>> read = LoadAlertIntervals(f.four_cp_alert_file); !read.ok()) {
      err << "mullet serve: error: --four-cp-alert-file: " << read.status().message() << "\n";
      return 2;
    }
    ro.four_cp_alerts = std::make_shared<FourCpAlertFile>(f.four_cp_alert_file, Seconds(f.tick_s));
    sources["four_cp_alerts"] = ro.four_cp_alerts->Health();
  }

  LiveBoard board;
  std::unique_ptr<LoopRunner> runner;
  if (fleet) {
    Result<std::unique_ptr<Store>> loop_store = OpenStore(f.db);
    if (!loop_store.ok()) {
      err << "mullet serve: error: " << loop_store.status().message() << "\n";
      return 1;
    }
    RpcOptions rpc;
    rpc.deadline = Seconds(f.deadline_s);
    auto io = std::make_unique<DriverFleet>(fleet->first, rpc, meter);
    ro.sources = sources;
    if (!f.slurm_partition.empty()) {
      if (!site.batch) {
        err << "mullet serve: error: --slurm-partition: " << f.site_file << " has no batch queue (ai.batch)\n";
        return 2;
      }
      SlurmOptions so;
      so.slurm_conf = f.slurm_conf;
      ro.scheduler = std::make_shared<SlurmScheduler>(so);
      ro.partition = f.slurm_partition;
      sources["slurm"].source = "Slurm partition " + f.slurm_partition;
      ro.sources = sources;
    }
    for (const GpuNodeFlag& g : *gpu_nodes) {
      NvidiaSmiOptions no;
      no.binary = g.path;
      no.command.deadline = Seconds(f.gpu_deadline_s);
      auto node = std::make_shared<NvidiaSmiGpuNode>(no);
      ro.gpu_nodes.push_back({g.tenant, g.path, node.get()});
      ro.gpu_owners.push_back(std::move(node));
    }
    // The emulated plant's GPU nodes, for every tenant no --gpu-node names.
    if (emulated) {
      for (std::size_t i = 0; i < emulated->gpu_nodes().size(); ++i) {
        const FirmGpuNode& n = emulated->gpu_nodes()[i];
        if (std::any_of(gpu_nodes->begin(), gpu_nodes->end(), [&](const GpuNodeFlag& g) { return g.tenant == n.tenant; })) {
          continue;
        }
        ro.gpu_nodes.push_back(n);
        ro.gpu_owners.push_back(emulated->gpu_owners()[i]);
      }
    }
    runner = std::make_unique<LoopRunner>(site, std::move(loop_store).value(), std::move(io), fleet->second, ro,
                                          board, err, Now);
    if (Status s = runner->Start(); !s.ok()) {
      err << "mullet serve: error: " << s.message() << "\n";
      return 1;
    }
  }
  SiteView view;
  view.name = site.name;
  view.site_file = f.site_file;
  view.interconnect_w = site.interconnect.value();
  for (const PowerDomain& d : site.domains) view.domain_limits_w.emplace_back(d.name, d.limit.value());
  for (const MinerGroup& g : site.miners) {
    view.groups.emplace_back(g.name, g.count);
    std::vector<std::string>& chain = view.group_domains.emplace_back();
    for (int d = g.domain_index; d >= 0 && static_cast<std::size_t>(d) < site.domains.size() && chain.size() < site.domains.size();
         d = site.domains[static_cast<std::size_t>(d)].parent_index) {
      chain.push_back(site.domains[static_cast<std::size_t>(d)].name);
    }
  }
  view.policy = site.policy;
  view.four_cp_charge = site.contract.four_cp.has_value();
  view.reports_dir = f.reports;
  view.started = Now();

  asio::io_context io;
  ApiHandler handler(**store, view, Now, runner ? &board : nullptr, EmbeddedWebAssets());
  ApiOptions options;
  options.listen = *listen;
  options.requests_per_s = f.api_rate;
  options.burst = 2 * f.api_rate;
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
  if (runner) {
    fmt::print(err, "mullet serve: control loop on {} miners every {} s; price {} ({}), hashprice {:.4f} USD/TH/day ({})\n",
               fleet->first.size(), f.tick_s,
               ro.price_feed ? std::string("polled each tick")
                             : fmt::format("{:.2f} USD/MWh", ro.signals.price.value()),
               sources["price"].source, ro.signals.hashprice.value(), sources["hashprice"].source);
    for (const GpuNodeFlag& g : *gpu_nodes) {
      fmt::print(err, "mullet serve: GPU node {} of {}: capped only in an SLA breach of the tenant\n",
                 Printable(g.path), Printable(g.tenant));
    }
  } else {
    fmt::print(err,
               "mullet serve: warning: no miner group of {} has `addresses`: the API serves the store, and no "
               "control loop runs (give each group its addresses, or --emulate N)\n",
               f.site_file);
    if (!gpu_nodes->empty()) fmt::print(err, "mullet serve: warning: --gpu-node: no control loop to drive them\n");
  }
  const asio::ip::tcp::endpoint at = server.endpoint();
  const std::string host = at.address().is_v6() ? "[" + at.address().to_string() + "]" : at.address().to_string();
  if (EmbeddedWebAssets().empty()) {
    fmt::print(err, "mullet serve: the dashboard was not built into this binary (npm was not found at build time)\n");
  } else {
    fmt::print(err, "mullet serve: dashboard on http://{}:{}/ (log in with a token: mullet token create)\n", host, at.port());
  }
  fmt::print(out, "mullet serve: API on http://{}:{}\n", host, at.port());
  out.flush();
  io.run();
  if (runner) runner->Stop();
  return 0;
}

}  // namespace mullet
