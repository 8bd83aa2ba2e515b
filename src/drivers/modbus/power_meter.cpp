#include "drivers/modbus/power_meter.h"

#include <sys/socket.h>

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
}  // namespace

Result<std::array<std::uint16_t, 2>> CheckReadReply(std::span<const std::uint8_t> adu, std::uint16_t transaction,
                                                    std::uint8_t unit_id, std::uint8_t function, int registers) {
  // MBAP: transaction (2), protocol 0 (2), length (2), unit (1); then the PDU.
  if (adu.size() < 9) return Status::DataError("short reply (" + std::to_string(adu.size()) + " bytes)");
  const unsigned tid = unsigned{adu[0]} << 8 | adu[1];
  const unsigned protocol = unsigned{adu[2]} << 8 | adu[3];
  const unsigned length = unsigned{adu[4]} << 8 | adu[5];
  if (protocol != 0) return Status::DataError("not a Modbus reply (protocol id " + std::to_string(protocol) + ")");
  if (tid != transaction) {
    return Status::DataError("a reply to another request (transaction " + std::to_string(tid) + ", asked " +
                             std::to_string(transaction) + ")");
  }
  if (length != adu.size() - 6) return Status::DataError("the reply's length field does not match its bytes");
  if (adu[6] != unit_id) {
    return Status::DataError("a reply from unit id " + std::to_string(adu[6]) + ", asked " +
                             std::to_string(unit_id) + ": refused");
  }
  if (adu[7] == (function | 0x80)) {
    return Status::InvalidArgument("Modbus exception: " + std::string(modbus_strerror(MODBUS_ENOBASE + adu[8])));
  }
  if (adu[7] != function) {
    return Status::DataError("a reply for function " + std::to_string(adu[7]) + ", asked " +
                             std::to_string(function));
  }
  if (adu[8] != 2 * registers || adu.size() != 9 + static_cast<std::size_t>(2 * registers)) {
    return Status::DataError("short reply (" + std::to_string(adu[8]) + " bytes of registers, asked " +
                             std::to_string(2 * registers) + ")");
  }
  std::array<std::uint16_t, 2> regs{};
  for (int r = 0; r < registers; ++r) {
    regs[static_cast<std::size_t>(r)] = static_cast<std::uint16_t>(adu[9 + 2 * r] << 8 | adu[10 + 2 * r]);
  }
  return regs;
}

namespace {

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
  // Each read is sent raw and its reply checked here, whole: libmodbus's own
  // reads (3.1) check a TCP reply's transaction id and function but not its
  // unit id, so a gateway's reply for another meter would pass as this one's.
  std::uint16_t transaction = 0;
  for (std::size_t i = first; i < first + count; ++i) {
    const MeterChannel& c = o_.channels.at(i);
    std::array<std::uint16_t, 2> regs{};
    const int n = RegisterCount(c.format.type);
    if (!ArmTimeout(ctx.get(), deadline))
      return Status::IoError(Where(o_, c) + ": " + TimedOut(o_));
    const std::uint8_t function = c.function == RegisterFunction::kHolding ? 0x03 : 0x04;
    // The request is written whole here, with its own transaction id, on
    // libmodbus's socket; libmodbus then reads the reply by its MBAP length.
    transaction = static_cast<std::uint16_t>(transaction + 1);
    const std::uint8_t request[12] = {static_cast<std::uint8_t>(transaction >> 8),
                                      static_cast<std::uint8_t>(transaction & 0xFF),
                                      0, 0, 0, 6,
                                      static_cast<std::uint8_t>(c.unit_id), function,
                                      static_cast<std::uint8_t>(c.address >> 8),
                                      static_cast<std::uint8_t>(c.address & 0xFF), 0, static_cast<std::uint8_t>(n)};
    std::array<std::uint8_t, MODBUS_TCP_MAX_ADU_LENGTH> reply{};
    int got = ::send(modbus_get_socket(ctx.get()), request, sizeof request, MSG_NOSIGNAL) ==
                      static_cast<ssize_t>(sizeof request)
                  ? 0
                  : -1;
    if (got != -1) got = modbus_receive_confirmation(ctx.get(), reply.data());
    if (got == -1) {
      const int err = errno;
      return Status::IoError(Where(o_, c) + ": " + (err == ETIMEDOUT ? TimedOut(o_) : modbus_strerror(err)));
    }
    Result<std::array<std::uint16_t, 2>> read =
        CheckReadReply(std::span<const std::uint8_t>(reply.data(), static_cast<std::size_t>(got)), transaction,
                       c.unit_id, function, n);
    if (!read.ok()) {
      return read.status().code() == StatusCode::kInvalidArgument
                 ? Status::InvalidArgument(Where(o_, c) + ": " + read.status().message())
                 : Status::DataError(Where(o_, c) + ": " + read.status().message());
    }
    regs = *read;
    Result<double> value =
        DecodeRegisters(std::span<const std::uint16_t>(regs.data(), n), c.format);
    if (!value.ok()) return Status::DataError(Where(o_, c) + ": " + value.status().message());
    out.push_back(Watts(*value));
  }
  return out;
}

}  // namespace mullet::modbus
