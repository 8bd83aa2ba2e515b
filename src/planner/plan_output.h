// What a plan run writes: the summary (summary.json's document; docs/plan.md
// has its schema), per-decision percentiles as CSV, and shards: the raw
// per-path results of a slice of the paths, which `mullet plan merge`
// concatenates in path order, so merged shards give the very numbers one
// process gives.

#ifndef MULLET_PLANNER_PLAN_OUTPUT_H_
#define MULLET_PLANNER_PLAN_OUTPUT_H_

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status/result.h"
#include "planner/plan_run.h"

namespace mullet {

struct RunInfo {
  std::string version;
  std::uint64_t paths = 0;  // in all
  int threads = 1;
  int shards = 1;
};

// The summary of `r` (all paths of the run).
nlohmann::json PlanSummary(const PlanSpec& plan, const PlanMarkets& markets, const PlanResults& r,
                           const RunInfo& info);

// Per decision, one row: the summary's figures (NPV percentiles and mean,
// IRR, payback, cash risk, VaR and CVaR, cost per BTC, BTC mined), CSV.
std::string DecisionsCsv(const nlohmann::json& summary);

// Per decision and month: cash percentiles (p5, p25, p50, p75, p95), CSV.
std::string CashPercentilesCsv(const PlanSpec& plan, const PlanResults& r);

// A shard: `fingerprint` ties it to the plan, site and markets it was run
// with; ReadShards refuses shards of different fingerprints, seeds or
// horizons, overlapping or missing paths. IoError naming the file.
Status WriteShard(const std::filesystem::path& file, const std::string& fingerprint, const PlanResults& r);
Result<PlanResults> ReadShards(const std::vector<std::filesystem::path>& files, std::string* fingerprint);

}  // namespace mullet

#endif  // MULLET_PLANNER_PLAN_OUTPUT_H_
