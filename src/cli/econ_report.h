// `mullet econ`: the resolved inputs of one moment, everything computed from
// them, and the two ways of showing it (a readable table, one JSON object).
// Pure: ComputeEcon does no I/O; the printers write to the stream given.

#ifndef MULLET_CLI_ECON_REPORT_H_
#define MULLET_CLI_ECON_REPORT_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/asic/catalog.h"
#include "core/chain/halving.h"
#include "core/economics/hashprice.h"
#include "core/economics/mining_cost.h"
#include "core/time/calendar.h"

namespace mullet {

struct EconInputs {
  // Where the network figures came from: "flags", "history" or "built-in".
  std::string network_source;
  std::optional<Date> date;  // the moment, when known
  // History: set when `date` is past its end (the last day of real data);
  // the rule of docs/market.md then holds, and the output says so.
  std::optional<Date> history_ends;
  NetworkConditions net;     // difficulty, subsidy, fees, price, factor
  BlockHeight height = 0;
  std::optional<TerahashPerSecond> hashrate;  // for the halving projection; else implied
  // The machine: from --model, or a bare --efficiency-j-per-th.
  std::optional<AsicModel> model;
  std::optional<JoulesPerTerahash> efficiency;
  std::optional<UsdPerMegawattHour> power_price;
  OperatingPoint op;  // efficiency filled when known
  std::optional<UsdPerKilowattMonth> lease;
  // The lease's terms, explicit: who pays the tenant's power (a gross lease:
  // the site, out of the rent; triple-net: the tenant), the AI hall's
  // operating cost, and the draw and cooling of a gross tenant's power.
  bool lease_gross = false;
  UsdPerKilowattMonth ai_opex{0};
  double ai_pue = 1.3;
  double ai_load_factor = 0.85;
  CostInputs costs;
  bool has_cost_tiers = false;  // any tier input given
  bool rank_models = false;
  AsicCatalog catalog;
};

struct ModelEconomics {
  AsicModel model;
  UsdPerMegawattHour breakeven_power{0};
  UsdPerKilowattMonth gross{0};
  std::optional<UsdPerKilowattMonth> net;       // with a power price
  std::optional<Usd> electricity_cost_per_btc;  // with a power price
};

struct EconReport {
  EconInputs in;
  BtcPerTerahashDay btc_per_th_day{0};
  UsdPerTerahashDay hashprice{0};
  TerahashPerSecond network_hashrate{0};  // implied by difficulty
  HalvingProjection next_halving;
  bool halving_dated = false;  // next_halving.date is meaningful
  // With an efficiency:
  std::optional<UsdPerMegawattHour> breakeven_power;
  std::optional<UsdPerKilowattMonth> gross;
  // With an efficiency and a power price:
  std::optional<Usd> electricity_cost_per_btc;
  std::optional<UsdPerTerahashDay> breakeven_hashprice;
  std::optional<UsdPerKilowattMonth> power_cost;
  std::optional<UsdPerKilowattMonth> net;
  std::optional<CostPerBtc> tiers;
  // With a lease: what it leaves the site per kW-month of IT, after the AI
  // opex and (gross lease, with a power price) the tenant's power.
  std::optional<UsdPerKilowattMonth> lease_net;
  std::optional<UsdPerKilowattMonth> lease_power_cost;  // gross lease only
  // With --models: every catalog model, highest breakeven power price first.
  std::vector<ModelEconomics> ranking;
};

// REQUIRES: in.net.difficulty > 0; op within its documented ranges.
EconReport ComputeEcon(EconInputs in);

void PrintEconText(const EconReport& r, std::ostream& out);
void PrintEconJson(const EconReport& r, std::ostream& out);

}  // namespace mullet

#endif  // MULLET_CLI_ECON_REPORT_H_
