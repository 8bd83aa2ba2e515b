#include "cli/econ_report.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace mullet {
namespace {

ModelEconomics EvaluateModel(const AsicModel& m, const EconReport& r) {
  ModelEconomics e;
  e.model = m;
  OperatingPoint op = r.in.op;
  op.efficiency = m.efficiency();
  e.breakeven_power = BreakevenPowerPrice(r.hashprice, op);
  e.gross = MiningGrossPerKilowattMonth(r.hashprice, op);
  if (r.in.power_price) {
    e.net = e.gross - PowerCostPerKilowattMonth(*r.in.power_price, op);
    e.electricity_cost_per_btc = ElectricityCostPerBtc(r.btc_per_th_day, *r.in.power_price, op);
  }
  return e;
}

// 1234567.8 -> "1,234,568" (whole units, for money and heights).
std::string Grouped(double v) {
  const long long n = std::llround(std::fabs(v));
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 && n != 0 ? "-" : "") + out;
}

std::string Money(double usd) { return (usd < 0 ? "-$" : "$") + Grouped(std::fabs(usd)); }

const char* FactorName(HashFactor f) { return f == HashFactor::kExact ? "2^48/65535" : "2^32"; }

}  // namespace

EconReport ComputeEcon(EconInputs in) {
  EconReport r;
  r.in = std::move(in);
  const EconInputs& i = r.in;
  r.btc_per_th_day = ExpectedBtcPerTerahashDay(i.net);
  r.hashprice = Hashprice(i.net);
  r.network_hashrate = ImpliedNetworkHashrate(i.net.difficulty, i.net.factor);
  const UtcTime now = i.date ? UtcTime(*i.date + std::chrono::days(1)) : UtcTime{};
  r.next_halving = ProjectNextHalving(i.height, now, i.net.difficulty,
                                      i.hashrate.value_or(r.network_hashrate), i.net.factor);
  r.halving_dated = i.date.has_value();
  if (i.efficiency) {
    r.breakeven_power = BreakevenPowerPrice(r.hashprice, i.op);
    r.gross = MiningGrossPerKilowattMonth(r.hashprice, i.op);
    if (i.power_price) {
      r.electricity_cost_per_btc = ElectricityCostPerBtc(r.btc_per_th_day, *i.power_price, i.op);
      r.breakeven_hashprice = BreakevenHashprice(*i.power_price, i.op);
      r.power_cost = PowerCostPerKilowattMonth(*i.power_price, i.op);
      r.net = *r.gross - *r.power_cost;
      if (i.has_cost_tiers) r.tiers = CostTiers(r.btc_per_th_day, *i.power_price, i.op, i.costs);
    }
  }
  if (i.lease) {
    // A kW of contracted IT draws load_factor kW, x PUE at the meter, for a
    // 730.5-hour accounting month.
    double power = 0;
    if (i.lease_gross && i.power_price) {
      power = i.power_price->value() * i.ai_load_factor * i.ai_pue * Hours(kAccountingMonth).count() / 1000;
      r.lease_power_cost = UsdPerKilowattMonth(power);
    }
    r.lease_net = UsdPerKilowattMonth(i.lease->value() - i.ai_opex.value() - power);
  }
  if (i.rank_models) {
    for (const AsicModel& m : i.catalog.models()) r.ranking.push_back(EvaluateModel(m, r));
    std::stable_sort(r.ranking.begin(), r.ranking.end(),
                     [](const ModelEconomics& a, const ModelEconomics& b) {
                       return a.breakeven_power > b.breakeven_power;
                     });
  }
  return r;
}

