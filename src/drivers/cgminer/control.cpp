#include "drivers/cgminer/control.h"

#include <chrono>
#include <memory>

#include "drivers/cgminer/reply.h"

namespace mullet::cgminer {
namespace {

using tcp = boost::asio::ip::tcp;

// The state of a transport failure, or "" when a reply arrived.
std::string TransportState(const RpcReply& r) {
  switch (r.outcome) {
    case RpcOutcome::kReply:
      return r.bytes.empty() ? "closed" : "";
    case RpcOutcome::kTimeout:
      return "timeout";
    case RpcOutcome::kRefused:
      return "refused";
    case RpcOutcome::kReset:
      return "reset";
    case RpcOutcome::kTooLarge:
    case RpcOutcome::kOtherError:
      break;
  }
  return "error";
}

// One miner's sequence of requests, each sent when the previous one answered.
class Sequence : public std::enable_shared_from_this<Sequence> {
 public:
  Sequence(RpcClient& client, tcp::endpoint at, CurtailAction action, ControlResult* out)
      : client_(client), action_(action), out_(out), start_(std::chrono::steady_clock::now()) {
    out_->at = at;
  }

  void Run(const std::string& family) {
    if (!family.empty()) {
      out_->family = family;
      return Act();
    }
    Send("version", "", [](Sequence& s, const nlohmann::json& reply) { s.OnVersion(reply); });
  }

 private:
  using Next = void (*)(Sequence&, const nlohmann::json&);

  void Send(const std::string& command, const std::string& parameter, Next next) {
    auto self = shared_from_this();
    client_.Send(out_->at, EncodeRequest(command, parameter), [self, command, next](RpcReply r) {
      self->OnReply(command, r, next);
    });
  }

  void OnReply(const std::string& command, const RpcReply& r, Next next) {
    out_->step = command;
    if (std::string state = TransportState(r); !state.empty()) return Finish(state, r.error);
    Result<ParsedReply> parsed = ParseReply(r.bytes);
    if (!parsed.ok()) return Finish("bad-reply", parsed.status().message());
    if (Status s = CheckStatus(parsed->json); !s.ok()) {
      return Finish(s.code() == StatusCode::kDataError ? "bad-reply" : "error-status", s.message());
    }
    next(*this, parsed->json);
  }

  void OnVersion(const nlohmann::json& reply) {
    Result<VersionReading> v = ReadVersion(reply);
    if (!v.ok()) return Finish("bad-reply", v.status().message());
    out_->family = v->firmware_family;
    Act();
  }

  // The curtail or resume command of the miner's firmware.
  void Act() {
    if (out_->family == "luxminer") {
      return Send("logon", "", [](Sequence& s, const nlohmann::json& r) { s.OnLogon(r); });
    }
    if (out_->family == "bosminer") {
      return Send(action_ == CurtailAction::kSleep ? "pause" : "resume", "",
                  [](Sequence& s, const nlohmann::json&) { s.Finish("ok", ""); });
    }
    Finish("unsupported", out_->family + " firmware has no curtail command on its RPC port");
  }

  void OnLogon(const nlohmann::json& reply) {
    const nlohmann::json* session = nullptr;
    if (reply.contains("SESSION") && reply["SESSION"].is_array() && !reply["SESSION"].empty()) {
      session = &reply["SESSION"][0];
    }
    if (session == nullptr || !session->contains("SessionID") || !(*session)["SessionID"].is_string()) {
      return Finish("bad-reply", "logon reply without SESSION[0].SessionID");
    }
    session_ = (*session)["SessionID"].get<std::string>();
    Send("curtail", session_ + (action_ == CurtailAction::kSleep ? ",sleep" : ",wakeup"),
         [](Sequence& s, const nlohmann::json&) {
           s.confirmed_ = true;
           s.Send("logoff", s.session_, [](Sequence& t, const nlohmann::json&) { t.Finish("ok", ""); });
         });
  }

  void Finish(const std::string& state, const std::string& error) {
    // A failed logoff after a confirmed curtail still curtailed: the session expires by itself.
    out_->state = confirmed_ && state != "ok" ? "ok" : state;
    out_->error = confirmed_ && state != "ok" ? "curtailed; logoff failed: " + error : error;
    out_->elapsed = std::chrono::steady_clock::now() - start_;
  }

  RpcClient& client_;
  CurtailAction action_;
  ControlResult* out_;
  std::chrono::steady_clock::time_point start_;
  std::string session_;
  bool confirmed_ = false;
};

}  // namespace

std::vector<ControlResult> CurtailAll(const std::vector<tcp::endpoint>& miners, CurtailAction action,
                                      const RpcOptions& options, const std::string& family) {
  boost::asio::io_context io;
  RpcClient client(io, options);
  std::vector<ControlResult> results(miners.size());
  for (std::size_t i = 0; i < miners.size(); ++i) {
    std::make_shared<Sequence>(client, miners[i], action, &results[i])->Run(family);
  }
  io.run();
  return results;
}

}  // namespace mullet::cgminer
