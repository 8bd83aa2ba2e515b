#include "plan/chain_clock.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace mullet {
namespace {

constexpr double kSecondsPerDay = 86400.0;

// Seconds since the start, advanced by work done at a piecewise-constant
// daily hashrate. Work is counted in hashes in long double: an epoch at
// D = 100 T is about 8.7e26 hashes.
class WorkClock {
 public:
  explicit WorkClock(std::span<const TerahashPerSecond> daily) : daily_(daily) {}

  double now() const { return t_; }

  // Advances until `hashes` more hashes are done.
  void Advance(long double hashes) {
    while (true) {
      const auto day = static_cast<std::size_t>(t_ / kSecondsPerDay);
      const bool last_day = day + 1 >= daily_.size();
      const long double rate = daily_[std::min(day, daily_.size() - 1)].hashes_per_second();
      if (last_day) {
        t_ += static_cast<double>(hashes / rate);
        return;
      }
      const double day_end = static_cast<double>(day + 1) * kSecondsPerDay;
      const long double today = rate * (day_end - t_);
      if (hashes <= today) {
        t_ += static_cast<double>(hashes / rate);
        return;
      }
      hashes -= today;
      t_ = day_end;
    }
  }

 private:
  std::span<const TerahashPerSecond> daily_;
  double t_ = 0;
};

Status Validate(const ChainStart& start, std::span<const TerahashPerSecond> daily,
                Seconds horizon) {
  if (start.height < 0) return Status::InvalidArgument("start height is negative");
  if (!(std::isfinite(start.difficulty) && start.difficulty > 0)) {
    return Status::InvalidArgument("start difficulty must be positive and finite");
  }
  if (daily.empty()) return Status::InvalidArgument("the hashrate path is empty");
  for (std::size_t d = 0; d < daily.size(); ++d) {
    if (!(std::isfinite(daily[d].value()) && daily[d].value() > 0)) {
      return Status::InvalidArgument("hashrate of day " + std::to_string(d) +
                                     " must be positive and finite");
    }
  }
  if (!(std::isfinite(horizon.count()) && horizon.count() >= 0)) {
    return Status::InvalidArgument("horizon must be non-negative and finite");
  }
  if (start.epoch_elapsed &&
      !(std::isfinite(start.epoch_elapsed->count()) && start.epoch_elapsed->count() >= 0)) {
    return Status::InvalidArgument("epoch_elapsed must be non-negative and finite");
  }
  return Status::Ok();
}

// The retarget timespan already spent when the clock starts mid-epoch: as
// given, or the blocks found so far at the target spacing (by the rule, the
// epoch's first block is or is not the timespan's origin).
double ElapsedBefore(const ChainStart& start, RetargetSpan rule) {
  const std::int64_t found = start.height % kBlocksPerEpoch;
  if (found == 0) return 0;
  if (start.epoch_elapsed) return start.epoch_elapsed->count();
  const std::int64_t intervals = rule == RetargetSpan::kConsensus ? found - 1 : found;
  return static_cast<double>(intervals) * kTargetBlockInterval.count();
}

// Bitcoin Core pow.cpp CalculateNextWorkRequired, in difficulty: the target
// scales by timespan / (2016 * 600 s), clamped to [1/4, 4]; difficulty is its
// inverse, and never below 1 (powLimit).
double Retarget(double difficulty, double timespan) {
  const double target = static_cast<double>(kBlocksPerEpoch) * kTargetBlockInterval.count();
  const double clamped = std::clamp(timespan, target / 4, target * 4);
  return std::max(1.0, difficulty * target / clamped);
}

}  // namespace

Sats ChainEpoch::subsidy() const {
  Sats total{0};
  for (const SubsidyRun& run : subsidy_runs())
    total += Sats(run.blocks * run.subsidy_per_block.value());
  return total;
}

Result<std::vector<ChainEpoch>> RunChainClock(const ChainStart& start,
                                              std::span<const TerahashPerSecond> daily_hashrate,
                                              Seconds horizon, const ChainClockOptions& options) {
  if (Status s = Validate(start, daily_hashrate, horizon); !s.ok()) return s;

  WorkClock clock(daily_hashrate);
  std::vector<ChainEpoch> epochs;
  BlockHeight height = start.height;
  double difficulty = start.difficulty;
  // Where this epoch's retarget timespan began, in seconds since the start
  // (negative for a first epoch already under way).
  double origin = -ElapsedBefore(start, options.retarget);

  while (true) {
    ChainEpoch epoch;
    epoch.first_height = height;
    epoch.end_height = (height / kBlocksPerEpoch + 1) * kBlocksPerEpoch;
    epoch.difficulty = difficulty;
    epoch.start = Seconds(clock.now());

    const long double per_block = HashesPerBlock(difficulty, options.factor);
    auto advance_to = [&](BlockHeight target) {
      clock.Advance(per_block * static_cast<long double>(target - height));
      height = target;
    };

    const bool whole_epoch = epoch.first_height % kBlocksPerEpoch == 0;
    if (whole_epoch) {
      if (options.retarget == RetargetSpan::kFullEpoch) {
        origin = clock.now();
      } else {
        advance_to(epoch.first_height + 1);  // the timespan starts at the first block found
        origin = clock.now();
      }
    }

    const BlockHeight halving = NextHalvingHeight(epoch.first_height);
    epoch.runs[0] = {epoch.first_height, 0, BlockSubsidy(epoch.first_height), epoch.start};
    epoch.run_count = 1;
    if (halving < epoch.end_height) {
      advance_to(halving);
      epoch.runs[0].blocks = halving - epoch.first_height;
      epoch.runs[1] = {halving, epoch.end_height - halving, BlockSubsidy(halving),
                       Seconds(clock.now())};
      epoch.run_count = 2;
    } else {
      epoch.runs[0].blocks = epoch.end_height - epoch.first_height;
    }
    advance_to(epoch.end_height);

    epoch.end = Seconds(clock.now());
    epoch.start_time = After(start.time, epoch.start);
    epoch.end_time = After(start.time, epoch.end);
    difficulty = Retarget(difficulty, clock.now() - origin);
    epoch.next_difficulty = difficulty;
    epochs.push_back(epoch);
    if (epoch.end >= horizon) return epochs;
  }
}

}  // namespace mullet
