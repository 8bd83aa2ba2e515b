// The "mullet vs baselines" section of report.html, and the readings of a
// BacktestResult that it shares with the rest of the page (hours by reason
// code, price spikes).
//
// Readers take any result: a per-step series shorter than r.times is read as
// far as it goes, and non-finite values count as 0. Hours are step hours
// (StepHours) summed. HTML comes back with user text escaped (HtmlEscape).

#ifndef MULLET_REPORT_COMPARE_H_
#define MULLET_REPORT_COMPARE_H_

#include <array>
#include <cstddef>
#include <ostream>
#include <vector>

#include "report/results.h"
#include "dispatch/reason.h"
#include "sim/backtest.h"

namespace mullet::report {

// ---- Reading a result.
inline constexpr std::size_t kReasonCount = static_cast<std::size_t>(Reason::kCount);
// Hours indexed by reason code.
using ReasonHours = std::array<double, kReasonCount>;
// A "price spike" in the comparison text and the price figure, $/MWh.
inline constexpr double kSpikePrice = 1000;

// v[i], or 0 when i is past the end or v[i] is not finite.
double At(const std::vector<float>& v, std::size_t i);
// Hours per step: the summary's hours over its steps, else the gap between the
// first two times, else 1.
double StepHours(const BacktestResult& r);
// Steps with a reason and a power for every load.
std::size_t LoadSteps(const BacktestResult& r);
// Hours by reason code of one load; for a miner group with per-step units,
// machine-hours (units x hours): a curtailing reason counts the units not
// hashing, a running one the units hashing. REQUIRES: load < r.loads.size().
ReasonHours LoadReasonHours(const BacktestResult& r, std::size_t load);

struct SpikeStats {
  double hours = 0;         // hours priced above kSpikePrice
  double max_price = 0;     // the run's highest price, $/MWh (0 without steps)
  double facility_mwh = 0;  // facility energy in those hours
  double cost_usd = 0;      // that energy at the index price
};
SpikeStats Spikes(const BacktestResult& r);

// ---- The section.
// <section id="baselines">: in each scenario, runs[0] against each of
// runs[1..] in a few sentences on why their profits differ, a table of the
// headline metrics and one of miner-hours by reason code; a note when no
// scenario ran a baseline.
void WriteComparison(const std::vector<ScenarioRuns>& scenarios, std::ostream& out);

}  // namespace mullet::report

#endif  // MULLET_REPORT_COMPARE_H_
