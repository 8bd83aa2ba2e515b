#include "daemon/emulated_site.h"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cmath>
#include <future>
#include <mutex>
#include <numeric>
#include <thread>

#include "drivers/gpu/fake_gpu_node.h"
#include "emulate/fleet.h"
#include "emulate/modbus_meter.h"

namespace mullet {

namespace asio = boost::asio;

namespace {

// A FakeGpuNode shared by the control loop (caps) and the plant's meter
// (draw), on the real clock: each call first moves the node to now.
class EmulatedGpuNode : public GpuNode {
 public:
  // Every GPU drawing `options.idle_draw` (its workload) from the start.
  explicit EmulatedGpuNode(const FakeGpuOptions& options)
      : start_(std::chrono::steady_clock::now()), node_(options) {}

  Result<std::vector<GpuReading>> Read() override {
    std::lock_guard<std::mutex> lock(mu_);
    node_.AdvanceTo(Now());
    return node_.Read();
  }
  Status SetPowerLimit(int index, Watts cap) override {
    std::lock_guard<std::mutex> lock(mu_);
    node_.AdvanceTo(Now());
    return node_.SetPowerLimit(index, cap);
  }
  // What the node's GPUs draw now, IT watts.
  double DrawWatts() {
    std::lock_guard<std::mutex> lock(mu_);
    node_.AdvanceTo(Now());
    Result<std::vector<GpuReading>> r = node_.Read();
    double w = 0;
    if (r.ok()) {
      for (const GpuReading& g : *r) w += g.power_draw ? g.power_draw->value() : 0;
    }
    return w;
  }

 private:
  Seconds Now() const {
    return Seconds(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  }

  std::mutex mu_;
  const std::chrono::steady_clock::time_point start_;
  FakeGpuNode node_;
};

}  // namespace

struct EmulatedSite::Plant {
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{io.get_executor()};
  std::vector<std::unique_ptr<EmulatedFleet>> fleets;  // one per group with units
  std::vector<double> pue;                             // per fleet
  // The AI tenants' GPU nodes and each one's cooling.
  std::vector<std::shared_ptr<EmulatedGpuNode>> gpu_nodes;
  std::vector<double> gpu_pue;
  std::unique_ptr<ModbusMeterServer> meter;
  std::thread thread;

  static UtcTime Now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

  // What the site truly draws now: every miner at its wall power and every
  // tenant's GPU at its draw, each with its cooling. Runs on the plant's thread.
  double FacilityWatts() {
    const UtcTime now = Now();
    double w = 0;
    for (std::size_t n = 0; n < gpu_nodes.size(); ++n) w += gpu_nodes[n]->DrawWatts() * gpu_pue[n];
    for (std::size_t f = 0; f < fleets.size(); ++f) {
      double it = 0;
      for (std::size_t i = 0; i < fleets[f]->size(); ++i) {
        EmulatedMiner& m = fleets[f]->miner(i);
        m.AdvanceTo(now);
        it += m.power().value();
      }
      w += it * pue[f];
    }
    return w;
  }
};

std::vector<int> ShareOut(std::size_t n, const std::vector<int>& counts) {
  std::vector<int> out(counts.size(), 0);
  // Groups with units, largest first (site order among equals).
  std::vector<std::size_t> order;
  for (std::size_t g = 0; g < counts.size(); ++g) {
    if (counts[g] > 0) order.push_back(g);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return counts[a] > counts[b]; });
  if (order.empty()) return out;
  // One each first, while N allows; the rest in proportion, by largest
  // remainder.
  std::size_t given = 0;
  for (std::size_t g : order) {
    if (given == n) return out;
    out[g] = 1;
    ++given;
  }
  const std::size_t rest = n - given;
  double total = 0;
  for (std::size_t g : order) total += counts[g];
  std::vector<std::pair<double, std::size_t>> remainders;
  for (std::size_t g : order) {
    const double exact = static_cast<double>(rest) * counts[g] / total;
    const int whole = static_cast<int>(exact);
    out[g] += whole;
    given += static_cast<std::size_t>(whole);
    remainders.push_back({exact - whole, g});
  }
  std::stable_sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; given < n; k = (k + 1) % remainders.size(), ++given) ++out[remainders[k].second];
  return out;
}

