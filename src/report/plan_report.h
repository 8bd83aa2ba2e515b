// report.html of `mullet plan`: one self-contained page (inline SVG and CSS,
// no scripts, nothing fetched) that says which decision has the best median
// NPV, which the least risk of the cash falling below its floor and how sure
// that is, then shows the distributions behind it, the market paths, the
// calibration of the models and every assumption. Built from the run's
// summary.json (docs/plan.md, "summary.json"), so that a report can be made
// again from a finished run. Pure; safe for concurrent use.

#ifndef MULLET_REPORT_PLAN_REPORT_H_
#define MULLET_REPORT_PLAN_REPORT_H_

#include <nlohmann/json.hpp>

#include <string>

#include "core/status/result.h"

namespace mullet {

// The page of a plan run from its summary (the summary.json document).
// InvalidArgument naming the JSON field when the summary lacks a field it
// needs or has the wrong type (ReadPlanSummary's rules).
Result<std::string> PlanReportHtml(const nlohmann::json& summary);

}  // namespace mullet

#endif  // MULLET_REPORT_PLAN_REPORT_H_
