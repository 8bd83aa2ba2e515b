// The chain's clock a day at a time (chain_clock.h's rules), for a path
// whose hashrate is known only up to today: the planner's, where today's
// hashprice sets tomorrow's hashrate. Blocks arrive at their expected
// times; at each multiple of 2016 blocks the difficulty retargets as
// Bitcoin Core does (the timespan of 2015 intervals against 2016 x 600 s,
// measured here as the epoch's elapsed time x 2015/2016, clamped to [1/4, 4]
// of the target; never below 1); halvings at multiples of 210,000 split a
// day's blocks between the two subsidies. daily_chain_test holds it to
// RunChainClock on the same hashrate path.
//
// Not for sharing between threads.

#ifndef MULLET_PLAN_DAILY_CHAIN_H_
#define MULLET_PLAN_DAILY_CHAIN_H_

#include "core/chain/subsidy.h"
#include "core/units/units.h"

namespace mullet {

class DailyChain {
 public:
  // `height`: the next block to be found; `difficulty`: its epoch's; the
  // epoch's blocks before `height` are taken to have come every 600 s.
  // REQUIRES: height >= 0, difficulty > 0.
  DailyChain(BlockHeight height, double difficulty);

  struct Span {
    double blocks = 0;       // expected blocks found
    double subsidy_btc = 0;  // their subsidy
  };
  // The next `seconds` at `hashrate`. REQUIRES: hashrate > 0, seconds >= 0.
  Span Advance(TerahashPerSecond hashrate, double seconds = 86400);

  double height() const { return height_; }  // blocks found so far, fractional
  double difficulty() const { return difficulty_; }

 private:
  double height_;
  double difficulty_;
  double epoch_elapsed_s_;
};

}  // namespace mullet

#endif  // MULLET_PLAN_DAILY_CHAIN_H_
