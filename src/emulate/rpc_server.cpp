#include "emulate/rpc_server.h"

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <utility>

namespace mullet {
namespace {

namespace asio = boost::asio;

// One accepted connection: one read (cgminer reads the request in one recv),
// one plan, one reply.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(AcceptedSocket peer, std::size_t miner, const RpcServer::Handler& handler,
             Seconds read_limit, Seconds hang_limit)
      : peer_(std::move(peer)),
        timer_(peer_.socket().get_executor()),
        miner_(miner),
        handler_(handler),
        read_limit_(read_limit),
        hang_limit_(hang_limit) {}

  void Start() {
    auto self = shared_from_this();
    timer_.expires_after(SteadyDuration(read_limit_));
    timer_.async_wait([self](const boost::system::error_code& ec) {
      if (!ec) self->Close();
    });
    peer_.socket().async_read_some(asio::buffer(buf_),
                                   [self](const boost::system::error_code& ec, std::size_t n) {
                                     if (ec) return self->Close();
                                     self->OnRequest(std::string_view(self->buf_.data(), n));
                                   });
  }

 private:
  void OnRequest(std::string_view request) {
    timer_.cancel();
    plan_ = handler_(miner_, request);
    auto self = shared_from_this();
    switch (plan_.kind) {
      case ReplyPlan::Kind::kReset:
        timer_.cancel();
        peer_.Reset();
        return;
      case ReplyPlan::Kind::kHang:
        timer_.expires_after(SteadyDuration(hang_limit_));
        // Also ends when the client closes: a read then completes with EOF.
        peer_.socket().async_read_some(asio::buffer(buf_), [self](const boost::system::error_code&,
                                                                  std::size_t) { self->Close(); });
        break;
      case ReplyPlan::Kind::kSend:
        timer_.expires_after(SteadyDuration(plan_.delay));
        break;
    }
    timer_.async_wait([self](const boost::system::error_code& ec) {
      if (ec) return;
      if (self->plan_.kind == ReplyPlan::Kind::kHang) return self->Close();
      asio::async_write(self->peer_.socket(), asio::buffer(self->plan_.bytes),
                        [self](const boost::system::error_code&, std::size_t) { self->Close(); });
    });
  }

  void Close() {
    timer_.cancel();
    peer_.Close();
  }

  AcceptedSocket peer_;
  asio::steady_timer timer_;
  std::size_t miner_;
  const RpcServer::Handler& handler_;
  Seconds read_limit_, hang_limit_;
  std::array<char, 4096> buf_{};
  ReplyPlan plan_;
};

}  // namespace

RpcServer::RpcServer(asio::io_context& io, Handler handler)
    : handler_(std::move(handler)), listener_(io, [this](std::size_t miner, AcceptedSocket peer) {
        std::make_shared<Connection>(std::move(peer), miner, handler_, read_limit, hang_limit)
            ->Start();
      }, LoopbackListener::kNoLimit, kMaxConnectionsPerMiner) {}

}  // namespace mullet
