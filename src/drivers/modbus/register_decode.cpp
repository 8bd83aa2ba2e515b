#include "drivers/modbus/register_decode.h"

#include <bit>
#include <cctype>
#include <cmath>
#include <string>

namespace mullet::modbus {
namespace {

constexpr RegisterType kTypes[] = {RegisterType::kInt16, RegisterType::kUint16,
                                   RegisterType::kInt32, RegisterType::kUint32,
                                   RegisterType::kFloat32};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

int RegisterCount(RegisterType type) {
  return type == RegisterType::kInt16 || type == RegisterType::kUint16 ? 1 : 2;
}

Result<double> DecodeRegisters(std::span<const std::uint16_t> registers,
                               const RegisterFormat& format) {
  const int want = RegisterCount(format.type);
  if (registers.size() != static_cast<std::size_t>(want)) {
    return Status::DataError(std::string(RegisterTypeName(format.type)) + " needs " +
                             std::to_string(want) + " registers, got " +
                             std::to_string(registers.size()));
  }
  // The 32-bit word as ABCD: high word first. CDAB meters send the low word first.
  std::uint32_t word = registers[0];
  if (want == 2) {
    word = format.word_order == WordOrder::kAbcd
               ? (std::uint32_t{registers[0]} << 16) | registers[1]
               : (std::uint32_t{registers[1]} << 16) | registers[0];
  }
  double raw = 0;
  switch (format.type) {
    case RegisterType::kInt16:
      raw = static_cast<std::int16_t>(registers[0]);
      break;
    case RegisterType::kUint16:
      raw = registers[0];
      break;
    case RegisterType::kInt32:
      raw = static_cast<std::int32_t>(word);
      break;
    case RegisterType::kUint32:
      raw = word;
      break;
    case RegisterType::kFloat32: {
      const float f = std::bit_cast<float>(word);
      if (!std::isfinite(f))
        return Status::DataError("float32 register value is not a number (no reading)");
      raw = f;
      break;
    }
  }
  return raw * format.scale + format.offset;
}

std::string_view RegisterTypeName(RegisterType type) {
  switch (type) {
    case RegisterType::kInt16:
      return "int16";
    case RegisterType::kUint16:
      return "uint16";
    case RegisterType::kInt32:
      return "int32";
    case RegisterType::kUint32:
      return "uint32";
    case RegisterType::kFloat32:
      return "float32";
  }
  return "?";
}

std::string_view WordOrderName(WordOrder order) {
  return order == WordOrder::kAbcd ? "abcd" : "cdab";
}

Result<RegisterType> ParseRegisterType(std::string_view text) {
  const std::string lower = Lower(text);
  for (RegisterType t : kTypes) {
    if (RegisterTypeName(t) == lower) return t;
  }
  return Status::InvalidArgument("unknown register type '" + std::string(text) +
                                 "' (int16, uint16, int32, uint32, float32)");
}

Result<WordOrder> ParseWordOrder(std::string_view text) {
  const std::string lower = Lower(text);
  if (lower == "abcd") return WordOrder::kAbcd;
  if (lower == "cdab") return WordOrder::kCdab;
  return Status::InvalidArgument("unknown word order '" + std::string(text) +
                                 "' (abcd: high word first; cdab: low word first)");
}

}  // namespace mullet::modbus
