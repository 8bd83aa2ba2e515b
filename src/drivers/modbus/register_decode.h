// Turning Modbus registers into a number, as power meters and PDUs lay them
// out: 16- or 32-bit integers or IEEE-754 floats over one or two 16-bit
// registers, in big-endian word order ("ABCD", the Modbus default) or with the
// two words swapped ("CDAB", common on Schneider, Socomec and many PDUs), then
// value = raw × scale + offset (the meter's unit to watts).
//
// Pure: no sockets, no state; DecodeRegisters is unit-tested on hand-written
// register vectors and shared by every meter driver.

#ifndef MULLET_DRIVERS_MODBUS_REGISTER_DECODE_H_
#define MULLET_DRIVERS_MODBUS_REGISTER_DECODE_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "core/status/result.h"

namespace mullet::modbus {

enum class RegisterType { kInt16, kUint16, kInt32, kUint32, kFloat32 };
// Two 16-bit words of a 32-bit value: kAbcd sends the high word first (Modbus
// big-endian), kCdab the low word first. Bytes within a word are always
// big-endian on the wire.
enum class WordOrder { kAbcd, kCdab };

struct RegisterFormat {
  RegisterType type = RegisterType::kFloat32;
  WordOrder word_order = WordOrder::kAbcd;
  double scale = 1;   // multiplier to the wanted unit: 0.001 for W from mW, 1000 for W from kW
  double offset = 0;  // added after scaling, in the wanted unit
};

// How many 16-bit registers a value of `type` spans (1 or 2).
int RegisterCount(RegisterType type);

// The value of `registers` (as read, first register first) under `format`.
// DataError when the count does not match the type, or a float32 is NaN or
// infinite (meters send NaN for "no reading").
Result<double> DecodeRegisters(std::span<const std::uint16_t> registers,
                               const RegisterFormat& format);

// Names for flags and messages: "int16", "uint16", "int32", "uint32",
// "float32"; "abcd", "cdab". Parsing is case-insensitive; InvalidArgument
// lists the accepted names.
std::string_view RegisterTypeName(RegisterType type);
std::string_view WordOrderName(WordOrder order);
Result<RegisterType> ParseRegisterType(std::string_view text);
Result<WordOrder> ParseWordOrder(std::string_view text);

}  // namespace mullet::modbus

#endif  // MULLET_DRIVERS_MODBUS_REGISTER_DECODE_H_
