// The control loop through its real drivers against an emulated plant with
// faults (EmulatedSite): miners that hang, reset the connection or send
// malformed JSON never stall a tick (each costs its own deadline), the
// silent ones count at their nameplate power, and a demand-response event is
// still met at the meter by curtailing the miners that answer.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "daemon/control_loop.h"
#include "daemon/driver_fleet.h"
#include "daemon/emulated_site.h"
#include "site/site_config.h"
#include "storage/sqlite_store.h"

namespace mullet {
namespace {

namespace fs = std::filesystem;

UtcTime Now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

TEST(DriverLoopTest, FaultyMinersNeverStallATickAndTheEventIsMetByTheOthers) {
  Result<std::vector<Scenario>> scenarios =
      LoadSiteFile(std::string(MULLET_EXAMPLES) + "/demo_site.yaml", AsicCatalog::BuiltIn());
  ASSERT_TRUE(scenarios.ok()) << scenarios.status().message();
  EmulatedSiteOptions eo;
  eo.miners = 60;
  eo.first_address = "127.3.96.1";
  eo.hang_share = 0.1;
  eo.reset_share = 0.05;
  eo.malformed_share = 0.1;
  Result<std::unique_ptr<EmulatedSite>> plant = EmulatedSite::Start(scenarios->front().site, eo);
  ASSERT_TRUE(plant.ok()) << plant.status().message();
  const Site& site = (*plant)->site();
  std::size_t hung = 0, reset = 0;
  for (const std::string& f : (*plant)->faults()) {
    hung += f == "hang";
    reset += f == "reset";
  }
  ASSERT_GT(hung, 0u) << "the seed gives some hung miners";

  modbus::PowerMeterOptions mo;
  mo.host = "127.0.0.1";
  mo.port = (*plant)->meter().port();
  mo.channels.resize(1);
  Result<modbus::PowerMeter> meter = modbus::PowerMeter::Create(mo);
  ASSERT_TRUE(meter.ok());
  RpcOptions rpc;
  rpc.deadline = Seconds(0.5);
  DriverFleet fleet((*plant)->miners(), rpc, *meter);

  const fs::path dir = fs::temp_directory_path() / ("mullet_driver_loop_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::unique_ptr<Store> store = std::move(OpenSqliteStore(dir / "site.db")).value();
  LoopOptions lo;
  lo.tick = Seconds(1);
  ControlLoop loop(site, *store, fleet, (*plant)->groups(), lo);
  LoopSignals signals;
  signals.price = UsdPerMegawattHour(30);
  signals.hashprice = UsdPerTerahashDay(0.05);

  const auto timed_tick = [&]() {
    const auto began = std::chrono::steady_clock::now();
    Result<TickReport> r = loop.Tick(Now(), signals);
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    // A sweep, a meter read and a round of commands, each bounded by the
    // deadline: never the sum of the hung miners' deadlines.
    EXPECT_LT(took, 2.5) << "a tick waited on slow miners";
    return r;
  };
  Result<TickReport> first = timed_tick();
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_GE(first->silent, hung + reset);
  EXPECT_LE(first->silent, hung + reset + 6) << "malformed replies are repaired, not dropped";
  ASSERT_TRUE(first->site_meter.has_value());

  // An event 100 kW under the all-on draw: the answering miners shed for
  // the silent ones too, which are counted at nameplate and still draw.
  const double cap = first->site_meter->value() - 100e3;
  EventSpec spec;
  spec.type = "reduce-to";
  spec.kw = cap / 1000;
  bool created = false;
  ASSERT_TRUE(store->AddEvent(spec, "test", "1", "test", Now(), &created).ok());
  std::optional<Watts> metered;
  for (int k = 0; k < 8; ++k) {
    Result<TickReport> r = timed_tick();
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_LE(r->expected_facility.value(), r->site_cap.value() + 1e-6);
    metered = r->site_meter;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  ASSERT_TRUE(metered.has_value());
  EXPECT_LE(metered->value(), cap) << "met at the meter with " << hung << " hung miners still hashing";
  // Each target names its miner by address, so a restart against another
  // fleet does not take it for one of its own.
  const std::vector<TargetRow> rows = *store->Targets();
  ASSERT_FALSE(rows.empty());
  for (const TargetRow& t : rows) {
    const auto& at = (*plant)->miners()[static_cast<std::size_t>(t.miner)].at;
    EXPECT_EQ(t.name, at.address().to_string() + ":" + std::to_string(at.port()));
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mullet
