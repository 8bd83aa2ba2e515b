#include "cli/meter_command.h"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>

#include "drivers/modbus/power_meter.h"

namespace mullet {
namespace {

constexpr int kDefaultPort = 502;  // Modbus TCP (IANA "mbap")

struct HostPort {
  std::string host;
  int port = kDefaultPort;
};

// "host", "host:5020", "[::1]:5020"; a bare IPv6 address (several colons)
// has no port.
Result<HostPort> ParseTarget(const std::string& text) {
  HostPort hp;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string::npos)
      return Status::InvalidArgument("'" + text + "': no closing ']'");
    hp.host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':')
        return Status::InvalidArgument("'" + text + "': expected ':PORT' after ']'");
      port = text.substr(close + 2);
    }
  } else if (text.find(':') != std::string::npos && text.find(':') == text.rfind(':')) {
    hp.host = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
  } else {
    hp.host = text;
  }
  if (hp.host.empty()) return Status::InvalidArgument("'" + text + "': no host");
  if (!port.empty() || text.back() == ':') {
    std::size_t used = 0;
    int p = 0;
    try {
      p = std::stoi(port, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != port.size() || port.empty() || p < 1 || p > 65535) {
      return Status::InvalidArgument("'" + text + "': port must be 1-65535, got '" + port + "'");
    }
    hp.port = p;
  }
  return hp;
}

}  // namespace

Result<modbus::PowerMeterOptions> MeterOptionsOf(const MeterFlags& f, const std::string& prefix,
                                                 const std::string& target_name) {
  Result<HostPort> target = ParseTarget(f.target);
  if (!target.ok()) return Status::InvalidArgument(target_name + ": " + target.status().message());
  Result<modbus::RegisterFunction> function = modbus::ParseRegisterFunction(f.function);
  if (!function.ok()) return Status::InvalidArgument(prefix + "function: " + function.status().message());
  Result<modbus::RegisterType> type = modbus::ParseRegisterType(f.type);
  if (!type.ok()) return Status::InvalidArgument(prefix + "type: " + type.status().message());
  Result<modbus::WordOrder> order = modbus::ParseWordOrder(f.word_order);
  if (!order.ok()) return Status::InvalidArgument(prefix + "word-order: " + order.status().message());
  modbus::PowerMeterOptions o;
  o.host = target->host;
  o.port = static_cast<std::uint16_t>(target->port);
  o.timeout = Seconds(f.timeout_s);
  modbus::MeterChannel c;
  c.unit_id = f.unit;
  c.function = *function;
  c.address = f.register_address;
  c.format = {*type, *order, f.scale, f.offset};
  o.channels.push_back(c);
  return o;
}

void AddMeterRegisterOptions(CLI::App* cmd, MeterFlags& f, const std::string& prefix) {
  cmd->add_option(prefix + "unit", f.unit, "Modbus unit id (default 1)")->check(CLI::Range(1, 255));
  cmd->add_option(prefix + "register", f.register_address, "First register, 0-based (default 0)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option(prefix + "function", f.function, "holding (0x03, default) or input (0x04)");
  cmd->add_option(prefix + "type", f.type, "int16, uint16, int32, uint32 or float32 (default)");
  cmd->add_option(prefix + "word-order", f.word_order, "abcd: high word first (default); cdab: low word first");
  cmd->add_option(prefix + "scale", f.scale, "Multiplier to watts: 0.001 from mW, 1000 from kW (default 1)");
  cmd->add_option(prefix + "offset", f.offset, "Watts added after scaling (default 0)");
}

CLI::App* AddMeterCommand(CLI::App& app, MeterFlags& f) {
  CLI::App* meter =
      app.add_subcommand("meter", "Read power meters and metered PDUs over Modbus TCP");
  meter->footer(R"(Examples:
  mullet emulate --miners 1000            # serves an emulated feeder meter on 127.0.0.1:5020
  mullet meter read 127.0.0.1:5020        # the feeder's watts
  mullet meter read --help                # register, function, word order and scale)");
  meter->require_subcommand(1);
  CLI::App* read = meter->add_subcommand("read", "Read one active-power register, in watts");
  read->footer(R"(Reads the register(s) of one value with Read Holding (0x03) or Input (0x04)
Registers and prints value x scale + offset as watts. One connection, one
deadline (--timeout-s) for connect and reply: a hung meter is an error, exit 1.
Registers are 0-based as on the wire ("40001" is --register 0).

Examples:
  mullet meter read 127.0.0.1:5020                      # a meter of `mullet emulate`
  mullet meter read 10.0.8.21 --unit 3 --register 3059 --type float32 --word-order cdab
  mullet meter read pdu-a7:502 --function input --register 12 --type uint32 --scale 0.001 --json)");
  read->add_option("target", f.target, "HOST or HOST:PORT (default port 502)")->required();
  AddMeterRegisterOptions(read, f, "--");
  read->add_option("--timeout-s", f.timeout_s,
                   "Deadline for connect and reply in seconds (default 2)")
      ->check(CLI::Range(0.01, 600.0));
  read->add_flag("--json", f.json, "One JSON object: where, how and power_w");
  return meter;
}

int RunMeter(const MeterFlags& f, std::ostream& out, std::ostream& err) {
  Result<modbus::PowerMeterOptions> o = MeterOptionsOf(f);
  Result<modbus::PowerMeter> meter =
      o.ok() ? modbus::PowerMeter::Create(*o) : Result<modbus::PowerMeter>(o.status());
  if (!meter.ok()) {
    err << "mullet meter read: error: " << meter.status().message() << "\n";
    return 2;
  }
  Result<Watts> power = meter->Read(0);
  if (!power.ok()) {
    err << "mullet meter read: error: " << power.status().message() << "\n";
    return 1;
  }
  const modbus::MeterChannel& c = o->channels.front();
  if (f.json) {
    nlohmann::ordered_json j;
    j["host"] = o->host;
    j["port"] = o->port;
    j["unit"] = c.unit_id;
    j["function"] = modbus::RegisterFunctionName(c.function);
    j["register"] = c.address;
    j["type"] = modbus::RegisterTypeName(c.format.type);
    j["word_order"] = modbus::WordOrderName(c.format.word_order);
    j["scale"] = c.format.scale;
    j["offset"] = c.format.offset;
    j["power_w"] = power->value();
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  fmt::print(out, "{:.1f} W  ({}:{} unit {} {} register {}, {} {})\n", power->value(), o->host,
             o->port, c.unit_id, modbus::RegisterFunctionName(c.function), c.address,
             modbus::RegisterTypeName(c.format.type), modbus::WordOrderName(c.format.word_order));
  return 0;
}

}  // namespace mullet
