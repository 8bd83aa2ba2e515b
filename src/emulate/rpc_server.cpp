#include "emulate/rpc_server.h"

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>

namespace mullet {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::chrono::steady_clock::duration ToSteady(Seconds s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(s);
}

// One accepted connection: one read (cgminer reads the request in one recv),
// one plan, one reply.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::size_t miner, const RpcServer::Handler& handler, Seconds read_limit,
             Seconds hang_limit)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), miner_(miner), handler_(handler),
        read_limit_(read_limit), hang_limit_(hang_limit) {}

  void Start() {
    auto self = shared_from_this();
    timer_.expires_after(ToSteady(read_limit_));
    timer_.async_wait([self](const boost::system::error_code& ec) {
      if (!ec) self->Close();
    });
    socket_.async_read_some(asio::buffer(buf_), [self](const boost::system::error_code& ec, std::size_t n) {
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
      case ReplyPlan::Kind::kReset: {
        // linger 0 and close without a shutdown: the peer gets RST, not FIN.
        boost::system::error_code ignored;
        timer_.cancel();
        socket_.set_option(asio::socket_base::linger(true, 0), ignored);
        socket_.close(ignored);
        return;
      }
      case ReplyPlan::Kind::kHang:
        timer_.expires_after(ToSteady(hang_limit_));
        // Also ends when the client closes: a read then completes with EOF.
        socket_.async_read_some(asio::buffer(buf_), [self](const boost::system::error_code&, std::size_t) {
          self->Close();
        });
        break;
      case ReplyPlan::Kind::kSend:
        timer_.expires_after(ToSteady(plan_.delay));
        break;
    }
    timer_.async_wait([self](const boost::system::error_code& ec) {
      if (ec) return;
      if (self->plan_.kind == ReplyPlan::Kind::kHang) return self->Close();
      asio::async_write(self->socket_, asio::buffer(self->plan_.bytes),
                        [self](const boost::system::error_code&, std::size_t) { self->Close(); });
    });
  }

  void Close() {
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  std::size_t miner_;
  const RpcServer::Handler& handler_;
  Seconds read_limit_, hang_limit_;
  std::array<char, 4096> buf_{};
  ReplyPlan plan_;
};

}  // namespace

struct RpcServer::Listener {
  Listener(asio::io_context& io, std::size_t m) : acceptor(io), retry(io), miner(m) {}
  tcp::acceptor acceptor;
  // Made with the listener: when accept fails for want of descriptors, the
  // back-off must not need anything new from the process.
  asio::steady_timer retry;
  std::size_t miner;
};

RpcServer::RpcServer(asio::io_context& io, Handler handler) : io_(io), handler_(std::move(handler)) {}

RpcServer::~RpcServer() {
  boost::system::error_code ignored;
  for (auto& l : acceptors_) l->acceptor.close(ignored);
}

Status RpcServer::Listen(std::size_t miner, const tcp::endpoint& at) {
  auto l = std::make_shared<Listener>(io_, miner);
  boost::system::error_code ec;
  l->acceptor.open(at.protocol(), ec);
  if (!ec) l->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) l->acceptor.bind(at, ec);
  if (!ec) l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("cannot listen on " + at.address().to_string() + ":" + std::to_string(at.port()) +
                           ": " + ec.message());
  }
  acceptors_.push_back(l);
  Accept(l);
  return Status::Ok();
}

tcp::endpoint RpcServer::endpoint(std::size_t i) const {
  boost::system::error_code ignored;
  return acceptors_.at(i)->acceptor.local_endpoint(ignored);
}

void RpcServer::Accept(std::shared_ptr<Listener> l) {
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
    std::make_shared<Connection>(std::move(socket), l->miner, handler_, read_limit, hang_limit)->Start();
    Accept(l);
  });
}

}  // namespace mullet
