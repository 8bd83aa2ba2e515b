#include "drivers/whatsminer/whatsminer_driver.h"

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cmath>
#include <memory>

namespace mullet::whatsminer {
namespace {

using tcp = boost::asio::ip::tcp;

std::int64_t SystemUnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Ends a command that sends no request.
void Refuse(const MinerDriver::Done& done, std::string state, std::string step, std::string error) {
  CommandOutcome out;
  out.state = std::move(state);
  out.step = std::move(step);
  out.error = std::move(error);
  done(std::move(out));
}

// Sends one framed request and hands its verdict to `done`.
void Exchange(RpcClient& client, const tcp::endpoint& at, std::string request,
              std::function<void(Verdict)> done) {
  client.Send(at, std::move(request),
              [done = std::move(done)](RpcReply r) { done(ClassifyReply(r)); });
}

// One write: the salt, then the signed command. Kept alive by the callbacks.
class Write : public std::enable_shared_from_this<Write> {
 public:
  Write(RpcClient& client, tcp::endpoint at, std::string cmd, nlohmann::json param,
        std::string password, MinerDriver::Done done)
      : client_(client),
        at_(at),
        cmd_(std::move(cmd)),
        param_(std::move(param)),
        password_(std::move(password)),
        done_(std::move(done)) {}

  void Start(std::optional<Watts> applied) {
    applied_ = applied;
    auto self = shared_from_this();
    Exchange(client_, at_, EncodeRead("get.device.info", "salt"), [self](Verdict v) {
      if (!v.ok) return self->Finish("get.device.info", v.state, v.error);
      Result<std::string> salt = ReadSalt(v.reply);
      if (!salt.ok()) return self->Finish("get.device.info", "bad-reply", salt.status().message());
      self->Sign(*salt, v.reply.when.value_or(SystemUnixNow()));
    });
  }

 private:
  void Sign(const std::string& salt, std::int64_t ts) {
    auto self = shared_from_this();
    Exchange(client_, at_, EncodeWrite(cmd_, param_, password_, salt, ts), [self](Verdict v) {
      if (!v.ok) return self->Finish(self->cmd_, v.state, v.error);
      self->Finish(self->cmd_, "ok", "");
    });
  }

  void Finish(const std::string& step, const std::string& state, const std::string& error) {
    CommandOutcome out;
    out.state = state;
    out.step = step;
    out.error = error;
    if (state == "ok") out.applied = applied_;
    done_(std::move(out));
  }

  RpcClient& client_;
  tcp::endpoint at_;
  std::string cmd_;
  nlohmann::json param_;
  std::string password_;  // a copy: the driver may go before the io_context runs
  MinerDriver::Done done_;
  std::optional<Watts> applied_;
};

}  // namespace

Verdict ClassifyReply(const RpcReply& r) {
  Verdict v;
  v.error = r.error;
  switch (r.outcome) {
    case RpcOutcome::kReply:
      break;
    case RpcOutcome::kTimeout:
      v.state = "timeout";
      return v;
    case RpcOutcome::kRefused:
      v.state = "refused";
      return v;
    case RpcOutcome::kReset:
      v.state = "reset";
      return v;
    case RpcOutcome::kTooLarge:
      v.state = "error";
      return v;
    case RpcOutcome::kClosedEarly:  // a short frame: the miner closed early
      v.state = "closed";
      return v;
    case RpcOutcome::kOtherError:
      v.state = "error";
      return v;
  }
  Result<Reply> parsed = ParseReply(r.bytes);
  if (!parsed.ok()) {
    v.state = "bad-reply";
    v.error = parsed.status().message();
    return v;
  }
  if (Status s = CheckCode(*parsed); !s.ok()) {
    v.state = "error-status";
    v.error = s.message();
    return v;
  }
  v.ok = true;
  v.error.clear();
  v.reply = std::move(parsed).value();
  return v;
}

void WhatsminerV3Driver::Run(RpcClient& client, const tcp::endpoint& at,
                             const MinerCommand& command, Done done) const {
  std::string cmd = "set.miner.service";
  nlohmann::json param;
  std::optional<Watts> applied;
  switch (command.kind) {
    case MinerCommandKind::kSleep:
      param = "stop";
      break;
    case MinerCommandKind::kWake:
      param = "start";
      break;
    case MinerCommandKind::kSetPower: {
      const double w = command.power.value();
      if (!std::isfinite(w) || w < 1 || w > 1e6) {
        return Refuse(done, "error", "set.miner.power_limit",
                      "power target out of range: " + std::to_string(w) + " W");
      }
      // The documented param is a whole number of watts.
      cmd = "set.miner.power_limit";
      param = std::llround(w);
      applied = Watts(static_cast<double>(std::llround(w)));
      break;
    }
    case MinerCommandKind::kSetProfile:
      return Refuse(done, "unsupported", "",
                    "Whatsminer API V3 has power modes and limits, not named profiles");
  }
  std::make_shared<Write>(client, at, std::move(cmd), std::move(param), password_, std::move(done))
      ->Start(applied);
}

void WhatsminerV3Driver::ReadStatus(RpcClient& client, const tcp::endpoint& at,
                                    std::function<void(StatusResult)> done) const {
  const auto start = std::chrono::steady_clock::now();
  Exchange(client, at, EncodeRead("get.miner.status", "summary"),
           [at, start, done = std::move(done)](Verdict v) {
             StatusResult out;
             out.at = at;
             out.elapsed = std::chrono::steady_clock::now() - start;
             if (!v.ok) {
               out.state = v.state;
               out.error = v.error;
               return done(std::move(out));
             }
             Result<StatusReading> reading = ReadSummary(v.reply);
             if (!reading.ok()) {
               out.state = "bad-reply";
               out.error = reading.status().message();
               return done(std::move(out));
             }
             out.state = "ok";
             out.reading = std::move(reading).value();
             done(std::move(out));
           });
}

std::vector<StatusResult> ReadStatusAll(const std::vector<tcp::endpoint>& miners,
                                        RpcOptions options) {
  options.framing = RpcFraming::kLengthPrefixedLe32;
  boost::asio::io_context io;
  RpcClient client(io, options);
  const WhatsminerV3Driver driver;  // reads need no password
  std::vector<StatusResult> results(miners.size());
  for (std::size_t i = 0; i < miners.size(); ++i) {
    driver.ReadStatus(client, miners[i],
                      [&results, i](StatusResult r) { results[i] = std::move(r); });
  }
  io.run();
  for (std::size_t i = 0; i < miners.size(); ++i) {
    if (!results[i].state.empty()) continue;
    results[i].at = miners[i];
    results[i].state = "error";
    results[i].error = client.FailureAt(miners[i]);
  }
  return results;
}

}  // namespace mullet::whatsminer
