// An emulated power meter: a Modbus TCP server (Modbus Application Protocol
// v1.1b3 and Modbus Messaging on TCP/IP v1.0b) that answers Read Holding
// Registers (0x03) and Read Input Registers (0x04) from a register map whose
// values are computed when each request arrives, from callbacks returning the
// feeders' true watts. Written on Boost.Asio, independently of the libmodbus
// driver in drivers/modbus/, so that each checks the other.
//
// The framing and the reply are pure functions (ScanFrame, HandleFrame), apart
// from the socket code, so tests and fuzz/modbus_request_fuzz.cpp drive them
// with bytes. The register map is in src/emulate/README.md ("Meters").
//
// Thread safety: the callbacks run on the thread running the io_context; a
// ModbusMeterServer belongs to that thread.

#ifndef MULLET_EMULATE_MODBUS_METER_H_
#define MULLET_EMULATE_MODBUS_METER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status/result.h"
#include "core/units/units.h"
#include "emulate/loopback_listener.h"

namespace mullet {

// ---- The wire (pure).
inline constexpr std::size_t kMbapSize = 7;      // transaction, protocol, length (2 each), unit
inline constexpr std::size_t kMaxAduSize = 260;  // MBAP + the 253-byte PDU limit of serial Modbus
inline constexpr int kMaxReadRegisters = 125;    // 0x03/0x04 quantity limit (MAP §6.3)

enum class ModbusException : std::uint8_t {
  kIllegalFunction = 0x01,      // not 0x03 or 0x04
  kIllegalDataAddress = 0x02,   // a register outside the map
  kIllegalDataValue = 0x03,     // quantity 0 or > 125, or a PDU of the wrong length
  kGatewayTargetFailed = 0x0B,  // a unit id this meter is not (what gateways answer)
};

// How much of a connection's buffered bytes is the next request.
struct FrameScan {
  enum class Kind {
    kNeedMore,  // not a whole frame yet
    kFrame,     // the first `size` bytes are one ADU
    kBad,       // protocol id not 0 or a length out of bounds: drop the connection
  };
  Kind kind = Kind::kNeedMore;
  std::size_t size = 0;
  std::string error;  // kBad: why
};
FrameScan ScanFrame(std::string_view buffered);

// ---- The register map (pure apart from the callbacks).

// One feeder behind the meter, read when a request arrives.
struct MeterFeeder {
  std::string name;                    // for listings, e.g. "miners 1-50"
  std::function<double()> power_w;     // true active power, W; required
  std::function<double()> energy_kwh;  // energy since start, kWh; empty reads 0
  double voltage_v = 240;              // nominal supply voltage, V (constant)
};

// Each feeder k takes kRegistersPerFeeder registers from k × that; the same
// map answers 0x03 and 0x04. Offsets in the block:
//   0-1 power W float32 ABCD, 2-3 power W float32 CDAB, 4-5 power W int32 ABCD,
//   6 power uint16 in 100 W (0.1 kW), 7 reserved (0), 8-9 energy kWh uint32
//   ABCD, 10-11 energy kWh float32 ABCD, 12-13 voltage V float32 ABCD,
//   14-15 reserved (0).
inline constexpr int kRegistersPerFeeder = 16;
struct MeterOffsets {
  static constexpr int kPowerFloatAbcd = 0, kPowerFloatCdab = 2, kPowerInt32 = 4,
                       kPowerUint16Hw = 6, kEnergyUint32Kwh = 8, kEnergyFloatKwh = 10,
                       kVoltageFloat = 12;
};

class MeterRegisterMap {
 public:
  explicit MeterRegisterMap(std::vector<MeterFeeder> feeders) : feeders_(std::move(feeders)) {}
  std::size_t size() const { return feeders_.size() * kRegistersPerFeeder; }  // registers
  const std::vector<MeterFeeder>& feeders() const { return feeders_; }
  // Registers [address, address + count), each feeder asked once per call so
  // both words of a value come from one reading. None when any register is
  // outside the map.
  std::optional<std::vector<std::uint16_t>> Read(std::size_t address, std::size_t count) const;

 private:
  std::vector<MeterFeeder> feeders_;
};

// The reply to one whole frame (ScanFrame's kFrame): the registers, or an
// exception reply naming the problem. Empty when `frame` is not one whole
// frame (the caller drops the connection).
std::string HandleFrame(std::string_view frame, const MeterRegisterMap& map, std::uint8_t unit_id);

// ---- The socket side.

struct ModbusMeterOptions {
  std::uint8_t unit_id = 1;   // requests for another unit get exception 0x0B
  Seconds request_limit{30};  // longest wait for one whole request; then the connection is closed
  std::size_t max_connections = 64;  // past it, the least recently active connection is closed
};

class ModbusMeterServer {
 public:
  // Listens on `at` (port 0 picks a free one: see endpoint()). IoError naming
  // the address when it cannot be bound.
  static Result<std::unique_ptr<ModbusMeterServer>> Start(boost::asio::io_context& io,
                                                          const boost::asio::ip::tcp::endpoint& at,
                                                          MeterRegisterMap map,
                                                          ModbusMeterOptions options = {});
  ModbusMeterServer(const ModbusMeterServer&) = delete;
  ModbusMeterServer& operator=(const ModbusMeterServer&) = delete;
  ~ModbusMeterServer() = default;  // stops accepting; open connections end on their own

  boost::asio::ip::tcp::endpoint endpoint() const { return listener_.endpoint(0); }
  const MeterRegisterMap& map() const;

  struct State;  // opaque: the map and options, shared with the connections

 private:
  ModbusMeterServer(boost::asio::io_context& io, std::shared_ptr<State> state);

  std::shared_ptr<State> state_;  // connections hold it too
  LoopbackListener listener_;     // binding, accepting, max_connections (loopback_listener.h)
};

}  // namespace mullet

#endif  // MULLET_EMULATE_MODBUS_METER_H_