void PrintEconText(const EconReport& r, std::ostream& out) {
  const EconInputs& i = r.in;
  std::string from = i.network_source == "built-in"
                         ? "built-in snapshot; --at DATE --data DIR for history"
                     : i.network_source == "history" ? "from history"
                                                     : "from flags";
  if (i.history_ends) from += ", past its end: held from " + FormatDate(*i.history_ends);
  if (i.date) {
    fmt::print(out, "Mining economics at {} ({})\n\n", FormatDate(*i.date), from);
  } else {  // a network given by flags has no date of its own
    fmt::print(out, "Mining economics for the network given ({})\n\n", from);
  }
  fmt::print(out, "Network\n");
  fmt::print(out, "  difficulty          {:.2f} T   (hashes per block: D x {})\n",
             i.net.difficulty / 1e12, FactorName(i.net.factor));
  fmt::print(out, "  network hashrate    {:.1f} EH/s (implied by difficulty at 600 s/block)\n",
             r.network_hashrate.eh_s());
  fmt::print(out, "  block reward        {} BTC subsidy (height {}) + {:.4f} BTC fees\n",
             ToBtc(i.net.subsidy).value(), Grouped(static_cast<double>(i.height)),
             i.net.fees_per_block.value());
  fmt::print(out, "  BTC price           {}\n", Money(i.net.price.value()));
  fmt::print(
      out, "  next halving        height {} in {} blocks, ~{:.0f} days{}\n",
      Grouped(static_cast<double>(r.next_halving.height)),
      Grouped(static_cast<double>(r.next_halving.blocks_remaining)),
      Days(r.next_halving.time_remaining).count(),
      r.halving_dated
          ? " (" + FormatDate(std::chrono::floor<std::chrono::days>(r.next_halving.date)) + ")"
          : std::string());
  fmt::print(out, "\nRevenue of 1 TH/s\n");
  fmt::print(out, "  expected            {:.4e} BTC/TH/day = {:.2f} sats/TH/day\n",
             r.btc_per_th_day.value(), r.btc_per_th_day.sats_per_th_day());
  fmt::print(out, "  hashprice           ${:.4f}/TH/day = ${:.2f}/PH/day\n", r.hashprice.value(),
             r.hashprice.usd_per_ph_day());

  if (i.efficiency) {
    fmt::print(
        out, "\nYour machine: {} at {:.2f} J/TH, PUE {:.2f}, pool fee {:.2f} %, uptime {:.2f} %\n",
        i.model ? i.model->name : std::string("a miner"), i.efficiency->value(), i.op.pue,
        i.op.pool_fee * 100, i.op.uptime * 100);
    fmt::print(out, "  breakeven power     ${:.4f}/kWh\n", r.breakeven_power->usd_per_kwh());
    fmt::print(out, "  mining gross        ${:.2f}/kW-month\n", r.gross->value());
    if (i.power_price) {
      fmt::print(out, "  at ${:.4f}/kWh:\n", i.power_price->usd_per_kwh());
      fmt::print(out, "    electricity/BTC       {}\n", Money(r.electricity_cost_per_btc->value()));
      fmt::print(out, "    breakeven hashprice   ${:.2f}/PH/day\n",
                 r.breakeven_hashprice->usd_per_ph_day());
      fmt::print(out, "    power cost            ${:.2f}/kW-month\n", r.power_cost->value());
      fmt::print(out, "    mining net            ${:.2f}/kW-month\n", r.net->value());
      if (r.tiers) {
        fmt::print(out, "    cost per BTC          direct {}, cash {}, all-in {}\n",
                   Money(r.tiers->direct.value()), Money(r.tiers->cash.value()),
                   Money(r.tiers->all_in.value()));
        if (r.tiers->mined_per_month.value() > 0) {
          fmt::print(out, "    fleet mines           {:.2f} BTC/month\n",
                     r.tiers->mined_per_month.value());
        }
      }
    }
  } else if (!r.ranking.empty()) {
    // The ranking below covers it.
  } else {
    fmt::print(out,
               "\n(add --model NAME or --efficiency-j-per-th E, and --power-usd-per-kwh C, for "
               "cost and breakeven; --models ranks every model)\n");
  }
  if (i.lease) {
    fmt::print(out, "\nAI lease              ${:.2f}/kW-month of IT load, {}\n", i.lease->value(),
               i.lease_gross ? "gross (the site pays the tenant's power)"
                             : "triple-net (the tenant pays its power; --lease-type)");
    if (r.lease_power_cost) {
      fmt::print(out, "    tenant's power        ${:.2f}/kW-month ({:.2f} load factor x PUE {:.2f})\n",
                 r.lease_power_cost->value(), i.ai_load_factor, i.ai_pue);
    }
    fmt::print(out, "    AI opex               ${:.2f}/kW-month{}\n", i.ai_opex.value(),
               i.ai_opex.value() == 0 ? " (--ai-opex-usd-per-kw-month)" : "");
    fmt::print(out, "    lease net             ${:.2f}/kW-month", r.lease_net->value());
    if (r.net) {
      const double diff = r.lease_net->value() - r.net->value();
      fmt::print(out, " -> {} ${:.2f}/kW-month more than mining net",
                 diff >= 0 ? "lease earns" : "mining earns", std::fabs(diff));
    }
    fmt::print(out, "\n");
  }

  if (!r.ranking.empty()) {
    fmt::print(out, "\nModels by breakeven power price (highest first){}\n",
               i.power_price ? fmt::format(", at ${:.4f}/kWh", i.power_price->usd_per_kwh()) : "");
    fmt::print(out, "  {:>3}  {:<28} {:>7} {:>6} {:>7} {:>10} {:>9}", "#", "model", "TH/s", "W",
               "J/TH", "$/kWh b/e", "gross/kW");
    if (i.power_price) fmt::print(out, " {:>9} {:>12}", "net/kW", "elec/BTC");
    fmt::print(out, "\n");
    int rank = 0;
    for (const ModelEconomics& m : r.ranking) {
      fmt::print(out, "  {:>3}  {:<28} {:>7.1f} {:>6.0f} {:>7.2f} {:>10.4f} {:>9.2f}", ++rank,
                 m.model.name.substr(0, 28), m.model.hashrate.value(), m.model.power.value(),
                 m.model.efficiency().value(), m.breakeven_power.usd_per_kwh(), m.gross.value());
      if (m.net)
        fmt::print(out, " {:>9.2f} {:>12}", m.net->value(),
                   Money(m.electricity_cost_per_btc->value()));
      fmt::print(out, "\n");
    }
    fmt::print(out, "  ($/kW figures per kW of miners per {:.4g}-day month)\n",
               kAccountingMonth.count());
  }
}

