// A fleet in code for the API's tests: every miner answers, hashing at its
// model's nameplate until told to sleep (then 20 W, no hashrate), some
// silent on request; no meter. Commands take at once.

#ifndef MULLET_TESTS_DAEMON_STEADY_FLEET_H_
#define MULLET_TESTS_DAEMON_STEADY_FLEET_H_

#include <string>
#include <vector>

#include "daemon/control_loop.h"

namespace mullet {

class SteadyFleet : public FleetIo {
 public:
  explicit SteadyFleet(const Site& site) {
    for (std::size_t g = 0; g < site.miners.size(); ++g) {
      for (int u = 0; u < site.miners[g].count; ++u) miners_.push_back({g, &site.miners[g].model});
    }
  }
  std::size_t size() const override { return miners_.size(); }
  std::vector<FleetReading> Sweep() override {
    std::vector<FleetReading> out;
    for (const Miner& m : miners_) {
      FleetReading r;
      r.answered = !m.silent;
      if (r.answered) {
        r.power = m.asleep ? Watts(20) : m.model->power;
        r.hashrate = m.asleep ? TerahashPerSecond(0) : m.model->hashrate;
      }
      out.push_back(r);
    }
    return out;
  }
  std::vector<bool> Command(const std::vector<std::size_t>& who, bool sleep) override {
    std::vector<bool> ok;
    for (std::size_t i : who) {
      ok.push_back(!miners_[i].silent);
      if (!miners_[i].silent) miners_[i].asleep = sleep;
    }
    return ok;
  }
  std::optional<Watts> SiteMeter() override { return std::nullopt; }
  std::string name(std::size_t i) const override {
    return "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250);
  }
  std::vector<std::size_t> Groups() const {
    std::vector<std::size_t> g;
    for (const Miner& m : miners_) g.push_back(m.group);
    return g;
  }
  void SetSilent(std::size_t i) { miners_[i].silent = true; }

 private:
  struct Miner {
    std::size_t group;
    const AsicModel* model;
    bool asleep = false;
    bool silent = false;
  };
  std::vector<Miner> miners_;
};

}  // namespace mullet

#endif  // MULLET_TESTS_DAEMON_STEADY_FLEET_H_
