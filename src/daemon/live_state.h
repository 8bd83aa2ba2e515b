// What the control loop last did, shared with the API: the loop's thread
// publishes a copy after each tick, the API's thread reads one. A mutex and a
// copy, so neither waits on the other for longer than a copy.

#ifndef MULLET_DAEMON_LIVE_STATE_H_
#define MULLET_DAEMON_LIVE_STATE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "daemon/control_loop.h"
#include "daemon/device_snapshot.h"
#include "daemon/preview.h"

namespace mullet {

// One input of the loop (a price, the hashprice, the meter, the fleet): where
// it comes from, when it was last read, and whether the loop counts it stale.
struct SourceHealth {
  std::string source;  // "site file: fixed 45 USD/MWh", "prices.csv", "modbus 127.0.0.1:5020"
  std::optional<UtcTime> read_at;
  bool stale = false;
  std::string error;  // the last failure; "" when the last read worked
};

struct LiveState {
  bool loop = false;  // a control loop runs (false: the API alone)
  std::size_t miners = 0;
  std::uint64_t ticks = 0, tick_errors = 0;
  std::optional<TickReport> last;  // the last tick that completed
  double last_tick_s = 0;          // how long it took
  std::string last_error;          // the last tick that failed, why
  double price_usd_per_mwh = 0;
  double hashprice_usd_per_th_day = 0;
  std::map<std::string, SourceHealth> sources;   // by name: "price", "hashprice", "meter", "fleet"
  std::map<std::string, std::size_t> targets;    // miners by target state ("confirmed", ...)
  std::string safe_action;  // the safe action in force because a source is stale; "" when none
  std::shared_ptr<const PreviewBasis> basis;  // the last tick's, for a dry run of an event
  const Site* site = nullptr;                 // the site the loop runs (lives as long as the daemon)
  PolicyKind policy = PolicyKind::kMullet;
  // Each miner after the last tick or confirm read, for /api/v1/devices;
  // none before the first tick. Immutable: readers share it without a lock.
  std::shared_ptr<const DeviceSnapshot> devices;
};

class LiveBoard {
 public:
  void Publish(LiveState state) {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = std::move(state);
    ++version_;
  }
  // How many times the loop has published: a reader that saw this number
  // has seen the state it names (the stream sends only what is new).
  std::uint64_t Version() const {
    std::lock_guard<std::mutex> lock(mu_);
    return version_;
  }
  LiveState Read() const {
    std::lock_guard<std::mutex> lock(mu_);
    return state_;
  }

  // A write through the API (an event, a cancel, an override, policy
  // parameters) asks the loop for a tick now rather than at its next turn:
  // the loop sets `nudge` while it runs and clears it before it stops.
  void OnNudge(std::function<void()> nudge) {
    std::lock_guard<std::mutex> lock(mu_);
    nudge_ = std::move(nudge);
  }
  void Nudge() const {
    std::lock_guard<std::mutex> lock(mu_);
    if (nudge_) nudge_();
  }

 private:
  mutable std::mutex mu_;
  LiveState state_;
  std::uint64_t version_ = 0;
  std::function<void()> nudge_;
};

}  // namespace mullet

#endif  // MULLET_DAEMON_LIVE_STATE_H_