Result<std::unique_ptr<EmulatedSite>> EmulatedSite::Start(const Site& site, const EmulatedSiteOptions& o) {
  if (site.miners.empty()) return Status::InvalidArgument("--emulate: the site has no miner_groups to emulate");
  if (o.miners == 0 || o.miners > 200'000) return Status::InvalidArgument("--emulate: expected 1 to 200000 miners");
  boost::system::error_code ec;
  const asio::ip::address_v4 first = asio::ip::make_address_v4(o.first_address, ec);
  if (ec || !first.is_loopback()) {
    return Status::InvalidArgument("--emulate-from: expected a loopback IPv4 address (127.x.y.z), got " + o.first_address);
  }
  std::vector<int> counts;
  for (const MinerGroup& g : site.miners) counts.push_back(g.count);
  const std::vector<int> shares = ShareOut(o.miners, counts);

  std::unique_ptr<EmulatedSite> out(new EmulatedSite());
  out->site_ = site;
  out->plant_ = std::make_unique<Plant>();
  Plant& plant = *out->plant_;
  std::size_t index = 0;
  for (std::size_t g = 0; g < site.miners.size(); ++g) {
    out->site_.miners[g].count = shares[g];
    out->site_.miners[g].driver = "luxminer";
    if (shares[g] == 0) continue;
    FleetOptions f;
    f.miners = static_cast<std::size_t>(shares[g]);
    f.first_index = index;
    f.first_address = asio::ip::address_v4(first.to_uint() + static_cast<std::uint32_t>(index)).to_string();
    f.models = {site.miners[g].model};
    f.families = {FirmwareFamily::kLuxos};
    f.seed = o.seed;
    f.hang_share = o.hang_share;
    f.reset_share = o.reset_share;
    f.malformed_share = o.malformed_share;
    Result<std::unique_ptr<EmulatedFleet>> fleet = EmulatedFleet::Start(plant.io, f, &Plant::Now);
    if (!fleet.ok()) return fleet.status();
    for (std::size_t i = 0; i < (*fleet)->size(); ++i) {
      out->miners_.push_back({(*fleet)->endpoint(i), "luxminer"});
      out->groups_.push_back(g);
      out->faults_.push_back((*fleet)->fault_name(i));
    }
    out->site_.miners[g].addresses = (*fleet)->range();
    plant.pue.push_back(site.cooling.Pue(site.miners[g].cooling));
    plant.fleets.push_back(std::move(fleet).value());
    index += static_cast<std::size_t>(shares[g]);
  }
  // Each tenant's IT load as GPUs of at most 600 W, 8 to a node.
  auto add_tenant = [&](const std::string& tenant, Watts it, CoolingClass cooling) {
    constexpr int kGpusPerNode = 8;
    constexpr double kGpuDemandW = 600;
    if (it.value() <= 0) return;
    const int gpus = static_cast<int>(std::ceil(it.value() / kGpuDemandW));
    for (int done = 0, k = 0; done < gpus; done += kGpusPerNode, ++k) {
      FakeGpuOptions fo;
      fo.gpus = std::min(kGpusPerNode, gpus - done);
      fo.idle_draw = Watts(it.value() / gpus);  // the workload's draw, from the start
      fo.settle_time = Seconds(1.0);
      auto node = std::make_shared<EmulatedGpuNode>(fo);
      plant.gpu_nodes.push_back(node);
      plant.gpu_pue.push_back(site.cooling.Pue(cooling));
      out->gpu_nodes_.push_back({tenant, "emulated:" + tenant + "/" + std::to_string(k), node.get()});
      out->gpu_owners_.push_back(node);
    }
  };
  for (const ColoLease& l : site.leases) add_tenant(l.name, l.contracted_it * l.load_factor, l.cooling);
  for (const GpuCloud& c : site.clouds) add_tenant(c.name, c.power_per_node * c.nodes, c.cooling);
  MeterFeeder feeder;
  feeder.name = "interconnect";
  Plant* p = &plant;
  feeder.power_w = [p] { return p->FacilityWatts(); };
  Result<std::unique_ptr<ModbusMeterServer>> meter = ModbusMeterServer::Start(
      plant.io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), MeterRegisterMap({feeder}));
  if (!meter.ok()) return meter.status();
  plant.meter = std::move(meter).value();
  out->meter_ = plant.meter->endpoint();
  plant.thread = std::thread([p] { p->io.run(); });
  return out;
}

EmulatedSite::~EmulatedSite() {
  if (!plant_) return;
  plant_->work.reset();
  plant_->io.stop();
  if (plant_->thread.joinable()) plant_->thread.join();
}

std::string EmulatedSite::range() const {
  if (miners_.empty()) return "";
  return miners_.front().at.address().to_string() + "-" + miners_.back().at.address().to_string();
}

}  // namespace mullet
