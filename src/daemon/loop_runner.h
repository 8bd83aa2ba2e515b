// The control loop on its schedule: a thread that ticks every
// LoopOptions::tick, publishes each tick to the LiveBoard (the API reads it)
// and logs what it did and why, one logfmt line per tick that changed
// something (and one a minute regardless). A tick that fails is logged and
// counted; the next one runs on time.
//
// The loop owns its Store connection: SQLite in WAL mode lets the API's
// connection read while the loop writes; PostgreSQL takes both.

#ifndef MULLET_DAEMON_LOOP_RUNNER_H_
#define MULLET_DAEMON_LOOP_RUNNER_H_

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <ostream>
#include <thread>

#include "daemon/control_loop.h"
#include "daemon/four_cp_alerts.h"
#include "daemon/live_state.h"
#include "daemon/openadr.h"
#include "daemon/price_feed.h"

namespace mullet {

// What the loop does while a source named in safe_action_on is stale (the
// price feed by default; the meter, the OpenADR VTN):
//   hold     act on the last good price (or the fixed one) and keep going
//   curtail  put the mining fleet to sleep, as if power cost kStalePrice;
//            AI is kept either way, and demand-response events still bind
enum class SafeAction { kHold, kCurtail };
std::string_view SafeActionName(SafeAction a);  // "hold", "curtail"
// Above every market's offer cap (ERCOT's is 5,000 USD/MWh): no miner pays.
inline constexpr double kStalePriceUsdPerMwh = 100'000;

struct LoopRunnerOptions {
  LoopOptions loop;
  LoopSignals signals;          // the price (when no feed, and before its first price) and hashprice
  std::map<std::string, SourceHealth> sources;  // where each signal comes from, for the API
  std::shared_ptr<LivePrice> price_feed;      // none: signals.price is fixed
  SafeAction safe_action = SafeAction::kHold;
  // The sources whose staleness calls for the safe action: "price",
  // "meter", "openadr". A stale source not named here is still said stale.
  std::set<std::string> safe_action_on{"price"};
  std::shared_ptr<OpenAdrVen> ven;              // none: no VTN
  std::shared_ptr<FourCpAlertFile> four_cp_alerts;  // an operator's 4CP alerts; none: the site file's only
  std::shared_ptr<Scheduler> scheduler;         // the batch queue's; none: batch is modelled only
  std::string partition;
  // The firm tenants' GPU nodes (ControlLoop::SetFirmGpuNodes), each kept
  // alive here by its owner: gpu_owners[i] owns gpu_nodes[i].node.
  std::vector<FirmGpuNode> gpu_nodes;
  std::vector<std::shared_ptr<GpuNode>> gpu_owners;
  // Between ticks, a read of only the miners whose command is in flight
  // every `confirm` (ControlLoop::Confirm); 0: none, confirmed at ticks only.
  Seconds confirm{1.0};
};

class LoopRunner {
 public:
  using Clock = std::function<UtcTime()>;
  // `log` is written from the loop's thread only.
  LoopRunner(const Site& site, std::unique_ptr<Store> store, std::unique_ptr<FleetIo> fleet,
             std::vector<std::size_t> groups, LoopRunnerOptions options, LiveBoard& board, std::ostream& log,
             Clock clock);
  ~LoopRunner();
  LoopRunner(const LoopRunner&) = delete;
  LoopRunner& operator=(const LoopRunner&) = delete;

  // Resumes the saved memory and targets, then starts ticking (the first
  // tick at once). DataError when the saved memory does not fit the site.
  Status Start();
  // Ends after the tick in progress; idempotent.
  void Stop();

 private:
  void Run();
  void Publish(const Result<TickReport>& tick, double seconds);
  // The signals of this tick: the feed's price, or the last good one.
  LoopSignals Signals(UtcTime now);
  // The safe action, while a source in safe_action_on is stale: says so in
  // the log and the live state, and under curtail prices power out of
  // mining's reach.
  void ApplySafeAction(UtcTime now, LoopSignals* signals);
  // Polls the VTN when one is set and its poll is due; events to the store.
  void PollVen(UtcTime now);
  // A confirm read of the commands in flight; publishes the targets.
  void ConfirmInFlight();
  // Reads the operator's 4CP alerts when a file is set: whether one is in
  // force, into `signals`.
  void PollAlerts(UtcTime now, LoopSignals* signals);

  const Site& site_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<FleetIo> fleet_;
  LoopRunnerOptions options_;
  ControlLoop loop_;
  LiveBoard& board_;
  std::ostream& log_;
  Clock clock_;
  LiveState state_;
  DeviceSnapshots devices_;  // builds state_.devices
  std::optional<Watts> last_cap_;
  std::string last_alert_;  // the last tick's TickReport::four_cp_alert
  bool had_sla_ = false;    // the last tick had an SLA event
  int missed_meter_ = 0;  // ticks in a row without a meter reading
  std::string price_stale_;  // why the price feed is stale this tick; "" fresh or none
  std::string safe_sources_;  // the sources behind the safe action last logged ("price,meter"); "" none
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool nudged_ = false;  // a write through the API asks for a tick now
  bool read_since_tick_ = false;  // a confirm read ran since the last tick (loop thread only)
  std::thread thread_;
};

}  // namespace mullet

#endif  // MULLET_DAEMON_LOOP_RUNNER_H_
