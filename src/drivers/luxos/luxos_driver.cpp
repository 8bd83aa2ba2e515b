#include "drivers/luxos/luxos_driver.h"

#include <algorithm>
#include <memory>

#include "drivers/cgminer/exchange.h"

namespace mullet::luxos {
namespace {

using tcp = boost::asio::ip::tcp;
using cgminer::Exchange;
using cgminer::ExchangeResult;
using Json = nlohmann::json;

// One miner's session: every step is sent when the previous one answered.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(RpcClient& client, tcp::endpoint at, MinerCommand command, MinerDriver::Done done)
      : client_(client), at_(at), command_(std::move(command)), done_(std::move(done)) {}

  void Start() {
    Step("logon", "", [](Session& s, const Json& r) { s.OnLogon(r); });
  }

 private:
  using Next = void (*)(Session&, const Json&);

  void Step(const std::string& command, const std::string& parameter, Next next) {
    auto self = shared_from_this();
    Exchange(client_, at_, command, parameter, [self, command, next](ExchangeResult r) {
      self->out_.step = command;
      if (!r.ok) return self->Fail(r.state, r.error);
      next(*self, r.reply);
    });
  }
  // A step with the session id as its first parameter.
  void SessionStep(const std::string& command, const std::string& rest, Next next) {
    Step(command, session_ + (rest.empty() ? "" : "," + rest), next);
  }

  void OnLogon(const Json& reply) {
    const Json* s = nullptr;
    if (reply.contains("SESSION") && reply["SESSION"].is_array() && !reply["SESSION"].empty())
      s = &reply["SESSION"][0];
    if (s == nullptr || !s->contains("SessionID") || !(*s)["SessionID"].is_string() ||
        (*s)["SessionID"].get<std::string>().empty()) {
      return Fail("bad-reply", "logon reply without SESSION[0].SessionID");
    }
    session_ = (*s)["SessionID"].get<std::string>();
    switch (command_.kind) {
      case MinerCommandKind::kSleep:
      case MinerCommandKind::kWake:
        return SessionStep("curtail", command_.kind == MinerCommandKind::kSleep ? "sleep" : "wakeup",
                           [](Session& t, const Json&) { t.Confirmed(); });
      case MinerCommandKind::kSetPower:
        return Step("profiles", "", [](Session& t, const Json& r) { t.OnProfiles(r); });
      case MinerCommandKind::kSetProfile:
        profile_ = command_.profile;
        return Step("atm", "", [](Session& t, const Json& r) { t.OnAtm(r); });
    }
  }

  void OnProfiles(const Json& reply) {
    Result<std::vector<Profile>> profiles = ReadProfiles(reply);
    if (!profiles.ok()) return Fail("bad-reply", profiles.status().message());
    if (profiles->empty()) return Fail("bad-reply", "the miner lists no profiles");
    const Profile& p = PickProfile(*profiles, command_.power);
    profile_ = p.name;
    applied_ = p.power;
    Step("atm", "", [](Session& t, const Json& r) { t.OnAtm(r); });
  }

  void OnAtm(const Json& reply) {
    const bool on = reply.contains("ATM") && reply["ATM"].is_array() && !reply["ATM"].empty() &&
                    reply["ATM"][0].value("Enabled", false);
    if (!on) return SetProfile();
    atm_was_on_ = true;
    SessionStep("atmset", "enabled=false", [](Session& t, const Json&) { t.SetProfile(); });
  }

  void SetProfile() {
    SessionStep("profileset", profile_, [](Session& t, const Json&) {
      t.confirmed_ = true;
      t.RestoreAtm();
    });
  }

  void RestoreAtm() {
    if (!atm_was_on_) return Confirmed();
    atm_was_on_ = false;  // once, even when it fails
    SessionStep("atmset", "enabled=true", [](Session& t, const Json&) { t.Confirmed(); });
  }

  void Confirmed() {
    confirmed_ = true;
    SessionStep("logoff", "", [](Session& t, const Json&) { t.Finish("ok", ""); });
  }

  void Fail(const std::string& state, const std::string& error) {
    if (confirmed_) {
      // The command took; what failed after it (ATM back on, logoff) is a note.
      return Finish("ok", "done; then " + out_.step + " failed: " + error);
    }
    if (atm_was_on_ && !session_.empty()) {
      // profileset failed with ATM switched off: put it back, then report the failure.
      atm_was_on_ = false;
      failed_ = {state, error, out_.step};
      return SessionStep("atmset", "enabled=true", [](Session& t, const Json&) { t.FinishFailed(); });
    }
    if (!failed_.state.empty()) return FinishFailed();
    Finish(state, error);
  }

  void FinishFailed() {
    out_.step = failed_.step;
    Finish(failed_.state, failed_.error);
  }

  void Finish(const std::string& state, const std::string& error) {
    if (finished_) return;
    finished_ = true;
    out_.state = state;
    out_.error = error;
    if (state == "ok") {
      if (applied_) out_.applied = applied_;
      if (!profile_.empty()) out_.profile = profile_;
    }
    done_(std::move(out_));
  }

  struct Failure {
    std::string state, error, step;
  };

  RpcClient& client_;
  tcp::endpoint at_;
  MinerCommand command_;
  MinerDriver::Done done_;
  CommandOutcome out_;
  std::string session_;
  std::string profile_;
  std::optional<Watts> applied_;
  bool atm_was_on_ = false;
  bool confirmed_ = false;
  bool finished_ = false;
  Failure failed_;
};

}  // namespace

Result<std::vector<Profile>> ReadProfiles(const Json& reply) {
  if (!reply.contains("PROFILES") || !reply["PROFILES"].is_array())
    return Status::DataError("profiles reply without a PROFILES list");
  std::vector<Profile> out;
  for (std::size_t i = 0; i < reply["PROFILES"].size(); ++i) {
    const Json& e = reply["PROFILES"][i];
    const auto name = e.find("Profile Name");
    const auto watts = e.find("Watts");
    if (name == e.end() || !name->is_string() || watts == e.end() || !watts->is_number()) {
      return Status::DataError("PROFILES[" + std::to_string(i) + "] lacks a string \"Profile Name\" or a "
                               "numeric \"Watts\"");
    }
    out.push_back({name->get<std::string>(), Watts(watts->get<double>())});
  }
  std::stable_sort(out.begin(), out.end(), [](const Profile& a, const Profile& b) { return a.power < b.power; });
  return out;
}

const Profile& PickProfile(const std::vector<Profile>& profiles, Watts target) {
  const Profile* best = &profiles.front();
  for (const Profile& p : profiles) {
    if (p.power <= target) best = &p;
  }
  return *best;
}

void LuxosDriver::Run(RpcClient& client, const tcp::endpoint& at, const MinerCommand& command, Done done) const {
  std::make_shared<Session>(client, at, command, std::move(done))->Start();
}

void LuxosDriver::ReadEnvelope(RpcClient& client, const tcp::endpoint& at, EnvelopeDone done) const {
  Exchange(client, at, "profiles", "", [done = std::move(done)](ExchangeResult r) {
    if (!r.ok) return done(Status::IoError("profiles: " + r.state + ": " + r.error));
    Result<std::vector<Profile>> profiles = ReadProfiles(r.reply);
    if (!profiles.ok()) return done(profiles.status());
    TuningEnvelope e;
    for (const Profile& p : *profiles) e.profiles.push_back(p.name);
    if (!profiles->empty()) {
      e.min_power = profiles->front().power;
      e.max_power = profiles->back().power;
    }
    done(e);
  });
}

}  // namespace mullet::luxos
