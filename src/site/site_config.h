// SITE.yaml: the site file `mullet backtest` and `mullet serve` read, and the
// checks every Site must pass. Full reference with every key: docs/site.md;
// worked examples: examples/*_west_texas.yaml.
//
// Units are in the key names. Site-level power keys take MW or kW
// (`limit_mw: 60` or `limit_kw: 60000`, never both); per-device power keys
// have one unit (`power_w`, `kw_per_node`, `kw_per_gpu`). Times are UTC,
// exactly YYYY-MM-DDTHH:MM:SSZ. Names are unique across all domains and loads.
//
//   name: West Texas 100 MW hybrid              # required
//   interconnect_mw: 100                        # required (or interconnect_kw), > 0
//   power_domains:                              # optional; limits are facility power
//     - {name: sub-1, limit_mw: 100}            # no parent: under the interconnect
//     - {name: feeder-a, parent: sub-1, limit_mw: 60}
//   contract:                                   # required
//     index: {column: hb_west}                  # or {fixed_usd_per_mwh: 45}, or
//                                               # {csv: prices.csv, column: hb_west}
//     adder_usd_per_mwh: 4.5                    # default 0
//     fixed_block: {size_mw: 50, price_usd_per_mwh: 32}                # optional
//     demand_response:                          # optional, in time order
//       - {start: 2024-08-20T20:00:00Z, end: 2024-08-20T23:00:00Z,
//          reduce_to_mw: 20, credit_usd_per_mwh: 100}  # or reduce_by_mw
//     four_cp: {rate_usd_per_kw_year: 55, peak_hours: [2024-06-20T21:00:00Z]}
//   cooling: {pue_air: 1.08, pue_immersion: 1.04, pue_liquid: 1.3, capacity_mw: 95,
//             design_ambient_c: 35, derate_per_c: 0.02}           # all optional
//   ambient: {mean_c: 19, seasonal_amplitude_c: 11, daily_amplitude_c: 7,
//             hottest_day_of_year: 200, utc_offset_hours: -6}    # all optional
//   miner_groups:                               # interruptible loads
//     - {name: s21-a, model: Antminer S21, count: 4000, domain: feeder-a,
//        cooling: air, ramp_up_s: 300, ramp_down_s: 60, min_on_h: 1, min_off_h: 1,
//        pool_fee: 0.02, uptime: 0.98, strike_usd_per_mwh: 60,
//        firmware: {sleep: true, power_target_w: [2500, 3800], efficiency_exponent: 0.35,
//                   profiles: [{name: eco, power_w: 2800, hashrate_th_s: 175}]}}
//   ai:                                         # firm loads
//     colocation:
//       - {name: tenant-a, contracted_it_mw: 20, usd_per_kw_month: 125,
//          availability_target: 0.9999, load_factor: 0.85, domain: hall-ai,
//          cooling: liquid, sla_credits: [{below: 0.9999, credit: 0.05}]}
//     gpu_cloud:
//       - {name: cloud-h100, node_type: 8xH100, nodes: 100, gpus_per_node: 8,
//          kw_per_node: 10.2, usd_per_gpu_hour: 2.2, utilisation: 0.7}
//   batch:                                      # deferrable load, optional
//     {name: training-batch, gpus: 512, kw_per_gpu: 1.2,
//      jobs: [{name: run-1, gpu_hours: 20000, release: 2024-03-01T00:00:00Z,
//              deadline: 2024-03-10T00:00:00Z, value_usd_per_gpu_hour: 2.5}],
//      recurring: {every_h: 168, gpu_hours: 40000, deadline_after_h: 168,
//                  value_usd_per_gpu_hour: 2.0}}
//   policy: {hysteresis_usd_per_mwh: 2, strike_windows: 1, reserve_fraction: 0.02}
//   scenarios:                                  # optional
//     - name: hybrid                            # no overrides: the base site
//     - name: all-mining
//       ai: null                                # removes both AI lists
//       batch: null
//       miner_groups: [...]                     # replaces the base's list
//
// Scenarios. Without `scenarios:` the file is one scenario named after the
// site's `name`. With it, each entry is one scenario (the base site runs only
// as an entry without overrides). An entry holds `name` and any top-level key
// but `name` and `scenarios`; each key it gives REPLACES the base's value for
// that key whole (no deep merge: `ai: {colocation: [...]}` also drops the
// base's gpu_cloud), and `null` removes an optional section. `contract` and
// `interconnect_*` cannot be removed. Every scenario is validated on its own.
//
// Errors. Every error is one line, "<file>:<line>: <field path>: <what is
// wrong>", e.g. "hybrid.yaml:14: miner_groups[1].count: must be > 0, got -5";
// paths use the keys as written, dotted, with 0-based [i] indexes, prefixed
// by "scenarios[i]." for keys a scenario gives. Unknown keys, wrong YAML types
// and malformed YAML are errors too. The first error found is returned and
// nothing is half-loaded. No function here throws.

#ifndef MULLET_SITE_SITE_CONFIG_H_
#define MULLET_SITE_SITE_CONFIG_H_

#include <cstddef>
#include <filesystem>
#include <string_view>
#include <vector>

#include "core/asic/catalog.h"
#include "core/status/result.h"
#include "site/site.h"

namespace mullet {

// What a site file may list (docs/security.md): at most this many scenarios,
// and this many entries in any other list (miner groups, leases, domains,
// events, jobs). A file over either is refused at the list's line.
inline constexpr std::size_t kMaxScenarios = 100;
inline constexpr std::size_t kMaxListEntries = 2000;

// Loads a site file: the scenarios to run, in file order (see above). The
// returned sites are normalized (NormalizeSite) and pass ValidateSite.
// `catalog` resolves miner models (AsicCatalog::Find). A relative
// `contract.index.csv` is made relative to the directory of `file`.
// Errors: NotFound naming the path if `file` does not exist, IoError if it
// cannot be read, InvalidArgument "<file name>:<line>: <path>: <what>" for
// anything wrong inside it.
Result<std::vector<Scenario>> LoadSiteFile(const std::filesystem::path& file,
                                           const AsicCatalog& catalog);

// Same, from text (for tests and embedded sites); `name` stands for the file
// name in messages. `contract.index.csv` is kept as written.
Result<std::vector<Scenario>> ParseSiteYaml(std::string_view name, std::string_view text,
                                            const AsicCatalog& catalog);

// Checks every rule of docs/site.md on a site built in code: ranges, unique
// names, the domain tree (parents before children, no cycles), references
// and the resolved indices (parent_index, domain_index), demand-response
// events, SLA tiers (sorted by `availability_below`, descending), and that
// the firm load with its cooling fits the interconnect, every domain and the
// cooling plant. Returns InvalidArgument "<field path>: <what is wrong>",
// with the YAML field path (e.g. "miner_groups[1].count") and no line.
Status ValidateSite(const Site& site);

// Brings a site built in code into the form the loader returns: domains
// ordered parents first, parent_index and every load's domain_index resolved
// from the names (names are the truth, indices are derived), SLA tiers
// sorted. Fails with ValidateSite's kind of message if a rule is broken;
// `site` is then unchanged. On success ValidateSite(*site) is ok.
Status NormalizeSite(Site* site);

}  // namespace mullet

#endif  // MULLET_SITE_SITE_CONFIG_H_
