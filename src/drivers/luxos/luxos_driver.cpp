#include "drivers/luxos/luxos_driver.h"

#include <algorithm>
#include <memory>

#include "core/text/untrusted_text.h"
#include "drivers/cgminer/exchange.h"

namespace mullet::luxos {
namespace {

using tcp = boost::asio::ip::tcp;
using cgminer::Exchange;
using cgminer::ExchangeResult;
using Json = nlohmann::json;

// One miner's session: every step is sent when the previous one answered.
// Whatever a step's reply holds, the session ends the same way: what it
// changed is put back (ATM switched on again if it switched it off) and the
// session is released (logoff), then the outcome names the first failure and
// anything left changed.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(RpcClient& client, tcp::endpoint at, MinerCommand command, SessionKeeper* keeper, MinerDriver::Done done)
      : client_(client), at_(at), command_(std::move(command)), done_(std::move(done)) {
    // Only sleep and wake keep their sessions: the other commands switch
    // ATM and profiles, and put back what they changed before logging off.
    if (command_.kind == MinerCommandKind::kSleep || command_.kind == MinerCommandKind::kWake) keeper_ = keeper;
  }

  void Start() {
    if (keeper_) {
      if (std::optional<std::string> id = keeper_->Fresh(at_, SessionKeeper::Clock::now())) {
        session_ = *id;
        reused_ = true;
        return Curtail();
      }
    }
    Logon();
  }

 private:
  using Next = void (*)(Session&, const Json&);
  using Refused = void (*)(Session&, const ExchangeResult&);

  // The barrier: no exception from reading a reply leaves the session (a
  // JSON type error once aborted a whole fleet command). A failed step ends
  // the session (Fail), or goes to `refused` when one is given.
  void Step(const std::string& command, const std::string& parameter, Next next, Refused refused = nullptr) {
    auto self = shared_from_this();
    Exchange(client_, at_, command, parameter, [self, command, next, refused](ExchangeResult r) {
      self->out_.step = command;
      if (!r.ok) return refused ? refused(*self, r) : self->Fail(r.state, r.error);
      try {
        next(*self, r.reply);
      } catch (const std::exception& e) {
        self->Fail("bad-reply", "unexpected reply: " + std::string(e.what()));
      }
    });
  }
  // A step with the session id as its first parameter.
  void SessionStep(const std::string& command, const std::string& rest, Next next, Refused refused = nullptr) {
    Step(command, session_ + (rest.empty() ? "" : "," + rest), next, refused);
  }

  void Logon() {
    // Kept sessions: a logon refused while a session is open (this
    // controller's, from before a restart) reads that session's id.
    Refused refused = nullptr;
    if (keeper_) {
      refused = [](Session& s, const ExchangeResult& r) {
        if (r.state != "error-status") return s.Fail(r.state, r.error);
        s.logon_refused_ = r.error;
        s.Step("session", "", [](Session& t, const Json& reply) { t.OnLogon(reply); });
      };
    }
    Step("logon", "", [](Session& s, const Json& r) { s.OnLogon(r); }, refused);
  }

  // SESSION[0].SessionID of a `logon` or `session` reply, if it is one that
  // can be sent back as a parameter.
  static std::optional<std::string> SessionIdIn(const Json& reply) {
    const Json* s = nullptr;
    if (reply.contains("SESSION") && reply["SESSION"].is_array() && !reply["SESSION"].empty())
      s = &reply["SESSION"][0];
    if (s == nullptr || !s->is_object() || !s->contains("SessionID") || !(*s)["SessionID"].is_string() ||
        (*s)["SessionID"].get<std::string>().empty() || (*s)["SessionID"].get<std::string>().size() > 64 ||
        (*s)["SessionID"].get<std::string>().find_first_of(",|\"\\") != std::string::npos) {
      return std::nullopt;
    }
    return (*s)["SessionID"].get<std::string>();
  }

  void OnLogon(const Json& reply) {
    std::optional<std::string> id = SessionIdIn(reply);
    if (!id && !logon_refused_.empty()) {
      out_.step = "logon";  // no session open after all: the logon's refusal stands
      return Fail("error-status", logon_refused_);
    }
    if (!id) return Fail("bad-reply", out_.step + " reply without a SESSION[0].SessionID");
    session_ = std::move(*id);
    switch (command_.kind) {
      case MinerCommandKind::kSleep:
      case MinerCommandKind::kWake:
        return Curtail();
      case MinerCommandKind::kSetPower:
        return Step("profiles", "", [](Session& t, const Json& r) { t.OnProfiles(r); });
      case MinerCommandKind::kSetProfile:
        profile_ = command_.profile;
        return Step("atm", "", [](Session& t, const Json& r) { t.OnAtm(r); });
    }
  }

  // A kept id the miner refuses (expired, or another tool's logoff) is
  // forgotten and the command starts again with a logon, once.
  void Curtail() {
    SessionStep("curtail", command_.kind == MinerCommandKind::kSleep ? "sleep" : "wakeup",
                [](Session& t, const Json&) { t.Succeeded(); },
                [](Session& t, const ExchangeResult& r) {
                  if (!t.reused_ || r.state != "error-status") return t.Fail(r.state, r.error);
                  t.keeper_->Forget(t.at_);
                  t.reused_ = false;
                  t.session_.clear();
                  t.Logon();
                });
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
    Result<bool> on = ReadAtmEnabled(reply);
    if (!on.ok()) return Fail("bad-reply", on.status().message());
    if (!*on) return SetProfile();
    atm_was_on_ = true;
    SessionStep("atmset", "enabled=false", [](Session& t, const Json&) {
      t.atm_off_ = true;
      t.SetProfile();
    });
  }

