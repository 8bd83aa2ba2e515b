#include "emulate/whatsminer_v3_server.h"

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <string>
#include <utility>

namespace mullet {
namespace {

namespace asio = boost::asio;

// One accepted connection: frames in, one reply per frame, in order. Only one
// read or one reply is outstanding at a time, so frames never interleave.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(AcceptedSocket peer, std::size_t miner, const WhatsminerV3Server::Handler& handler,
             const WhatsminerV3Server& server)
      : peer_(std::move(peer)),
        idle_(peer_.socket().get_executor()),
        delay_(peer_.socket().get_executor()),
        miner_(miner),
        handler_(handler),
        idle_limit_(server.idle_limit),
        hang_limit_(server.hang_limit),
        max_payload_(server.max_payload) {}

  void Start() {
    ArmIdle();
    Process();
  }

 private:
  // The idle clock runs while the connection waits for a frame; partial
  // frames do not reset it, so a client trickling bytes is still closed.
  void ArmIdle() {
    auto self = shared_from_this();
    idle_.expires_after(SteadyDuration(idle_limit_));
    idle_.async_wait([self](const boost::system::error_code& ec) {
      if (!ec) self->Close();
    });
  }

  void Read() {
    auto self = shared_from_this();
    peer_.socket().async_read_some(asio::buffer(chunk_),
                                   [self](const boost::system::error_code& ec, std::size_t n) {
                                     if (ec || self->closed_) return self->Close();
                                     self->buffer_.append(self->chunk_.data(), n);
                                     self->Process();
                                   });
  }

  // Answers the first whole frame in the buffer, or reads more.
  void Process() {
    while (!closed_) {
      const V3FrameScan scan = ScanV3Frame(buffer_, max_payload_);
      switch (scan.state) {
        case V3FrameScan::State::kNeedMore:
          return Read();
        case V3FrameScan::State::kTooLarge:
          idle_.cancel();
          return Deliver(handler_(miner_, "", true));
        case V3FrameScan::State::kComplete:
          break;
      }
      const std::string payload = buffer_.substr(4, scan.length);
      buffer_.erase(0, 4 + std::size_t{scan.length});
      if (payload.empty()) {  // heartbeat: the connection stays, nothing is sent
        ArmIdle();
        continue;
      }
      idle_.cancel();
      return Deliver(handler_(miner_, payload, false));
    }
  }

  void Deliver(V3Action a) {
    action_ = std::move(a);
    auto self = shared_from_this();
    switch (action_.delivery) {
      case Delivery::kReset: {
        // linger 0, so the close ends in RST. Close() shuts down first, so the
        // peer sees FIN then RST (AcceptedSocket::Reset sends RST alone).
        boost::system::error_code ignored;
        peer_.socket().set_option(asio::socket_base::linger(true, 0), ignored);
        return Close();
      }
      case Delivery::kHang:
        delay_.expires_after(SteadyDuration(hang_limit_));
        delay_.async_wait([self](const boost::system::error_code& ec) {
          if (!ec) self->Close();
        });
        return Drain();
      case Delivery::kSlow:
      case Delivery::kSend:
        break;
    }
    delay_.expires_after(
        SteadyDuration(action_.delivery == Delivery::kSlow ? action_.delay : Seconds(0)));
    delay_.async_wait([self](const boost::system::error_code& ec) {
      if (ec || self->closed_) return;
      asio::async_write(self->peer_.socket(), asio::buffer(self->action_.bytes),
                        [self](const boost::system::error_code& e, std::size_t) {
                          if (e || self->action_.close_after) return self->Close();
                          self->ArmIdle();
                          self->Process();
                        });
    });
  }

  // A hung miner reads and ignores whatever comes, until the client leaves.
  void Drain() {
    auto self = shared_from_this();
    peer_.socket().async_read_some(asio::buffer(chunk_),
                                   [self](const boost::system::error_code& ec, std::size_t) {
                                     if (ec || self->closed_) return self->Close();
                                     self->Drain();
                                   });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    idle_.cancel();
    delay_.cancel();
    peer_.Close();
  }

  AcceptedSocket peer_;
  asio::steady_timer idle_;
  asio::steady_timer delay_;
  std::size_t miner_;
  const WhatsminerV3Server::Handler& handler_;
  Seconds idle_limit_, hang_limit_;
  std::size_t max_payload_;
  std::array<char, 4096> chunk_{};
  std::string buffer_;
  V3Action action_;
  bool closed_ = false;
};

}  // namespace

WhatsminerV3Server::WhatsminerV3Server(asio::io_context& io, Handler handler)
    : handler_(std::move(handler)), listener_(io, [this](std::size_t miner, AcceptedSocket peer) {
        std::make_shared<Connection>(std::move(peer), miner, handler_, *this)->Start();
      }, LoopbackListener::kNoLimit, kMaxConnectionsPerMiner) {}

}  // namespace mullet
