// DecodeRegisters on hand-written register vectors: the words as a meter puts
// them on the wire (bytes from Python's struct.pack('>f' / '>i' / '>I')).

#include "drivers/modbus/register_decode.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace mullet::modbus {
namespace {

Result<double> Decode(std::vector<std::uint16_t> regs, RegisterType type,
                      WordOrder order = WordOrder::kAbcd, double scale = 1, double offset = 0) {
  return DecodeRegisters(regs, RegisterFormat{type, order, scale, offset});
}

TEST(DecodeRegistersTest, Float32BigEndianWords) {
  // 12345.5 = 0x4640E600: high word 0x4640 first.
  const Result<double> v = Decode({0x4640, 0xE600}, RegisterType::kFloat32);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_DOUBLE_EQ(*v, 12345.5);
}

TEST(DecodeRegistersTest, Float32WordSwapped) {
  const Result<double> v = Decode({0xE600, 0x4640}, RegisterType::kFloat32, WordOrder::kCdab);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_DOUBLE_EQ(*v, 12345.5);
  // The same words read as ABCD are a different number: the order matters.
  const Result<double> wrong = Decode({0xE600, 0x4640}, RegisterType::kFloat32, WordOrder::kAbcd);
  ASSERT_TRUE(wrong.ok());
  EXPECT_NE(*wrong, 12345.5);
}

TEST(DecodeRegistersTest, Float32KilowattsScaledToWatts) {
  // 230.25 kW = 0x43664000, × 1000 to W.
  const Result<double> v = Decode({0x4366, 0x4000}, RegisterType::kFloat32, WordOrder::kAbcd, 1000);
  ASSERT_TRUE(v.ok());
  EXPECT_DOUBLE_EQ(*v, 230250.0);
}

TEST(DecodeRegistersTest, Int32NegativeInBothWordOrders) {
  // -123456 = 0xFFFE1DC0 (export, or a CT mounted backwards).
  const Result<double> abcd = Decode({0xFFFE, 0x1DC0}, RegisterType::kInt32);
  const Result<double> cdab = Decode({0x1DC0, 0xFFFE}, RegisterType::kInt32, WordOrder::kCdab);
  ASSERT_TRUE(abcd.ok() && cdab.ok());
  EXPECT_DOUBLE_EQ(*abcd, -123456.0);
  EXPECT_DOUBLE_EQ(*cdab, -123456.0);
}

TEST(DecodeRegistersTest, Uint32AboveTheInt32Range) {
  // 3,000,000,000 mW = 0xB2D05E00 is 3 MW: unsigned, × 0.001.
  const Result<double> v = Decode({0xB2D0, 0x5E00}, RegisterType::kUint32, WordOrder::kAbcd, 0.001);
  ASSERT_TRUE(v.ok());
  EXPECT_NEAR(*v, 3'000'000.0, 1e-6);
}

TEST(DecodeRegistersTest, Uint16ScaledAndOffset) {
  // 0xFDE8 = 65000 tenths of a kW (scale 100 W) = 6.5 MW; offset then adds.
  const Result<double> v = Decode({0xFDE8}, RegisterType::kUint16, WordOrder::kAbcd, 100);
  ASSERT_TRUE(v.ok());
  EXPECT_DOUBLE_EQ(*v, 6'500'000.0);
  const Result<double> off = Decode({0x000A}, RegisterType::kUint16, WordOrder::kAbcd, 2, -5);
  ASSERT_TRUE(off.ok());
  EXPECT_DOUBLE_EQ(*off, 15.0);
}

TEST(DecodeRegistersTest, Int16IsSigned) {
  const Result<double> v = Decode({0xFFFF}, RegisterType::kInt16);
  ASSERT_TRUE(v.ok());
  EXPECT_DOUBLE_EQ(*v, -1.0);
  const Result<double> u = Decode({0xFFFF}, RegisterType::kUint16);
  ASSERT_TRUE(u.ok());
  EXPECT_DOUBLE_EQ(*u, 65535.0);
}

TEST(DecodeRegistersTest, WordOrderDoesNotTouchOneRegisterValues) {
  const Result<double> v = Decode({0x0102}, RegisterType::kUint16, WordOrder::kCdab);
  ASSERT_TRUE(v.ok());
  EXPECT_DOUBLE_EQ(*v, 258.0);
}

TEST(DecodeRegistersTest, WrongRegisterCountIsADataError) {
  const Result<double> v = Decode({0x4640}, RegisterType::kFloat32);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kDataError);
  EXPECT_NE(v.status().message().find("float32 needs 2 registers, got 1"), std::string::npos)
      << v.status().message();
  EXPECT_FALSE(Decode({1, 2}, RegisterType::kUint16).ok());
}

TEST(DecodeRegistersTest, NanFloatIsNoReading) {
  const Result<double> v = Decode({0x7FC0, 0x0000}, RegisterType::kFloat32);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kDataError);
  EXPECT_FALSE(Decode({0x7F80, 0x0000}, RegisterType::kFloat32).ok());  // +inf
}

TEST(DecodeRegistersTest, RegisterCountsPerType) {
  EXPECT_EQ(RegisterCount(RegisterType::kInt16), 1);
  EXPECT_EQ(RegisterCount(RegisterType::kUint16), 1);
  EXPECT_EQ(RegisterCount(RegisterType::kInt32), 2);
  EXPECT_EQ(RegisterCount(RegisterType::kUint32), 2);
  EXPECT_EQ(RegisterCount(RegisterType::kFloat32), 2);
}

TEST(DecodeRegistersTest, NamesParseBackCaseInsensitively) {
  for (RegisterType t : {RegisterType::kInt16, RegisterType::kUint16, RegisterType::kInt32,
                         RegisterType::kUint32, RegisterType::kFloat32}) {
    const Result<RegisterType> back = ParseRegisterType(RegisterTypeName(t));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, t);
  }
  ASSERT_TRUE(ParseRegisterType("FLOAT32").ok());
  ASSERT_TRUE(ParseWordOrder("CDAB").ok());
  EXPECT_EQ(*ParseWordOrder("CDAB"), WordOrder::kCdab);
  const Result<RegisterType> bad = ParseRegisterType("double");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("float32"), std::string::npos);
  EXPECT_FALSE(ParseWordOrder("badc").ok());
}

}  // namespace
}  // namespace mullet::modbus
