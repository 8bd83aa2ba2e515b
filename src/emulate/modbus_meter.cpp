#include "emulate/modbus_meter.h"

#include <algorithm>
#include <array>
#include <bit>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cmath>
#include <iterator>
#include <list>
#include <memory>

namespace mullet {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::uint16_t Get16(std::string_view s, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<std::uint8_t>(s[at]) << 8) |
                                    static_cast<std::uint8_t>(s[at + 1]));
}

void Put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xFF));
}

// Registers of one value: the float's or integer's 32 bits, high word first
// (ABCD) or low word first (CDAB, word-swapped meters).
void PutWords(std::array<std::uint16_t, kRegistersPerFeeder>& block, int at, std::uint32_t bits,
              bool swapped) {
  const auto hi = static_cast<std::uint16_t>(bits >> 16),
             lo = static_cast<std::uint16_t>(bits & 0xFFFF);
  block[at] = swapped ? lo : hi;
  block[at + 1] = swapped ? hi : lo;
}

std::uint32_t FloatBits(double v) { return std::bit_cast<std::uint32_t>(static_cast<float>(v)); }

// Integer registers saturate, as meters do, and read 0 when there is no number.
double Clamp(double v, double lo, double hi) {
  return std::isfinite(v) ? std::clamp(v, lo, hi) : 0.0;
}

std::array<std::uint16_t, kRegistersPerFeeder> FeederBlock(const MeterFeeder& f) {
  using O = MeterOffsets;
  const double power_w = f.power_w ? f.power_w() : 0.0;
  const double energy_kwh = f.energy_kwh ? f.energy_kwh() : 0.0;
  std::array<std::uint16_t, kRegistersPerFeeder> block{};
  PutWords(block, O::kPowerFloatAbcd, FloatBits(power_w), false);
  PutWords(block, O::kPowerFloatCdab, FloatBits(power_w), true);
  const auto power_i32 =
      static_cast<std::int32_t>(std::llround(Clamp(power_w, INT32_MIN, INT32_MAX)));
  PutWords(block, O::kPowerInt32, static_cast<std::uint32_t>(power_i32), false);
  block[O::kPowerUint16Hw] =
      static_cast<std::uint16_t>(std::lround(Clamp(power_w / 100, 0, 65535)));
  PutWords(block, O::kEnergyUint32Kwh,
           static_cast<std::uint32_t>(std::floor(Clamp(energy_kwh, 0, UINT32_MAX))), false);
  PutWords(block, O::kEnergyFloatKwh, FloatBits(energy_kwh), false);
  PutWords(block, O::kVoltageFloat, FloatBits(f.voltage_v), false);
  return block;
}

}  // namespace

FrameScan ScanFrame(std::string_view b) {
  FrameScan s;
  // Modbus Messaging on TCP/IP §3.1.3: protocol identifier 0 is Modbus; the
  // length counts the unit id and the PDU, which is 1-253 bytes.
  if (b.size() >= 4 && Get16(b, 2) != 0) {
    s.kind = FrameScan::Kind::kBad;
    s.error = "protocol id " + std::to_string(Get16(b, 2)) + " is not 0 (Modbus)";
    return s;
  }
  if (b.size() < 6) return s;
  const std::size_t length = Get16(b, 4);
  if (length < 2 || length > kMaxAduSize - 6) {
    s.kind = FrameScan::Kind::kBad;
    s.error = "MBAP length " + std::to_string(length) + " outside 2-254";
    return s;
  }
  if (b.size() < 6 + length) return s;
  s.kind = FrameScan::Kind::kFrame;
  s.size = 6 + length;
  return s;
}

std::optional<std::vector<std::uint16_t>> MeterRegisterMap::Read(std::size_t address,
                                                                 std::size_t count) const {
  if (count == 0 || address >= size() || count > size() - address) return std::nullopt;
  std::vector<std::uint16_t> out;
  out.reserve(count);
  const std::size_t end = address + count;
  for (std::size_t f = address / kRegistersPerFeeder; f * kRegistersPerFeeder < end; ++f) {
    const auto block = FeederBlock(feeders_[f]);
    const std::size_t base = f * kRegistersPerFeeder;
    for (std::size_t r = std::max(address, base); r < std::min(end, base + kRegistersPerFeeder);
         ++r) {
      out.push_back(block[r - base]);
    }
  }
  return out;
}