  void SetProfile() {
    SessionStep("profileset", profile_, [](Session& t, const Json&) { t.Succeeded(); });
  }

  void Succeeded() {
    confirmed_ = true;
    CleanUp();
  }

  void Fail(const std::string& state, const std::string& error) {
    if (cleaning_) {
      // Putting things back failed: say what is left as it is, and go on.
      left_ += (left_.empty() ? "" : "; ") + out_.step + " failed (" + error + ")";
      if (out_.step == "atmset") left_ += ": ATM is left off";
      if (out_.step == "logoff") left_ += ": the session stays open until the miner expires it";
      return CleanUp();
    }
    failed_ = {state, error, out_.step};
    // An atmset that failed may still have switched ATM off.
    if (atm_was_on_ && out_.step == "atmset") atm_off_ = true;
    CleanUp();
  }

  // Puts ATM back on if this session switched it off, then logs off; each
  // once, whether or not it succeeds.
  void CleanUp() {
    cleaning_ = true;
    if (atm_off_ && !session_.empty()) {
      atm_off_ = false;
      return SessionStep("atmset", "enabled=true", [](Session& t, const Json&) { t.CleanUp(); });
    }
    if (keeper_ && confirmed_ && !session_.empty()) {
      keeper_->Keep(at_, session_, SessionKeeper::Clock::now());  // left open for the next command
      return Conclude();
    }
    if (keeper_) keeper_->Forget(at_);
    if (!session_.empty() && !logged_off_) {
      logged_off_ = true;
      return SessionStep("logoff", "", [](Session& t, const Json&) { t.CleanUp(); });
    }
    Conclude();
  }

  void Conclude() {
    if (finished_) return;
    finished_ = true;
    if (confirmed_) {
      out_.state = "ok";
      out_.error = left_.empty() ? "" : "done; then " + left_;
      if (applied_) out_.applied = applied_;
      if (!profile_.empty()) out_.profile = profile_;
    } else {
      out_.step = failed_.step;
      out_.state = failed_.state;
      out_.error = failed_.error + (left_.empty() ? "" : "; then " + left_);
    }
    done_(std::move(out_));
  }

  struct Failure {
    std::string state, error, step;
  };

  RpcClient& client_;
  tcp::endpoint at_;
  MinerCommand command_;
  SessionKeeper* keeper_ = nullptr;  // kept sessions (sleep and wake only)
  bool reused_ = false;              // session_ came from the keeper
  std::string logon_refused_;        // why a logon was refused before asking `session`
  MinerDriver::Done done_;
  CommandOutcome out_;
  std::string session_;
  std::string profile_;
  std::optional<Watts> applied_;
  bool atm_was_on_ = false;  // ATM was on when the session read it
  bool atm_off_ = false;     // this session switched it off and has not put it back
  bool confirmed_ = false;
  bool cleaning_ = false;
  bool logged_off_ = false;
  bool finished_ = false;
  std::string left_;  // what putting things back could not do
  Failure failed_;
};

}  // namespace

std::optional<std::string> SessionKeeper::Fresh(const tcp::endpoint& at, Clock::time_point now) const {
  const auto it = kept_.find(at);
  if (it == kept_.end() || now - it->second.used >= kKept) return std::nullopt;
  return it->second.id;
}

void SessionKeeper::Keep(const tcp::endpoint& at, std::string id, Clock::time_point now) {
  kept_[at] = {std::move(id), now};
}

Result<bool> ReadAtmEnabled(const Json& reply) {
  if (!reply.is_object() || !reply.contains("ATM") || !reply["ATM"].is_array() || reply["ATM"].empty() ||
      !reply["ATM"][0].is_object()) {
    return Status::DataError("atm reply without an ATM[0] object");
  }
  const Json& atm = reply["ATM"][0];
  const auto enabled = atm.find("Enabled");
  if (enabled == atm.end()) return false;  // no ATM on this firmware
  if (!enabled->is_boolean()) return Status::DataError("atm reply: ATM[0].Enabled is not true or false");
  return enabled->get<bool>();
}

Result<std::vector<Profile>> ReadProfiles(const Json& reply) {
  if (!reply.contains("PROFILES") || !reply["PROFILES"].is_array())
    return Status::DataError("profiles reply without a PROFILES list");
  std::vector<Profile> out;
  for (std::size_t i = 0; i < reply["PROFILES"].size(); ++i) {
    const Json& e = reply["PROFILES"][i];
    const auto name = e.find("Profile Name");
    const auto watts = e.find("Watts");
    if (!e.is_object() || name == e.end() || !name->is_string() || watts == e.end() || !watts->is_number()) {
      return Status::DataError("PROFILES[" + std::to_string(i) + "] lacks a string \"Profile Name\" or a "
                               "numeric \"Watts\"");
    }
    // A miner's profile draws what a miner can: not negative, not a megawatt.
    const double w = watts->get<double>();
    if (!(w >= 0 && w <= kMaxProfileWatts.value())) {
      return Status::DataError("PROFILES[" + std::to_string(i) + "].Watts " + Printable(watts->dump(), 40) +
                               " is not a miner's power (0 to " + std::to_string(static_cast<int>(kMaxProfileWatts.value())) +
                               " W)");
    }
    const std::string& n = name->get_ref<const std::string&>();
    if (n.empty() || n.size() > 64 || n.find_first_of(",|\"\\") != std::string::npos) {
      return Status::DataError("PROFILES[" + std::to_string(i) + "] has a \"Profile Name\" that cannot be sent back: '" +
                               Printable(n, 64) + "'");
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
  std::make_shared<Session>(client, at, command, keeper_.get(), std::move(done))->Start();
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
