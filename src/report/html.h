// report.html of `mullet backtest`: one self-contained page (inline SVG and
// CSS, no scripts or fonts from anywhere) that tells an operator at a glance
// what each strategy earned and why the policy did what it did.

#ifndef MULLET_REPORT_HTML_H_
#define MULLET_REPORT_HTML_H_

#include <ostream>
#include <vector>

#include "report/results.h"

namespace mullet {

void WriteReportHtml(const ReportInfo& info, const std::vector<ScenarioRuns>& scenarios,
                     std::ostream& out);

}  // namespace mullet

#endif  // MULLET_REPORT_HTML_H_
