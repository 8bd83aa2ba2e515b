#include "emulate/loopback_listener.h"

#include <sys/socket.h>

#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <string>
#include <utility>
#include <vector>

namespace mullet {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

AcceptedSocket::AcceptedSocket(tcp::socket socket, std::shared_ptr<Registry> registry, std::size_t tag)
    : socket_(std::move(socket)), registry_(std::move(registry)), id_(registry_->next++) {
  registry_->open.emplace(id_, Registry::Entry{socket_.native_handle(), tag});
  ++registry_->per_tag[tag];
}

AcceptedSocket::~AcceptedSocket() {
  if (!registry_) return;
  const auto it = registry_->open.find(id_);
  if (it == registry_->open.end()) return;
  const auto count = registry_->per_tag.find(it->second.tag);
  if (--count->second == 0) registry_->per_tag.erase(count);
  registry_->open.erase(it);
}

void AcceptedSocket::Close() {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void AcceptedSocket::Reset() {
  // linger 0 and close without a shutdown: the peer gets RST, not FIN.
  boost::system::error_code ignored;
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
}

struct LoopbackListener::Socket {
  Socket(asio::io_context& io, std::size_t t) : acceptor(io), retry(io), tag(t) {}
  tcp::acceptor acceptor;
  // Made with the socket: when accept fails for want of descriptors, the
  // back-off must not need anything new from the process.
  asio::steady_timer retry;
  std::size_t tag;
};

struct LoopbackListener::Shared {
  Shared(asio::io_context& i, OnAccept a, std::size_t m, std::size_t per)
      : io(i), on_accept(std::move(a)), max_connections(m), max_per_address(per) {}
  asio::io_context& io;
  OnAccept on_accept;
  std::size_t max_connections;
  std::size_t max_per_address;
  std::shared_ptr<AcceptedSocket::Registry> registry = std::make_shared<AcceptedSocket::Registry>();
  std::vector<std::unique_ptr<Socket>> sockets;
  bool stopped = false;
};

LoopbackListener::LoopbackListener(asio::io_context& io, OnAccept on_accept, std::size_t max_connections,
                                   std::size_t max_per_address)
    : shared_(std::make_shared<Shared>(io, std::move(on_accept), max_connections, max_per_address)) {}

LoopbackListener::~LoopbackListener() { Stop(); }

Status LoopbackListener::Listen(std::size_t tag, const tcp::endpoint& at) {
  auto s = std::make_unique<Socket>(shared_->io, tag);
  boost::system::error_code ec;
  s->acceptor.open(at.protocol(), ec);
  if (!ec) s->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) s->acceptor.bind(at, ec);
  if (!ec) s->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("cannot listen on " + at.address().to_string() + ":" +
                           std::to_string(at.port()) + ": " + ec.message());
  }
  shared_->sockets.push_back(std::move(s));
  if (!shared_->stopped) Accept(shared_, shared_->sockets.back().get());
  return Status::Ok();
}

std::size_t LoopbackListener::listeners() const { return shared_->sockets.size(); }

tcp::endpoint LoopbackListener::endpoint(std::size_t i) const {
  boost::system::error_code ignored;
  return shared_->sockets.at(i)->acceptor.local_endpoint(ignored);
}

std::size_t LoopbackListener::open_connections() const { return shared_->registry->open.size(); }

void LoopbackListener::Stop() {
  shared_->stopped = true;
  boost::system::error_code ignored;
  for (auto& s : shared_->sockets) {
    s->acceptor.close(ignored);
    s->retry.cancel();
  }
}

void LoopbackListener::Accept(std::shared_ptr<Shared> shared, Socket* s) {
  s->acceptor.async_accept([shared, s](const boost::system::error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || shared->stopped || !s->acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors: the oldest connections make room. A shutdown,
      // not a close: the descriptor stays with its socket object, whose
      // server sees the end of the stream and closes it.
      // (By value: comparing with asio's enum calls into Boost.System's
      // constexpr category, which UBSan's vptr check takes for a bad object.)
      if (ec.value() == EMFILE || ec.value() == ENFILE) {
        int evicted = 0;
        for (auto& [id, entry] : shared->registry->open) {
          if (entry.fd < 0) continue;
          if (evicted++ == 8) break;
          ::shutdown(entry.fd, SHUT_RDWR);
          entry.fd = -1;
        }
      }
      // Then back off instead of spinning on the error.
      s->retry.expires_after(std::chrono::milliseconds(100));
      s->retry.async_wait([shared, s](const boost::system::error_code& e) {
        if (!e && !shared->stopped) Accept(shared, s);
      });
      return;
    }
    // Past the limit `socket` closes here: a client that opens that many is a
    // bug to surface, not to serve.
    AcceptedSocket::Registry& registry = *shared->registry;
    if (registry.open.size() < shared->max_connections) {
      // This address's oldest makes room (shut down, not closed: its server
      // closes it on the end of the stream, and the count falls then).
      if (const auto n = registry.per_tag.find(s->tag);
          n != registry.per_tag.end() && n->second >= shared->max_per_address) {
        for (auto& [id, entry] : registry.open) {
          if (entry.tag != s->tag || entry.fd < 0) continue;
          ::shutdown(entry.fd, SHUT_RDWR);
          entry.fd = -1;  // shut down once; its server closes it soon
          break;
        }
      }
      shared->on_accept(s->tag, AcceptedSocket(std::move(socket), shared->registry, s->tag));
    }
    Accept(shared, s);
  });
}

}  // namespace mullet
