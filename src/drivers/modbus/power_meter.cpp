#include "drivers/modbus/power_meter.h"

#include <modbus/modbus.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <memory>

namespace mullet::modbus {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Owns one libmodbus context: closed and freed on every path out of a Read.
struct ContextCloser {
  void operator()(modbus_t* ctx) const {
    modbus_close(ctx);
    modbus_free(ctx);
  }
};
using Context = std::unique_ptr<modbus_t, ContextCloser>;

std::string Where(const PowerMeterOptions& o) {
  return "meter " + o.host + ":" + std::to_string(o.port);
}

std::string Where(const PowerMeterOptions& o, const MeterChannel& c) {
  return Where(o) + " unit " + std::to_string(c.unit_id) + " " +
         std::string(RegisterFunctionName(c.function)) + " register " + std::to_string(c.address) +
         " (" + std::string(RegisterTypeName(c.format.type)) +
         (c.name.empty() ? "" : ", " + c.name) + ")";
}

// libmodbus reports a Modbus exception reply as errno MODBUS_ENOBASE + code
// (modbus.h): those mean the meter is up and our register map is wrong.
bool IsModbusException(int err) { return err > MODBUS_ENOBASE && err <= EMBXGTAR; }

// Gives the next libmodbus call what is left of the deadline. The response
// timeout also bounds connect() in libmodbus 3.1 (modbus-tcp.c, _connect), and
// with the byte timeout off the whole reply must arrive within it
// (modbus_set_byte_timeout(3): "governs the entire handling of the response").
bool ArmTimeout(modbus_t* ctx, SteadyClock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::microseconds>(deadline - SteadyClock::now());
  if (left.count() <= 0) return false;
  modbus_set_response_timeout(ctx, static_cast<std::uint32_t>(left.count() / 1'000'000),
                              static_cast<std::uint32_t>(left.count() % 1'000'000));
  return true;
}

std::string TimedOut(const PowerMeterOptions& o) {
  return "timed out after " + std::to_string(o.timeout.count()) + " s";
}

}  // namespace

std::string_view RegisterFunctionName(RegisterFunction f) {
  return f == RegisterFunction::kHolding ? "holding" : "input";
}

Result<RegisterFunction> ParseRegisterFunction(std::string_view text) {
  if (text == "holding" || text == "3" || text == "0x03") return RegisterFunction::kHolding;
  if (text == "input" || text == "4" || text == "0x04") return RegisterFunction::kInput;
  return Status::InvalidArgument("unknown register function '" + std::string(text) +
                                 "' (holding = 0x03, input = 0x04)");
}

Result<PowerMeter> PowerMeter::Create(PowerMeterOptions o) {
  if (o.host.empty()) return Status::InvalidArgument("power meter: host is empty");
  if (!(o.timeout.count() > 0))
    return Status::InvalidArgument(Where(o) + ": timeout must be > 0 s");
  if (o.channels.empty()) return Status::InvalidArgument(Where(o) + ": no channel to read");
  for (const MeterChannel& c : o.channels) {
    // Unit 0 is broadcast (no reply); 248-254 are reserved, 255 is the
    // "not used" id of Modbus TCP devices (Modbus Messaging on TCP/IP §4.4.2).
    if (!((c.unit_id >= 1 && c.unit_id <= 247) || c.unit_id == 255)) {
      return Status::InvalidArgument(Where(o) + ": unit id must be 1-247 or 255, got " +
                                     std::to_string(c.unit_id));
    }
    if (c.address < 0 || c.address + RegisterCount(c.format.type) > 65536) {
      return Status::InvalidArgument(
          Where(o) + ": register address must leave the value inside 0-65535, got " +
          std::to_string(c.address));
    }
  }
  return PowerMeter(std::move(o));
}

Result<Watts> PowerMeter::Read(std::size_t channel) const {
  Result<std::vector<Watts>> one = ReadChannels(channel, 1);
  if (!one.ok()) return one.status();
  return one->front();
}

Result<std::vector<Watts>> PowerMeter::ReadAll() const {
  return ReadChannels(0, o_.channels.size());
}

Result<std::vector<Watts>> PowerMeter::ReadChannels(std::size_t first, std::size_t count) const {
  const SteadyClock::time_point deadline =
      SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(o_.timeout);
  const std::string port = std::to_string(o_.port);
  // modbus_new_tcp_pi resolves names (getaddrinfo); modbus_new_tcp takes only
  // dotted IPv4.
  Context ctx(modbus_new_tcp_pi(o_.host.c_str(), port.c_str()));
  if (ctx == nullptr) return Status::IoError(Where(o_) + ": " + modbus_strerror(errno));
  modbus_set_byte_timeout(ctx.get(), 0, 0);
  if (!ArmTimeout(ctx.get(), deadline)) return Status::IoError(Where(o_) + ": " + TimedOut(o_));
  if (modbus_connect(ctx.get()) != 0) {
    return Status::IoError(Where(o_) + ": connect: " + modbus_strerror(errno));
  }
  std::vector<Watts> out;
  for (std::size_t i = first; i < first + count; ++i) {
    const MeterChannel& c = o_.channels.at(i);
    std::array<std::uint16_t, 2> regs{};
    const int n = RegisterCount(c.format.type);
    if (!ArmTimeout(ctx.get(), deadline))
      return Status::IoError(Where(o_, c) + ": " + TimedOut(o_));
    modbus_set_slave(ctx.get(), c.unit_id);
    const int got = c.function == RegisterFunction::kHolding
                        ? modbus_read_registers(ctx.get(), c.address, n, regs.data())
                        : modbus_read_input_registers(ctx.get(), c.address, n, regs.data());
    if (got != n) {
      const int err = errno;
      if (got >= 0) return Status::DataError(Where(o_, c) + ": short reply");
      const std::string why = err == ETIMEDOUT ? TimedOut(o_) : modbus_strerror(err);
      if (IsModbusException(err))
        return Status::InvalidArgument(Where(o_, c) + ": Modbus exception: " + why);
      return Status::IoError(Where(o_, c) + ": " + why);
    }
    Result<double> value =
        DecodeRegisters(std::span<const std::uint16_t>(regs.data(), n), c.format);
    if (!value.ok()) return Status::DataError(Where(o_, c) + ": " + value.status().message());
    out.push_back(Watts(*value));
  }
  return out;
}

}  // namespace mullet::modbus
