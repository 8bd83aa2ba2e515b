// Times and firmware families shared by the emulator's reply and fault tests.

#ifndef MULLET_TESTS_EMULATE_TEST_MINERS_H_
#define MULLET_TESTS_EMULATE_TEST_MINERS_H_

#include <chrono>

#include "core/time/calendar.h"
#include "emulate/miner.h"

namespace mullet::testing_miners {

// The instant every test miner starts at, and `s` seconds after it.
inline constexpr UtcTime kT0{std::chrono::seconds(1'700'000'000)};
inline UtcTime At(int s) { return kT0 + std::chrono::seconds(s); }

// Every firmware family, in enum order.
inline constexpr FirmwareFamily kFamilies[] = {FirmwareFamily::kBmminer, FirmwareFamily::kCgminer,
                                               FirmwareFamily::kLuxos, FirmwareFamily::kBraiins,
                                               FirmwareFamily::kWhatsminerV3};

}  // namespace mullet::testing_miners

#endif  // MULLET_TESTS_EMULATE_TEST_MINERS_H_