void PrintEconJson(const EconReport& r, std::ostream& out) {
  const EconInputs& i = r.in;
  nlohmann::ordered_json j;
  nlohmann::ordered_json inputs;
  inputs["network_source"] = i.network_source;
  inputs["date"] = i.date ? nlohmann::ordered_json(FormatDate(*i.date)) : nlohmann::ordered_json();
  inputs["history_ends"] = i.history_ends ? nlohmann::ordered_json(FormatDate(*i.history_ends)) : nlohmann::ordered_json();
  inputs["difficulty"] = i.net.difficulty;
  inputs["hash_factor"] = FactorName(i.net.factor);
  inputs["height"] = i.height;
  inputs["price_usd"] = i.net.price.value();
  inputs["fees_btc_per_block"] = i.net.fees_per_block.value();
  if (i.model) inputs["model"] = i.model->name;
  if (i.efficiency) inputs["efficiency_j_per_th"] = i.efficiency->value();
  if (i.power_price) inputs["power_usd_per_kwh"] = i.power_price->usd_per_kwh();
  inputs["pue"] = i.op.pue;
  inputs["pool_fee"] = i.op.pool_fee;
  inputs["uptime"] = i.op.uptime;
  if (i.lease) {
    inputs["lease_usd_per_kw_month"] = i.lease->value();
    inputs["lease_type"] = i.lease_gross ? "gross" : "triple-net";
    inputs["ai_opex_usd_per_kw_month"] = i.ai_opex.value();
    if (i.lease_gross) {
      inputs["ai_pue"] = i.ai_pue;
      inputs["ai_load_factor"] = i.ai_load_factor;
    }
  }
  j["inputs"] = inputs;

  j["subsidy_btc"] = ToBtc(i.net.subsidy).value();
  j["subsidy_sats"] = i.net.subsidy.value();
  j["reward_btc_per_block"] = i.net.reward_per_block().value();
  j["network_hashrate_eh_s"] = r.network_hashrate.eh_s();
  j["btc_per_th_day"] = r.btc_per_th_day.value();
  j["sats_per_th_day"] = r.btc_per_th_day.sats_per_th_day();
  j["hashprice_usd_per_th_day"] = r.hashprice.value();
  j["hashprice_usd_per_ph_day"] = r.hashprice.usd_per_ph_day();
  nlohmann::ordered_json halving;
  halving["height"] = r.next_halving.height;
  halving["blocks_remaining"] = r.next_halving.blocks_remaining;
  halving["mean_block_interval_s"] = r.next_halving.mean_block_interval.count();
  halving["days_remaining"] = Days(r.next_halving.time_remaining).count();
  if (r.halving_dated) halving["date_utc"] = FormatUtc(r.next_halving.date);
  j["next_halving"] = halving;
  if (r.breakeven_power) {
    j["breakeven_power_usd_per_kwh"] = r.breakeven_power->usd_per_kwh();
    j["mining_gross_usd_per_kw_month"] = r.gross->value();
  }
  if (r.electricity_cost_per_btc) {
    j["electricity_cost_per_btc_usd"] = r.electricity_cost_per_btc->value();
    j["breakeven_hashprice_usd_per_ph_day"] = r.breakeven_hashprice->usd_per_ph_day();
    j["power_cost_usd_per_kw_month"] = r.power_cost->value();
    j["mining_net_usd_per_kw_month"] = r.net->value();
  }
  if (r.tiers) {
    j["cost_per_btc_usd"] = {{"direct", r.tiers->direct.value()},
                             {"cash", r.tiers->cash.value()},
                             {"all_in", r.tiers->all_in.value()}};
    if (r.tiers->mined_per_month.value() > 0) {
      j["fleet_btc_per_month"] = r.tiers->mined_per_month.value();
    }
  }
  if (i.lease) {
    j["lease_usd_per_kw_month"] = i.lease->value();
    if (r.lease_power_cost) j["lease_power_cost_usd_per_kw_month"] = r.lease_power_cost->value();
    j["lease_net_usd_per_kw_month"] = r.lease_net->value();
    if (r.net) j["lease_minus_mining_net_usd_per_kw_month"] = r.lease_net->value() - r.net->value();
  }
  if (i.rank_models) {
    nlohmann::ordered_json models = nlohmann::ordered_json::array();
    for (const ModelEconomics& m : r.ranking) {
      nlohmann::ordered_json o;
      o["name"] = m.model.name;
      o["brand"] = m.model.brand;
      o["hashrate_th_s"] = m.model.hashrate.value();
      o["power_w"] = m.model.power.value();
      o["efficiency_j_per_th"] = m.model.efficiency().value();
      o["breakeven_power_usd_per_kwh"] = m.breakeven_power.usd_per_kwh();
      o["mining_gross_usd_per_kw_month"] = m.gross.value();
      if (m.net) {
        o["mining_net_usd_per_kw_month"] = m.net->value();
        o["electricity_cost_per_btc_usd"] = m.electricity_cost_per_btc->value();
      }
      o["source"] = m.model.source;
      models.push_back(o);
    }
    j["models"] = models;
  }
  out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace mullet
