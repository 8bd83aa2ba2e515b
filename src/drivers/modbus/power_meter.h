// A power meter or metered PDU read over Modbus TCP (libmodbus): active power
// per feeder, each feeder a channel with its own unit id, register table,
// address and number format, as revenue meters and PDUs expose it.
//
// Every Read connects, reads its channels and closes, all under one deadline
// (`timeout`): the connect and each request get what is left of it, and a
// reply must arrive whole within it (libmodbus's byte timeout is off), so a
// hung meter costs the caller at most `timeout` and never stalls it.
// Resolving a host name (getaddrinfo) is not under the deadline: give
// addresses where a hard bound matters.
//
// Thread safety: a PowerMeter holds only its options; concurrent Reads are
// safe (each opens its own connection). Reads block the calling thread.

#ifndef MULLET_DRIVERS_MODBUS_POWER_METER_H_
#define MULLET_DRIVERS_MODBUS_POWER_METER_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status/result.h"
#include "core/units/units.h"
#include "drivers/modbus/register_decode.h"

namespace mullet::modbus {

// Which register table a channel reads.
enum class RegisterFunction : std::uint8_t {
  kHolding = 0x03,  // Read Holding Registers
  kInput = 0x04,    // Read Input Registers
};
std::string_view RegisterFunctionName(RegisterFunction f);  // "holding", "input"
Result<RegisterFunction> ParseRegisterFunction(std::string_view text);

struct MeterChannel {
  std::string name;  // for messages, e.g. "feeder A"; "" is fine
  int unit_id = 1;   // Modbus unit (slave) id, 0-247; a meter alone on TCP is usually 1 or 255
  RegisterFunction function = RegisterFunction::kHolding;
  int address = 0;        // first register, 0-based as on the wire (register "40001" is address 0)
  RegisterFormat format;  // type, word order, scale and offset to watts
};

struct PowerMeterOptions {
  std::string host;  // address or name of the meter
  std::uint16_t port = 502;
  Seconds timeout{2.0};                // one Read: connect and every request together; > 0
  std::vector<MeterChannel> channels;  // at least one
};

// Checks one raw Modbus TCP reply (MBAP header and PDU) to a read of
// `registers` (1 or 2) registers with `function` (0x03, 0x04) from `unit_id`,
// sent as `transaction`: the registers, or DataError for a reply to another
// request, from another unit, for another function or of the wrong length,
// and InvalidArgument naming a Modbus exception.
Result<std::array<std::uint16_t, 2>> CheckReadReply(std::span<const std::uint8_t> adu, std::uint16_t transaction,
                                                    std::uint8_t unit_id, std::uint8_t function, int registers);

class PowerMeter {
 public:
  // InvalidArgument naming the field when the options are wrong (empty host,
  // no channel, unit id or address out of range, timeout not > 0).
  static Result<PowerMeter> Create(PowerMeterOptions options);

  // Active power of every channel, in channel order. One failure fails the
  // Read: IoError (connect, timeout, reset) or InvalidArgument (the meter
  // answered with a Modbus exception: the register map is wrong), each naming
  // host:port, unit, register and libmodbus's reason; DataError when the
  // registers do not decode (NaN).
  Result<std::vector<Watts>> ReadAll() const;
  // One channel. REQUIRES: channel < options().channels.size().
  Result<Watts> Read(std::size_t channel) const;

  const PowerMeterOptions& options() const { return o_; }

 private:
  explicit PowerMeter(PowerMeterOptions o) : o_(std::move(o)) {}
  Result<std::vector<Watts>> ReadChannels(std::size_t first, std::size_t count) const;

  PowerMeterOptions o_;
};

}  // namespace mullet::modbus

#endif  // MULLET_DRIVERS_MODBUS_POWER_METER_H_
