#include "emulate/whatsminer_v3_server.h"

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <string>

namespace mullet {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::chrono::steady_clock::duration ToSteady(Seconds s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(s);
}

// One accepted connection: frames in, one reply per frame, in order. Only one
// read or one reply is outstanding at a time, so frames never interleave.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::size_t miner, const WhatsminerV3Server::Handler& handler,
             const WhatsminerV3Server& server)
      : socket_(std::move(socket)),
        idle_(socket_.get_executor()),
        delay_(socket_.get_executor()),
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
    idle_.expires_after(ToSteady(idle_limit_));
    idle_.async_wait([self](const boost::system::error_code& ec) {
      if (!ec) self->Close();
    });
  }

  void Read() {
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(chunk_),
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
        // linger 0 and close without a shutdown: the peer gets RST, not FIN.
        boost::system::error_code ignored;
        socket_.set_option(asio::socket_base::linger(true, 0), ignored);
        return Close();
      }
      case Delivery::kHang:
        delay_.expires_after(ToSteady(hang_limit_));
        delay_.async_wait([self](const boost::system::error_code& ec) {
          if (!ec) self->Close();
        });
        return Drain();
      case Delivery::kSlow:
      case Delivery::kSend:
        break;
    }
    delay_.expires_after(
        ToSteady(action_.delivery == Delivery::kSlow ? action_.delay : Seconds(0)));
    delay_.async_wait([self](const boost::system::error_code& ec) {
      if (ec || self->closed_) return;
      asio::async_write(self->socket_, asio::buffer(self->action_.bytes),
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
    socket_.async_read_some(asio::buffer(chunk_),
                            [self](const boost::system::error_code& ec, std::size_t) {
                              if (ec || self->closed_) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    idle_.cancel();
    delay_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
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

struct WhatsminerV3Server::Listener {
  Listener(asio::io_context& io, std::size_t m) : acceptor(io), retry(io), miner(m) {}
  tcp::acceptor acceptor;
  // Made with the listener: when accept fails for want of descriptors, the
  // back-off must not need anything new from the process.
  asio::steady_timer retry;
  std::size_t miner;
};

WhatsminerV3Server::WhatsminerV3Server(asio::io_context& io, Handler handler)
    : io_(io), handler_(std::move(handler)) {}

WhatsminerV3Server::~WhatsminerV3Server() {
  boost::system::error_code ignored;
  for (auto& l : acceptors_) l->acceptor.close(ignored);
}

Status WhatsminerV3Server::Listen(std::size_t miner, const tcp::endpoint& at) {
  auto l = std::make_shared<Listener>(io_, miner);
  boost::system::error_code ec;
  l->acceptor.open(at.protocol(), ec);
  if (!ec) l->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) l->acceptor.bind(at, ec);
  if (!ec) l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("cannot listen on " + at.address().to_string() + ":" +
                           std::to_string(at.port()) + ": " + ec.message());
  }
  acceptors_.push_back(l);
  Accept(l);
  return Status::Ok();
}

tcp::endpoint WhatsminerV3Server::endpoint(std::size_t i) const {
  boost::system::error_code ignored;
  return acceptors_.at(i)->acceptor.local_endpoint(ignored);
}

void WhatsminerV3Server::Accept(std::shared_ptr<Listener> l) {
  l->acceptor.async_accept([this, l](const boost::system::error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !l->acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors or memory: back off instead of spinning on the error.
      l->retry.expires_after(std::chrono::milliseconds(100));
      l->retry.async_wait([this, l](const boost::system::error_code& e) {
        if (!e) Accept(l);
      });
      return;
    }
    std::make_shared<Connection>(std::move(socket), l->miner, handler_, *this)->Start();
    Accept(l);
  });
}

}  // namespace mullet
