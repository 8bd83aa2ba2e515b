#include "plan/daily_chain.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "core/chain/difficulty.h"

namespace mullet {
namespace {

constexpr double kEpochBlocks = 2016;
constexpr double kTargetTimespanS = 2016.0 * 600.0;

}  // namespace

DailyChain::DailyChain(BlockHeight height, double difficulty)
    : height_(static_cast<double>(height)),
      difficulty_(difficulty),
      epoch_elapsed_s_((height_ - std::floor(height_ / kEpochBlocks) * kEpochBlocks) * 600.0) {
  assert(height >= 0 && difficulty > 0);
}

DailyChain::Span DailyChain::Advance(TerahashPerSecond hashrate, double seconds) {
  assert(hashrate.value() > 0 && seconds >= 0);
  static const double kHashesPerUnit = static_cast<double>(HashesPerDifficultyUnit(HashFactor::kShorthand));
  Span out;
  double left = seconds;
  while (left > 1e-9) {
    const double rate = hashrate.value() * 1e12 / (difficulty_ * kHashesPerUnit);  // blocks a second
    const auto at = static_cast<BlockHeight>(height_ + 1e-9);
    const double next_epoch = (std::floor(height_ / kEpochBlocks + 1e-12) + 1) * kEpochBlocks;
    const double boundary = std::min(next_epoch, static_cast<double>(NextHalvingHeight(at)));
    const double dt = std::min(left, (boundary - height_) / rate);
    const double blocks = dt * rate;
    out.blocks += blocks;
    out.subsidy_btc += blocks * static_cast<double>(BlockSubsidy(at).value()) / 1e8;
    height_ += blocks;
    left -= dt;
    epoch_elapsed_s_ += dt;
    if (boundary - height_ < 1e-6) {
      height_ = boundary;
      if (boundary == next_epoch) {
        const double timespan =
            std::clamp(epoch_elapsed_s_ * 2015.0 / 2016.0, kTargetTimespanS / 4, kTargetTimespanS * 4);
        difficulty_ = std::max(1.0, difficulty_ * kTargetTimespanS / timespan);
        epoch_elapsed_s_ = 0;
      }
    }
  }
  return out;
}

}  // namespace mullet
