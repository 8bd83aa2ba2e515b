#include "core/units/units.h"

#include <gtest/gtest.h>

#include <sstream>
#include <type_traits>

namespace mullet {
namespace {

// Static proofs that unit mistakes do not compile. units_compile_fail.cpp
// proves the same through the compiler's own errors.
template <typename A, typename B>
concept Addable = requires(A a, B b) {
  a + b;
};
template <typename A, typename B>
concept Multipliable = requires(A a, B b) {
  a* b;
};
template <typename A, typename B>
concept Comparable = requires(A a, B b) {
  a < b;
};

static_assert(Addable<Watts, Watts>);
static_assert(!Addable<Watts, Usd>);
static_assert(!Addable<Watts, MegawattHours>);
static_assert(!Addable<Watts, double>);
static_assert(!Addable<TerahashPerSecond, Watts>);
static_assert(!Addable<UsdPerMegawattHour, UsdPerBtc>);
static_assert(!Addable<Sats, Btc>);
static_assert(Multipliable<Watts, double>);
static_assert(!Multipliable<MegawattHours, UsdPerMegawattHour>);  // use CostOf
static_assert(!Multipliable<Watts, Hours>);                       // use EnergyOver
static_assert(!Multipliable<Sats, double>);                       // would truncate
static_assert(Multipliable<Sats, int>);
static_assert(!Comparable<Watts, Usd>);
static_assert(!std::is_convertible_v<Watts, double>);
static_assert(!std::is_convertible_v<double, Watts>);
static_assert(!std::is_convertible_v<UsdPerMegawattHour, UsdPerTerahashDay>);
static_assert(std::is_same_v<decltype(Watts(1) / Watts(2)), double>);
static_assert(sizeof(Watts) == sizeof(double));
static_assert(std::is_trivially_copyable_v<Watts>);

TEST(UnitsTest, ScalesConvertThroughNamedFactories) {
  EXPECT_EQ(Megawatts(100), Watts(1e8));
  EXPECT_EQ(Kilowatts(1.5).value(), 1500.0);
  EXPECT_DOUBLE_EQ(Megawatts(100).kilowatts(), 1e5);
  EXPECT_DOUBLE_EQ(ExahashPerSecond(630.6).value(), 630.6e6);
  EXPECT_DOUBLE_EQ(UsdPerKilowattHour(0.05).value(), 50.0);
  EXPECT_DOUBLE_EQ(UsdPerPetahashDay(42.81).value(), 0.04281);
  EXPECT_DOUBLE_EQ(KilowattHours(2500).value(), 2.5);
}

TEST(UnitsTest, NamedCrossingsCarryTheRightUnits) {
  const MegawattHours e = EnergyOver(Megawatts(100), Hours(2));
  EXPECT_DOUBLE_EQ(e.value(), 200.0);
  EXPECT_DOUBLE_EQ(CostOf(e, UsdPerMegawattHour(30)).value(), 6000.0);
  EXPECT_DOUBLE_EQ(AveragePower(e, Hours(4)).megawatts(), 50.0);
  EXPECT_DOUBLE_EQ(PowerAt(TerahashPerSecond(200), JoulesPerTerahash(17.5)).value(), 3500.0);
  EXPECT_DOUBLE_EQ(HashrateAt(Watts(3500), JoulesPerTerahash(17.5)).value(), 200.0);
  EXPECT_DOUBLE_EQ(EfficiencyOf(Watts(3500), TerahashPerSecond(200)).value(), 17.5);
  EXPECT_DOUBLE_EQ(ValueOf(Btc(0.5), UsdPerBtc(60000)).value(), 30000.0);
  EXPECT_DOUBLE_EQ(HashpriceOf(BtcPerTerahashDay(1e-6), UsdPerBtc(50000)).value(), 0.05);
  EXPECT_DOUBLE_EQ(MinedOver(BtcPerTerahashDay(1e-6), TerahashPerSecond(100), Days(10)).value(),
                   1e-3);
  EXPECT_DOUBLE_EQ(EarnedOver(UsdPerTerahashDay(0.05), TerahashPerSecond(100), Days(2)).value(),
                   10.0);
}

TEST(UnitsTest, SatsAreExactIntegers) {
  const Sats s(312'500'000);
  EXPECT_EQ(s * 2, Sats(625'000'000));
  EXPECT_EQ(s / 2, Sats(156'250'000));
  EXPECT_DOUBLE_EQ(ToBtc(s).value(), 3.125);
  EXPECT_DOUBLE_EQ(Btc(3.125).sats(), 312'500'000.0);
}

TEST(UnitsTest, ArithmeticAndComparison) {
  Watts w = Kilowatts(3);
  w += Watts(500);
  w -= Watts(100);
  EXPECT_EQ(w, Watts(3400));
  EXPECT_LT(Watts(1), Watts(2));
  EXPECT_EQ(-Watts(5), Watts(-5));
  EXPECT_DOUBLE_EQ(Watts(3) / Watts(4), 0.75);
  EXPECT_DOUBLE_EQ(kAccountingMonth.count(), 30.4375);
}

TEST(UnitsTest, PrintsValueAndSymbol) {
  std::ostringstream os;
  os << Watts(3500) << ", " << UsdPerMegawattHour(42.5);
  EXPECT_EQ(os.str(), "3500 W, 42.5 USD/MWh");
}

}  // namespace
}  // namespace mullet
