// The emulated meter's pure side: ScanFrame cuts a byte stream into Modbus TCP
// frames, HandleFrame answers one, MeterRegisterMap computes the registers at
// request time. Expected bytes are written out from the Modbus Messaging on
// TCP/IP and Application Protocol documents (MBAP, 0x03/0x04, exceptions).

#include "emulate/modbus_meter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mullet {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

// A read request: transaction 0x0001, protocol 0, length 6, then the PDU.
std::string ReadRequest(int function, int address, int count, int unit = 1, int transaction = 1) {
  return Bytes({transaction >> 8, transaction & 0xFF, 0, 0, 0, 6, unit, function, address >> 8,
                address & 0xFF, count >> 8, count & 0xFF});
}

class ModbusMeterTest : public ::testing::Test {
 protected:
  ModbusMeterTest()
      : map_({{"a",
               [this] {
                 ++calls_a_;
                 return power_a_;
               },
               [] { return 3'000'000'000.7; }, 240},
              {"b",
               [this] {
                 ++calls_b_;
                 return power_b_;
               },
               {},
               415}}) {}

  std::string Ask(const std::string& frame, int unit_id = 1) {
    return HandleFrame(frame, map_, unit_id);
  }

  double power_a_ = 12345.5, power_b_ = -1.0;
  int calls_a_ = 0, calls_b_ = 0;
  MeterRegisterMap map_;
};

TEST_F(ModbusMeterTest, ReadsPowerAsFloat32HighWordFirst) {
  // 12345.5 = 0x4640E600. Reply: MBAP echo with length 7, then 03, 4 bytes.
  EXPECT_EQ(Ask(ReadRequest(0x03, 0, 2)),
            Bytes({0, 1, 0, 0, 0, 7, 1, 0x03, 4, 0x46, 0x40, 0xE6, 0x00}));
}

TEST_F(ModbusMeterTest, InputRegistersMirrorHoldingRegisters) {
  EXPECT_EQ(Ask(ReadRequest(0x04, 0, 2, 1, 0xBEEF)),
            Bytes({0xBE, 0xEF, 0, 0, 0, 7, 1, 0x04, 4, 0x46, 0x40, 0xE6, 0x00}));
}

TEST_F(ModbusMeterTest, EveryValueOfTheFeederBlock) {
  const std::string r = Ask(ReadRequest(0x03, 0, kRegistersPerFeeder));
  ASSERT_EQ(r.size(), 9u + 2 * kRegistersPerFeeder);
  EXPECT_EQ(r.substr(0, 9), Bytes({0, 1, 0, 0, 0, 35, 1, 0x03, 32}));
  EXPECT_EQ(r.substr(9), Bytes({0x46, 0x40, 0xE6, 0x00,  // 0-1 power float32 ABCD
                                0xE6, 0x00, 0x46, 0x40,  // 2-3 power float32 CDAB
                                0x00, 0x00, 0x30, 0x3A,  // 4-5 power int32: 12345.5 rounds to 12346
                                0x00, 0x7B, 0x00, 0x00,  // 6 power in 100 W: 123; 7 reserved
                                0xB2, 0xD0, 0x5E, 0x00,  // 8-9 energy uint32 kWh: 3,000,000,000
                                0x4F, 0x32, 0xD0, 0x5E,  // 10-11 energy float32 kWh
                                0x43, 0x70, 0x00, 0x00,  // 12-13 voltage 240 V
                                0x00, 0x00, 0x00, 0x00}));  // 14-15 reserved
  EXPECT_EQ(calls_a_, 1);  // one reading for the whole block: both words agree
  EXPECT_EQ(calls_b_, 0);
}

TEST_F(ModbusMeterTest, AReadAcrossTwoFeedersAsksEachOnce) {
  // Registers 14-17: feeder a's reserved pair, then feeder b's power (-1.0 = 0xBF800000).
  EXPECT_EQ(Ask(ReadRequest(0x03, 14, 4)),
            Bytes({0, 1, 0, 0, 0, 11, 1, 0x03, 8, 0, 0, 0, 0, 0xBF, 0x80, 0x00, 0x00}));
  EXPECT_EQ(calls_a_, 1);
  EXPECT_EQ(calls_b_, 1);
}

TEST_F(ModbusMeterTest, ValuesAreComputedAtRequestTime) {
  const std::string before = Ask(ReadRequest(0x03, 4, 2));
  power_a_ = 70'000;  // 0x00011170
  EXPECT_NE(Ask(ReadRequest(0x03, 4, 2)), before);
  EXPECT_EQ(Ask(ReadRequest(0x03, 4, 2)).substr(9), Bytes({0x00, 0x01, 0x11, 0x70}));
}

TEST_F(ModbusMeterTest, IntegerRegistersSaturateAndNegativePowerKeepsItsSign) {
  // Feeder b draws -1 W: int32 0xFFFFFFFF, uint16 (100 W) clamps to 0.
  EXPECT_EQ(Ask(ReadRequest(0x03, 16 + 4, 3)).substr(9),
            Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00}));
  power_a_ = 1e12;  // past both ranges
  EXPECT_EQ(Ask(ReadRequest(0x03, 4, 3)).substr(9), Bytes({0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
}

TEST_F(ModbusMeterTest, UnknownFunctionIsIllegalFunction) {
  // Write Single Register (0x06): exception 0x86 / 0x01.
  EXPECT_EQ(Ask(ReadRequest(0x06, 0, 1)), Bytes({0, 1, 0, 0, 0, 3, 1, 0x86, 0x01}));
  EXPECT_EQ(Ask(ReadRequest(0x01, 0, 1)), Bytes({0, 1, 0, 0, 0, 3, 1, 0x81, 0x01}));
}

TEST_F(ModbusMeterTest, QuantityOutOfRangeIsIllegalDataValue) {
  EXPECT_EQ(Ask(ReadRequest(0x03, 0, 0)), Bytes({0, 1, 0, 0, 0, 3, 1, 0x83, 0x03}));
  EXPECT_EQ(Ask(ReadRequest(0x04, 0, 126)), Bytes({0, 1, 0, 0, 0, 3, 1, 0x84, 0x03}));
  // 125 is the limit, but only 32 registers exist: then it is the address.
  EXPECT_EQ(Ask(ReadRequest(0x03, 0, 125)), Bytes({0, 1, 0, 0, 0, 3, 1, 0x83, 0x02}));
}

TEST_F(ModbusMeterTest, RegistersOutsideTheMapAreIllegalDataAddress) {
  EXPECT_EQ(Ask(ReadRequest(0x03, 32, 1)), Bytes({0, 1, 0, 0, 0, 3, 1, 0x83, 0x02}));
  EXPECT_EQ(Ask(ReadRequest(0x03, 30, 3)),
            Bytes({0, 1, 0, 0, 0, 3, 1, 0x83, 0x02}));  // runs off the end
  EXPECT_EQ(Ask(ReadRequest(0x03, 0xFFFF, 125)), Bytes({0, 1, 0, 0, 0, 3, 1, 0x83, 0x02}));
  EXPECT_EQ(Ask(ReadRequest(0x03, 30, 2)).size(), 13u);  // the last two are inside
}

TEST_F(ModbusMeterTest, AReadPduOfTheWrongLengthIsIllegalDataValue) {
  std::string frame = ReadRequest(0x03, 0, 2);
  frame[5] = 7;  // MBAP length now counts one more byte
  frame.push_back('\x00');
  EXPECT_EQ(Ask(frame), Bytes({0, 1, 0, 0, 0, 3, 1, 0x83, 0x03}));
  EXPECT_EQ(Ask(Bytes({0, 1, 0, 0, 0, 2, 1, 0x03})), Bytes({0, 1, 0, 0, 0, 3, 1, 0x83, 0x03}));
}

TEST_F(ModbusMeterTest, AnotherUnitIdGetsGatewayTargetFailed) {
  EXPECT_EQ(Ask(ReadRequest(0x03, 0, 2, 7)), Bytes({0, 1, 0, 0, 0, 3, 7, 0x83, 0x0B}));
  EXPECT_EQ(Ask(ReadRequest(0x03, 0, 2, 7), 7).size(), 13u);
  EXPECT_EQ(calls_a_, 1);
}

TEST(ScanFrameTest, WaitsForTheWholeFrame) {
  const std::string frame = ReadRequest(0x03, 0, 2);
  for (std::size_t n = 0; n < frame.size(); ++n) {
    EXPECT_EQ(ScanFrame(frame.substr(0, n)).kind, FrameScan::Kind::kNeedMore) << n;
  }
  const FrameScan s = ScanFrame(frame);
  EXPECT_EQ(s.kind, FrameScan::Kind::kFrame);
  EXPECT_EQ(s.size, 12u);
}

TEST(ScanFrameTest, FindsTheFirstOfPipelinedFrames) {
  const FrameScan s = ScanFrame(ReadRequest(0x03, 0, 2) + ReadRequest(0x04, 2, 2) + "\x00");
  EXPECT_EQ(s.kind, FrameScan::Kind::kFrame);
  EXPECT_EQ(s.size, 12u);
}

TEST(ScanFrameTest, ANonModbusProtocolIdIsBadAtOnce) {
  const FrameScan s = ScanFrame(Bytes({0, 1, 0, 1}));
  EXPECT_EQ(s.kind, FrameScan::Kind::kBad);
  EXPECT_NE(s.error.find("protocol id 1"), std::string::npos) << s.error;
  // An HTTP client on the meter's port: "GE" "T " is protocol 0x5420.
  EXPECT_EQ(ScanFrame("GET / HTTP/1.1\r\n").kind, FrameScan::Kind::kBad);
}

TEST(ScanFrameTest, LengthsOutsideTheAduBoundsAreBad) {
  EXPECT_EQ(ScanFrame(Bytes({0, 1, 0, 0, 0, 1})).kind, FrameScan::Kind::kBad);    // no PDU
  EXPECT_EQ(ScanFrame(Bytes({0, 1, 0, 0, 0, 255})).kind, FrameScan::Kind::kBad);  // 6 + 255 > 260
  EXPECT_EQ(ScanFrame(Bytes({0, 1, 0, 0, 0xFF, 0xFF})).kind, FrameScan::Kind::kBad);
  EXPECT_EQ(ScanFrame(Bytes({0, 1, 0, 0, 0, 254})).kind,
            FrameScan::Kind::kNeedMore);  // 260: allowed
}

TEST(HandleFrameTest, NotOneWholeFrameGetsNoReply) {
  const MeterRegisterMap map({{"a", [] { return 1.0; }, {}, 240}});
  const std::string frame = ReadRequest(0x03, 0, 2);
  EXPECT_EQ(HandleFrame(frame.substr(0, 11), map, 1), "");
  EXPECT_EQ(HandleFrame(frame + frame, map, 1), "");
  EXPECT_EQ(HandleFrame("", map, 1), "");
  EXPECT_NE(HandleFrame(frame, map, 1), "");
}

TEST(MeterRegisterMapTest, SizeAndBounds) {
  const MeterRegisterMap map({{"a", [] { return 1.0; }, {}, 240}});
  EXPECT_EQ(map.size(), 16u);
  EXPECT_TRUE(map.Read(0, 16).has_value());
  EXPECT_FALSE(map.Read(0, 17).has_value());
  EXPECT_FALSE(map.Read(16, 1).has_value());
  EXPECT_FALSE(map.Read(0, 0).has_value());
  EXPECT_FALSE(map.Read(SIZE_MAX, 2).has_value());  // no wrap-around past the end
}

}  // namespace
}  // namespace mullet