std::string HandleFrame(std::string_view frame, const MeterRegisterMap& map, std::uint8_t unit_id) {
  const FrameScan scan = ScanFrame(frame);
  if (scan.kind != FrameScan::Kind::kFrame || scan.size != frame.size()) return "";
  const std::uint16_t transaction = Get16(frame, 0);
  const auto unit = static_cast<std::uint8_t>(frame[6]);
  const std::string_view pdu = frame.substr(kMbapSize);
  const auto function = static_cast<std::uint8_t>(pdu[0]);
  // The reply echoes transaction and unit (Messaging on TCP/IP §3.1.3).
  auto reply = [&](const std::string& out_pdu) {
    std::string out;
    Put16(out, transaction);
    Put16(out, 0);
    Put16(out, static_cast<std::uint16_t>(1 + out_pdu.size()));
    out.push_back(static_cast<char>(unit));
    return out + out_pdu;
  };
  auto exception = [&](ModbusException e) {
    return reply({static_cast<char>(function | 0x80), static_cast<char>(e)});
  };
  if (unit != unit_id) return exception(ModbusException::kGatewayTargetFailed);
  // Checks in the order of MAP v1.1b3 §6.3's state diagram: function, then
  // quantity, then address.
  if (function != 0x03 && function != 0x04) return exception(ModbusException::kIllegalFunction);
  if (pdu.size() != 5) return exception(ModbusException::kIllegalDataValue);
  const std::uint16_t address = Get16(pdu, 1);
  const std::uint16_t count = Get16(pdu, 3);
  if (count < 1 || count > kMaxReadRegisters) return exception(ModbusException::kIllegalDataValue);
  const std::optional<std::vector<std::uint16_t>> regs = map.Read(address, count);
  if (!regs) return exception(ModbusException::kIllegalDataAddress);
  std::string out_pdu{static_cast<char>(function), static_cast<char>(2 * count)};
  for (std::uint16_t r : *regs) Put16(out_pdu, r);
  return reply(out_pdu);
}

// ---- The socket side.

namespace {
class Connection;
}

struct ModbusMeterServer::State {
  State(MeterRegisterMap m, ModbusMeterOptions o) : map(std::move(m)), options(o) {}
  MeterRegisterMap map;
  ModbusMeterOptions options;
  // The open connections, least recently active first: at the limit the
  // first goes, so idle clients cannot lock the meter (64 idle connections
  // once kept every new client out for request_limit).
  std::list<std::weak_ptr<Connection>> live;
};

namespace {

using State = ModbusMeterServer::State;

// One client: requests answered in order, several per connection (pipelined
// requests too), until the client closes, sends a bad frame or takes longer
// than request_limit to send a whole request.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(AcceptedSocket peer, std::shared_ptr<State> state)
      : peer_(std::move(peer)), timer_(peer_.socket().get_executor()), state_(std::move(state)) {}

  void Start() {
    std::list<std::weak_ptr<Connection>>& live = state_->live;
    live.remove_if([](const std::weak_ptr<Connection>& c) { return c.expired(); });
    while (live.size() >= state_->options.max_connections && !live.empty()) {
      if (auto oldest = live.front().lock()) oldest->Close();
      live.pop_front();
    }
    live.push_back(weak_from_this());
    place_ = std::prev(live.end());
    ArmTimer();
    Read();
  }

  void Close() {
    timer_.cancel();
    peer_.Close();
  }

 private:
  void ArmTimer() {
    timer_.expires_after(SteadyDuration(state_->options.request_limit));
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->Close();
    });
  }

  void Read() {
    peer_.socket().async_read_some(
        asio::buffer(chunk_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          if (ec) return self->Close();
          self->OnBytes(n);
        });
  }

  void OnBytes(std::size_t n) {
    // At most one partial frame (< kMaxAduSize bytes) stays between reads:
    // ScanFrame rejects a length over 254 as soon as it sees it.
    buffer_.append(chunk_.data(), n);
    std::string replies;
    bool handled = false;
    for (;;) {
      const FrameScan scan = ScanFrame(buffer_);
      if (scan.kind == FrameScan::Kind::kBad) return Close();
      if (scan.kind == FrameScan::Kind::kNeedMore) break;
      replies += HandleFrame(std::string_view(buffer_).substr(0, scan.size), state_->map,
                             state_->options.unit_id);
      buffer_.erase(0, scan.size);
      handled = true;
    }
    if (handled) {
      ArmTimer();  // the deadline runs per request, not per byte
      // Now the most recently active: last in line to be closed.
      state_->live.splice(state_->live.end(), state_->live, place_);
    }
    if (replies.empty()) return Read();
    out_ = std::move(replies);
    asio::async_write(
        peer_.socket(), asio::buffer(out_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
          if (ec) return self->Close();
          self->Read();
        });
  }

  AcceptedSocket peer_;
  asio::steady_timer timer_;
  std::shared_ptr<State> state_;
  std::array<char, 512> chunk_{};
  std::string buffer_;
  std::string out_;
  std::list<std::weak_ptr<Connection>>::iterator place_;  // in state_->live
};

}  // namespace

ModbusMeterServer::ModbusMeterServer(asio::io_context& io, std::shared_ptr<State> state)
    : state_(std::move(state)),
      // Past max_connections the least recently active connection is closed
      // to make room (Connection::Start), so a new client is always served.
      listener_(io, [state = state_](std::size_t, AcceptedSocket peer) {
        std::make_shared<Connection>(std::move(peer), state)->Start();
      }) {}

Result<std::unique_ptr<ModbusMeterServer>> ModbusMeterServer::Start(asio::io_context& io,
                                                                    const tcp::endpoint& at,
                                                                    MeterRegisterMap map,
                                                                    ModbusMeterOptions options) {
  std::unique_ptr<ModbusMeterServer> server(
      new ModbusMeterServer(io, std::make_shared<State>(std::move(map), options)));
  if (Status s = server->listener_.Listen(0, at); !s.ok()) {
    return Status::IoError("meter: " + s.message());
  }
  return server;
}

const MeterRegisterMap& ModbusMeterServer::map() const { return state_->map; }

}  // namespace mullet
